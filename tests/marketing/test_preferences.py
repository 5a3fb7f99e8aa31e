"""The preference centre (P05, P22, P27): channels on the consent ledger, interests, messages
and brands with their dates, an emailed receipt."""

import pytest
from django.utils.html import escape

from accounts.consents import OPT_IN_WORDING, WITHDRAW_WORDING
from marketing.models import InterestChoice, MessageChoice
from privacy import signals
from privacy.models import ConsentEvent
from privacy.selectors import has_objected, marketing_allowed
from privacy.services import restriction_create
from tests.accounts.factories import UserFactory
from tests.marketing.factories import PhoneNumberFactory
from tests.privacy.factories import ConsentEventFactory
from tests.shop.factories import CategoryFactory

pytestmark = pytest.mark.django_db
URL = "/account/preferences/"


@pytest.fixture
def customer(client):
    user = UserFactory(email="ada@example.com")
    client.force_login(user)
    return user


@pytest.fixture
def categories():
    return [CategoryFactory(name="Social media", position=1), CategoryFactory(name="Search ads", position=2)]


def test_p05_the_page_shows_three_channels_with_one_button_each(client, customer, categories):
    html = client.get(URL).content.decode()

    for name in ("Email marketing", "Text message marketing", "Postal marketing"):
        assert f">{name}</h3>" in html
    assert html.count(">Give consent<") == 1  # email; text needs a verified number first
    assert "Verify a mobile number" in html
    assert html.count(">Object<") == 1  # post is on until the customer objects
    assert "Social media" in html and "Search ads" in html
    assert "Partner services under the Kinetogram Marketing brand" in html
    assert "Email me a receipt of my choices" in html


def test_p27_the_page_shows_each_consents_state_date_and_policy_version(client, customer):
    ConsentEventFactory(user=customer, purpose="email_marketing", action="given")

    html = client.get(URL).content.decode()

    assert 'aria-current="page">Marketing preferences</a>' in html
    assert "Consent given" in html
    assert "under privacy policy 2018.05" in html
    assert WITHDRAW_WORDING["email_marketing"] in html
    assert escape(OPT_IN_WORDING["sms_marketing"]) in html
    assert html.count('type="submit" class="btn btn-secondary">Withdraw consent') == 1


def test_p27_one_post_withdraws_and_sends_consent_withdrawn_once(client, customer, django_capture_on_commit_callbacks):
    received = []
    signals.consent_withdrawn.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="test-withdrawn")
    try:
        client.post(URL, {"purpose": "email_marketing", "action": "give"})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, {"purpose": "email_marketing", "action": "withdraw"}, follow=True)
    finally:
        signals.consent_withdrawn.disconnect(dispatch_uid="test-withdrawn")

    assert response.redirect_chain == [(URL, 302)]
    assert "Email marketing: consent withdrawn. It stops now." in response.content.decode()
    given, withdrawn = ConsentEvent.objects.order_by("id")
    assert (given.action, given.source, given.wording) == ("given", "account", OPT_IN_WORDING["email_marketing"])
    assert (withdrawn.action, withdrawn.source, withdrawn.wording) == (
        "withdrawn",
        "account",
        WITHDRAW_WORDING["email_marketing"],
    )
    assert [(r["user"], r["purpose"]) for r in received] == [(customer, "email_marketing")]


def test_p27_a_next_address_on_another_site_is_ignored(client, customer):
    response = client.post(URL, {"purpose": "email_marketing", "action": "give", "next": "https://evil.example/"})

    assert response["Location"] == URL


def test_p22_objecting_to_post_and_taking_it_back_are_ledger_events_for_postal_marketing_only(client, customer):
    client.post(URL, {"purpose": "postal_marketing", "action": "withdraw"})
    assert has_objected("postal_marketing", user=customer)
    assert not has_objected("tailored_offers", user=customer)
    html = client.get(URL).content.decode()
    assert "You object" in html and ">Withdraw my objection<" in html

    response = client.post(URL, {"purpose": "postal_marketing", "action": "give"}, follow=True)

    assert "Postal marketing: you no longer object." in response.content.decode()
    assert not has_objected("postal_marketing", user=customer)
    assert list(ConsentEvent.objects.order_by("id").values_list("purpose", "action", "source")) == [
        ("postal_marketing", "objected", "account"),
        ("postal_marketing", "unobjected", "account"),
    ]


def test_p27_text_offers_can_be_switched_on_only_for_a_verified_number(client, customer):
    response = client.post(URL, {"purpose": "sms_marketing", "action": "give"}, follow=True)
    assert response.redirect_chain[-1][0] == "/account/preferences/phone/"
    assert "Verify your mobile number first" in response.content.decode()
    assert ConsentEvent.objects.count() == 0

    PhoneNumberFactory(user=customer, number="+447911123456")
    give = client.post(URL, {"purpose": "sms_marketing", "action": "give"})
    withdraw = client.post(URL, {"purpose": "sms_marketing", "action": "withdraw"})

    assert give["Location"] == withdraw["Location"] == URL
    assert list(ConsentEvent.objects.order_by("id").values_list("action", "phone")) == [
        ("given", "+447911123456"),
        ("withdrawn", ""),
    ]


