"""Telling the email provider about an erased person (GDPR Art. 17(2), 19; PR-03).

Anymail sends our mail, but has no call for a provider's suppression list; the call is made
here with the credentials and API address anymail is configured with, so both always talk
to the same account. Providers we have no call for, and Django's own backends (console,
locmem, file, SMTP), keep no list of addresses to act on: the step is recorded as not
applicable.
"""

import requests
from django.core.mail import get_connection

from privacy.registry import StepNotApplicable

TIMEOUT = 10  # seconds; the step is retried with backoff when the provider is slow


def _postmark(connection, address: str):
    # Postmark keeps no contacts, only what it sent and its suppression list: suppressing the
    # address stops every later message on the stream, whoever asks to send it.
    stream = connection.message_stream or "outbound"
    response = requests.post(
        f"{connection.api_url}message-streams/{stream}/suppressions",
        json={"Suppressions": [{"EmailAddress": address}]},
        headers={"Accept": "application/json", "X-Postmark-Server-Token": connection.server_token},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    result = (response.json().get("Suppressions") or [{}])[0]
    if result.get("Status") not in ("Suppressed", None):
        raise RuntimeError(f"Postmark did not suppress the address: {result.get('Status')}")


def _mailgun(connection, address: str):
    from anymail.utils import get_anymail_setting

    domain = get_anymail_setting("sender_domain", esp_name="Mailgun", default=None)
    if not domain:
        raise StepNotApplicable("MAILGUN_SENDER_DOMAIN is not set, so there is no Mailgun list to add it to.")
    response = requests.post(
        f"{connection.api_url}{domain}/unsubscribes",
        data={"address": address, "tag": "*"},
        auth=("api", connection.api_key),
        timeout=TIMEOUT,
    )
    response.raise_for_status()


SUPPRESSORS = {
    "anymail.backends.postmark": _postmark,
    "anymail.backends.mailgun": _mailgun,
}


def email_address_suppress(payload: dict):
    """Put ``payload["email"]`` on the configured provider's suppression list.

    Raises StepNotApplicable for a backend that keeps no address list, and whatever
    ``requests`` raises (retried) when the provider fails.
    """
    connection = get_connection()
    suppress = SUPPRESSORS.get(type(connection).__module__)
    if suppress is None:
        raise StepNotApplicable(f"The email backend ({type(connection).__module__}) keeps no list of addresses.")
    suppress(connection, payload["email"])
