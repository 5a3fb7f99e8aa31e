"""Entering contests (P02): one entry per person, adults only (P12), consent never required (P05)."""

import datetime
import re
import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contests.models import Entry, PendingEntry
from contests.services import EntryRefused, entry_create
from privacy.models import ConsentEvent
from tests.accounts.factories import UserFactory
from tests.contests.factories import ContestFactory, EntryFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)")
LINK = re.compile(r"http://[^\s\"]+/contests/confirm/([^/\s\"]+)/")


@pytest.fixture
def enter(client, django_capture_on_commit_callbacks):
    """POST the entry form with the age box ticked, running what the service queues after commit
    (the confirmation email). ``client`` is signed in when the test asks for customer_client."""

    def post(contest, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(contest.get_absolute_url(), {"age_confirmed": "on", **data})

    return post


def _link_token(mail) -> str:
    return LINK.search(mail.body).group(1)


# --- signed in ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_p02_signed_in_customer_enters_once_and_a_second_entry_is_refused(enter, customer_client, customer):
    contest = ContestFactory()

    first = enter(contest)
    second = enter(contest)

    assert first.status_code == 302
    assert second.status_code == 409
    assert "You have already entered this contest" in second.content.decode()
    entry = Entry.objects.get()
    assert (entry.user, entry.email, entry.verified_by) == (customer, "ada@example.com", "account")
    page = customer_client.get(contest.get_absolute_url()).content.decode()
    assert "You entered on" in page
    assert "Enter the contest" not in page


@pytest.mark.django_db
def test_p02_one_entry_per_account_is_enforced_by_the_database(customer):
    contest = ContestFactory()
    Entry.objects.create(
        contest=contest, user=customer, email="a@example.com", verified_by="account", age_confirmed_at=timezone.now()
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            contest=contest,
            user=customer,
            email="b@example.com",
            verified_by="account",
            age_confirmed_at=timezone.now(),
        )


@pytest.mark.django_db
def test_p02_one_entry_per_email_is_enforced_by_the_database_whatever_the_case():
    entry = EntryFactory(email="grace@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        EntryFactory(contest=entry.contest, email="Grace@Example.COM")
    EntryFactory(email="grace@example.com")  # another contest is another entry

    assert Entry.objects.filter(email__iexact="grace@example.com").count() == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_p02_two_entries_at_once_make_one_on_postgresql():
    contest = ContestFactory()
    customer = UserFactory(email="race@example.com")
    barrier, outcomes = threading.Barrier(4), []

    def enter():
        try:
            barrier.wait()
            entry_create(contest=contest, user=customer, age_confirmed=True, email_offers=True)
            outcomes.append("entered")
        except EntryRefused as refused:
            outcomes.append(refused.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes, key=str) == [409, 409, 409, "entered"]
    assert Entry.objects.filter(contest=contest).count() == 1
    # The refused entries wrote no consent either: one entry, one consent.
    assert ConsentEvent.objects.filter(user=customer).count() == 1


# --- P12: adults only -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_p12_the_page_says_under_18s_cannot_enter(client):
    contest = ContestFactory()

    page = client.get(contest.get_absolute_url()).content.decode()

    assert "Under-18s cannot enter" in page
    assert "I am 18 or over" in page


@pytest.mark.django_db
def test_p12_an_entry_without_the_age_confirmation_is_refused(customer_client, mailoutbox):
    contest = ContestFactory()

    guest = Client().post(contest.get_absolute_url(), {"email": "kid@example.com"})
    member = customer_client.post(contest.get_absolute_url(), {})

    for response in (guest, member):
        assert response.status_code == 400
        assert "You must be 18 or over to enter. Under-18s cannot enter our contests." in response.content.decode()
    assert Entry.objects.count() == PendingEntry.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_p12_the_service_refuses_an_entry_without_the_age_confirmation(customer):
    with pytest.raises(EntryRefused, match="Under-18s cannot enter") as refused:
        entry_create(contest=ContestFactory(), user=customer, age_confirmed=False)

    assert refused.value.status == 400
    assert Entry.objects.count() == 0


# --- P05: entering never needs marketing consent --------------------------------------------------


@pytest.mark.django_db
def test_p02_the_offers_box_is_optional_and_unticked(client):
    page = client.get(ContestFactory().get_absolute_url()).content.decode()

    box = re.search(r'<input type="checkbox" name="email_offers"[^>]*>', page).group(0)
    assert "checked" not in box
    assert "required" not in box
    assert "Email me offers" in page


@pytest.mark.django_db
def test_p05_entering_without_ticking_offers_records_no_consent(enter, customer_client, customer):
    enter(ContestFactory())

    assert Entry.objects.get().asked_for_offers is False
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_p05_ticking_email_me_offers_records_one_email_consent_from_the_contest_form(enter, customer_client, customer):
    enter(ContestFactory(), email_offers="on")

    event = ConsentEvent.objects.get()
    assert (event.user, event.purpose, event.action, event.source) == (customer, "email_marketing", "given", "contest")
    assert event.wording.startswith("Email me offers.")


# --- without an account: the emailed link ----------------------------------------------------------


@pytest.mark.django_db
def test_p02_a_guest_entry_counts_once_the_emailed_link_is_confirmed(enter, client, mailoutbox):
    contest = ContestFactory()

    sent = enter(contest, email=" Grace@Example.com ")

    assert sent.status_code == 200
    assert "Check your inbox" in sent.content.decode()
    assert [m.to for m in mailoutbox] == [["grace@example.com"]]
    assert Entry.objects.count() == 0
    url = f"/contests/confirm/{_link_token(mailoutbox[0])}/"

    # FE-05: opening the link (a mail scanner does) changes nothing.
    opened = client.get(url)
    assert opened.status_code == 200
    assert "Confirm my entry" in opened.content.decode()
    assert Entry.objects.count() == 0

    confirmed = client.post(url)
    assert "You are entered" in confirmed.content.decode()
    entry = Entry.objects.get()
    assert (entry.email, entry.user, entry.verified_by) == ("grace@example.com", None, "email_link")
    assert PendingEntry.objects.count() == 0
    assert ConsentEvent.objects.count() == 0

    again = client.post(url)
    assert again.status_code == 404
    assert Entry.objects.count() == 1


@pytest.mark.django_db
def test_p05_a_guest_who_ticked_offers_gives_consent_only_once_the_address_is_confirmed(enter, client, mailoutbox):
    contest = ContestFactory()
    enter(contest, email="lin@example.com", email_offers="on")
    assert ConsentEvent.objects.count() == 0

    client.post(f"/contests/confirm/{_link_token(mailoutbox[0])}/")

    event = ConsentEvent.objects.get()
    assert (event.user, event.email, event.purpose, event.source) == (
        None,
        "lin@example.com",
        "email_marketing",
        "contest",
    )


@pytest.mark.django_db
def test_au06_a_second_guest_entry_looks_the_same_and_enters_nobody_twice(enter, client, mailoutbox):
    contest = ContestFactory()
    EntryFactory(contest=contest, email="grace@example.com")

    response = enter(contest, email="GRACE@example.com")

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert Entry.objects.count() == 1
    assert PendingEntry.objects.count() == 0
    assert "already has a confirmed entry" in mailoutbox[0].body
    assert LINK.search(mailoutbox[0].body) is None


@pytest.mark.django_db
def test_opt02_a_changed_link_confirms_nothing(enter, client, mailoutbox):
    enter(ContestFactory(), email="lin@example.com")
    token = _link_token(mailoutbox[0])
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.post(f"/contests/confirm/{tampered}/")

    assert response.status_code == 404
    assert "The link is incomplete or was changed" in response.content.decode()
    assert Entry.objects.count() == 0


@pytest.mark.django_db
def test_p02_an_expired_link_confirms_nothing(enter, client, mailoutbox):
    contest = ContestFactory(closes=timezone.now() + datetime.timedelta(days=30))
    enter(contest, email="lin@example.com")
    url = f"/contests/confirm/{_link_token(mailoutbox[0])}/"

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, minutes=1)):
        response = client.post(url)

    assert response.status_code == 410
    assert "this one has expired" in response.content.decode()
    assert Entry.objects.count() == 0


