"""Marketing consent from the customer's side: opt-in at sign-up (P05), one-click changes on
the preferences page and in "Your data" (P27)."""

import hashlib
import re

import pytest
from django.utils.html import escape

from accounts.consents import OPT_IN_WORDING, WITHDRAW_WORDING
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

    for name, purpose in [("email_marketing", "email_marketing"), ("sms_marketing", "sms_marketing")]:
        box = checkbox(html, name)
        assert "checked" not in box
        assert "required" not in box
        assert f'<label for="id_{name}">{escape(OPT_IN_WORDING[purpose])}</label>' in html
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
def test_p05_ticked_text_box_records_consent_for_the_number_given(client):
    client.post(SIGNUP_URL, signup_data(sms_marketing="on", marketing_phone="+44  7700 900123"))

    user = User.objects.get()
    event = ConsentEvent.objects.get()
    assert (event.purpose, event.phone, event.source) == ("sms_marketing", "+44 7700 900123", "signup")
    assert event.wording == OPT_IN_WORDING["sms_marketing"]
    assert Profile.objects.get(user=user).phone == "+44 7700 900123"


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


# --- preferences page (P27) ------------------------------------------------------------


@pytest.mark.django_db
def test_p27_preferences_page_shows_state_date_version_and_one_button_each(client, customer):
    ConsentEventFactory(user=customer, purpose="email_marketing", action="given")

    response = client.get(PREFERENCES_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'aria-current="page">Marketing preferences</a>' in html
    assert "Consent given" in html
    assert "under privacy policy 2018.05" in html
    assert WITHDRAW_WORDING["email_marketing"] in html
    assert escape(OPT_IN_WORDING["sms_marketing"]) in html
    assert html.count('type="submit" class="btn btn-secondary">Withdraw consent') == 1
    assert html.count('type="submit" class="btn btn-primary">Give consent') == 1
    assert "We will text +44 7700 900456" in html


@pytest.mark.django_db
def test_p27_one_post_withdraws_and_sends_consent_withdrawn_once(
    client, customer, withdrawals, django_capture_on_commit_callbacks
):
    client.post(PREFERENCES_URL, {"purpose": "email_marketing", "action": "give"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PREFERENCES_URL, {"purpose": "email_marketing", "action": "withdraw"}, follow=True)

    assert response.redirect_chain == [(PREFERENCES_URL, 302)]
    assert "Email marketing: consent withdrawn. It stops now." in response.content.decode()
    assert consent_is_granted("email_marketing", user=customer) is False
    given, withdrawn = ConsentEvent.objects.order_by("id")
    assert (given.action, given.source, given.wording) == ("given", "account", OPT_IN_WORDING["email_marketing"])
    assert (withdrawn.action, withdrawn.source, withdrawn.wording) == (
        "withdrawn",
        "account",
        WITHDRAW_WORDING["email_marketing"],
    )
    assert len(withdrawals) == 1
    assert (withdrawals[0]["user"], withdrawals[0]["purpose"]) == (customer, "email_marketing")


@pytest.mark.django_db
def test_p27_withdrawing_takes_no_more_steps_than_giving(client, customer):
    give = client.post(PREFERENCES_URL, {"purpose": "sms_marketing", "action": "give"})
    withdraw = client.post(PREFERENCES_URL, {"purpose": "sms_marketing", "action": "withdraw"})

    assert give.status_code == withdraw.status_code == 302
    assert give["Location"] == withdraw["Location"] == PREFERENCES_URL
    assert list(ConsentEvent.objects.order_by("id").values_list("action", "phone")) == [
        ("given", "+44 7700 900456"),
        ("withdrawn", ""),
    ]


@pytest.mark.django_db
def test_p05_text_offers_need_a_phone_number_first(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(PREFERENCES_URL).content.decode()
    response = client.post(PREFERENCES_URL, {"purpose": "sms_marketing", "action": "give"}, follow=True)

    assert "add a mobile number to your profile</a>" in page
    assert page.count("Give consent") == 1
    assert "Add a mobile number to your profile first" in response.content.decode()
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "postal_marketing", "action": "withdraw"},
        {"purpose": "analytics_cookies", "action": "give"},
        {"purpose": "email_marketing", "action": "delete"},
        {},
    ],
)
def test_preferences_refuse_bad_input_with_400_and_record_nothing(client, customer, data):
    response = client.post(PREFERENCES_URL, data)

    assert response.status_code == 400
    assert "Choose email offers or text offers" in response.content.decode()
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_preferences_ignore_a_next_address_on_another_site(client, customer):
    response = client.post(
        PREFERENCES_URL, {"purpose": "email_marketing", "action": "give", "next": "https://evil.example/"}
    )

    assert response["Location"] == PREFERENCES_URL


@pytest.mark.django_db
def test_preferences_need_sign_in(client):
    response = client.post(PREFERENCES_URL, {"purpose": "email_marketing", "action": "give"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PREFERENCES_URL}"
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_p27_preferences_page_query_count_does_not_grow_with_the_ledger(client, customer, django_assert_num_queries):
    ConsentEventFactory(user=customer)
    client.get(PREFERENCES_URL)  # the first request of a session records the device
    # Session, user and device tracking, the cart badge; the ledger and the profile's phone;
    # the policy in effect for the changed-policy notice (uncached under test).
    with django_assert_num_queries(11) as one:
        client.get(PREFERENCES_URL)
    ConsentEventFactory.create_batch(20, user=customer, purpose="sms_marketing")

    with django_assert_num_queries(len(one.captured_queries)):
        client.get(PREFERENCES_URL)


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
