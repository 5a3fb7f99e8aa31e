"""Marketing consent from the customer's side: opt-in at sign-up (P05), one-click changes on
the preferences page and in "Your data" (P27)."""

import hashlib
import re

import pytest
from django.utils.html import escape

from accounts.consents import OPT_IN_WORDING
from accounts.models import Profile, User
from privacy import signals
from privacy.models import ConsentEvent
from privacy.selectors import consent_is_granted
from tests.accounts.factories import ProfileFactory, UserFactory
from tests.accounts.test_signup import SIGNUP_URL, signup_data
from tests.privacy.factories import ConsentEventFactory

PREFERENCES_URL = "/account/preferences/"
YOUR_DATA_URL = "/account/your-data/"


def checkbox(html, name):
    return re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html).group(0)


@pytest.fixture
def customer(client):
    profile = ProfileFactory(phone="+44 7700 900456")
    client.force_login(profile.user)
    return profile.user


@pytest.fixture
def withdrawals():
    """What ``consent_withdrawn`` sends. No app connects a receiver to it yet, so this test
    receiver stands in and the tests prove the signal, not what a receiver does with it."""
    received = []
    signals.consent_withdrawn.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="test-withdrawals")
    yield received
    signals.consent_withdrawn.disconnect(dispatch_uid="test-withdrawals")


# --- sign-up (P05) ---------------------------------------------------------------------


@pytest.mark.django_db
def test_p05_signup_shows_both_marketing_boxes_unticked_with_their_wording(client):
    html = client.get(SIGNUP_URL).content.decode()

    from accounts.forms import SMS_CONFIRM_FIRST

    labels = {
        "email_marketing": OPT_IN_WORDING["email_marketing"],
        "sms_marketing": f"{OPT_IN_WORDING['sms_marketing']} {SMS_CONFIRM_FIRST}",  # double opt-in said up front
    }
    for name, label in labels.items():
        box = checkbox(html, name)
        assert "checked" not in box
        assert "required" not in box
        assert f'<label for="id_{name}">{escape(label)}</label>' in html
    assert '<label for="id_marketing_phone">Mobile number for text offers (optional)</label>' in html


@pytest.mark.django_db
def test_p05_nothing_is_recorded_when_both_boxes_are_left_unticked(client):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    user = User.objects.get()
    assert ConsentEvent.objects.count() == 0
    assert consent_is_granted("email_marketing", user=user) is False
    assert Profile.objects.get(user=user).phone == ""


@pytest.mark.django_db
def test_p05_ticked_email_box_records_consent_from_signup_with_the_exact_wording(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP_URL, signup_data(email_marketing="on"))

    assert response.status_code == 302
    user = User.objects.get()
    event = ConsentEvent.objects.get()
    assert (event.user, event.purpose, event.action, event.source) == (user, "email_marketing", "given", "signup")
    assert event.wording == OPT_IN_WORDING["email_marketing"]
    assert event.wording_hash == hashlib.sha256(OPT_IN_WORDING["email_marketing"].encode()).hexdigest()
    assert event.policy_version.version == "2018.05"
    assert consent_is_granted("sms_marketing", user=user) is False


@pytest.mark.django_db
def test_p05_a_ticked_text_box_keeps_the_number_but_records_no_consent_until_a_code_confirms_it(client):
    response = client.post(SIGNUP_URL, signup_data(sms_marketing="on", marketing_phone="+44  7700 900123"), follow=True)

    user = User.objects.get()
    assert not ConsentEvent.objects.filter(purpose="sms_marketing").exists()  # double opt-in: not yet
    assert consent_is_granted("sms_marketing", user=user) is False
    assert Profile.objects.get(user=user).phone == "+44 7700 900123"
    assert "confirm your mobile number with the code we text you" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("", "Enter the mobile number we should text, or untick the text offers box."),
        ("text me", "Enter a phone number using digits"),
    ],
)
def test_p05_text_box_without_a_valid_number_is_refused_and_records_nothing(client, phone, message):
    response = client.post(SIGNUP_URL, signup_data(sms_marketing="on", email_marketing="on", marketing_phone=phone))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_p05_a_number_without_the_text_box_is_not_stored(client):
    client.post(SIGNUP_URL, signup_data(marketing_phone="+44 7700 900123"))

    assert Profile.objects.get().phone == ""
    assert ConsentEvent.objects.count() == 0


# The preferences page itself is marketing's: tests/marketing/test_preferences.py.


# --- Your data (P27) -------------------------------------------------------------------


@pytest.mark.django_db
def test_p27_your_data_lists_every_consent_and_withdraws_one_with_one_click(client, customer):
    ConsentEventFactory(user=customer, purpose="email_marketing", action="given")
    ConsentEventFactory(user=customer, purpose="sms_marketing", action="withdrawn")
    ConsentEventFactory(user=customer, purpose="analytics_cookies", action="given", source="cookie_banner")
    ConsentEventFactory(user=UserFactory(), purpose="email_marketing")

    html = client.get(YOUR_DATA_URL).content.decode()
    section = html[html.index('id="consents-heading"') : html.index('id="held-heading"')]

    assert 'Your consents <span class="count">3</span>' in section
    for expected in [
        "Email marketing",
        "Text message marketing",
        "Analytics cookies",
        "2018.05",
        '<a class="small" href="/privacy/cookies/">Change in cookie settings</a>',
    ]:
        assert expected in section, expected
    assert section.count('<span class="pill pill-ok">Given</span>') == 2
    assert section.count('<span class="pill pill-muted">Withdrawn</span>') == 1
    assert section.count(">Withdraw<") == 1
    assert '<a href="/account/preferences/">Marketing preferences</a>' in section

    response = client.post(
        PREFERENCES_URL, {"purpose": "email_marketing", "action": "withdraw", "next": YOUR_DATA_URL}, follow=True
    )

    assert response.redirect_chain == [(YOUR_DATA_URL, 302)]
    after = response.content.decode()
    after = after[after.index('id="consents-heading"') : after.index('id="held-heading"')]
    assert after.count('<span class="pill pill-muted">Withdrawn</span>') == 2
    assert ">Withdraw<" not in after
    assert consent_is_granted("email_marketing", user=customer) is False


@pytest.mark.django_db
def test_p27_your_data_says_when_no_consent_was_given(client, customer):
    html = client.get(YOUR_DATA_URL).content.decode()

    assert "You have not given us consent for anything: we send you no marketing." in html
