"""Production settings and the headers every response carries (DJ-01..03, FE-01, FE-03)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_services import REDIS_URL, redis_is_up

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "kinetogram.settings.prod",
    "DJANGO_SECRET_KEY": "q8Zr2vN7xL4pT1mW9cJ6bH3sK0dF5gY8uE2iO7aR4tQ1wX6zV3nM9kB5jC0hG",
    "DJANGO_ALLOWED_HOSTS": "shop.kinetogram.example",
    "DATABASE_URL": "postgres://root@127.0.0.1:5432/root",
    "PRIVACY_HASH_KEY": "t5Rk8wQz2LmN7vB4xC9pJ3hF6gD1sA0e",
    "FIELD_ENCRYPTION_KEYS": "k1:cHJvZC10ZXN0LWZpZWxkLWtleS0zMi1ieXRlcy1vayE=",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "STRIPE_SECRET_KEY": "sk_test_51Kinetogram0000000000000000000000",
    "STRIPE_WEBHOOK_SECRET": "whsec_kinetogram0000000000000000000000",
    "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    "POSTMARK_SERVER_TOKEN": "00000000-0000-0000-0000-000000000000",
    "ANYMAIL_WEBHOOK_SECRET": "postmark-hook:Wq3xZ7nV2mK8pL5r",
    "SITE_URL": "https://shop.kinetogram.example",
    "PATH": os.environ.get("PATH", ""),
}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_dj01_production_settings_pass_the_deploy_checks_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "PRIVACY_HASH_KEY"])
def test_dj02_production_settings_refuse_to_start_without_secrets(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


# Each embedded fallback, and the sentence production settings refuse it with.
FALLBACKS = [
    ({"STRIPE_SECRET_KEY": None}, "STRIPE_SECRET_KEY is empty"),
    ({"STRIPE_SECRET_KEY": "pk_live_publishable"}, "STRIPE_SECRET_KEY is not a Stripe secret key"),
    ({"STRIPE_WEBHOOK_SECRET": None}, "STRIPE_WEBHOOK_SECRET is empty"),
    ({"STRIPE_WEBHOOK_SECRET": "secret"}, "STRIPE_WEBHOOK_SECRET is not a webhook signing secret"),
    ({"SHOP_PAYMENT_GATEWAY": "demo"}, "SHOP_PAYMENT_GATEWAY is 'demo': it must be 'stripe' in production"),
    ({"EMAIL_BACKEND": None}, "EMAIL_BACKEND is django.core.mail.backends.console.EmailBackend"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "EMAIL_BACKEND is django.core.mail"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}, "EMAIL_BACKEND is django.core.mail"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}, "EMAIL_BACKEND is django.core.mail"),
    ({"REDIS_URL": None}, "The cache is LocMemCache, local to one process: set REDIS_URL"),
    ({"REDIS_URL": None, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}, "set REDIS_URL"),
    ({"CELERY_BROKER_URL": "memory://"}, "CELERY_BROKER_URL is 'memory://'"),
    ({"CELERY_TASK_ALWAYS_EAGER": "true"}, "CELERY_TASK_ALWAYS_EAGER is true"),
    ({"DATABASE_URL": "sqlite:////tmp/kinetogram-deploy-check.sqlite3"}, "DATABASE_URL points at sqlite3"),
    ({"SITE_URL": None}, "SITE_URL is 'http://127.0.0.1:8000': set the site's public https:// address"),
    ({"SITE_URL": "http://shop.kinetogram.example"}, "SITE_URL is 'http://shop.kinetogram.example'"),
    ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS is empty"),
    (
        {"FIELD_ENCRYPTION_KEYS": "dev0:ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0="},
        "FIELD_ENCRYPTION_KEYS holds the development key",
    ),
]


def _with(changes):
    """PROD_ENV with `changes` applied; None removes a variable."""
    return {k: v for k, v in {**PROD_ENV, **changes}.items() if v is not None}


@pytest.mark.parametrize(("changes", "message"), FALLBACKS, ids=[str(c) for c, _ in FALLBACKS])
def test_dj02_production_settings_refuse_each_embedded_fallback_by_name(changes, message):
    result = _manage("check", env=_with(changes))
    assert result.returncode == 1
    assert "ImproperlyConfigured: Production settings are incomplete:" in result.stderr
    assert message in result.stderr


def test_dj02_production_settings_list_every_missing_service_at_once():
    env = {k: v for k, v in PROD_ENV.items() if k not in {"STRIPE_SECRET_KEY", "EMAIL_BACKEND", "SITE_URL"}}
    result = _manage("check", env=env)
    problems = [line for line in result.stderr.splitlines() if line.startswith("- ")]
    assert [line.split(" ", 2)[1] for line in problems] == [
        "SHOP_PAYMENT_GATEWAY",
        "STRIPE_SECRET_KEY",
        "EMAIL_BACKEND",
        "SITE_URL",
    ]


def test_dj02_production_turns_the_demo_payment_page_off():
    code = "from django.conf import settings as s; print(s.SHOP_PAYMENT_GATEWAY, s.SHOP_DEMO_PAYMENTS, s.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env=PROD_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == ["stripe", "False", "https://shop.kinetogram.example"], result.stderr


def test_dj01_deploy_checks_name_every_embedded_fallback_under_other_settings():
    env = {
        "DJANGO_SETTINGS_MODULE": "kinetogram.settings.base",
        "DJANGO_SECRET_KEY": PROD_ENV["DJANGO_SECRET_KEY"],
        "PATH": PROD_ENV["PATH"],
    }
    result = _manage("check", "--deploy", env=env)
    assert result.returncode == 1
    reported = sorted(set(re.findall(r"\(kinetogram\.(E\d{3})\)", result.stderr)))
    assert reported == ["E001", "E002", "E003", "E004", "E005", "E006", "E007", "E008", "E009", "E010"]
    assert "(kinetogram.E002) STRIPE_SECRET_KEY is empty" in result.stderr


def test_dj01_deploy_checks_are_silent_without_deploy():
    env = {"DJANGO_SETTINGS_MODULE": "kinetogram.settings.base", "PATH": PROD_ENV["PATH"]}
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stderr
    assert "kinetogram.E" not in result.stdout + result.stderr


@pytest.mark.parametrize("weak", ["short", "django-insecure-" + "x" * 60, "a" * 60])
def test_dj02_production_settings_refuse_a_weak_secret_key(weak):
    result = _manage("check", env={**PROD_ENV, "DJANGO_SECRET_KEY": weak})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_dj02_production_settings_refuse_the_development_hash_key():
    result = _manage("check", env={**PROD_ENV, "PRIVACY_HASH_KEY": "dev-only-privacy-hash-key-4f1c9a7e2b8d"})
    assert result.returncode != 0
    assert "PRIVACY_HASH_KEY must be a random string" in result.stderr


def test_pr04_production_keeps_the_erasure_log_and_exports_in_private_storages():
    code = "from django.conf import settings as s; print(sorted(s.STORAGES))"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env=PROD_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "['default', 'erasure_log', 'exports', 'staticfiles']", result.stderr


def test_dj02_production_settings_values():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_NAME,"
        " s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.USE_X_FORWARDED_HOST, s.PASSWORD_HASHERS[0].rsplit('.', 1)[1])"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env=PROD_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == [
        "False",
        "31536000",
        "True",
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "False",
        "Argon2PasswordHasher",
    ], result.stderr


@pytest.mark.django_db
def test_dj03_unknown_host_header_is_refused(client, settings):
    assert "*" not in settings.ALLOWED_HOSTS
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400


@pytest.mark.django_db
def test_fe03_security_headers_on_every_response(client):
    for url in ("/", "/healthz", "/accounts/login/", "/does-not-exist/"):
        response = client.get(url)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url


@pytest.mark.django_db
def test_fe02_content_security_policy_forbids_inline_script_plugins_and_framing(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    # Scripts come from our own origin, or inline with the nonce of the response that used one.
    assert directives["script-src"].split()[0] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]


def _database_options(database_url):
    code = "from django.conf import settings as s; print(sorted(s.DATABASES['default'].get('OPTIONS', {}).items()))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kinetogram.settings.base", "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sqlite_takes_the_write_lock_at_begin_and_waits_for_it():
    assert _database_options("sqlite:////tmp/kinetogram-options.sqlite3") == (
        "[('timeout', 20), ('transaction_mode', 'IMMEDIATE')]"
    )


def test_postgresql_gets_no_sqlite_options():
    assert _database_options("postgres://root@127.0.0.1:5432/root") == "[]"


CONCURRENT_WRITERS = """
import threading
import django
django.setup()
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS counter (n integer)")
    cursor.execute("DELETE FROM counter")
    cursor.execute("INSERT INTO counter VALUES (0)")
