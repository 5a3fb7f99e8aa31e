import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.accounts.utils import sign_in


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- SE-01 / SE-02 ---------------------------------------------------------------
@pytest.mark.django_db
def test_se01_session_key_changes_at_login(client):
    user = UserFactory()
    anonymous = client.session
    anonymous["seen_catalogue"] = True
    anonymous.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key
    before = anonymous.session_key

    sign_in(client, user)

    after = session_key(client)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_se02_fe05_logout_by_get_changes_nothing(client):
    user = UserFactory()
    sign_in(client, user)
    key = session_key(client)

    response = client.get("/accounts/logout/")

    assert response.status_code == 200
    assert "Are you sure you want to sign out?" in response.content.decode()
    assert Session.objects.filter(session_key=key).exists()
    assert client.get("/account/").status_code == 200


@pytest.mark.django_db
def test_se02_logout_is_a_post_that_deletes_the_server_session(client):
    user = UserFactory()
    sign_in(client, user)
    old_key = session_key(client)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.filter(user=user).count() == 0
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    page = replay.get("/account/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")


# --- P17: remember me, devices, sign out everywhere else -------------------------------
@pytest.mark.django_db
def test_p17_login_page_offers_remember_me_unticked(client):
    html = client.get("/accounts/login/").content.decode()

    assert '<label for="id_remember">Keep me signed in on this device</label>' in html
    assert 'name="remember"' in html
    assert 'name="remember" id="id_remember" checked' not in html


@pytest.mark.django_db
def test_p17_without_remember_me_the_session_ends_with_the_browser(client):
    sign_in(client, UserFactory(), remember=False)

    assert client.session.get_expire_at_browser_close() is True
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""


@pytest.mark.django_db
def test_p17_with_remember_me_the_session_outlives_the_browser(client):
    sign_in(client, UserFactory(), remember=True)

    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] != ""
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_p17_devices_page_lists_every_session_of_the_customer_only():
    user = UserFactory()
    laptop, phone, stranger = Client(HTTP_USER_AGENT="Laptop Firefox"), Client(HTTP_USER_AGENT="Phone Safari"), Client()
    sign_in(laptop, user)
    sign_in(phone, user)
    sign_in(stranger, UserFactory())

    response = laptop.get("/accounts/sessions/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Laptop Firefox" in html
    assert "Phone Safari" in html
    assert html.count('<span class="pill pill-ok">This device</span>') == 1
    assert "Sign out of all other devices" in html
    assert 'aria-current="page">Signed-in devices</a>' in html


@pytest.mark.django_db
def test_p17_sign_out_of_every_other_device_is_one_click():
    user = UserFactory()
    laptop, phone, tablet = Client(), Client(), Client()
    for device in (laptop, phone, tablet):
        sign_in(device, user)
    other_user_device = Client()
    other = UserFactory()
    sign_in(other_user_device, other)

    response = laptop.post("/accounts/sessions/")

    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302
    assert tablet.get("/account/").status_code == 302
    assert other_user_device.get("/account/").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1
    assert UserSession.objects.filter(user=other).count() == 1


@pytest.mark.django_db
def test_p17_only_device_sees_no_sign_out_everywhere_button(client):
    sign_in(client, UserFactory())

    html = client.get("/accounts/sessions/").content.decode()

    assert "This is the only device signed in to your account." in html
    assert "Sign out of all other devices" not in html
