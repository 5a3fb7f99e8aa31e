"""Drawing a winner (P02): after the close, once, at random, reproducible from its record, audited."""

import datetime

import pytest
from django.utils import timezone

from contests.models import Draw, Entry
from contests.services import DrawError, draw_create, draw_replay
from contests.services.draws import entries_digest, winning_index
from privacy.models import AuditEvent
from privacy.services import subject_erase
from privacy.subjects import Subject
from tests.accounts.factories import UserFactory
from tests.contests.factories import ClosedContestFactory, ContestFactory, EntryFactory


def _closed_with_entries(n=7):
    contest = ClosedContestFactory()
    entries = [EntryFactory(contest=contest) for _ in range(n)]
    return contest, entries


@pytest.mark.django_db
def test_p02_the_draw_is_reproducible_from_its_record(staff):
    contest, entries = _closed_with_entries()
    EntryFactory()  # another contest's entry is not in this draw

    draw = draw_create(contest=contest, actor=staff)

    draw = Draw.objects.get(pk=draw.pk)
    assert draw.entry_ids == [e.pk for e in entries]
    assert draw.entries_hash == entries_digest(draw.entry_ids)
    assert len(draw.seed) == 64
    # Run again from the stored record alone: the same winner.
    assert draw_replay(draw) == draw.winner_entry_id == draw.winner_id
    assert draw.entry_ids[winning_index(draw.seed, draw.entry_ids)] == draw.winner_entry_id


def test_p02_the_winner_is_a_function_of_the_seed_and_the_ids_only():
    ids = list(range(1, 101))
    seeds = ["00" * 32, "ff" * 32, "0123456789abcdef" * 4]

    picks = [winning_index(seed, ids) for seed in seeds]

    assert picks == [winning_index(seed, list(ids)) for seed in seeds]
    assert all(0 <= pick < 100 for pick in picks)
    assert len(set(picks)) > 1


@pytest.mark.django_db
def test_p02_a_changed_list_of_entries_is_detected(staff):
    contest, _entries = _closed_with_entries()
    draw = draw_create(contest=contest, actor=staff)
    draw.entry_ids = draw.entry_ids[1:]

    with pytest.raises(DrawError, match="does not match its hash"):
        draw_replay(draw)


@pytest.mark.django_db
def test_p02_draws_are_spread_over_the_entries(staff):
    """Twenty draws from the same five entries pick more than one winner: the seed is random."""
    winners = set()
    for _ in range(20):
        contest, _entries = _closed_with_entries(5)
        draw = draw_create(contest=contest, actor=staff)
        winners.add(draw.entry_ids.index(draw.winner_entry_id))

    assert len(winners) > 1


@pytest.mark.django_db
def test_p02_one_draw_per_contest(staff):
    contest, _entries = _closed_with_entries()
    first = draw_create(contest=contest, actor=staff)

    with pytest.raises(DrawError, match="already been drawn"):
        draw_create(contest=contest, actor=staff)

    assert list(Draw.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.django_db
def test_p02_no_draw_before_the_close_or_without_entries(staff):
    running = ContestFactory()
    EntryFactory(contest=running)

    with pytest.raises(DrawError, match="has not closed yet"):
        draw_create(contest=running, actor=staff)
    with pytest.raises(DrawError, match="no entries"):
        draw_create(contest=ClosedContestFactory(), actor=staff)
    assert Draw.objects.count() == 0


@pytest.mark.django_db
def test_p02_the_draw_is_audited_without_values(staff):
    contest = ClosedContestFactory()
    winner = UserFactory()
    EntryFactory(contest=contest, user=winner, email=winner.email)

    draw = draw_create(contest=contest, actor=staff)

    event = AuditEvent.objects.get(model="contests.Draw")
    assert (event.actor, event.action, event.object_id, event.subject_id) == (
        staff,
        "add",
        str(draw.pk),
        str(winner.pk),
    )
    assert event.fields == ["entry_ids", "seed", "winner"]
    assert winner.email not in event.detail
    assert draw.seed not in event.detail


@pytest.mark.django_db
def test_p02_staff_draw_the_winner_from_the_admin_and_see_it(staff_client, staff, mailoutbox):
    contest, _entries = _closed_with_entries(3)
    change_url = f"/admin/contests/contest/{contest.pk}/change/"
    assert "Draw the winner" in staff_client.get(change_url).content.decode()

    assert staff_client.get(f"/admin/contests/contest/{contest.pk}/draw/").status_code == 405
    response = staff_client.post(f"/admin/contests/contest/{contest.pk}/draw/", follow=True)

    draw = Draw.objects.get(contest=contest)
    page = response.content.decode()
    assert f"Winner drawn: entry #{draw.winner_entry_id} of 3. Nobody has been emailed." in page
    assert f"Entry #{draw.winner_entry_id}</a>" in page
    assert "the same winner" in page
    assert "Draw the winner</button>" not in page
    assert mailoutbox == []
    again = staff_client.post(f"/admin/contests/contest/{contest.pk}/draw/", follow=True)
    assert "already been drawn" in again.content.decode()
    assert Draw.objects.count() == 1


@pytest.mark.django_db
def test_p02_no_draw_button_while_the_contest_runs(staff_client):
    contest = ContestFactory()

    page = staff_client.get(f"/admin/contests/contest/{contest.pk}/change/").content.decode()
    refused = staff_client.post(f"/admin/contests/contest/{contest.pk}/draw/", follow=True)

    assert "Draw the winner</button>" not in page
    assert "has not closed yet" in refused.content.decode()
    assert Draw.objects.count() == 0


@pytest.mark.django_db
def test_p20_erasing_the_winner_keeps_the_draw_record_reproducible(staff):
    contest = ClosedContestFactory(closes=timezone.now() - datetime.timedelta(hours=1))
    winner = UserFactory()
    EntryFactory(contest=contest, user=winner, email=winner.email)
    draw = draw_create(contest=contest, actor=staff)

    subject_erase(subject=Subject.of(user=winner))

    draw.refresh_from_db()
    assert Entry.objects.count() == 0
    assert draw.winner is None
    assert draw_replay(draw) == draw.winner_entry_id
