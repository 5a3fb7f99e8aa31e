"""Every link in an email starts with SITE_URL, whatever host the request came in on."""

import re

import pytest

from tests.accounts.factories import UserFactory
from tests.accounts.test_signup import SIGNUP_URL, signup_data

pytestmark = pytest.mark.django_db

SITE = "https://shop.kinetogram.example"


def links(message):
    return re.findall(r"https?://[^\s\"'<>]+", message.body)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def test_signup_confirmation_links_use_site_url(client, mailoutbox):
    client.post(SIGNUP_URL, signup_data(), HTTP_HOST="localhost")

    assert len(mailoutbox) == 1
    assert any(link.startswith(f"{SITE}/accounts/confirm-email/") for link in links(mailoutbox[0]))
    assert [link for link in links(mailoutbox[0]) if not link.startswith(SITE)] == []


def test_account_already_exists_mail_links_use_site_url(client, mailoutbox):
    UserFactory(email="grace@example.com")

    client.post(SIGNUP_URL, signup_data(), HTTP_HOST="localhost")

    assert len(mailoutbox) == 1
    assert f"{SITE}/accounts/password/reset/" in links(mailoutbox[0])
    assert [link for link in links(mailoutbox[0]) if not link.startswith(SITE)] == []


def test_password_reset_links_use_site_url(client, mailoutbox):
    UserFactory(email="reset@example.com")

    client.post("/accounts/password/reset/", {"email": "reset@example.com"}, HTTP_HOST="localhost")

    assert len(mailoutbox) == 1
    assert any(link.startswith(f"{SITE}/accounts/password/reset/key/") for link in links(mailoutbox[0]))
    assert [link for link in links(mailoutbox[0]) if not link.startswith(SITE)] == []
