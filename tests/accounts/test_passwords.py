import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import make_password

from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.utils import main_text, reauthenticate, sign_in

ARGON2_FIRST = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSPHRASE_64 = ("orbit lantern 2047 harbour quietly " * 4)[:64]
PASSPHRASE_128 = ("seven maple ferries cross 19 grey estuaries at dawn " * 4)[:128]
TOO_SHORT = "The password is too short. It must contain at least 8 characters."


def signup(client, password, **extra):
    data = {
        "email": "lin@example.com",
        "full_name": "Lin Chao",
        "password1": password,
        "password2": password,
        "confirm_age": "on",
        **extra,
    }
    return client.post("/accounts/signup/", data)


# --- AU-01 / P18: rules at sign-up ---------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abcd123", "This password is too short. It must contain at least 8 characters."),
        ("password1", "This password is too common."),
        ("12345678901", "This password is entirely numeric."),
        ("onlyletterspassword", "Your password must contain at least one letter and one number."),
    ],
)
def test_au01_p18_signup_refuses_weak_passwords(client, password, message):
    response = signup(client, password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_p18_signup_refuses_a_password_like_the_customers_name(client):
    response = signup(client, "LinChao2024", full_name="Lin Chao2024")

    assert response.status_code == 200
    assert "The password is too similar to the full name." in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_p18_signup_refuses_a_password_like_the_email_address(client):
    response = signup(client, "lin@example.com1")

    assert "The password is too similar to the email address." in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("password", [PASSPHRASE_64, PASSPHRASE_128])
def test_au01_signup_accepts_long_passphrases(client, password):
    assert len(password) in (64, 128)

    response = signup(client, password)

    assert response.status_code == 302
    assert User.objects.get().check_password(password)


# --- AU-01 / P18: rules at password change -------------------------------------------
def change_password(client, new, old=PASSWORD):
    return client.post("/accounts/password/change/", {"oldpassword": old, "password1": new, "password2": new})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abcd123", "This password is too short. It must contain at least 8 characters."),
        ("password1", "This password is too common."),
        ("onlyletterspassword", "Your password must contain at least one letter and one number."),
    ],
)
def test_au01_p18_password_change_refuses_weak_passwords(client, password, message):
    user = UserFactory(email="lin@example.com", full_name="Lin Chao")
    client.force_login(user)

    response = change_password(client, password)

    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_p18_password_change_refuses_a_password_like_the_customers_name(client):
    user = UserFactory(email="lin@example.com", full_name="Marguerite Lindqvist")
    client.force_login(user)

    response = change_password(client, "MargueriteLindqvist1")

    assert "The password is too similar to the full name." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("password", [PASSPHRASE_64, PASSPHRASE_128])
def test_au01_password_change_accepts_long_passphrases(client, password):
    user = UserFactory()
    client.force_login(user)

    response = change_password(client, password)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.django_db
def test_p18_password_rules_are_shown_as_help_text_on_the_change_page(client):
    client.force_login(UserFactory())

    html = client.get("/accounts/password/change/").content.decode()

    assert '<label for="id_password1">New password</label>' in html
    assert "Your password must contain at least 8 characters." in html
    assert "Your password can’t be a commonly used password." in html
    assert "Your password must contain at least one letter and one number." in html


# --- DJ-04: Argon2id first ----------------------------------------------------------
@pytest.mark.django_db
def test_dj04_new_passwords_are_hashed_with_argon2id(client, settings):
    settings.PASSWORD_HASHERS = ARGON2_FIRST

    signup(client, "Lantern-orbit-2047")

    stored = User.objects.get().password
    assert stored.startswith("argon2$argon2id$")
    assert "m=102400,t=2,p=8" in stored


@pytest.mark.django_db
def test_dj04_legacy_pbkdf2_hash_is_upgraded_after_one_login(client, settings):
    settings.PASSWORD_HASHERS = ARGON2_FIRST
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    response = sign_in(client, user)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


