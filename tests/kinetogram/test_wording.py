"""allauth's screens and emails speak British English in sentence case."""

import pytest
from django.core.cache import cache

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def test_allauth_wording_is_british_sentence_case(client):
    reset = client.get("/accounts/password/reset/").text
    client.force_login(UserFactory())
    mfa = client.get("/accounts/2fa/").text

    assert "Password reset" in reset
    assert "Reset my password" in reset
    assert "Password Reset" not in reset
    assert "Two-factor authentication" in mfa
    assert "Authenticator app" in mfa
    assert "Recovery codes" in mfa
    for title_case in ("Two-Factor Authentication", "Authenticator App", "Recovery Codes"):
        assert title_case not in mfa


def test_allauth_email_subjects_are_sentence_case(client, mailoutbox):
    user = UserFactory(email="ada@example.com")

    client.post("/accounts/password/reset/", {"email": user.email})

    assert mailoutbox[0].subject.endswith("Password reset")
