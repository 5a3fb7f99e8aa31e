"""Marketing settings, read at call time (``conf.settings.SMS_SEND_WINDOW``), never at import.

Each name is read from the Django setting ``MARKETING_<NAME>``, falling back to the default
here; the Twilio credentials keep Twilio's own names (``TWILIO_ACCOUNT_SID``, ...).
"""

from decimal import Decimal

from django.conf import settings as django_settings

DEFAULTS = {
    # Dotted path of the SMS backend: console (prints), locmem (tests), twilio.
    "SMS_BACKEND": "marketing.sms.backends.console.SmsBackend",
    # Text alerts go out only between these local hours (start inclusive, end exclusive),
    # in the recipient's time zone; outside them they wait for the next window.
    "SMS_SEND_WINDOW": (8, 21),
    "DEFAULT_TIME_ZONE": "Europe/London",
    # The line every marketing text ends with (carrier rules; P05 "STOP to texts").
    "SMS_OPT_OUT_LINE": "Reply STOP to opt out",
    # Double opt-in of a phone number: a 6-digit code, valid this long, this many tries.
    "PHONE_CODE_MINUTES": 10,
    "PHONE_CODE_ATTEMPTS": 5,
    # A new code at most once per this many seconds, and this many an hour.
    "PHONE_CODE_RESEND_SECONDS": 60,
    "PHONE_CODE_SENDS_PER_HOUR": 5,
    # Region assumed for numbers typed without +country code.
    "PHONE_REGION": "GB",
    # Deliveries of a text alert sent per task run (bounded batches, resumable).
    "SMS_BATCH_SIZE": 500,
    # Recipients per batch: one audience query, one suppression check, one claim and one
    # outcome update per batch, whatever its size.
    "CAMPAIGN_BATCH_SIZE": 500,
    # A sending run renews its lease every batch; a run whose worker died is resumed by the
    # beat job once the lease is over. Longer than any batch, shorter than a day.
    "CAMPAIGN_LEASE_SECONDS": 15 * 60,
    # A sending task sends for at most this long, then queues its continuation, so it stays
    # well inside Celery's time limit (CELERY_TASK_SOFT_TIME_LIMIT) on any audience size.
    "CAMPAIGN_TASK_SECONDS": 240,
    # Gmail's and Yahoo's bulk-sender ceiling: a campaign with more complaints than this
    # share of its sent messages is paused and staff are told.
    "COMPLAINT_PAUSE_RATE": Decimal("0.003"),
    # Who hears about a paused campaign ("" falls back to the DPO's address).
    "STAFF_EMAIL": "",
    # The List-Unsubscribe mailto address ("" means unsubscribe@ the domain of DEFAULT_FROM_EMAIL).
    "UNSUBSCRIBE_MAILTO": "",
}

TWILIO = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")


class Settings:
    def __getattr__(self, name):
        if name in TWILIO:
            return getattr(django_settings, name, "")
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(django_settings, f"MARKETING_{name}", DEFAULTS[name])

    @property
    def staff_email(self) -> str:
        return self.STAFF_EMAIL or getattr(django_settings, "PRIVACY_DPO_EMAIL", "") or django_settings.SERVER_EMAIL

    @property
    def unsubscribe_mailto(self) -> str:
        if self.UNSUBSCRIBE_MAILTO:
            return self.UNSUBSCRIBE_MAILTO
        from email.utils import parseaddr

        domain = parseaddr(django_settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        return f"unsubscribe@{domain}"


settings = Settings()