def test_p05_interests_messages_brands_and_time_zone_are_saved_with_their_dates(client, customer, categories):
    response = client.post(
        "/account/preferences/choices/",
        {
            "categories": [categories[0].pk],
            "messages": ["offers", "latest"],
            "brands": ["brand_partners"],
            "time_zone": "America/New_York",
        },
        follow=True,
    )

    assert "Your choices are saved." in response.content.decode()
    assert list(InterestChoice.objects.values_list("category__name", flat=True)) == ["Social media"]
    assert sorted(MessageChoice.objects.values_list("topic", flat=True)) == ["brand_partners", "latest", "offers"]
    assert customer.marketing_preference.time_zone == "America/New_York"
    first_chosen = InterestChoice.objects.get().chosen_at

    client.post(
        "/account/preferences/choices/",
        {"categories": [c.pk for c in categories], "messages": ["offers"], "time_zone": "America/New_York"},
    )

    assert InterestChoice.objects.get(category=categories[0]).chosen_at == first_chosen  # kept, not re-made
    assert sorted(MessageChoice.objects.values_list("topic", flat=True)) == ["offers"]
    html = client.get(URL).content.decode()
    assert html.count(" checked>") == 3
    assert "since " in html


@pytest.mark.parametrize(
    "data",
    [
        {"messages": ["spam"], "time_zone": "Europe/London"},
        {"time_zone": "Mars/Olympus_Mons"},
        {"categories": ["999999"], "time_zone": "Europe/London"},
    ],
)
def test_p05_bad_choices_are_refused_with_a_400_and_change_nothing(client, customer, categories, data):
    response = client.post("/account/preferences/choices/", data)

    assert response.status_code == 400
    assert "Please correct" in response.content.decode()
    assert MessageChoice.objects.count() == InterestChoice.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "tailored_offers", "action": "withdraw"},
        {"purpose": "analytics_cookies", "action": "give"},
        {"purpose": "email_marketing", "action": "delete"},
        {},
    ],
)
def test_p27_bad_channel_changes_are_refused_with_a_400_and_record_nothing(client, customer, data):
    response = client.post(URL, data)

    assert response.status_code == 400
    assert "Choose email offers, text offers or post" in response.content.decode()
    assert ConsentEvent.objects.count() == 0


def test_p05_the_receipt_email_lists_every_choice_with_its_date(client, customer, categories, mailoutbox):
    PhoneNumberFactory(user=customer, number="+447911123456")
    client.post(URL, {"purpose": "email_marketing", "action": "give"})
    client.post(URL, {"purpose": "sms_marketing", "action": "give"})
    client.post(URL, {"purpose": "postal_marketing", "action": "withdraw"})
    client.post(
        "/account/preferences/choices/",
        {
            "categories": [categories[1].pk],
            "messages": ["relevant"],
            "brands": ["brand_own"],
            "time_zone": "Europe/Paris",
        },
    )

    response = client.post("/account/preferences/receipt/", follow=True)

    assert "We have emailed a receipt of your choices to ada@example.com." in response.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ada@example.com"] and mail.subject == "Your Kinetogram marketing choices"
    for line in [
        "- Email marketing: consent given, since",
        "- Text message marketing: consent given, since",
        "(+44 7911 123456)",
        "- Postal marketing: you object, since",
        "- Search ads, since",
        "- Services relevant to the ones I use, since",
        "- Kinetogram Marketing's own services, since",
        "in Europe/Paris",
    ]:
        assert line in mail.body, line
    assert "Social media" not in mail.body
    assert mail.alternatives[0][1] == "text/html"


def test_p23_a_marketing_restriction_is_shown_and_wins_over_the_choices(client, customer):
    import datetime

    client.post(URL, {"purpose": "email_marketing", "action": "give"})
    restriction_create(
        user=customer, scope="marketing", reason="Disputes accuracy", review_on=datetime.date(2030, 1, 1)
    )

    html = client.get(URL).content.decode()

    assert "we send you nothing while the restriction lasts" in html
    assert not marketing_allowed("email_marketing", user=customer)


def test_p27_the_page_needs_sign_in_and_is_never_cached(client, customer):
    assert "no-store" in client.get(URL)["Cache-Control"]
    client.logout()
    assert client.get(URL)["Location"] == f"/accounts/login/?next={URL}"


def test_p27_query_count_does_not_grow_with_the_ledger_or_the_choices(client, customer, django_assert_num_queries):
    categories = [CategoryFactory() for _ in range(3)]
    PhoneNumberFactory(user=customer)
    client.post(URL, {"purpose": "email_marketing", "action": "give"})
    client.post("/account/preferences/choices/", {"categories": [categories[0].pk], "time_zone": "Europe/London"})
    client.get(URL)
    client.get(URL)
    # Session, user, device tracking, the cart badge and the policy notice; the ledger,
    # restrictions, the preference with its interests and messages, the number, the categories.
    with django_assert_num_queries(16):
        client.get(URL)
    for _ in range(10):
        client.post(URL, {"purpose": "email_marketing", "action": "give"})
        client.post(URL, {"purpose": "sms_marketing", "action": "withdraw"})
    client.post(
        "/account/preferences/choices/",
        {"categories": [c.pk for c in categories], "messages": ["offers", "latest"], "time_zone": "Europe/London"},
    )
    CategoryFactory.create_batch(10)
    client.get(URL)  # shows (and clears) the notices of the changes above

    with django_assert_num_queries(16):
        client.get(URL)
