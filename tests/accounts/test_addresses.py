import pytest

from accounts import services
from accounts.models import Address
from tests.accounts.factories import AddressFactory, UserFactory

LIST_URL = "/account/addresses/"


def address_data(**overrides):
    data = {
        "kind": "billing",
        "full_name": "Mary Somerville",
        "company": "",
        "line1": "4 Hanover Square",
        "line2": "",
        "city": "London",
        "postcode": "w1s 1bp",
        "country": "GB",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def defaults(user, kind):
    return list(Address.objects.filter(user=user, kind=kind, is_default=True).values_list("pk", flat=True))


@pytest.fixture
def customer(client):
    user = UserFactory()
    client.force_login(user)
    return user


# --- list ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_address_list_shows_both_kinds_with_a_fixed_number_of_queries(client, customer, django_assert_num_queries):
    AddressFactory(user=customer, kind="billing", is_default=True, line1="1 First Street")
    client.get(LIST_URL)  # the first request of a session records the device
    # 9 for the page, +1: the changed-policy notice reads the policy in effect (uncached under test, P35).
    with django_assert_num_queries(10) as one:
        client.get(LIST_URL)
    AddressFactory.create_batch(9, user=customer, kind="delivery")
    AddressFactory.create_batch(5, user=customer, kind="billing")

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card address-card') == 15
    assert "Default billing" in html
    assert "United Kingdom" in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_address_list_shows_only_the_customers_own_addresses(client, customer):
    AddressFactory(user=customer, line1="1 Mine Road")
    AddressFactory(line1="99 Someone Else Lane")

    html = client.get(LIST_URL).content.decode()

    assert "1 Mine Road" in html
    assert "99 Someone Else Lane" not in html


# --- add -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_first_address_of_a_kind_becomes_its_default(client, customer):
    response = client.post("/account/addresses/add/", address_data())

    assert response.status_code == 302
    address = Address.objects.get(user=customer)
    assert (address.kind, address.postcode, address.is_default) == ("billing", "W1S 1BP", True)


@pytest.mark.django_db
def test_adding_a_new_default_moves_the_default_flag(client, customer):
    first = AddressFactory(user=customer, kind="billing", is_default=True)
    delivery = AddressFactory(user=customer, kind="delivery", is_default=True)

    client.post("/account/addresses/add/", address_data(is_default="on"))

    newest = Address.objects.latest("pk")
    assert defaults(customer, "billing") == [newest.pk]
    assert defaults(customer, "delivery") == [delivery.pk]
    first.refresh_from_db()
    assert first.is_default is False


@pytest.mark.django_db
def test_adding_a_non_default_address_keeps_the_existing_default(client, customer):
    first = AddressFactory(user=customer, kind="billing", is_default=True)

    client.post("/account/addresses/add/", address_data())

    assert Address.objects.filter(user=customer).count() == 2
    assert defaults(customer, "billing") == [first.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "ZZ", "Select a valid choice. ZZ is not one of the available choices."),
        ("postcode", "<script>", "Enter a postcode using letters, digits, spaces or dashes."),
        ("line1", "", "This field is required."),
        ("kind", "pigeonhole", "Select a valid choice. pigeonhole is not one of the available choices."),
    ],
)
def test_bad_address_input_is_refused_inline_and_nothing_is_saved(client, customer, field, value, message):
    response = client.post("/account/addresses/add/", address_data(**{field: value}))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'class="form-errors"' in html
    assert Address.objects.count() == 0


# --- edit ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_editing_an_address_saves_the_changes(client, customer):
    address = AddressFactory(user=customer, is_default=True, city="Leeds")

    response = client.post(f"/account/addresses/{address.pk}/edit/", address_data(city="York"))

    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.is_default) == ("York", True)


@pytest.mark.django_db
def test_moving_the_default_to_another_kind_hands_the_flag_over(client, customer):
    billing_default = AddressFactory(user=customer, kind="billing", is_default=True)
    billing_other = AddressFactory(user=customer, kind="billing")

    client.post(f"/account/addresses/{billing_default.pk}/edit/", address_data(kind="delivery"))

    assert defaults(customer, "billing") == [billing_other.pk]
    assert defaults(customer, "delivery") == [billing_default.pk]


# --- delete (FE-05) --------------------------------------------------------------------
@pytest.mark.django_db
def test_fe05_get_on_delete_only_asks_for_confirmation(client, customer):
    address = AddressFactory(user=customer, line1="7 Keep Street")

    response = client.get(f"/account/addresses/{address.pk}/delete/")

    assert response.status_code == 200
    assert "Delete this address?" in response.content.decode()
    assert "7 Keep Street" in response.content.decode()
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_deleting_the_default_promotes_the_newest_other_address(client, customer):
    old = AddressFactory(user=customer, kind="billing")
    default = AddressFactory(user=customer, kind="billing", is_default=True)
    newest = AddressFactory(user=customer, kind="billing")

    response = client.post(f"/account/addresses/{default.pk}/delete/", follow=True)

    assert "The address has been deleted." in response.content.decode()
    assert list(Address.objects.filter(user=customer).order_by("pk").values_list("pk", flat=True)) == [
        old.pk,
        newest.pk,
    ]
    assert defaults(customer, "billing") == [newest.pk]


# --- make default --------------------------------------------------------------------
@pytest.mark.django_db
def test_fe05_make_default_refuses_get(client, customer):
    default = AddressFactory(user=customer, is_default=True)
    other = AddressFactory(user=customer)

    response = client.get(f"/account/addresses/{other.pk}/default/")

    assert response.status_code == 405
    assert defaults(customer, "billing") == [default.pk]


@pytest.mark.django_db
def test_make_default_leaves_exactly_one_default_per_kind(client, customer):
    AddressFactory(user=customer, is_default=True)
    other = AddressFactory(user=customer)
    delivery = AddressFactory(user=customer, kind="delivery", is_default=True)

    response = client.post(f"/account/addresses/{other.pk}/default/", follow=True)

    assert "This is now your default billing address." in response.content.decode()
    assert defaults(customer, "billing") == [other.pk]
    assert defaults(customer, "delivery") == [delivery.pk]


@pytest.mark.django_db
def test_make_default_service_is_idempotent():
    address = AddressFactory(is_default=True)

    services.address_make_default(address=address)
    services.address_make_default(address=address)

    assert defaults(address.user, "billing") == [address.pk]


# --- AC-01 ---------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "edit"), ("post", "edit"), ("get", "delete"), ("post", "delete"), ("post", "default")],
)
def test_ac01_another_customers_address_is_not_found(client, customer, method, path):
    theirs = AddressFactory(line1="1 Private Road", city="Bath", is_default=False)
    AddressFactory(user=theirs.user, is_default=True)

    response = getattr(client, method)(f"/account/addresses/{theirs.pk}/{path}/", address_data(city="Hacked"))

    assert response.status_code == 404
    assert b"1 Private Road" not in response.content
    theirs.refresh_from_db()
    assert (theirs.city, theirs.is_default) == ("Bath", False)
    assert Address.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["delete", "default"])
def test_fe04_address_changes_without_a_csrf_token_are_refused(path):
    from django.test import Client

    address = AddressFactory(is_default=False)
    AddressFactory(user=address.user, is_default=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(address.user)

    response = client.post(f"/account/addresses/{address.pk}/{path}/")

    assert response.status_code == 403
    address.refresh_from_db()
    assert address.is_default is False
