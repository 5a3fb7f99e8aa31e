"""The demo payment page takes no payment where settings say production (DJ-02)."""

import pytest

from shop import payments, services
from shop.models import Order
from tests.accounts.factories import UserFactory
from tests.shop.factories import PlanFactory
from tests.shop.factories_payments import BILLING, cart_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_off(settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    settings.SHOP_DEMO_PAYMENTS = False


def test_dj02_demo_gateway_starts_no_payment_when_demo_payments_are_off(client, demo_off, mailoutbox, caplog):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)

    response = client.post("/checkout/", BILLING)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/"
    assert order.status == Order.Status.PENDING
    assert "Refused a demo payment" in caplog.text
    assert mailoutbox == []


def test_dj02_demo_page_and_demo_payment_refuse_when_demo_payments_are_off(client, demo_off, mailoutbox):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)
    client.post("/checkout/", BILLING)
    order = Order.objects.get()

    page = client.get(f"/checkout/{order.number}/demo/")
    paid = client.post(f"/checkout/{order.number}/demo/", {"action": "pay"})
    with pytest.raises(services.CheckoutRefused, match="Demo payments are switched off."):
        services.order_pay_demo(order=order)

    order.refresh_from_db()
    assert (page.status_code, paid.status_code) == (404, 404)
    assert order.status == Order.Status.PENDING
    assert order.paid_at is None
    assert mailoutbox == []


def test_demo_gateway_is_a_demo_where_settings_allow_it(settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    settings.SHOP_DEMO_PAYMENTS = True
    assert payments.get_gateway().is_demo is True
    settings.SHOP_DEMO_PAYMENTS = False
    assert payments.get_gateway().is_demo is False
