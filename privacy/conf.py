"""Privacy app settings, read at call time (``conf.settings.MAX_RETENTION``)."""

import datetime

from django.conf import settings as django_settings

DEFAULTS = {
    # P10: the longest any personal data is held (the policy's 6 years).
    "MAX_RETENTION": datetime.timedelta(days=6 * 366),
    # Rows per transaction in the retention purge.
    "PURGE_BATCH_SIZE": 2000,
    # ... for tables deleted in one statement (no cascade, no signal: sessions): nothing is
    # read into memory, so a batch costs its DELETE alone.
    "PURGE_BULK_BATCH_SIZE": 50_000,
    # How long the current policy version is cached per process (None: not cached).
    "POLICY_CACHE_SECONDS": 60,
    "CONSENT_COOKIE_NAME": "kg_consent",
    "CONSENT_COOKIE_AGE": 180 * 24 * 3600,
    "DPO_NAME": "Data Protection Officer",
    "DPO_EMAIL": "",
    "DPO_PHONE": "",
    "ICO_URL": "https://ico.org.uk/make-a-complaint/",
    # Key of the keyed hashes (suppression list, erasure log); never SECRET_KEY.
    "HASH_KEY": "",
    # P15: AES-256-GCM keys of the encrypted fields, "kid:base64key,..." (the first encrypts,
    # all decrypt); never SECRET_KEY. Empty: encrypted fields refuse to work.
    "FIELD_ENCRYPTION_KEYS": "",
    # Data-subject requests: how long a verification link and a download stay valid.
    "REQUEST_LINK_DAYS": 7,
    "EXPORT_DAYS": 7,
    # Name of the Django storage (settings.STORAGES) that holds exports: private, never served.
    "EXPORT_STORAGE": "exports",
    # Where each erasure is logged for replay after a backup is restored: a storage of its
    # own, outside the database a backup restores.
    "ERASURE_LOG_STORAGE": "erasure_log",
    # Remind staff of requests due within this many days.
    "REQUEST_REMINDER_DAYS": 7,
}


class Settings:
    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(django_settings, f"PRIVACY_{name}", DEFAULTS[name])


settings = Settings()
