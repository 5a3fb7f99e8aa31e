"""The email provider told of an erasure (PR-03): through the account anymail is configured with."""

import pytest
import requests
import responses

from accounts.esp import email_address_suppress
from privacy.registry import StepNotApplicable


def test_pr03_mailgun_adds_the_address_to_its_unsubscribes_for_every_tag(settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key-test", "MAILGUN_SENDER_DOMAIN": "mg.kinetogram.example"}
    with responses.RequestsMock() as mocked:
        mocked.post("https://api.mailgun.net/v3/mg.kinetogram.example/unsubscribes", json={"message": "ok"})

        email_address_suppress({"email": "ada@example.com"})

        [call] = mocked.calls
    assert call.request.body == "address=ada%40example.com&tag=%2A"
    assert call.request.headers["Authorization"].startswith("Basic ")


def test_pr03_mailgun_without_a_sender_domain_has_no_list_to_add_to(settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key-test"}

    with pytest.raises(StepNotApplicable, match="MAILGUN_SENDER_DOMAIN is not set"):
        email_address_suppress({"email": "ada@example.com"})


def test_pr03_a_provider_error_is_raised_for_the_retry(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token-test"}
    with responses.RequestsMock() as mocked:
        mocked.post("https://api.postmarkapp.com/message-streams/outbound/suppressions", status=503)

        with pytest.raises(requests.HTTPError, match="503"):
            email_address_suppress({"email": "ada@example.com"})


@pytest.mark.parametrize(
    "backend", ["django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.smtp.EmailBackend"]
)
def test_pr03_django_backends_keep_no_addresses(settings, backend):
    settings.EMAIL_BACKEND = backend

    with pytest.raises(StepNotApplicable, match="keeps no list of addresses"):
        email_address_suppress({"email": "ada@example.com"})
