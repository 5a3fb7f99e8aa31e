"""Q-11: a cache outage is not an outage.

The shared cache points at a port where nothing listens, as it would with Redis stopped:
the pages with a rate limit still answer, the limits still count (in process memory), a
warning is logged, and /healthz answers 503 naming the cache.
"""

import logging
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client, override_settings

from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_signup import signup_data
from tests.shop.factories import OrderFactory
from tests.shop.test_consultation import VALID as CONSULTATION

pytestmark = pytest.mark.django_db

REDIS_DOWN = {"default": {"BACKEND": "kinetogram.cache.FailSafeRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_down():
    with override_settings(CACHES=REDIS_DOWN):
        yield


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


def test_q11_sign_in_sign_up_consultation_and_order_lookup_answer_without_the_cache(
    redis_down, quiet_client, caplog, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ada@example.com")
    order = OrderFactory(user=None, email="guest@example.com")
    statuses = {}

    with caplog.at_level(logging.WARNING, logger="kinetogram.cache"), django_capture_on_commit_callbacks(execute=True):
        for url in ("/accounts/login/", "/accounts/signup/", "/consultation/", "/orders/lookup/"):
            statuses[f"GET {url}"] = quiet_client.get(url).status_code
        statuses["POST sign-in"] = quiet_client.post(
            "/accounts/login/", {"login": user.email, "password": PASSWORD}
        ).status_code
        quiet_client.logout()
        statuses["POST sign-up"] = quiet_client.post("/accounts/signup/", signup_data()).status_code
        statuses["POST consultation"] = quiet_client.post("/consultation/", CONSULTATION).status_code
        statuses["POST order lookup"] = quiet_client.post(
            "/orders/lookup/", {"number": order.number, "email": "guest@example.com"}
        ).status_code

    assert statuses == {
        "GET /accounts/login/": 200,
        "GET /accounts/signup/": 200,
        "GET /consultation/": 200,
        "GET /orders/lookup/": 200,
        "POST sign-in": 302,
        "POST sign-up": 302,
        "POST consultation": 302,
        "POST order lookup": 302,
    }
    assert User.objects.filter(email="grace@example.com").count() == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "kinetogram.cache"]
    assert warnings[0].startswith("Cache unavailable (ConnectionError: ")
    assert warnings[0].endswith("rate limits count in this process's memory for the next 5 s.")


def test_q11_limits_still_count_in_process_memory_while_the_cache_is_down(
    redis_down, quiet_client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ada@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        consultation = [quiet_client.post("/consultation/", CONSULTATION).status_code for _ in range(6)]
    sign_in = [
        quiet_client.post("/accounts/login/", {"login": user.email, "password": "wrong-password-1"}) for _ in range(6)
    ]

    assert consultation == [302] * 5 + [429]
    # AU-03 still holds: allauth refuses the 6th attempt on one account within 5 minutes.
    assert [r.status_code for r in sign_in] == [200] * 6
    assert "Too many failed login attempts" not in sign_in[4].text
    assert "Too many failed login attempts" in sign_in[5].text


def test_q11_healthz_answers_503_naming_the_cache(redis_down, client, settings):
    settings.CELERY_BROKER_URL = "memory://"

    response = client.get("/healthz", HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    failed = {name for name, state in response.json().items() if state != "OK"}
    assert len(failed) == 1 and failed.pop().startswith("Redis")
    assert response.json()["Database(alias='default')"] == "OK"


def test_q11_an_outage_costs_one_connection_attempt_per_interval(redis_down, caplog, monkeypatch):
    from redis.connection import Connection

    attempts = []
    connect = Connection.connect
    monkeypatch.setattr(Connection, "connect", lambda self: attempts.append(1) or connect(self))

    with caplog.at_level(logging.WARNING, logger="kinetogram.cache"):
        cache.add("k", 0, 60)
        for _ in range(20):
            cache.incr("k")
        value = cache.get("k")

    assert value == 20
    assert len(attempts) == 1
    assert len([r for r in caplog.records if r.name == "kinetogram.cache"]) == 1


def test_q11_the_memory_counts_are_dropped_when_redis_answers_again(redis_down, caplog, monkeypatch):
    backend = caches["default"]
    backend.set("k", 1)
    assert backend.get("k") == 1
    # The retry interval is over and Redis answers.
    monkeypatch.setattr(backend, "_redis_skipped_until", 1.0)
    monkeypatch.setattr(RedisCache, "get", lambda self, key, default=None, version=None: "from-redis")
    caplog.clear()

    with caplog.at_level(logging.WARNING, logger="kinetogram.cache"):
        value = backend.get("k")

    assert value == "from-redis"
    assert backend._fallback.get("k") is None
    assert [r.getMessage() for r in caplog.records] == [
        "Cache available again: rate limits are shared by every process."
    ]


def test_q11_the_site_has_one_rate_limiter():
    """The privacy request form, the consultation form and the order lookup count through
    privacy.ratelimit; no other module of ours touches the cache for a limit of its own."""
    ours = [p for p in ROOT.glob("*/*.py") if ".venv" not in p.parts and "tests" not in p.parts]
    ours += [p for p in ROOT.glob("*/*/*.py") if ".venv" not in p.parts and "tests" not in p.parts]
    users = sorted(str(path.relative_to(ROOT)) for path in ours if "cache.incr(" in path.read_text())
    views = (ROOT / "shop" / "views.py").read_text()

    assert users == ["privacy/ratelimit.py"]
    assert views.count("ratelimit.allow(") == 2
