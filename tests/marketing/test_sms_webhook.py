"""The inbound SMS webhook (OPT-04, OPT-05, P05, P27): Twilio's signature, each MessageSid
once, STOP withdraws text consent with one confirmation, START and HELP."""

import concurrent.futures

import pytest
from django.db import connection
from twilio.request_validator import RequestValidator

from marketing.models import InboundMessage
from privacy.models import ConsentEvent
from privacy.selectors import marketing_allowed
from tests.marketing.factories import PhoneNumberFactory, texter

URL = "/webhooks/sms/"
TOKEN = "twilio-test-auth-token"  # noqa: S105 (test-only)
SITE = "https://shop.example"


@pytest.fixture(autouse=True)
def twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = SITE


def sid(n=1):
    return f"SM{n:032x}"


def signed_post(client, params, *, token=TOKEN, url=SITE + URL):
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)


def inbound(number, body, n=1):
    return {"MessageSid": sid(n), "From": number, "To": "+447700900000", "Body": body, "AccountSid": "AC" + "0" * 32}


@pytest.mark.django_db
def test_opt04_a_signed_stop_withdraws_text_consent_and_replies_once_in_twiml(client):
    phone = texter()
    number = phone.number.as_e164

    response = signed_post(client, inbound(number, "STOP"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    body = response.content.decode()
    assert body.count("<Message>") == 1
    assert "You are unsubscribed from Kinetogram text alerts" in body
    event = ConsentEvent.objects.order_by("-id").first()
    assert (event.user, event.purpose, event.action, event.source, event.phone) == (
        phone.user,
        "sms_marketing",
        "withdrawn",
        "sms_keyword",
        number,
    )
    assert not marketing_allowed("sms_marketing", user=phone.user, phone=number)


@pytest.mark.django_db
def test_opt04_signature_is_checked_against_the_public_site_url(client):
    phone = texter()
    params = inbound(phone.number.as_e164, "STOP")

    wrong_token = signed_post(client, params, token="another-token")
    wrong_url = signed_post(client, params, url="http://testserver" + URL)
    tampered = client.post(
        URL,
        {**params, "Body": "START"},
        HTTP_X_TWILIO_SIGNATURE=RequestValidator(TOKEN).compute_signature(SITE + URL, params),
    )
    unsigned = client.post(URL, params)

    assert [r.status_code for r in (wrong_token, wrong_url, tampered, unsigned)] == [403, 403, 403, 403]
    assert InboundMessage.objects.count() == 0
    assert ConsentEvent.objects.filter(action="withdrawn").count() == 0
    assert signed_post(client, params).status_code == 200


@pytest.mark.django_db
def test_opt04_without_an_auth_token_every_request_is_refused(client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = inbound("+447911123456", "STOP")

    assert signed_post(client, params, token="").status_code == 403
    assert InboundMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"From": "+447911123456", "Body": "STOP"},
        {"MessageSid": "not-a-sid", "From": "+447911123456", "Body": "STOP"},
        {"MessageSid": sid(), "From": "not a number", "Body": "STOP"},
        {"MessageSid": sid(), "Body": "STOP"},
        {"MessageSid": sid(), "From": "+447911123456"},
    ],
)
def test_opt04_a_signed_but_malformed_request_is_400_and_changes_nothing(client, params):
    response = signed_post(client, params)

    assert response.status_code == 400
    assert InboundMessage.objects.count() == 0
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_opt04_the_webhook_takes_post_only(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_opt05_the_same_message_sid_five_times_changes_consent_once_and_replies_once(client):
    phone = texter()
    params = inbound(phone.number.as_e164, "STOP")

    responses = [signed_post(client, params) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert [r.content.decode().count("<Message>") for r in responses] == [1, 0, 0, 0, 0]
    assert InboundMessage.objects.count() == 1
    assert ConsentEvent.objects.filter(action="withdrawn", source="sms_keyword").count() == 1


@pytest.mark.django_db(transaction=True)
def test_opt05_the_same_message_sid_delivered_concurrently_is_processed_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from django.test import Client

    phone = texter()
    params = inbound(phone.number.as_e164, "STOP")

    def deliver(_):
        try:
            return signed_post(Client(), params).status_code
        finally:
            connection.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(deliver, range(5)))

    assert statuses == [200] * 5
    assert InboundMessage.objects.count() == 1
    assert ConsentEvent.objects.filter(action="withdrawn", source="sms_keyword").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
def test_opt04_start_after_stop_gives_text_consent_again_for_the_verified_number(client, word):
    phone = texter()
    number = phone.number.as_e164
    signed_post(client, inbound(number, "STOP", n=1))

    response = signed_post(client, inbound(number, word, n=2))

    assert "You are subscribed to Kinetogram text alerts again" in response.content.decode()
    event = ConsentEvent.objects.order_by("-id").first()
    assert (event.user, event.action, event.source, event.phone) == (phone.user, "given", "sms_keyword", number)
    assert marketing_allowed("sms_marketing", user=phone.user, phone=number)


@pytest.mark.django_db
def test_opt04_start_from_a_number_nobody_verified_signs_nobody_up(client):
    PhoneNumberFactory(number="+447911000111", verified_at=None)

    response = signed_post(client, inbound("+447911000111", "START"))

    assert "Reply STOP to opt out" in response.content.decode()
    assert ConsentEvent.objects.count() == 0
    assert InboundMessage.objects.get().outcome == "opted_in"


@pytest.mark.django_db
def test_opt04_stop_from_an_unknown_number_is_recorded_for_the_number(client):
    signed_post(client, inbound("+447911000222", "stop please"))

    event = ConsentEvent.objects.get()
    assert (event.user, event.phone, event.action, event.source) == (None, "+447911000222", "withdrawn", "sms_keyword")


@pytest.mark.django_db
def test_opt04_stop_reaches_every_account_that_verified_the_number(client):
    first = texter(number="+447911000333")
    second = texter(number="+447911000333")

    signed_post(client, inbound("+447911000333", "UNSUBSCRIBE"))

    assert not marketing_allowed("sms_marketing", user=first.user)
    assert not marketing_allowed("sms_marketing", user=second.user)


@pytest.mark.django_db
def test_opt04_help_replies_with_the_company_contact_details(client, settings):
    settings.COMPANY_EMAIL = "hello@kinetogramm.com"
    settings.COMPANY_PHONE = "415-723-2867"

    body = signed_post(client, inbound("+447911000444", "HELP")).content.decode()

    assert body.count("<Message>") == 1
    assert "hello@kinetogramm.com" in body and "415-723-2867" in body and "Reply STOP to opt out" in body
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_opt04_anything_else_gets_no_reply_and_changes_nothing(client):
    phone = texter()

    body = signed_post(client, inbound(phone.number.as_e164, "What time do you open?")).content.decode()

    assert "<Message>" not in body
    assert InboundMessage.objects.get().outcome == "other"
    assert marketing_allowed("sms_marketing", user=phone.user)


@pytest.mark.django_db
def test_p05_stop_to_a_text_is_an_opt_out_route_that_takes_effect_at_once(client):
    phone = texter()
    assert marketing_allowed("sms_marketing", user=phone.user)

    signed_post(client, inbound(phone.number.as_e164, "Please stop texting me"))

    assert not marketing_allowed("sms_marketing", user=phone.user)