errors = []
start = threading.Barrier(8)

def writer():
    try:
        start.wait()
        for _ in range(10):
            # Read, then write: under a deferred BEGIN two such transactions deadlock on
            # the lock upgrade and SQLite answers "database is locked" at once.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=writer) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(cursor.fetchone()[0], len(errors), errors[:1])
"""


def test_concurrent_sqlite_writers_queue_instead_of_failing_with_database_locked(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinetogram.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", CONCURRENT_WRITERS], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["80", "0"], result.stdout


def test_q08_the_broker_and_the_cache_may_not_share_a_redis_database():
    from types import SimpleNamespace

    from kinetogram.deployment import broker_shares_cache_problem

    def settings_with(broker, cache):
        return SimpleNamespace(CELERY_BROKER_URL=broker, CACHES={"default": {"LOCATION": cache}})

    assert broker_shares_cache_problem(settings_with("redis://r:6379/0", "redis://r:6379/0"))
    assert broker_shares_cache_problem(settings_with("redis://r/0", "redis://r:6379"))  # defaults: port 6379, db 0
    assert not broker_shares_cache_problem(settings_with("redis://r:6379/0", "redis://r:6379/1"))
    assert not broker_shares_cache_problem(settings_with("redis://r:6379/0", "redis://other:6379/0"))
    # Production's own settings keep them apart: the cache defaults to database 1.
    result = _manage("check", "--deploy", "--fail-level", "ERROR", env=PROD_ENV)
    assert "kinetogram.E020" not in result.stdout + result.stderr


@pytest.mark.skipif(not redis_is_up(), reason=f"no Redis answers at {REDIS_URL}")
def test_q08_the_deploy_check_reads_the_brokers_eviction_policy(settings):
    import redis

    from kinetogram.deployment import broker_eviction_problem

    settings.CELERY_BROKER_URL = REDIS_URL
    client = redis.Redis.from_url(REDIS_URL)
    before = client.config_get("maxmemory-policy")["maxmemory-policy"]
    try:
        client.config_set("maxmemory-policy", "noeviction")
        assert broker_eviction_problem(settings) == ""
        client.config_set("maxmemory-policy", "allkeys-lru")
        assert "allkeys-lru" in broker_eviction_problem(settings)
    finally:
        client.config_set("maxmemory-policy", before)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert "Could not read" in broker_eviction_problem(settings)
