"""Marketing app settings, read at call time (``conf.settings.CAMPAIGN_BATCH_SIZE``)."""

from decimal import Decimal

from django.conf import settings as django_settings

DEFAULTS = {
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


class Settings:
    def __getattr__(self, name):
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