# --- closed and not-yet-open contests -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "when, message",
    [
        ({"opens": -30, "closes": -1}, "This contest closed on"),
        ({"opens": 2, "closes": 9}, "This contest opens on"),
    ],
)
def test_p02_a_contest_that_is_not_open_refuses_entries_with_a_clear_message(enter, customer_client, when, message):
    now = timezone.now()
    contest = ContestFactory(
        opens=now + datetime.timedelta(days=when["opens"]), closes=now + datetime.timedelta(days=when["closes"])
    )

    page = customer_client.get(contest.get_absolute_url())
    refused = enter(contest, email_offers="on")

    assert page.status_code == 200
    assert message in page.content.decode()
    assert "Enter the contest" not in page.content.decode()
    assert refused.status_code == 403
    assert message in refused.content.decode()
    assert Entry.objects.count() == ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_p02_a_confirmation_after_the_close_is_refused(enter, client, mailoutbox):
    contest = ContestFactory(closes=timezone.now() + datetime.timedelta(hours=1))
    enter(contest, email="late@example.com")
    url = f"/contests/confirm/{_link_token(mailoutbox[0])}/"

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        response = client.post(url)

    assert response.status_code == 403
    assert "This contest closed on" in response.content.decode()
    assert Entry.objects.count() == 0


@pytest.mark.django_db
def test_p02_a_hidden_contest_is_not_found(client):
    contest = ContestFactory(active=False)

    assert client.get(contest.get_absolute_url()).status_code == 404
    assert client.post(contest.get_absolute_url(), {"age_confirmed": "on"}).status_code == 404


@pytest.mark.django_db
def test_in05_entries_are_rate_limited_per_client(enter, client, settings):
    settings.CONTESTS_ENTRIES_PER_IP_PER_HOUR = 2
    contest = ContestFactory()

    statuses = [enter(contest, email=f"p{n}@example.com").status_code for n in range(3)]

    assert statuses == [200, 200, 429]
    assert PendingEntry.objects.count() == 2


@pytest.mark.django_db
def test_in05_confirmation_emails_per_address_are_capped_with_the_same_answer(enter, client, settings, mailoutbox):
    settings.CONTESTS_CONFIRMATIONS_PER_EMAIL_PER_DAY = 2
    contest = ContestFactory()

    statuses = [enter(contest, email="same@example.com").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert len(mailoutbox) == 2


# --- the public list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_p02_the_list_shows_open_upcoming_and_closed_contests_in_constant_queries(client, django_assert_num_queries):
    now = timezone.now()
    ContestFactory(title="Open one")
    ContestFactory(title="Soon one", opens=now + datetime.timedelta(days=3), closes=now + datetime.timedelta(days=9))
    ContestFactory(title="Past one", opens=now - datetime.timedelta(days=9), closes=now - datetime.timedelta(days=3))
    ContestFactory(title="Hidden one", active=False)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/contests/").content.decode()
    for _ in range(5):
        ContestFactory()
        ContestFactory(opens=now - datetime.timedelta(days=9), closes=now - datetime.timedelta(days=3))

    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/contests/")

    for title in ("Open one", "Soon one", "Past one"):
        assert title in page
    assert "Hidden one" not in page
