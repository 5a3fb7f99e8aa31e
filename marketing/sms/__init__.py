"""Sending text messages through a pluggable backend, the way django.core.mail sends email.

``send_sms(to=..., body=...)`` uses the backend named by ``MARKETING_SMS_BACKEND``: the
console backend by default (prints each message), ``locmem`` under test (``marketing.sms.outbox``),
``twilio`` in production. Under pytest the outbox is emptied before each test.
"""

from django.utils.module_loading import import_string

from marketing.conf import settings
from marketing.sms.backends.base import SmsError, SmsMessage, SmsRecipientOptedOut  # noqa: F401

#: Messages the locmem backend has "sent", oldest first (like django.core.mail.outbox).
outbox: list[SmsMessage] = []


def get_backend(path: str | None = None):
    """An instance of the configured SMS backend (or of ``path``)."""
    return import_string(path or settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> SmsMessage:
    """Send one text message to ``to`` (E.164). Returns the sent message with the provider's
    id. Raises SmsRecipientOptedOut when the carrier or provider knows the number replied
    STOP, SmsError for any other failure."""
    return get_backend().send(SmsMessage(to=to, body=body))
