"""The email provider's events (OPT-05, P05, P27): unsubscribes and complaints withdraw consent,
hard bounces stop mail to the address, each event acts once, and a campaign with too many
complaints is paused and staff are told."""

import base64
import datetime
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.test import Client
from django.utils import timezone

from marketing.models import Campaign, CampaignSend, EmailProviderEvent, UndeliverableAddress
from marketing.selectors import campaign_figures, campaign_list_with_figures
from marketing.services import campaign_deliver
from privacy.models import ConsentEvent
from privacy.selectors import consent_is_granted
from tests.accounts.factories import UserFactory
from tests.marketing.factories import CampaignFactory, subscriber

pytestmark = pytest.mark.django_db
WEBHOOK = "/anymail/postmark/tracking/"


def event(event_type, *, recipient="ada@example.com", event_id="ev-1", message_id="", **extra):
    return AnymailTrackingEvent(
        event_type=event_type,
        event_id=event_id,
        recipient=recipient,
        message_id=message_id,
        timestamp=timezone.now(),
        **extra,
    )


def deliver(tracking_event, esp_name="Postmark"):
    tracking.send(sender=object, event=tracking_event, esp_name=esp_name)


def sent_campaign(count, prefix="c"):
    """A campaign sent to ``count`` new subscribers, each message with a provider id."""
    people = [subscriber(email=f"{prefix}{n}@example.com") for n in range(count)]
    campaign = CampaignFactory(status=Campaign.Status.SCHEDULED, scheduled_at=timezone.now())
    campaign_deliver(campaign_id=campaign.pk)
    for row in CampaignSend.objects.filter(campaign=campaign):
        CampaignSend.objects.filter(pk=row.pk).update(message_id=f"msg-{row.recipient_id}")
    mail.outbox.clear()
    return campaign, people


@pytest.mark.parametrize("event_type", ["unsubscribed", "complained"])
def test_opt05_an_unsubscribe_or_complaint_delivered_five_times_withdraws_consent_once(event_type):
    user = subscriber(email="ada@example.com")

    for _ in range(5):
        deliver(event(event_type, recipient="ADA@example.com"))

    assert not consent_is_granted("email_marketing", user=user)
    withdrawals = ConsentEvent.objects.filter(action="withdrawn")
    assert list(withdrawals.values_list("user", "source")) == [(user.pk, "esp")]
    assert EmailProviderEvent.objects.count() == 1


def test_opt05_a_hard_bounce_marks_the_address_undeliverable_once():
    subscriber(email="ada@example.com")
    for _ in range(5):
        deliver(event("bounced", recipient="Ada@Example.com", reject_reason="bounced", mta_response="smtp;550 5.1.1"))
    assert list(UndeliverableAddress.objects.values_list("address", "reason")) == [
        ("ada@example.com", "bounced bounced")
    ]
    assert EmailProviderEvent.objects.count() == 1
    assert not ConsentEvent.objects.filter(action="withdrawn").exists()  # a bounce is not a withdrawal


def test_opt05_a_temporary_failure_does_not_mark_the_address():
    deliver(event("bounced", event_id="soft-1", esp_event={"Type": "SoftBounce"}))
    deliver(event("bounced", event_id="soft-2", mta_response="451 4.7.1 try later"))
    deliver(event("deferred", event_id="soft-3"))
    assert not UndeliverableAddress.objects.exists()
    assert EmailProviderEvent.objects.count() == 3


def test_opt05_events_without_an_id_are_told_apart_by_their_fields():
    when = timezone.now()
    for _ in range(3):
        deliver(
            AnymailTrackingEvent(event_type="delivered", recipient="a@example.com", message_id="m1", timestamp=when)
        )
    deliver(AnymailTrackingEvent(event_type="delivered", recipient="a@example.com", message_id="m2", timestamp=when))
    assert EmailProviderEvent.objects.count() == 2


def test_opt05_events_are_counted_on_the_campaign_once_each():
    campaign, people = sent_campaign(4)
    first, second = people[0], people[1]
    for _ in range(3):
        deliver(event("delivered", event_id=f"d-{first.pk}", message_id=f"msg-{first.pk}"))
    deliver(event("delivered", event_id=f"d-{second.pk}", message_id=f"msg-{second.pk}"))
    deliver(event("bounced", event_id="b-1", recipient=people[2].email, message_id=f"msg-{people[2].pk}"))
    deliver(event("unsubscribed", event_id="u-1", recipient=second.email, message_id=f"msg-{second.pk}"))

    figures = campaign_figures(campaign)

    assert {k: figures[k] for k in ("sent_count", "delivered_count", "bounced_count", "unsubscribe_count")} == {
        "sent_count": 4,
        "delivered_count": 2,
        "bounced_count": 1,
        "unsubscribe_count": 1,
    }
    assert figures["complaint_count"] == 0


