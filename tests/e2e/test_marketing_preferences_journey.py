"""Marketing preferences in the browser (P05, P22, P27, OPT-04): a customer changes channels
and interests, verifies a mobile number with the code texted to it, gets a text alert, and
after replying STOP is left out of the next one."""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from marketing import sms
from marketing.models import TextAlert
from privacy.models import PolicyVersion
from privacy.selectors import has_objected, marketing_allowed
from privacy.selectors.policy import policy_cache_clear
from tests.accounts.factories import UserFactory
from tests.e2e.test_consultation_journey import _sign_in_as
from tests.marketing.factories import TextAlertFactory, texter
from tests.shop.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/m_prefs")  # noqa: S108 (screenshots looked at after the run)
TOKEN = "twilio-e2e-token"  # noqa: S105 (test-only)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def customer(live_server, page):
    # Transactional tests before this one may have flushed the policy the migration seeds.
    PolicyVersion.objects.get_or_create(
        version="2018.05", defaults={"effective_date": datetime.date(2018, 5, 25), "summary": "First"}
    )
    policy_cache_clear()
    CategoryFactory(name="Social media marketing", position=1)
    CategoryFactory(name="Search advertising", position=2)
    user = UserFactory(email="pat.prefs@example.com", full_name="Pat Prefs")
    _sign_in_as(page, live_server, user)
    page.goto(f"{live_server.url}/account/preferences/")
    reject = page.get_by_role("button", name="Reject all")
    if reject.count() and reject.first.is_visible():
        reject.first.click()
    return user


def test_p05_p22_p27_a_customer_changes_channels_interests_and_gets_a_receipt(live_server, page, customer):
    base = live_server.url
    expect(page.get_by_role("heading", name="Marketing preferences", level=1)).to_be_visible()
    shot(page, "preferences_before")

    email = page.get_by_role("region", name="Email marketing")
    email.get_by_role("button", name="Give consent to email marketing").click()
    expect(page.get_by_text("Email marketing: thank you, your consent is recorded.")).to_be_visible()
    expect(page.get_by_role("region", name="Email marketing").get_by_text("Consent given")).to_be_visible()
    assert marketing_allowed("email_marketing", user=customer)

    page.get_by_role("region", name="Postal marketing").get_by_role("button", name="Object to postal marketing").click()
    expect(page.get_by_text("Postal marketing: objection recorded.")).to_be_visible()
    assert has_objected("postal_marketing", user=customer)

    choices = page.get_by_role("region", name="What you would like to hear about")
    choices.get_by_label("Search advertising").check()
    choices.get_by_label("Promotional offers on our services").check()
    choices.get_by_label("Partner services under the Kinetogram Marketing brand").check()
    choices.get_by_label("My time zone").select_option("Europe/Dublin")
    choices.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    expect(page.get_by_label("Search advertising")).to_be_checked()
    expect(page.get_by_label("Social media marketing")).not_to_be_checked()
    shot(page, "preferences_after")

    mail.outbox = []
    page.get_by_role("button", name="Email me a receipt of my choices").click()
    expect(page.get_by_text("We have emailed a receipt of your choices to pat.prefs@example.com.")).to_be_visible()
    assert len(mail.outbox) == 1
    assert "- Search advertising, since" in mail.outbox[0].body
    assert "- Postal marketing: you object, since" in mail.outbox[0].body
    assert page.url == f"{base}/account/preferences/"


def test_p05_opt04_verify_a_number_get_an_alert_reply_stop_and_miss_the_next_one(live_server, page, customer, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.MARKETING_SMS_SEND_WINDOW = (0, 24)  # whatever the hour the journey runs
    base = live_server.url
    sms.outbox.clear()

    page.get_by_role("link", name="Verify a mobile number for text message marketing").click()
    expect(page).to_have_url(f"{base}/account/preferences/phone/")
    shot(page, "phone_enter_number")
    page.get_by_role("textbox", name="Mobile number").fill("07911 123456")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_text("We have texted a 6-digit code to +44 7911 123456.")).to_be_visible()
    assert [m.to for m in sms.outbox] == ["+447911123456"]
    code = re.search(r"\b(\d{6})\b", sms.outbox[0].body).group(1)

    page.get_by_role("textbox", name="6-digit code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Verify and start text offers").click()
    expect(page.get_by_text("That code is not right. 4 tries left.")).to_be_visible()
    shot(page, "phone_enter_code")
    page.get_by_role("textbox", name="6-digit code").fill(code)
    page.get_by_role("button", name="Verify and start text offers").click()
    expect(page).to_have_url(f"{base}/account/preferences/")
    expect(page.get_by_text("Your number is verified and text offers are on.")).to_be_visible()
    expect(page.get_by_role("region", name="Text message marketing").get_by_text("Consent given")).to_be_visible()
    shot(page, "preferences_text_on")
    assert marketing_allowed("sms_marketing", user=customer, phone="+447911123456")

    # Staff send an alert: it reaches the customer and another texter, with the opt-out line.
    other = texter(number="+447912345678")
    sms.outbox.clear()
    alert = TextAlertFactory(message="First alert")
    from marketing.services import text_alert_queue

    text_alert_queue(alert=alert, actor=None)
    assert sorted(m.to for m in sms.outbox) == ["+447911123456", "+447912345678"]
    assert all(m.body.endswith("\nReply STOP to opt out") for m in sms.outbox)

    # The customer replies STOP: Twilio posts it, signed, to the webhook.
    params = {"MessageSid": "SM" + "a" * 32, "From": "+447911123456", "Body": "Stop", "To": "+447700900000"}
    signature = RequestValidator(TOKEN).compute_signature(settings.SITE_URL + "/webhooks/sms/", params)
    reply = Client().post("/webhooks/sms/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert reply.status_code == 200 and reply.content.decode().count("<Message>") == 1

    sms.outbox.clear()
    text_alert_queue(alert=TextAlertFactory(message="Second alert"), actor=None)
    assert [m.to for m in sms.outbox] == [other.number.as_e164]
    assert TextAlert.objects.filter(status="sent").count() == 2

    page.reload()
    expect(page.get_by_role("region", name="Text message marketing").get_by_text("Consent withdrawn")).to_be_visible()
    expect(page.get_by_role("region", name="Text message marketing").get_by_text("(sms keyword)")).to_be_visible()
