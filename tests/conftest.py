"""Fixtures for the whole suite: Hypothesis profiles and the in-memory payment gateway."""

import os

import pytest
from hypothesis import HealthCheck, settings

from shop import payments
from tests.shop.factories_payments import FakeGateway

# HYPOTHESIS_PROFILE=ci runs every property with 200 examples; dev (the default) keeps the
# suite quick. Deadlines are off: examples go through the database and the test client.
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def fake_gateway(monkeypatch):
    """settings.SHOP_PAYMENT_GATEWAY is "fake" under test: this registers it, one per test."""
    gateway = FakeGateway()
    monkeypatch.setitem(payments.GATEWAYS, "fake", lambda: gateway)
    return gateway


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so one test's rate limits never reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """The locmem SMS backend's outbox starts empty in each test, like mail.outbox."""
    from marketing import sms

    sms.outbox.clear()
    yield


@pytest.fixture
def staff_login(client):
    """``staff_login(user)`` signs a member of staff in on ``client`` with the two-factor
    record the admin asks for (AU-07); returns the client."""
    from tests.accounts.utils import staff_login as login

    return lambda user, on=None: login(on or client, user)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with the two-factor record the admin asks for."""
    from tests.accounts.utils import staff_login as login

    return login(client, admin_user)
