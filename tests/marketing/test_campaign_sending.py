"""Sending a campaign (P05, P22, P23, P27; OPT-01, OPT-03): who receives it, what each message
carries, consent read afresh per batch, and no second copy after a crash."""

import datetime
import email.utils

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketing.models import Campaign, CampaignSend, UndeliverableAddress
from marketing.selectors import campaign_audience
from marketing.services import (
    CampaignError,
    campaign_count,
    campaign_deliver,
    campaign_pause,
    campaign_send_now,
    campaign_start_due,
    campaign_test_send,
)
from marketing.tokens import unsubscribe_token_read
from privacy.models import ConsentEvent, Suppression
from privacy.services import consent_withdraw, objection_record, restriction_create
from privacy.subjects import keyed_hash
from tests.accounts.factories import StaffFactory, UserFactory
from tests.marketing.factories import CampaignFactory, subscriber
from tests.shop.factories import OrderFactory, OrderLineFactory, PlanFactory

pytestmark = pytest.mark.django_db
REVIEW_ON = datetime.date(2030, 1, 1)


def scheduled(**kwargs):
    return CampaignFactory(status=Campaign.Status.SCHEDULED, scheduled_at=timezone.now(), **kwargs)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def people_of_every_kind():
    """Customers in each state that decides whether a campaign may email them."""
    people = {name: subscriber(email=f"{name}@example.com") for name in ("agreed", "agreed_too")}
    people["never_agreed"] = UserFactory(email="never_agreed@example.com")
    people["withdrew"] = subscriber(email="withdrew@example.com")
    consent_withdraw(purpose="email_marketing", source="account", wording="No more.", user=people["withdrew"])
    people["objected"] = subscriber(email="objected@example.com")
    objection_record(user=people["objected"], source="account")
    people["restricted"] = subscriber(email="restricted@example.com")
    restriction_create(user=people["restricted"], scope="marketing", reason="Disputes", review_on=REVIEW_ON)
    people["suppressed"] = subscriber(email="suppressed@example.com")
    Suppression.objects.create(kind="email", digest=keyed_hash("email", "Suppressed@example.com"))
    people["bounced"] = subscriber(email="Bounced@Example.com")
    UndeliverableAddress.objects.create(address="bounced@example.com", reason="bounced")
    people["closed"] = subscriber(email="closed@example.com", is_active=False)
    return people


def test_p05_p22_p23_a_campaign_reaches_only_people_who_agreed_and_are_free_to_be_emailed():
    people_of_every_kind()
    campaign = scheduled()

    report = campaign_deliver(campaign_id=campaign.pk, batch_size=3)

    assert recipients() == ["agreed@example.com", "agreed_too@example.com"]
    assert (report.state, report.sent, report.failed, report.suppressed) == ("finished", 2, 0, 1)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.finished_at is not None
    assert set(CampaignSend.objects.values_list("email", "status")) == {
        ("agreed@example.com", "sent"),
        ("agreed_too@example.com", "sent"),
    }


def test_opt03_the_audience_query_leaves_out_objected_restricted_and_undeliverable_people():
    people_of_every_kind()
    audience = set(campaign_audience(CampaignFactory()).values_list("email", flat=True))
    # Suppression is kept as keyed hashes, so it is checked per batch, not in this query.
    assert audience == {"agreed@example.com", "agreed_too@example.com", "suppressed@example.com"}


def test_opt03_the_sql_per_batch_does_not_grow_with_the_batch_size():
    for n in range(40):
        subscriber(email=f"reader{n:02d}@example.com")

    def statements_per_batch(size):
        campaign = scheduled()
        with CaptureQueriesContext(connection) as queries:
            report = campaign_deliver(campaign_id=campaign.pk, batch_size=size)
        assert report.sent == 40
        # The lease, the resume check and the final empty batch are paid once per run.
        return (len(queries) - 5) / report.batches

    small, large = statements_per_batch(4), statements_per_batch(20)
    assert small == large == 7  # ids, audience rules, suppression, claim, read claims, outcome, lease


def test_opt01_every_message_carries_one_click_unsubscribe_headers_and_a_link(settings):
    settings.SITE_URL = "https://shop.example"
    settings.DEFAULT_FROM_EMAIL = "Kinetogram <news@kinetogram.example>"
    user = subscriber(email="ada@example.com", full_name="Ada Lovelace")
    subscriber(email="grace@example.com", full_name="")
    campaign = scheduled(subject="{{ first_name|default:'Hello' }}, spring offers")

    campaign_deliver(campaign_id=campaign.pk)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        raw = message.message()
        assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        https, mailto = [part.strip().strip("<>") for part in raw["List-Unsubscribe"].split(",")]
        assert https.startswith("https://shop.example/unsubscribe/") and https.endswith("/")
        assert mailto.startswith("mailto:unsubscribe@kinetogram.example?subject=unsubscribe%20")
        assert https in message.body
        assert https in message.alternatives[0][0]
        assert "never ask you for your card or bank details" in message.body  # P16
    ada = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    assert ada.subject == "Ada, spring offers"
    assert "Hello Ada," in ada.body
    token = ada.extra_headers["List-Unsubscribe"].split("/unsubscribe/")[1].split("/")[0]
    assert unsubscribe_token_read(token) == (user.pk, campaign.pk)
    grace = next(m for m in mail.outbox if m.to == ["grace@example.com"])
    assert grace.subject == "Hello, spring offers"


