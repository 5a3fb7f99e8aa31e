"""Every email allauth sends is ours: our wording, the company's footer, links on SITE_URL;
and a sign-up with a taken address always sends the "you already have an account" email."""

import re
from pathlib import Path

import allauth
import pytest
from django.contrib.sites.models import Site
from django.template.loader import get_template, render_to_string

from accounts.services import site_sync
from tests.accounts.factories import UserFactory
from tests.accounts.test_signup import SIGNUP_URL, signup_data

pytestmark = pytest.mark.django_db

SITE = "https://shop.kinetogram.example"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
OUR_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def links(message):
    return re.findall(r"https?://[^\s\"'<>)]+", message.body)


def allauth_email_templates():
    return sorted(
        str(path.relative_to(ALLAUTH_TEMPLATES))
        for folder in ("account/email", "mfa/email")
        for path in (ALLAUTH_TEMPLATES / folder).glob("*_*.txt")
        if path.stem.endswith(("_subject", "_message"))
    )


def test_every_allauth_email_has_our_own_template():
    names = allauth_email_templates()

    assert len(names) >= 36  # 13 account emails and 5 MFA notices, each a subject and a message
    assert [name for name in names if not (OUR_TEMPLATES / name).is_file()] == []


@pytest.mark.parametrize("name", [n for n in allauth_email_templates() if n.endswith("_message.txt")])
def test_every_allauth_email_renders_our_footer_and_no_allauth_wording(name, settings):
    settings.SITE_URL = SITE
    context = {
        "SITE_URL": SITE,
        "COMPANY_NAME": "Kinetogram Marketing",
        "COMPANY_EMAIL": "hello@kinetogramm.com",
        "email": "ada@example.com",
        "code": "ABC123",
        "activate_url": f"{SITE}/accounts/confirm-email/KEY/",
        "password_reset_url": f"{SITE}/accounts/password/reset/key/KEY/",
        "login_url": f"{SITE}/accounts/login/",
        "signup_url": f"{SITE}/accounts/signup/",
        "ip": "203.0.113.0",
        "user_agent": "Firefox",
    }

    body = render_to_string(name, context)

    assert get_template(name).origin.name.startswith(str(OUR_TEMPLATES))
    assert "We will never ask for your card or bank details by email." in body
    assert f"Kinetogram Marketing · {SITE}" in body
    for allauth_wording in ("You're receiving this", "Thank you for using", "please take proper security"):
        assert allauth_wording not in body
    assert "{{" not in body and "{%" not in body


def test_au06_a_second_signup_soon_after_the_first_still_sends_the_already_exists_email(client, mailoutbox):
    client.post(SIGNUP_URL, signup_data())
    client.cookies.clear()

    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert [m.subject for m in mailoutbox] == [
        "[Kinetogram Marketing] Please confirm your email address",
        "[Kinetogram Marketing] You already have an account with us",
    ]
    assert mailoutbox[1].to == ["grace@example.com"]


def test_au06_already_exists_email_says_what_happened_with_sign_in_and_reset_links_on_site_url(
    client, settings, mailoutbox
):
    settings.SITE_URL = SITE
    UserFactory(email="grace@example.com")

    client.post(SIGNUP_URL, signup_data(), HTTP_HOST="localhost")

    [message] = mailoutbox
    assert "You already have an account with it, so we have not opened another one." in message.body
    assert f"To sign in: {SITE}/accounts/login/" in message.body
    assert f"Choose a new one here: {SITE}/accounts/password/reset/" in message.body
    assert [link for link in links(message) if not link.startswith(SITE)] == []


def test_au06_already_exists_email_is_sent_once_per_signup_and_at_most_three_an_hour(client, mailoutbox):
    UserFactory(email="grace@example.com")

    responses = []
    for _ in range(5):
        client.cookies.clear()
        responses.append(client.post(SIGNUP_URL, signup_data()))

    assert {(r.status_code, r["Location"]) for r in responses} == {(302, "/accounts/confirm-email/")}
    assert len(mailoutbox) == 3


def test_unknown_account_email_links_use_site_url_even_from_another_host(client, settings, mailoutbox):
    settings.SITE_URL = SITE
    settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True

    client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, HTTP_HOST="localhost")

    [message] = mailoutbox
    assert "we have no account with it" in message.body
    assert f"{SITE}/accounts/signup/" in links(message)
    assert [link for link in links(message) if not link.startswith(SITE)] == []


def test_password_changed_notice_is_ours_and_links_on_site_url(client, settings, mailoutbox):
    from tests.accounts.factories import PASSWORD

    settings.SITE_URL = SITE
    user = UserFactory()
    client.force_login(user)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "New-harbour-lights-77", "password2": "New-harbour-lights-77"},
        HTTP_HOST="localhost",
    )

    [message] = mailoutbox
    assert "The password of your account has been changed." in message.body
    assert f"choose a new password at once ({SITE}/accounts/password/reset/)" in message.body
    assert [link for link in links(message) if not link.startswith(SITE)] == []


def test_the_site_row_names_the_public_address_after_migrate():
    # pytest-django built the test database with migrate, which ran the post_migrate receiver.
    site = Site.objects.get_current()

    assert (site.domain, site.name) == ("127.0.0.1:8000", "Kinetogram Marketing")


def test_site_sync_follows_site_url(settings):
    settings.SITE_URL = SITE

    site_sync()

    assert Site.objects.get_current().domain == "shop.kinetogram.example"
    assert Site.objects.count() == 1
