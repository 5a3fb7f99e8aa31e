"""What a production deployment must configure, as rules over setting values.

Each rule reads a settings object (`django.conf.settings`, or the prod settings module
itself while it is being imported) and returns the problem in one sentence that names the
variable to set, or "" when the value is fit for production. The embedded defaults of
`kinetogram.settings.base` are fallbacks for one machine (demo payments, mail printed to
the console, a per-process cache, tasks run in the web process, SQLite, links to
127.0.0.1); every one of them is a silent failure in production.

`kinetogram.settings.prod` refuses to start on any problem; `kinetogram.checks` reports
the same rules under `manage.py check --deploy` for any other settings module. No Django
import here: the settings module runs these before Django is set up.
"""

from urllib.parse import urlsplit

LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every message to the console",
    "django.core.mail.backends.locmem.EmailBackend": "keeps every message in memory",
    "django.core.mail.backends.filebased.EmailBackend": "writes every message to a file",
    "django.core.mail.backends.dummy.EmailBackend": "drops every message",
    "anymail.backends.test.EmailBackend": "keeps every message in memory",
}
LOCAL_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}
STRIPE_SECRET_KEY_PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_")
STRIPE_WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def payment_gateway_problem(s) -> str:
    gateway = getattr(s, "SHOP_PAYMENT_GATEWAY", "")
    if gateway != "stripe":
        return (
            f"SHOP_PAYMENT_GATEWAY is {gateway!r}: it must be 'stripe' in production, or checkout "
            "goes to the demo payment page, which marks orders paid with nothing charged."
        )
    return ""


def stripe_secret_key_problem(s) -> str:
    key = getattr(s, "STRIPE_SECRET_KEY", "")
    if not key:
        return (
            "STRIPE_SECRET_KEY is empty: set the Stripe secret key, or payments fall back to the demo "
            "page, which marks orders paid with nothing charged."
        )
    if not key.startswith(STRIPE_SECRET_KEY_PREFIXES):
        return "STRIPE_SECRET_KEY is not a Stripe secret key (sk_live_..., sk_test_... or a restricted rk_... key)."
    return ""


def stripe_webhook_secret_problem(s) -> str:
    secret = getattr(s, "STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        return (
            "STRIPE_WEBHOOK_SECRET is empty: set the webhook endpoint's signing secret, or every Stripe "
            "event is refused and no order is ever marked paid."
        )
    if not secret.startswith(STRIPE_WEBHOOK_SECRET_PREFIX):
        return "STRIPE_WEBHOOK_SECRET is not a webhook signing secret (whsec_...)."
    return ""


def demo_payments_problem(s) -> str:
    if getattr(s, "SHOP_DEMO_PAYMENTS", False):
        return "SHOP_DEMO_PAYMENTS is on: the demo payment page can mark orders paid with nothing charged."
    return ""


def email_backend_problem(s) -> str:
    backend = getattr(s, "EMAIL_BACKEND", "")
    if backend in LOCAL_EMAIL_BACKENDS:
        return (
            f"EMAIL_BACKEND is {backend}, which {LOCAL_EMAIL_BACKENDS[backend]}: set an email provider "
            "(an anymail backend or SMTP), or no customer receives a confirmation or a receipt."
        )
    return ""


def cache_problem(s) -> str:
    backend = (getattr(s, "CACHES", {}).get("default") or {}).get("BACKEND", "")
    if backend in LOCAL_CACHE_BACKENDS:
        return (
            f"The cache is {backend.rsplit('.', 1)[-1]}, local to one process: set REDIS_URL so every "
            "worker shares one cache, or each process keeps its own sign-in and form rate limits."
        )
    return ""


def broker_problem(s) -> str:
    broker = getattr(s, "CELERY_BROKER_URL", "") or ""
    if not broker or broker.startswith("memory://"):
        return (
            f"CELERY_BROKER_URL is {broker or 'empty'!r}: set a Redis broker (or REDIS_URL), or queued "
            "work (payment events, emails, erasures) is lost when the process ends."
        )
    if getattr(s, "CELERY_TASK_ALWAYS_EAGER", False):
        return (
            "CELERY_TASK_ALWAYS_EAGER is true: tasks would run inside web requests, without retries; "
            "set it to false and run a Celery worker."
        )
    return ""


