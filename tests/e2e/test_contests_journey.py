"""A visitor enters a contest without marketing consent, then answers a survey; staff see the
results and draw a closed contest's winner (P02, P05, P11, P12)."""

import datetime
import os
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from contests.models import Entry, Response
from privacy.models import ConsentEvent
from tests.accounts.factories import StaffFactory
from tests.accounts.utils import staff_login
from tests.contests.factories import ClosedContestFactory, ContestFactory, EntryFactory, survey_with_questions

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/m_contests")  # noqa: S108 (screenshots to look at, nothing secret)


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _sign_in_as(page, live_server, user):
    client = staff_login(Client(), user)  # the admin asks staff for a second factor
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.mark.django_db(transaction=True)
def test_p02_visitor_enters_a_contest_without_marketing_then_answers_a_survey(live_server, page, mailoutbox):
    cache.clear()
    now = timezone.now()
    contest = ContestFactory(
        title="Win a year of email marketing",
        slug="win-a-year",
        prize="Twelve months of our email marketing plan",
        rules="One entry per person. The winner is drawn at random after the closing date.",
        closes=now + datetime.timedelta(days=20),
    )
    ClosedContestFactory(title="Spring social media makeover", prize="Three months of social media management")
    survey, *_questions = survey_with_questions(title="How did we do?", slug="how-did-we-do")

    page.goto(f"{live_server.url}/contests/")
    expect(page.get_by_role("heading", name="Contests and sweepstakes")).to_be_visible()
    _shot(page, "contest-list")
    page.get_by_role("link", name="Win a year of email marketing").click()

    # Sent without the age box: refused, saying why.
    page.get_by_label("Your email address").fill("visitor@example.com")
    page.get_by_role("button", name="Enter the contest").click()
    expect(page.locator("#id_age_confirmed_errors")).to_have_text(
        "You must be 18 or over to enter. Under-18s cannot enter our contests."
    )
    _shot(page, "contest-detail-errors")

    page.get_by_label("I am 18 or over").check()
    expect(page.get_by_label("Email me offers")).not_to_be_checked()
    _shot(page, "contest-detail")
    page.get_by_role("button", name="Enter the contest").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    _shot(page, "contest-entry-sent")

    link = re.search(r"http://\S+/contests/confirm/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm my entry").click()
    expect(page.get_by_role("heading", name="You are entered")).to_be_visible()
    _shot(page, "contest-entry-confirmed")
    entry = Entry.objects.get(contest=contest)
    assert (entry.email, entry.asked_for_offers) == ("visitor@example.com", False)
    assert ConsentEvent.objects.count() == 0

    # The survey: sent empty, the errors; then answered.
    page.goto(f"{live_server.url}/surveys/how-did-we-do/")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".form-errors")).to_contain_text("Please correct the 2 highlighted answers")
    page.locator("label.choice-option", has_text="4").first.click()
    page.get_by_role("radio", name="B", exact=True).check()
    page.get_by_label("What should we improve?").fill("Evening phone calls, please.")
    _shot(page, "survey-detail")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your answers")).to_be_visible()
    response = Response.objects.get(survey=survey)
    assert response.user is None
    assert sorted(str(a.rating or a.choice or a.text) for a in response.answers.all()) == [
        "4",
        "B",
        "Evening phone calls, please.",
    ]


@pytest.mark.django_db(transaction=True)
def test_p11_staff_see_survey_results_and_draw_a_winner_in_the_admin(live_server, page):
    from contests.services import response_submit

    survey, rating, choice, options, text = survey_with_questions(title="How did we do?")
    for i in range(12):
        response_submit(
            survey=survey,
            answers={
                rating: [5, 4, 4, 3, 5, 2][i % 6],
                choice: options[i % 3 % 2],
                text: "More case studies" if i == 3 else "",
            },
        )
    contest = ClosedContestFactory(title="Spring social media makeover")
    for _ in range(4):
        EntryFactory(contest=contest)
    _sign_in_as(page, live_server, StaffFactory(email="staff@example.com"))

    page.goto(f"{live_server.url}/admin/contests/survey/{survey.pk}/results/")
    expect(page.locator("#response-total")).to_have_text("12")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    _shot(page, "admin-survey-results")

    page.goto(f"{live_server.url}/admin/contests/contest/{contest.pk}/change/")
    page.get_by_role("button", name="Draw the winner").click()
    expect(page.locator(".messagelist")).to_contain_text("Winner drawn")
    expect(page.locator(".field-draw_display")).to_contain_text("the same winner")
    _shot(page, "admin-contest-drawn")
