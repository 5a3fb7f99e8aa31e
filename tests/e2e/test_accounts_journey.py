"""A customer's first visit: sign up with the age confirmation, confirm the email address,
fill in the profile and address book, sign out and sign in again on a shared computer."""

import re
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import Address, User

SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for people to look at, never read back)
PASSWORD = "Lantern-orbit-2047"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_p12_p17_signup_confirm_profile_address_and_sign_in_without_remember_me(live_server, page):
    base = live_server.url
    mail.outbox = []

    # Sign up, confirming the age threshold (P12).
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("I am 16 or older").check()
    shot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    shot(page, "signup_check_inbox")

    # The confirmation link from the email opens a page that confirms on POST.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    shot(page, "email_confirm")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("banner").get_by_role("link", name="Your account").is_visible()
    user = User.objects.get(email="ada@example.com")
    assert user.full_name == "Ada Lovelace"
    assert user.age_confirmed_at is not None
    assert user.emailaddress_set.get().verified is True

    page.goto(f"{base}/account/")
    assert page.get_by_role("heading", name="Hello, Ada").is_visible()
    shot(page, "account_overview")

    # Profile: a bad phone number is refused inline, then a good one is saved.
    page.get_by_role("navigation", name="Account pages").get_by_role("link", name="Profile").click()
    page.get_by_label("Phone number").fill("call me")
    page.get_by_label("Company").fill("Analytical Engines Ltd")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("Enter a phone number using digits").first.is_visible()
    shot(page, "profile_error")
    page.get_by_label("Phone number").fill("+44 20 7946 0000")
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("Your profile has been saved.").is_visible()
    shot(page, "profile")
    user.profile.refresh_from_db()
    assert (user.profile.phone, user.profile.country) == ("+44 20 7946 0000", "GB")

    # Address book.
    page.goto(f"{base}/account/addresses/")
    page.get_by_role("link", name="Add an address").first.click()
    page.get_by_label("Delivery").check()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("sw1y 4ju")
    page.get_by_label("Country").select_option("GB")
    shot(page, "address_form")
    page.get_by_role("button", name="Add address").click()
    assert page.get_by_text("The address has been added.").is_visible()
    shot(page, "addresses")
    address = Address.objects.get(user=user)
    assert (address.kind, address.postcode, address.is_default) == ("delivery", "SW1Y 4JU", True)

    page.goto(f"{base}/account/your-data/")
    assert page.get_by_role("link", name="Change password").is_visible()
    shot(page, "your_data")
    page.goto(f"{base}/accounts/sessions/")
    shot(page, "sessions")
    page.goto(f"{base}/accounts/2fa/")
    shot(page, "mfa_index")
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    shot(page, "reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    shot(page, "mfa_totp_activate")
    page.goto(f"{base}/accounts/password/change/")
    shot(page, "password_change")
    page.goto(f"{base}/accounts/email/")
    shot(page, "email")

    # Sign out (POST from the header), then sign in on a "shared computer": no remember me.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("not correct").first.is_visible()
    shot(page, "login_error")
    page.get_by_label("Password").fill(PASSWORD)
    assert not page.get_by_label("Keep me signed in on this device").is_checked()
    shot(page, "login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    # A session cookie (no expiry) ends when the browser closes (P17).
    assert session_cookie["expires"] == -1


@pytest.mark.django_db(transaction=True)
def test_two_factor_journey_and_signing_out_other_devices(live_server, page, browser):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from tests.accounts.factories import PASSWORD as FACTORY_PASSWORD
    from tests.accounts.factories import UserFactory

    base = live_server.url
    user = UserFactory(email="mary@example.com", full_name="Mary Jackson")

    def sign_in(target):
        target.goto(f"{base}/accounts/login/")
        target.get_by_label("Email").fill(user.email)
        target.get_by_label("Password").fill(FACTORY_PASSWORD)
        target.get_by_role("button", name="Sign in").click()

    # A second device is signed in too.
    other = browser.new_context()
    other_page = other.new_page()
    sign_in(other_page)
    other_page.wait_for_url(f"{base}/")

    sign_in(page)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/accounts/sessions/")
    assert page.locator(".sessions-table tbody tr").count() == 2
    shot(page, "sessions_two_devices")
    page.get_by_role("button", name="Sign out of all other devices").click()
    other_page.goto(f"{base}/account/")
    assert "/accounts/login/" in other_page.url
    other.close()

    # Turn on the authenticator app; the code comes from the secret shown on the page.
    page.goto(f"{base}/accounts/2fa/")
    page.get_by_role("link", name="Activate").click()
    page.get_by_label("Password").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    shot(page, "mfa_recovery_codes")
    page.goto(f"{base}/accounts/2fa/")
    shot(page, "mfa_index_active")

    # Signing in now asks for a code.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/")
    sign_in(page)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
    shot(page, "mfa_authenticate")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign In").click()
    assert page.get_by_text("Incorrect code.").first.is_visible()
    shot(page, "mfa_authenticate_error")
