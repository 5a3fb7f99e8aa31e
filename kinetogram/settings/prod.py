"""Production settings: everything in base, plus HTTPS-only cookies and headers, and a
hard failure when a secret or a production service is missing (no embedded fallback:
see kinetogram.deployment for the rules)."""

import sys

from django.core.exceptions import ImproperlyConfigured

from kinetogram.deployment import production_problems

from .base import *  # noqa: F403
from .base import LOGGING, STORAGES, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")  # raises ImproperlyConfigured when unset
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith(("django-insecure-", "dev-only-")):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random string of at least 50 characters.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names (no '*').")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
USE_X_FORWARDED_HOST = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
STORAGES = {
    **STORAGES,  # noqa: F405 (base's private storages: exports and the erasure log)
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The key of the erased people's hashes (suppression list, erasure log): with the development
# key anyone holding the source could test a guessed address against them.
PRIVACY_HASH_KEY = env("PRIVACY_HASH_KEY")
if len(PRIVACY_HASH_KEY) < 32 or PRIVACY_HASH_KEY.startswith("dev-only-"):
    raise ImproperlyConfigured("PRIVACY_HASH_KEY must be a random string of at least 32 characters.")
# P15: the field encryption keys, required (no development key): kinetogram.E010 below.
PRIVACY_FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS", default="")
SERVE_MEDIA = False
# The demo payment page marks orders paid with nothing charged: never in production.
SHOP_DEMO_PAYMENTS = False

_problems = production_problems(sys.modules[__name__])
if _problems:
    raise ImproperlyConfigured(
        "Production settings are incomplete:\n" + "\n".join(f"- {message}" for _, message in _problems)
    )

# One JSON object per log line, with the request id (django-structlog), for the log collector.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")
