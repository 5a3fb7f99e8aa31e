"""Retention (P10) of entries and survey answers, by the project's purge and its declarations."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.utils import timezone

from contests.models import Answer, Entry, PendingEntry, Response
from privacy.services import retention as retention_module
from privacy.services import retention_purge
from tests.contests.factories import ClosedContestFactory, ContestFactory, EntryFactory, survey_with_questions

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _no_purge_lock_left():
    cache.delete(retention_module.CACHE_LOCK)
    yield
    cache.delete(retention_module.CACHE_LOCK)


@pytest.mark.django_db
def test_p10_entries_go_a_year_after_their_contest_closed_and_newer_ones_stay():
    # given entries made long ago in a contest that closed 13 months ago, and entries made
    # just as long ago in one that closed 11 months ago
    old = ClosedContestFactory(opens=NOW - relativedelta(months=20), closes=NOW - relativedelta(months=13))
    recent = ClosedContestFactory(opens=NOW - relativedelta(months=20), closes=NOW - relativedelta(months=11))
    long_ago = NOW - relativedelta(months=19)
    for contest in (old, recent):
        for _ in range(3):
            EntryFactory(contest=contest, entered_at=long_ago, age_confirmed_at=long_ago)

    # when the daily purge runs
    run = retention_purge()

    # then only the entries of the contest closed over a year ago are gone
    assert set(Entry.objects.values_list("contest", flat=True)) == {recent.pk}
    assert Entry.objects.count() == 3
    assert run.counts["contests.Entry"]["deleted"] == 3


@pytest.mark.django_db
def test_p10_the_year_counts_from_the_close_even_for_a_long_contest():
    contest = ClosedContestFactory(opens=NOW - relativedelta(years=3), closes=NOW - relativedelta(months=6))
    EntryFactory(contest=contest, entered_at=NOW - relativedelta(years=2))

    retention_purge()

    assert Entry.objects.count() == 1


@pytest.mark.django_db
def test_p10_unconfirmed_entries_go_a_day_after_their_link_stops_working():
    contest = ContestFactory()
    PendingEntry.objects.create(
        contest=contest, email="old@example.com", age_confirmed_at=NOW, created_at=NOW - datetime.timedelta(days=4)
    )
    PendingEntry.objects.create(
        contest=contest, email="new@example.com", age_confirmed_at=NOW, created_at=NOW - datetime.timedelta(days=1)
    )

    retention_purge()

    assert list(PendingEntry.objects.values_list("email", flat=True)) == ["new@example.com"]


@pytest.mark.django_db
def test_p10_survey_responses_and_their_answers_go_after_two_years():
    survey, rating, *_rest = survey_with_questions()
    old = Response.objects.create(survey=survey, created_at=NOW - relativedelta(years=2, days=1))
    new = Response.objects.create(survey=survey, created_at=NOW - relativedelta(years=1, months=11))
    for response in (old, new):
        Answer.objects.create(response=response, question=rating, rating=4)

    retention_purge()

    assert list(Response.objects.all()) == [new]
    assert list(Answer.objects.values_list("response", flat=True)) == [new.pk]
