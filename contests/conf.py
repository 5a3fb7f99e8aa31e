"""Contests app settings, read at call time (``conf.settings.ENTRIES_PER_IP_PER_HOUR``)."""

from django.conf import settings as django_settings

DEFAULTS = {
    # Entries (and confirmation emails) per client IP per hour; beyond it a 429 (IN-05).
    "ENTRIES_PER_IP_PER_HOUR": 10,
    # Confirmation emails per address per day; beyond it the page answers as usual, sends nothing.
    "CONFIRMATIONS_PER_EMAIL_PER_DAY": 3,
    # Survey responses per client IP per hour.
    "RESPONSES_PER_IP_PER_HOUR": 20,
}


class Settings:
    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(django_settings, f"CONTESTS_{name}", DEFAULTS[name])


settings = Settings()
