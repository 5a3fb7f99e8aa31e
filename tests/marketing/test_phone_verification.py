"""Text alerts' double opt-in (P02, P05): a 6-digit code texted to the number, hashed,
10 minutes, 5 tries, resend limited; text consent only once the code is entered."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from marketing import sms
from marketing.models import PhoneNumber
from privacy.models import ConsentEvent
from privacy.selectors import consent_is_granted
from tests.accounts.factories import UserFactory
from tests.marketing.factories import suppress

pytestmark = pytest.mark.django_db
URL = "/account/preferences/phone/"


@pytest.fixture
def customer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def code_from_outbox():
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def send_code(client, number="07911 123456", django_capture_on_commit_callbacks=None):
    return client.post(URL, {"action": "send", "number": number})


def test_p05_a_number_is_stored_in_e164_and_gets_a_hashed_code_by_text(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"action": "send", "number": "07911 123456"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "We have texted a 6-digit code to +44 7911 123456." in response.content.decode()
    phone = PhoneNumber.objects.get(user=customer)
    assert phone.number.as_e164 == "+447911123456"
    assert phone.verified_at is None
    assert len(sms.outbox) == 1 and sms.outbox[0].to == "+447911123456"
    code = code_from_outbox()
    assert code not in phone.code_hash and len(phone.code_hash) == 64
    assert phone.code_expires_at - phone.code_sent_at == datetime.timedelta(minutes=10)
    # Nothing is consented until the code is entered.
    assert ConsentEvent.objects.count() == 0
    assert 'autocomplete="one-time-code"' in response.content.decode()


def test_p05_the_right_code_verifies_the_number_and_only_then_records_text_consent(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_code(client)

    response = client.post(URL, {"action": "verify", "code": code_from_outbox()}, follow=True)

    assert response.redirect_chain == [("/account/preferences/", 302)]
    assert "Your number is verified and text offers are on." in response.content.decode()
    phone = PhoneNumber.objects.get(user=customer)
    assert phone.is_verified and phone.code_hash == ""
    event = ConsentEvent.objects.get()
    assert (event.user, event.purpose, event.action, event.source, event.phone) == (
        customer,
        "sms_marketing",
        "given",
        "account",
        "+447911123456",
    )
    assert consent_is_granted("sms_marketing", user=customer)


def test_p05_wrong_codes_count_down_and_the_fifth_ends_the_code(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_code(client)
    right = code_from_outbox()
    wrong = f"{(int(right) + 1) % 10**6:06d}"

    messages = [client.post(URL, {"action": "verify", "code": wrong}, follow=True).content.decode() for _ in range(5)]
    after = client.post(URL, {"action": "verify", "code": right}, follow=True).content.decode()

    assert "That code is not right. 4 tries left." in messages[0]
    assert "That code is not right. 1 try left." in messages[3]
    assert "Too many wrong codes. Ask for a new one." in messages[4]
    assert "Too many wrong codes. Ask for a new one." in after
    assert not PhoneNumber.objects.get(user=customer).is_verified
    assert ConsentEvent.objects.count() == 0


def test_p05_a_code_expires_after_ten_minutes(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_code(client)
    code = code_from_outbox()

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1), tick=False):
        response = client.post(URL, {"action": "verify", "code": code}, follow=True)

    assert "That code has expired. Ask for a new one." in response.content.decode()
    assert ConsentEvent.objects.count() == 0


def test_p05_resending_is_rate_limited_per_minute_and_per_hour(client, customer, django_capture_on_commit_callbacks):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        send_code(client)
        too_soon = client.post(URL, {"action": "resend"}, follow=True).content.decode()
    assert "You can ask for a new one in" in too_soon
    assert len(sms.outbox) == 1

    for minute in (2, 4, 6, 8):
        with (
            time_machine.travel(start + datetime.timedelta(minutes=minute), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            client.post(URL, {"action": "resend"})
    assert len(sms.outbox) == 5
    with (
        time_machine.travel(start + datetime.timedelta(minutes=10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sixth = client.post(URL, {"action": "resend"}, follow=True).content.decode()
    assert "You have asked for several codes in the last hour" in sixth
    assert len(sms.outbox) == 5
    # The old code stops working when a new one is sent.
    with (
        time_machine.travel(start + datetime.timedelta(minutes=62), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(URL, {"action": "resend"})
    assert len(sms.outbox) == 6


def test_p05_an_invalid_number_is_refused_with_a_400_and_nothing_is_sent(client, customer):
    response = client.post(URL, {"action": "send", "number": "text me"})

    assert response.status_code == 400
    assert "Enter a valid mobile number" in response.content.decode()
    assert PhoneNumber.objects.count() == 0
    assert sms.outbox == []


def test_p05_an_erased_persons_number_cannot_be_verified_again(client, customer):
    suppress(phone="+447911123456")

    response = client.post(URL, {"action": "send", "number": "+44 7911 123456"}, follow=True)

    assert "We cannot send text alerts to this number." in response.content.decode()
    assert sms.outbox == []


def test_p05_a_new_number_must_be_verified_afresh(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_code(client)
    client.post(URL, {"action": "verify", "code": code_from_outbox()})

    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_code(client, number="07912 345678")

    phone = PhoneNumber.objects.get(user=customer)
    assert (phone.number.as_e164, phone.is_verified) == ("+447912345678", False)


def test_p05_a_bad_action_or_a_code_without_digits_is_a_400(client, customer):
    assert client.post(URL, {"action": "delete"}).status_code == 400
    assert client.post(URL, {"action": "verify", "code": "abcdef"}).status_code == 400


def test_p05_verification_needs_sign_in(client):
    response = client.post(URL, {"action": "send", "number": "07911 123456"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert sms.outbox == []
