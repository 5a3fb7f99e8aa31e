import pytest

from shop import payments
from tests.shop.factories_payments import FakeGateway


@pytest.fixture(autouse=True)
def fake_gateway(monkeypatch):
    """settings.SHOP_PAYMENT_GATEWAY is "fake" under test: this registers it, one per test."""
    gateway = FakeGateway()
    monkeypatch.setitem(payments.GATEWAYS, "fake", lambda: gateway)
    return gateway
