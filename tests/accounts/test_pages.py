import pytest

from tests.accounts.factories import AddressFactory, ProfileFactory, UserFactory
from tests.accounts.utils import reauthenticate, sign_in
from tests.shop.factories import OrderFactory

OWN_PAGES = ["/account/", "/account/profile/", "/account/addresses/", "/account/addresses/add/", "/account/your-data/"]
ALLAUTH_MANAGE_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/recovery-codes/generate/",
    "/accounts/sessions/",
    "/accounts/logout/",
]
ENTRANCE_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
NAV_LINKS = [
    ("/account/", "Overview"),
    ("/account/profile/", "Profile"),
    ("/account/addresses/", "Addresses"),
    ("/orders/", "Orders"),
    ("/account/services/", "My services"),
    ("/account/saved-searches/", "Saved searches"),
    ("/accounts/email/", "Email addresses"),
    ("/accounts/password/change/", "Password"),
    ("/accounts/2fa/", "Two-factor authentication"),
    ("/accounts/sessions/", "Signed-in devices"),
    ("/account/your-data/", "Your data"),
]


@pytest.fixture
def signed_in(client):
    user = UserFactory()
    sign_in(client, user)
    reauthenticate(client)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("url", OWN_PAGES)
def test_account_pages_need_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", OWN_PAGES + ALLAUTH_MANAGE_PAGES)
def test_fe07_account_pages_are_never_cached_and_share_the_side_navigation(client, signed_in, url):
    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'href="/static/css/site.css"' in html
    assert 'href="/static/css/accounts.css"' in html
    for href, label in NAV_LINKS:
        assert f'<a href="{href}"' in html, href
        assert f">{label}</a>" in html, label


@pytest.mark.django_db
@pytest.mark.parametrize("url", ENTRANCE_PAGES)
def test_sign_in_pages_use_the_site_layout_and_are_never_cached(client, url):
    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'href="/static/css/site.css"' in html
    assert 'class="allauth-page allauth-entrance"' in html
    assert '<a class="brand"' in html


@pytest.mark.django_db
def test_password_reset_page_has_a_labelled_field(client):
    html = client.get("/accounts/password/reset/").content.decode()

    assert '<label for="id_email">Email</label>' in html


@pytest.mark.django_db
def test_login_errors_are_shown_in_a_summary(client):
    user = UserFactory()

    response = sign_in(client, user, password="Wrong-guess-99")

    html = response.content.decode()
    assert '<div class="form-errors" role="alert"' in html
    assert "The email address and/or password you specified are not correct." in html


@pytest.mark.django_db
def test_overview_summarises_the_account_with_a_fixed_number_of_queries(client, django_assert_num_queries):
    profile = ProfileFactory(phone="+44 20 7946 0002", user__full_name="Ada Lovelace")
    user = profile.user
    AddressFactory(user=user, is_default=True, line1="12 St James's Square", city="London")
    client.force_login(user)
    client.get("/account/")
    # 14 for the page, +1: the changed-policy notice reads the policy in effect (uncached under test, P35),
    # +4: tailored offers ask the privacy hub (suppression, restriction, objection) and read the purchases (P06).
    with django_assert_num_queries(19) as few:
        client.get("/account/")
    AddressFactory.create_batch(10, user=user, kind="delivery")
    OrderFactory.create_batch(10, user=user)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/account/")

    html = response.content.decode()
    assert "Hello, Ada" in html
    assert "+44 20 7946 0002" in html
    assert "12 St James&#x27;s Square, London" in html
    assert "11 addresses in your address book." in html
    assert "You have placed 10 orders." in html
