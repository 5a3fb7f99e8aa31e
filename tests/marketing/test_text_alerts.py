"""Sending text alerts (P05, P22, P23, P27, PR-07, PR-08): only to verified numbers whose owner
agreed, in their daytime, with the opt-out line, re-checked at the moment of sending."""

import datetime
import zoneinfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from twilio.base.exceptions import TwilioRestException

from marketing import services, sms
from marketing.models import TextAlert, TextAlertDelivery
from marketing.sms.backends.twilio import SmsBackend as TwilioBackend
from marketing.sms.quiet_hours import next_send_time
from marketing.tasks import text_alert_send, text_alerts_send_due
from privacy.models import AuditEvent
from privacy.selectors import marketing_allowed
from privacy.services import consent_withdraw, objection_record, restriction_create
from tests.accounts.factories import StaffFactory
from tests.accounts.utils import staff_login
from tests.marketing.factories import MarketingPreferenceFactory, PhoneNumberFactory, TextAlertFactory, suppress, texter

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
NOON = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=LONDON)
LATE = datetime.datetime(2030, 6, 10, 22, 30, tzinfo=LONDON)
WINDOW = (8, 21)


def send(alert, when=NOON):
    with time_machine.travel(when, tick=False):
        return text_alert_send.apply(args=[alert.pk]).get()


# --- quiet hours -------------------------------------------------------------------------------


def test_opt_quiet_hours_inside_the_window_is_now_and_outside_is_the_next_8am():
    assert next_send_time(now=NOON, time_zone="Europe/London", window=WINDOW) == NOON
    assert next_send_time(now=LATE, time_zone="Europe/London", window=WINDOW) == datetime.datetime(
        2030, 6, 11, 8, 0, tzinfo=LONDON
    )
    early = datetime.datetime(2030, 6, 10, 6, 15, tzinfo=LONDON)
    assert next_send_time(now=early, time_zone="Europe/London", window=WINDOW) == datetime.datetime(
        2030, 6, 10, 8, 0, tzinfo=LONDON
    )
    # 13:30 in London (summer time) is 21:30 in Tokyo: the window has closed there.
    afternoon = datetime.datetime(2030, 6, 10, 13, 30, tzinfo=LONDON)
    assert next_send_time(now=afternoon, time_zone="Asia/Tokyo", window=WINDOW) == datetime.datetime(
        2030, 6, 11, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")
    )


@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2020, 1, 1),
        max_value=datetime.datetime(2035, 1, 1),
        timezones=st.just(datetime.UTC),
    ),
    zone=st.sampled_from(["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Pacific/Chatham"]),
    start=st.integers(0, 12),
    length=st.integers(1, 12),
)
def test_opt_quiet_hours_property_the_send_time_is_never_earlier_and_always_in_the_window(moment, zone, start, length):
    window = (start, start + length)
    at = next_send_time(now=moment, time_zone=zone, window=window)
    local = at.astimezone(zoneinfo.ZoneInfo(zone))
    assert at >= moment
    assert at - moment <= datetime.timedelta(hours=26)
    # A local hour skipped by a clock change may land one hour later; never outside otherwise.
    assert window[0] <= local.hour < window[1] or local.hour == window[0] + 1


def test_opt_quiet_hours_alert_queued_at_night_waits_for_8am_in_the_recipients_zone():
    phone = texter()
    MarketingPreferenceFactory(user=phone.user, time_zone="Europe/London")
    alert = TextAlertFactory(status=TextAlert.Status.SENDING)

    result = send(alert, when=LATE)

    assert result["created"] == 1 and result["sent"] == 0
    assert sms.outbox == []
    delivery = TextAlertDelivery.objects.get()
    assert delivery.status == "waiting"
    assert delivery.not_before == datetime.datetime(2030, 6, 11, 8, 0, tzinfo=LONDON)
    with time_machine.travel(datetime.datetime(2030, 6, 11, 7, 59, tzinfo=LONDON), tick=False):
        assert text_alerts_send_due.apply().get()["sent"] == 0
    with time_machine.travel(datetime.datetime(2030, 6, 11, 8, 5, tzinfo=LONDON), tick=False):
        assert text_alerts_send_due.apply().get()["sent"] == 1
    assert len(sms.outbox) == 1
    assert TextAlert.objects.get().status == "sent"


# --- who gets it -------------------------------------------------------------------------------


def test_p05_an_alert_goes_only_to_verified_consenting_numbers_and_ends_with_the_opt_out_line():
    agreed = texter()
    unverified = texter(verified_at=None)
    never_agreed = PhoneNumberFactory()
    alert = TextAlertFactory(status=TextAlert.Status.SENDING)

    result = send(alert)

    assert result == {"created": 1, "sent": 1, "dropped": 0, "deferred": 0, "failed": 0}
    assert [(m.to, m.body) for m in sms.outbox] == [
        (agreed.number.as_e164, "Spring offer: 20% off social media audits this week.\nReply STOP to opt out")
    ]
    assert unverified.number.as_e164 not in {m.to for m in sms.outbox}
    assert never_agreed.number.as_e164 not in {m.to for m in sms.outbox}
    assert TextAlertDelivery.objects.get().provider_id.startswith("SMlocmem")


def test_opt04_a_stopped_number_is_left_out_of_the_next_alert(client, settings):
    from tests.marketing.test_sms_webhook import TOKEN, inbound, signed_post

    settings.TWILIO_AUTH_TOKEN, settings.SITE_URL = TOKEN, "https://shop.example"
    stays, stops = texter(), texter()
    send(TextAlertFactory(status=TextAlert.Status.SENDING))
    assert {m.to for m in sms.outbox} == {stays.number.as_e164, stops.number.as_e164}
    sms.outbox.clear()

    signed_post(client, inbound(stops.number.as_e164, "STOP"))
    send(TextAlertFactory(status=TextAlert.Status.SENDING, message="Second alert"))

    assert [m.to for m in sms.outbox] == [stays.number.as_e164]


