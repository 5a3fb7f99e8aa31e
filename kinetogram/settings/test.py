"""Settings for the test suite: fast hashing, in-memory email, eager tasks unless a
test starts a real worker."""

import os

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from .base import *  # noqa: E402,F403
from .base import PASSWORD_HASHERS  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
SHOP_PAYMENT_GATEWAY = "fake"
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"  # noqa: S105 (test-only signing secret)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "exports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "erasure_log": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests publish policy versions and expect the next page to know at once.
PRIVACY_POLICY_CACHE_SECONDS = None
MARKETING_SMS_BACKEND = "marketing.sms.backends.locmem.SmsBackend"
