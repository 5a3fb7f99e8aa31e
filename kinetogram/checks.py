"""Deploy checks: the embedded fallbacks that must not reach production.

`manage.py check --deploy` names each one, whatever the settings module; the rules and
their messages live in kinetogram.deployment, which kinetogram.settings.prod also runs to
refuse to start.

kinetogram.E001  SHOP_PAYMENT_GATEWAY is not "stripe" (checkout goes to the demo page)
kinetogram.E002  STRIPE_SECRET_KEY is empty or not a secret key
kinetogram.E003  STRIPE_WEBHOOK_SECRET is empty or not a signing secret
kinetogram.E004  SHOP_DEMO_PAYMENTS is on (the demo page can mark orders paid)
kinetogram.E005  EMAIL_BACKEND prints, keeps, files or drops mail
kinetogram.E006  the cache is local to one process (no REDIS_URL)
kinetogram.E007  the Celery broker is in memory, or tasks run eagerly
kinetogram.E008  DATABASE_URL is not PostgreSQL
kinetogram.E009  SITE_URL is not an https:// address
kinetogram.E010  FIELD_ENCRYPTION_KEYS is empty or holds the development key
kinetogram.E020  the broker and the cache share one Redis database
kinetogram.E021  the broker Redis may evict keys (maxmemory-policy is not noeviction)
"""

from django.conf import settings
from django.core import checks

from kinetogram.deployment import broker_eviction_problem, production_problems

HINT = "Production runs kinetogram.settings.prod, which refuses this fallback; .env.example lists the variables."


def production_fallbacks_check(app_configs, **kwargs):
    """One error per production rule the current settings break (kinetogram.E001-E010)."""
    return [checks.Error(message, hint=HINT, id=check_id) for check_id, message in production_problems(settings)]


def broker_eviction_check(app_configs, **kwargs):
    """kinetogram.E021: the broker Redis must not evict queued tasks (Q-08)."""
    message = broker_eviction_problem(settings)
    return [checks.Error(message, hint=HINT, id="kinetogram.E021")] if message else []