def test_p27_withdrawing_consent_drops_a_waiting_alert_before_it_is_sent(django_capture_on_commit_callbacks):
    phone = texter()
    alert = TextAlertFactory(status=TextAlert.Status.SENDING)
    send(alert, when=LATE)

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(user=phone.user, purpose="sms_marketing", source="account", wording="Stop text offers.")

    delivery = TextAlertDelivery.objects.get()
    assert (delivery.status, delivery.reason) == ("dropped", "consent withdrawn")
    with time_machine.travel(datetime.datetime(2030, 6, 11, 9, 0, tzinfo=LONDON), tick=False):
        text_alerts_send_due.apply()
    assert sms.outbox == []


@pytest.mark.parametrize("change", ["objection", "restriction", "suppression", "withdrawal without signal"])
def test_pr07_pr08_the_person_is_asked_about_again_at_the_moment_of_sending(change):
    phone = texter()
    alert = TextAlertFactory(status=TextAlert.Status.SENDING)
    send(alert, when=LATE)
    user = phone.user
    if change == "objection":
        objection_record(user=user, source="account")
    elif change == "restriction":
        restriction_create(
            user=user, scope="marketing", reason="Disputes accuracy", review_on=datetime.date(2030, 1, 1)
        )
    elif change == "suppression":
        suppress(phone=phone.number.as_e164)
    else:
        # Written without the receiver running (a signal lost with a worker): the send-time check still holds.
        consent_withdraw(user=user, purpose="sms_marketing", source="account", wording="Stop.")

    with time_machine.travel(datetime.datetime(2030, 6, 11, 9, 0, tzinfo=LONDON), tick=False):
        counts = text_alerts_send_due.apply().get()

    assert counts["sent"] == 0 and counts["dropped"] == 1
    assert sms.outbox == []
    assert TextAlertDelivery.objects.get().reason == "no longer allowed to text"


def test_p20_a_suppressed_number_gets_no_delivery_at_all():
    phone = texter()
    suppress(phone=phone.number.as_e164)

    assert send(TextAlertFactory(status=TextAlert.Status.SENDING))["created"] == 0


def test_q01_sending_an_alert_twice_texts_each_person_once():
    texter(), texter()
    alert = TextAlertFactory(status=TextAlert.Status.SENDING)

    send(alert)
    again = send(alert)

    assert len(sms.outbox) == 2
    assert again == {"created": 0, "sent": 0, "dropped": 0, "deferred": 0, "failed": 0}
    assert TextAlertDelivery.objects.count() == 2


def test_opt04_a_number_the_provider_reports_as_stopped_is_opted_out(monkeypatch):
    phone = texter()

    class Refusing:
        class messages:  # noqa: N801 (mirrors twilio's client)
            @staticmethod
            def create(**kwargs):
                raise TwilioRestException(400, "https://api.twilio.com", msg="unsubscribed", code=21610)

    monkeypatch.setattr("marketing.sms.get_backend", lambda path=None: TwilioBackend(client=Refusing()))
    counts = send(TextAlertFactory(status=TextAlert.Status.SENDING))

    assert counts["dropped"] == 1
    assert TextAlertDelivery.objects.get().reason == "replied STOP"
    assert not marketing_allowed("sms_marketing", user=phone.user)


# --- staff --------------------------------------------------------------------------------------


def test_p05_staff_write_an_alert_and_send_it_from_the_admin(client, settings, django_capture_on_commit_callbacks):
    settings.MARKETING_SMS_SEND_WINDOW = (0, 24)  # whatever the hour the test runs
    staff = StaffFactory()
    staff_login(client, staff)
    texter()
    response = client.post("/admin/marketing/textalert/add/", {"message": "New: LinkedIn ads audits."})
    assert response.status_code == 302
    alert = TextAlert.objects.get()
    assert alert.status == "draft"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/marketing/textalert/", {"action": "send_alerts", "_selected_action": [alert.pk]}, follow=True
        )

    assert "1 alert(s) queued" in response.content.decode()
    assert [m.body for m in sms.outbox] == ["New: LinkedIn ads audits.\nReply STOP to opt out"]
    alert.refresh_from_db()
    assert alert.status == "sent"
    audit = AuditEvent.objects.get(model="marketing.TextAlert")
    assert (audit.actor, audit.object_id, audit.detail) == (staff, str(alert.pk), "text alert sent")
    # A sent alert cannot be sent again or edited.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/marketing/textalert/", {"action": "send_alerts", "_selected_action": [alert.pk]})
    assert len(sms.outbox) == 1


def test_p05_the_alert_list_counts_deliveries_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    staff_login(client, StaffFactory())
    for _ in range(3):
        texter()
    send(TextAlertFactory(status=TextAlert.Status.SENDING))
    client.get("/admin/marketing/textalert/")

    with django_assert_num_queries(11) as first:
        response = client.get("/admin/marketing/textalert/")
    for n in range(5):
        send(TextAlertFactory(status=TextAlert.Status.SENDING, message=f"Alert {n}"))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/admin/marketing/textalert/")
    assert response.status_code == 200


def test_the_queue_service_refuses_nothing_but_sends_a_draft_only_once(django_capture_on_commit_callbacks):
    texter()
    alert = TextAlertFactory()
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.text_alert_queue(alert=alert, actor=None)
        services.text_alert_queue(alert=alert, actor=None)
    assert len(sms.outbox) == 1
