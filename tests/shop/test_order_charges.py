"""A set-up fee paid with a plan's first invoice is a line of its own everywhere the
customer sees the money: Stripe's checkout, the order page and the confirmation email."""

from decimal import Decimal

import pytest

from shop import payments, services
from shop.models import Order, Plan
from tests.accounts.factories import UserFactory
from tests.shop.factories import MonthlyPlanFactory, PlanFactory, ServiceFactory
from tests.shop.factories_payments import BILLING, cart_with, session_completed

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(client, fake_gateway):
    """Google Ads: the £400 account set-up (one-off) with £240 a month of management."""
    ads = ServiceFactory(name="Google Ads management")
    setup = PlanFactory(service=ads, name="Account set-up", price=Decimal("400.00"))
    management = MonthlyPlanFactory(service=ads, name="Management, monthly", price=Decimal("240.00"))
    user = UserFactory(full_name="Ada Lovelace")
    cart_with(user, setup, management)
    client.force_login(user)
    client.post("/checkout/", BILLING)
    return Order.objects.get()


def test_stripe_checkout_gets_the_set_up_fee_as_its_own_line_saying_it_is_charged_once(placed, fake_gateway):
    session = next(iter(fake_gateway.sessions.values()))

    assert (placed.net_total, placed.total) == (Decimal("640.00"), Decimal("768.00"))  # and 20% VAT
    assert [(line.name, line.unit_price, line.interval, line.description) for line in session["lines"]] == [
        (
            "Google Ads management — Account set-up",
            Decimal("400.00"),
            "",
            "One-off: charged once, with this payment.",
        ),
        (
            "Google Ads management — Management, monthly",
            Decimal("240.00"),
            "month",
            "Renews every month until you cancel.",
        ),
    ]


def test_stripe_line_item_carries_the_description():
    line = payments.CheckoutLine(
        name="Audit — Set-up", unit_price=Decimal("400.00"), quantity=1, description="One-off: charged once."
    )

    assert payments._line_item(line, "gbp") == {
        "price_data": {
            "currency": "gbp",
            "unit_amount": 40000,
            "product_data": {"name": "Audit — Set-up", "description": "One-off: charged once."},
        },
        "quantity": 1,
    }


def test_order_page_itemises_the_first_payment_into_set_up_and_first_month(client, placed):
    html = client.get(f"/orders/{placed.number}/").content.decode()

    assert '<td class="num" data-label="Total">£400.00</td>' in html
    assert '<td class="num" data-label="Total">£240.00</td>' in html
    assert (
        '<th scope="row" colspan="4">One-off, charged once (excluding VAT)</th>'
        '<td class="num" data-label="One-off, charged once">£400.00</td>' in html
    )
    assert '<th scope="row" colspan="4">Plans, first month (excluding VAT)</th>' in html
    assert '<th scope="row" colspan="4">First payment including VAT</th>' in html
    assert "<strong>£768.00</strong>" in html
    assert (
        '<th scope="row" colspan="4">Then every month</th><td class="num" data-label="Then every month">£240.00' in html
    )
    assert (
        "The first payment of £768.00 is one invoice: £400.00 for Google Ads management (Account set-up), "
        "charged once, and £240.00 for the first period of your plan, plus VAT. After that only the plan renews."
        in html
    )


def test_an_order_of_one_off_services_only_keeps_a_plain_total(client):
    user = UserFactory()
    order = Order.objects.create(
        user=user, email=user.email, total=Decimal("190.00"), **{f"billing_{k}": v for k, v in _billing().items()}
    )
    plan = PlanFactory(price=Decimal("190.00"))
    order.lines.create(
        plan=plan, service_name="SEO audit", plan_name="Standard", billing=Plan.Billing.ONE_OFF,
        unit_price=Decimal("190.00"), quantity=1, line_total=Decimal("190.00"),
    )  # fmt: skip
    client.force_login(user)

    html = client.get(f"/orders/{order.number}/").content.decode()

    assert '<th scope="row" colspan="4">Total</th>' in html
    assert "One-off, charged once" not in html and "Then every" not in html


def test_confirmation_email_itemises_every_line_and_the_first_payment(
    placed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.checkout_session_completed(session_completed(placed, subscription="sub_test_1"))

    [message] = [m for m in mailoutbox if placed.number in m.subject]
    assert "- 1 x Google Ads management (Account set-up, one-off): 400.00 GBP" in message.body
    assert "- 1 x Google Ads management (Management, monthly, monthly): 240.00 GBP" in message.body
    assert (
        "One-off, charged once: 400.00 GBP\nPlans, first period: 240.00 GBP\n"
        "Total excluding VAT: 640.00 GBP\nVAT: 128.00 GBP\nTotal paid: 768.00 GBP\n" in message.body
    )
    assert "Then every month: 240.00 GBP" in message.body
    html = message.alternatives[0][0]
    assert 'One-off, charged once</td><td align="right">400.00 GBP' in html
    assert 'Then every month</td><td align="right">240.00 GBP' in html


def _billing():
    return {"name": "Ada", "line1": "1 Market Street", "city": "London", "postcode": "EC1A 1BB", "country": "GB"}