def test_p05_the_first_name_is_escaped_in_html_and_the_templates_see_nothing_else():
    subscriber(email="x@example.com", full_name="<b>Eve</b> Smith")
    campaign = scheduled(body_html="<p>Hi {{ first_name }} {{ user.email }}{{ request }}</p>")

    campaign_deliver(campaign_id=campaign.pk)

    html = mail.outbox[0].alternatives[0][0]
    assert "<p>Hi &lt;b&gt;Eve&lt;/b&gt; </p>" in html


@pytest.mark.parametrize("tag", ["{% include 'base.html' %}", "{% debug %}", "{% load static %}", "{% extends 'x' %}"])
def test_p05_a_campaign_template_cannot_reach_other_templates_or_data(tag):
    campaign = CampaignFactory.build(body_html=f"<p>{tag}</p>")
    with pytest.raises(Exception) as refused:
        campaign.full_clean()
    assert "body_html" in refused.value.message_dict


def test_p27_someone_who_opts_out_mid_campaign_is_left_out_of_the_next_batches():
    people = [subscriber(email=f"p{n}@example.com") for n in range(6)]
    campaign = scheduled()
    late = people[4]

    def opt_out_after_first_batch(report):
        if report.batches == 1:
            consent_withdraw(purpose="email_marketing", source="unsubscribe", wording="Unsubscribe", user=late)

    report = campaign_deliver(campaign_id=campaign.pk, batch_size=2, progress=opt_out_after_first_batch)

    assert "p4@example.com" not in recipients()
    assert recipients() == ["p0@example.com", "p1@example.com", "p2@example.com", "p3@example.com", "p5@example.com"]
    assert report.sent == 5
    assert not CampaignSend.objects.filter(recipient=late).exists()


class WorkerDied(BaseException):
    """What a killed worker looks like from inside: nothing after it runs."""


class DyingBackend(LocmemBackend):
    """Hands over ``survive`` messages, then the worker dies."""

    survive = 0

    def send_messages(self, messages):
        if len(mail.outbox) >= DyingBackend.survive:
            raise WorkerDied
        return super().send_messages(messages)