# --- AU-06: no account enumeration ----------------------------------------------------
@pytest.mark.django_db
def test_au06_password_reset_looks_the_same_for_known_and_unknown_addresses(client, mailoutbox):
    UserFactory(email="known@example.com")

    known = client.post("/accounts/password/reset/", {"email": "known@example.com"}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/done/", 302)]
    assert main_text(known) == main_text(unknown)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["known@example.com"]


@pytest.mark.django_db
def test_au06_signup_looks_the_same_for_existing_and_new_addresses(client, mailoutbox):
    existing = UserFactory(email="known@example.com")

    again = signup(client, "Lantern-orbit-2047", email="known@example.com")
    again_page = client.get(again["Location"])
    client.cookies.clear()
    fresh = signup(client, "Lantern-orbit-2047", email="new@example.com")
    fresh_page = client.get(fresh["Location"])

    assert again.status_code == fresh.status_code == 302
    assert again["Location"] == fresh["Location"] == "/accounts/confirm-email/"
    assert main_text(again_page) == main_text(fresh_page)
    # The existing customer is told by email; their account is untouched.
    assert [m.to for m in mailoutbox] == [["known@example.com"], ["new@example.com"]]
    assert User.objects.filter(email="known@example.com").get().password == existing.password
    assert User.objects.count() == 2


@pytest.mark.django_db
def test_au06_signup_hashes_the_password_for_an_existing_address_as_for_a_new_one(client, settings, monkeypatch):
    """Argon2 is most of a sign-up's time: skipping it for an address that already has an
    account answered over 100 ms sooner. Both paths now hash the password once, alike."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    UserFactory(email="known@example.com")
    settings.PASSWORD_HASHERS = ARGON2_FIRST
    hashed = []
    encode = Argon2PasswordHasher.encode
    monkeypatch.setattr(
        Argon2PasswordHasher,
        "encode",
        lambda self, password, salt: hashed.append((self.algorithm, password)) or encode(self, password, salt),
    )

    again = signup(client, "Lantern-orbit-2047", email="known@example.com")
    for_existing, hashed[:] = list(hashed), []
    client.cookies.clear()
    fresh = signup(client, "Lantern-orbit-2047", email="new@example.com")
    for_new = list(hashed)

    assert again.status_code == fresh.status_code == 302
    assert for_existing == for_new == [("argon2", "Lantern-orbit-2047")]
    assert User.objects.filter(email="new@example.com").get().password.startswith("argon2$argon2id$")


# --- AU-03: brute force -------------------------------------------------------------
@pytest.mark.django_db
def test_au03_sixth_bad_password_for_one_email_within_five_minutes_is_blocked(client):
    user = UserFactory()
    for _ in range(5):
        response = sign_in(client, user, password="Wrong-guess-99")
        assert "The email address and/or password you specified are not correct." in response.content.decode()

    response = sign_in(client, user)  # even the right password

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_au03_eleventh_failure_from_one_ip_within_a_minute_is_blocked(client):
    users = UserFactory.create_batch(11)
    for user in users[:10]:
        response = sign_in(client, user, password="Wrong-guess-99")
        assert "not correct" in response.content.decode()

    response = sign_in(client, users[10], password="Wrong-guess-99")

    assert "Too many failed login attempts. Try again later." in response.content.decode()


@pytest.mark.django_db
def test_au03_the_limit_lifts_after_five_minutes(client):
    user = UserFactory()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(5):
            sign_in(client, user, password="Wrong-guess-99")
        traveller.shift(dt.timedelta(minutes=5, seconds=1))

        response = sign_in(client, user)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


# --- AU-10: notification of credential changes ----------------------------------------
@pytest.mark.django_db
def test_au10_password_change_sends_exactly_one_notification(client, mailoutbox):
    user = UserFactory()
    client.force_login(user)

    response = change_password(client, "New-harbour-lights-77")

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert mailoutbox[0].subject.endswith("Password changed")
    assert "We will never ask for your card or bank details by email." in mailoutbox[0].body
    user.refresh_from_db()
    assert user.check_password("New-harbour-lights-77")


# --- AU-11: reauthentication --------------------------------------------------------
@pytest.mark.django_db
def test_au11_sensitive_actions_need_the_password_again_after_300_seconds(client):
    user = UserFactory()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        sign_in(client, user)
        reauthenticate(client)
        traveller.shift(dt.timedelta(seconds=299))

        within_mfa = client.get("/accounts/2fa/totp/activate/")

        traveller.shift(dt.timedelta(seconds=2))
        late_mfa = client.get("/accounts/2fa/totp/activate/")
        late_email = client.post("/accounts/email/", {"action_add": "", "email": "second@example.com"})

    assert within_mfa.status_code == 200
    assert late_mfa.status_code == 302
    assert late_mfa["Location"].startswith("/accounts/reauthenticate/")
    assert late_email.status_code == 302
    assert late_email["Location"].startswith("/accounts/reauthenticate/")
    assert user.emailaddress_set.count() == 1


@pytest.mark.django_db
def test_au11_adding_an_email_works_right_after_reauthenticating(client, mailoutbox):
    user = UserFactory()
    sign_in(client, user)
    reauthenticate(client)

    response = client.post("/accounts/email/", {"action_add": "", "email": "second@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/email/"
    assert sorted(user.emailaddress_set.values_list("email", flat=True)) == [user.email, "second@example.com"]


# --- password reset by email link -----------------------------------------------------
@pytest.mark.django_db
def test_p18_password_reset_link_enforces_the_rules_and_works_once(client, settings, mailoutbox):
    import re

    settings.SITE_URL = "https://shop.kinetogram.example"
    user = UserFactory(email="reset@example.com")
    client.post("/accounts/password/reset/", {"email": "reset@example.com"})
    link = re.search(r"https://shop\.kinetogram\.example(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)
    link = link.group(1)

    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0]
    html = form_page.content.decode()
    assert '<label for="id_password1">New password</label>' in html
    assert "Your password must contain at least one letter and one number." in html

    weak = client.post(form_url, {"password1": "password1", "password2": "password1"})
    assert "This password is too common." in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    done = client.post(form_url, {"password1": "Quiet-meadow-3141", "password2": "Quiet-meadow-3141"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Quiet-meadow-3141")

    reused = client.get(link, follow=True)
    assert "The password reset link was invalid" in reused.content.decode()
