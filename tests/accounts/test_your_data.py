import pytest
from allauth.account.models import EmailAddress

from tests.accounts.factories import AddressFactory, ProfileFactory, UserFactory
from tests.privacy.factories import ConsentEventFactory
from tests.shop.factories import OrderFactory, OrderLineFactory, ReviewFactory, SavedSearchFactory

URL = "/account/your-data/"


def give_orders(user, count):
    for _ in range(count):
        order = OrderFactory(user=user)
        OrderLineFactory.create_batch(2, order=order)


@pytest.fixture
def customer(client):
    profile = ProfileFactory(
        phone="+44 20 7946 0001",
        company="Difference Engines",
        city="London",
        country="GB",
        user__full_name="Charles Babbage",
    )
    client.force_login(profile.user)
    return profile.user


@pytest.mark.django_db
def test_p18_your_data_holds_the_change_password_link(client, customer):
    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="btn btn-primary" href="/accounts/password/change/">Change password</a>' in html
    assert "at least 8 characters long, mix letters and numbers" in html
    assert 'aria-current="page">Your data</a>' in html


@pytest.mark.django_db
def test_p02_your_data_shows_everything_the_customer_gave_us(client, customer):
    AddressFactory(user=customer, line1="1 Dorset Street", is_default=True)
    EmailAddress.objects.create(user=customer, email="charles@work.example", verified=False, primary=False)
    order = OrderFactory(user=customer)
    OrderLineFactory(order=order, service_name="Email campaign", plan_name="Standard")
    ReviewFactory(user=customer, title="Remarkably precise", service__name="SEO audit")
    SavedSearchFactory(user=customer, name="Monthly social plans")
    OrderFactory(user=UserFactory(), billing_name="Someone Else")
    ReviewFactory(title="Not mine")

    html = client.get(URL).content.decode()

    for expected in [
        "Charles Babbage",
        customer.email,
        "+44 20 7946 0001",
        "Difference Engines",
        "GB",
        "1 Dorset Street",
        "charles@work.example",
        order.number,
        "SEO audit",
        "Remarkably precise",
        "Monthly social plans",
        "Your rights",
        "Download my data",
        "Erase my account",
    ]:
        assert expected in html, expected
    assert "Someone Else" not in html
    assert "Not mine" not in html


@pytest.mark.django_db
def test_p02_your_data_for_a_new_customer_says_what_is_empty(client):
    client.force_login(UserFactory())

    html = client.get(URL).content.decode()

    # Only records that hold something of theirs are listed.
    assert 'id="record-your-account-heading"' in html
    for absent in ("record-orders-heading", "record-reviews-heading", "record-saved-searches-heading"):
        assert absent not in html
    assert "You have not asked for a copy of your data yet." in html


@pytest.mark.django_db
def test_p02_your_data_query_count_is_the_same_for_1_and_20_orders(
    client, customer, django_assert_num_queries, django_assert_max_num_queries
):
    give_orders(customer, 1)
    ReviewFactory(user=customer)
    SavedSearchFactory(user=customer)
    AddressFactory(user=customer)
    ConsentEventFactory(user=customer)
    client.get(URL)  # the first request of a session records the device
    # One query per declared record, and a fixed few for consents, objections, restrictions,
    # downloads, requests and the changed-policy notice: the same for 1 and 20 of each.
    with django_assert_max_num_queries(60) as one:
        first = client.get(URL)
    give_orders(customer, 19)
    ReviewFactory.create_batch(19, user=customer)
    SavedSearchFactory.create_batch(19, user=customer)
    AddressFactory.create_batch(19, user=customer)
    ConsentEventFactory.create_batch(19, user=customer, purpose="sms_marketing")

    with django_assert_num_queries(len(one.captured_queries)):
        twenty = client.get(URL)

    assert first.status_code == twenty.status_code == 200
    # The page shows the first ten of each record; the download holds them all.
    assert twenty.content.decode().count("And more: download your data for all of them.") >= 3


@pytest.mark.django_db
def test_fe07_your_data_is_never_cached_and_needs_sign_in(client):
    anonymous = client.get(URL)
    client.force_login(UserFactory())
    signed_in = client.get(URL)

    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next={URL}"
    assert "no-store" in signed_in["Cache-Control"]