def _redis_target(url: str) -> tuple[str, str]:
    """(server, database number) of a redis:// URL: the same server and number is the same data."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}", (parts.path.strip("/") or "0")


def broker_shares_cache_problem(s) -> str:
    broker = getattr(s, "CELERY_BROKER_URL", "") or ""
    cache = ((getattr(s, "CACHES", {}).get("default") or {}).get("LOCATION")) or ""
    if not (isinstance(cache, str) and broker.startswith("redis") and cache.startswith("redis")):
        return ""
    if _redis_target(broker) == _redis_target(cache):
        return (
            "CELERY_BROKER_URL and the cache use the same Redis database: a cache clear or an eviction "
            "would drop queued tasks; give the cache its own database (CACHE_URL)."
        )
    return ""


def database_problem(s) -> str:
    engine = (getattr(s, "DATABASES", {}).get("default") or {}).get("ENGINE", "")
    if not engine.endswith("postgresql"):
        return (
            f"DATABASE_URL points at {engine.rsplit('.', 1)[-1] or 'no database'}: production runs on "
            "PostgreSQL (postgres://...)."
        )
    return ""


def site_url_problem(s) -> str:
    url = getattr(s, "SITE_URL", "") or ""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return (
            f"SITE_URL is {url or 'empty'!r}: set the site's public https:// address; the links in "
            "every email are built from it."
        )
    return ""


def field_encryption_keys_problem(s) -> str:
    """P15, CR-05: the keys of the fields encrypted at rest, of their own (not SECRET_KEY)."""
    spec = getattr(s, "PRIVACY_FIELD_ENCRYPTION_KEYS", "") or ""
    ids = [item.partition(":")[0].strip() for item in spec.split(",") if item.strip()]
    if not ids:
        return (
            "FIELD_ENCRYPTION_KEYS is empty: set at least one key (<id>:<base64 of 32 random bytes>), or "
            "phone numbers, addresses and two-factor secrets cannot be stored."
        )
    if "dev0" in ids:
        return (
            "FIELD_ENCRYPTION_KEYS holds the development key (id dev0), which is in the source code: "
            "generate a key of your own, put it first, run manage.py reencrypt, then drop dev0."
        )
    return ""


#: Check id and rule, in the order an operator would fix them.
RULES = [
    ("kinetogram.E001", payment_gateway_problem),
    ("kinetogram.E002", stripe_secret_key_problem),
    ("kinetogram.E003", stripe_webhook_secret_problem),
    ("kinetogram.E004", demo_payments_problem),
    ("kinetogram.E005", email_backend_problem),
    ("kinetogram.E006", cache_problem),
    ("kinetogram.E007", broker_problem),
    ("kinetogram.E008", database_problem),
    ("kinetogram.E009", site_url_problem),
    ("kinetogram.E010", field_encryption_keys_problem),
    ("kinetogram.E020", broker_shares_cache_problem),
]


def broker_eviction_problem(s) -> str:
    """Read the broker Redis's eviction policy (Q-08): anything but ``noeviction`` lets Redis
    drop queued tasks when memory runs short. Connects to the broker, so it runs as a deploy
    check, not while settings load."""
    broker = getattr(s, "CELERY_BROKER_URL", "") or ""
    if not broker.startswith(("redis://", "rediss://")):
        return ""
    import redis

    try:
        client = redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1)
        policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "")
    except redis.RedisError as exc:
        return f"Could not read the broker's maxmemory-policy ({type(exc).__name__}); check it is noeviction."
    if policy != "noeviction":
        return (
            f"The broker Redis evicts keys (maxmemory-policy {policy!r}): queued tasks can vanish under "
            "memory pressure; set maxmemory-policy noeviction on the broker."
        )
    return ""


def production_problems(s) -> list[tuple[str, str]]:
    """(check id, message) for every rule the settings `s` break, in RULES order."""
    return [(check_id, message) for check_id, rule in RULES if (message := rule(s))]