def test_opt03_a_worker_that_dies_mid_batch_is_resumed_without_a_second_copy(settings):
    for n in range(7):
        subscriber(email=f"r{n}@example.com")
    campaign = scheduled()
    settings.EMAIL_BACKEND = "tests.marketing.test_campaign_sending.DyingBackend"
    DyingBackend.survive = 4  # batch one (3) goes; the worker dies after one of batch two

    with pytest.raises(WorkerDied):
        campaign_deliver(campaign_id=campaign.pk, batch_size=3)

    assert len(mail.outbox) == 4
    statuses = sorted(CampaignSend.objects.values_list("status", flat=True))
    assert statuses == ["sending"] * 3 + ["sent"] * 3  # batch two claimed, its outcome never written
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    # The lease holds while the dead run could still be alive: nothing resumes it yet.
    assert campaign_deliver(campaign_id=campaign.pk).state == "not_started"

    Campaign.objects.filter(pk=campaign.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert campaign_start_due() == [campaign.pk]  # the beat job resumed it (tasks run eagerly)

    sent_to = recipients()
    assert len(sent_to) == len(set(sent_to)) == 5  # nobody twice
    assert sorted(CampaignSend.objects.values_list("status", flat=True)) == ["interrupted"] * 3 + ["sent"] * 4
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT


def test_opt03_a_second_run_while_one_holds_the_campaign_sends_nothing():
    subscriber(email="only@example.com")
    campaign = scheduled()
    calls = []

    def start_another_run(report):
        calls.append(campaign_deliver(campaign_id=campaign.pk).state)

    campaign_deliver(campaign_id=campaign.pk, progress=start_another_run)

    assert calls == ["not_started"]
    assert recipients() == ["only@example.com"]


def test_opt03_a_provider_that_accepts_nothing_pauses_the_campaign_and_resuming_sends_to_those_people(
    settings, django_capture_on_commit_callbacks
):
    for n in range(4):
        subscriber(email=f"d{n}@example.com")
    campaign = scheduled()
    settings.EMAIL_BACKEND = "tests.marketing.test_campaign_sending.RefusingBackend"

    report = campaign_deliver(campaign_id=campaign.pk, batch_size=4)

    assert (report.state, report.sent, len(mail.outbox)) == ("paused", 0, 0)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PAUSED
    assert "ConnectionRefusedError" in campaign.status_note
    assert not CampaignSend.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        campaign_send_now(campaign=campaign)
    assert len(mail.outbox) == 4


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError


def test_opt03_pausing_stops_the_run_before_its_next_batch(django_capture_on_commit_callbacks):
    for n in range(6):
        subscriber(email=f"s{n}@example.com")
    campaign = scheduled()

    report = campaign_deliver(
        campaign_id=campaign.pk, batch_size=2, progress=lambda report: campaign_pause(campaign=campaign)
    )

    assert (report.state, report.sent, len(mail.outbox)) == ("paused", 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_send_now(campaign=campaign)
    assert len(mail.outbox) == 6 and len(set(recipients())) == 6


def test_p05_buyers_of_a_category_are_the_customers_with_a_paid_order_for_one_of_its_services():
    plan = PlanFactory()
    other_plan = PlanFactory()
    buyer = subscriber(email="buyer@example.com")
    OrderLineFactory(order=OrderFactory(user=buyer, status="paid"), plan=plan)
    unpaid = subscriber(email="unpaid@example.com")
    OrderLineFactory(order=OrderFactory(user=unpaid, status="pending"), plan=plan)
    other = subscriber(email="other@example.com")
    OrderLineFactory(order=OrderFactory(user=other, status="delivered"), plan=other_plan)
    refused_consent = UserFactory(email="no-consent@example.com")
    OrderLineFactory(order=OrderFactory(user=refused_consent, status="paid"), plan=plan)
    campaign = scheduled(audience=Campaign.Audience.BUYERS, category=plan.service.category)

    campaign_deliver(campaign_id=campaign.pk)

    assert recipients() == ["buyer@example.com"]


def test_p05_an_interest_campaign_reaches_who_chose_the_category_and_still_agrees():
    from marketing.models import InterestChoice
    from tests.marketing.factories import MarketingPreferenceFactory

    category = PlanFactory().service.category
    other_category = PlanFactory().service.category
    for address, chosen, agrees in [
        ("keen@example.com", category, True),
        ("elsewhere@example.com", other_category, True),
        ("keen-no-consent@example.com", category, False),
    ]:
        person = subscriber(email=address) if agrees else UserFactory(email=address)
        InterestChoice.objects.create(preference=MarketingPreferenceFactory(user=person), category=chosen)
    subscriber(email="no-interests@example.com")
    campaign = scheduled(audience=Campaign.Audience.INTERESTED, category=category)

    campaign_deliver(campaign_id=campaign.pk)

    assert recipients() == ["keen@example.com"]


def test_p05_a_buyers_campaign_needs_a_category():
    campaign = CampaignFactory.build(audience=Campaign.Audience.BUYERS, category=None)
    with pytest.raises(Exception) as refused:
        campaign.full_clean()
    assert "category" in refused.value.message_dict


def test_p05_send_now_sends_after_commit_and_scheduling_for_later_waits_for_the_beat(
    django_capture_on_commit_callbacks,
):
    subscriber(email="now@example.com")
    later = CampaignFactory()
    with django_capture_on_commit_callbacks(execute=True):
        campaign_send_now(campaign=CampaignFactory())
    assert recipients() == ["now@example.com"]

    from marketing.services import campaign_schedule

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        campaign_schedule(campaign=later, at=timezone.now() + datetime.timedelta(hours=1))
    assert callbacks == [] and len(mail.outbox) == 1
    assert campaign_start_due() == []
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert campaign_start_due() == [later.pk]
    assert len(mail.outbox) == 2


def test_p05_a_sent_campaign_cannot_be_sent_again():
    campaign = CampaignFactory(status=Campaign.Status.SENT)
    with pytest.raises(CampaignError, match="sent"):
        campaign_send_now(campaign=campaign)


def test_p05_a_test_send_goes_to_the_staff_address_only_and_is_not_logged():
    subscriber(email="customer@example.com")
    staff = StaffFactory(email="staff@kinetogram.example", full_name="Sam Staff")
    campaign = CampaignFactory()

    campaign_test_send(campaign=campaign, user=staff)

    [message] = mail.outbox
    assert message.to == ["staff@kinetogram.example"]
    assert message.subject == "[Test] Sam, our spring offers"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not CampaignSend.objects.exists()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_opt03_a_dry_count_matches_who_is_then_sent_and_sends_nothing():
    people_of_every_kind()
    campaign = CampaignFactory()

    counts = campaign_count(campaign=campaign, batch_size=2)

    assert counts == {"recipients": 2, "suppressed": 1, "already_sent": 0}
    assert mail.outbox == [] and not CampaignSend.objects.exists()


def test_opt06_the_ledger_event_of_an_unsubscribe_names_its_source():
    # The ledger keeps the sources this app writes; a missing choice would fail on save.
    assert {"unsubscribe", "esp"} <= set(ConsentEvent.Source.values)


def test_opt01_sent_messages_carry_a_date_and_the_site_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Kinetogram <news@kinetogram.example>"
    subscriber(email="d@example.com")
    campaign_deliver(campaign_id=scheduled().pk)
    raw = mail.outbox[0].message()
    assert email.utils.parseaddr(raw["From"])[1] == "news@kinetogram.example"