def test_p05_staff_see_every_campaigns_figures_in_one_query(django_assert_num_queries):
    sent_campaign(2, prefix="a")
    sent_campaign(2, prefix="b")
    sent_campaign(2, prefix="c")
    with django_assert_num_queries(1):
        rows = sorted((c.sent_count, c.delivered_count, c.complaint_count) for c in campaign_list_with_figures())
    assert rows == [(2, 0, 0), (4, 0, 0), (6, 0, 0)]  # each reached everyone subscribed by then


def test_opt05_a_complaint_rate_over_the_limit_pauses_the_campaign_and_tells_staff_once(
    settings, django_capture_on_commit_callbacks
):
    settings.MARKETING_STAFF_EMAIL = "marketing-lead@kinetogram.example"
    people = [subscriber(email=f"k{n}@example.com") for n in range(6)]
    campaign = CampaignFactory(status=Campaign.Status.SCHEDULED, scheduled_at=timezone.now())
    complaints = []

    def complaint_arrives(report):
        # The provider reports a complaint about the first batch while the campaign is still sending.
        if report.batches == 1:
            row = CampaignSend.objects.filter(campaign=campaign).order_by("pk").first()
            CampaignSend.objects.filter(pk=row.pk).update(message_id="msg-complained")
            with django_capture_on_commit_callbacks(execute=True):
                deliver(event("complained", event_id="c-1", recipient=row.email, message_id="msg-complained"))
                deliver(event("complained", event_id="c-2", recipient=row.email, message_id="msg-complained"))
            complaints.append(row.email)

    report = campaign_deliver(campaign_id=campaign.pk, batch_size=2, progress=complaint_arrives)

    assert report.state == "paused" and report.sent == 2
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PAUSED
    assert "Complaint rate 50.00%" in campaign.status_note
    alerts = [m for m in mail.outbox if m.to == ["marketing-lead@kinetogram.example"]]
    assert len(alerts) == 1
    assert "1 spam complaint for 2 messages sent (50.00%)" in alerts[0].body
    assert "0.3%" in alerts[0].body and "It has been paused" in alerts[0].body
    assert [m.to for m in mail.outbox if m not in alerts] == [[people[0].email], [people[1].email]]


def test_opt05_a_rate_at_the_limit_does_not_pause(settings):
    settings.MARKETING_COMPLAINT_PAUSE_RATE = 0.5
    campaign, people = sent_campaign(2)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    deliver(event("complained", event_id="c-1", recipient=people[0].email, message_id=f"msg-{people[0].pk}"))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING


def test_opt05_the_provider_webhook_needs_its_basic_auth_secret_and_acts_once(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    user = subscriber(email="ada@example.com")
    UserFactory(email="someone@example.com")
    body = json.dumps(
        {
            "RecordType": "SpamComplaint",
            "Type": "SpamComplaint",
            "ID": 4242,
            "MessageID": "00000000-0000-0000-0000-000000000001",
            "Email": "ada@example.com",
            "BouncedAt": "2026-03-01T10:00:00Z",
        }
    )
    good = "Basic " + base64.b64encode(b"hook:s3cret").decode()
    bad = "Basic " + base64.b64encode(b"hook:guess").decode()
    client = Client(enforce_csrf_checks=True)

    refused = client.post(WEBHOOK, body, content_type="application/json", HTTP_AUTHORIZATION=bad)
    assert refused.status_code == 400
    assert consent_is_granted("email_marketing", user=user)

    for _ in range(5):
        assert client.post(WEBHOOK, body, content_type="application/json", HTTP_AUTHORIZATION=good).status_code == 200

    assert not consent_is_granted("email_marketing", user=user)
    assert ConsentEvent.objects.filter(action="withdrawn", source="esp").count() == 1
    assert EmailProviderEvent.objects.get().event_type == "complained"


def test_opt05_an_unsubscribe_for_an_address_without_an_account_or_consent_writes_nothing():
    deliver(event("unsubscribed", recipient="stranger@example.com"))
    assert not ConsentEvent.objects.exists()


def test_opt05_provider_events_are_kept_90_days():
    from privacy.registry import site

    declaration = site.get(EmailProviderEvent)
    assert declaration.retention.delta.days == 90
    assert declaration.retention.cutoff(timezone.now()) < timezone.now() - datetime.timedelta(days=89)


def test_opt05_deploy_checks_warn_while_the_provider_webhook_has_no_secret(settings):
    from marketing.checks import check_webhook_secret

    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "token"}
    assert [w.id for w in check_webhook_secret()] == ["marketing.W001"]
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "token", "WEBHOOK_SECRET": "hook:secret"}
    assert check_webhook_secret() == []
