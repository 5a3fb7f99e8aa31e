"""A cart with monthly and yearly plans says so where the customer fills it, names the lines
that stand in the way, and the checkout does not start."""

from decimal import Decimal

import pytest

from shop.models import Cart, CartLine, Order, Plan
from tests.accounts.factories import UserFactory
from tests.shop.factories import MonthlyPlanFactory, PlanFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans():
    newsletter = MonthlyPlanFactory(service=ServiceFactory(name="Newsletter"), name="Fortnightly", price=Decimal("240"))
    blog = PlanFactory(
        service=ServiceFactory(name="Blog content"), name="Yearly", billing=Plan.Billing.YEARLY, price=Decimal("2400")
    )
    audit = PlanFactory(service=ServiceFactory(name="SEO audit"), name="Standard", price=Decimal("190"))
    return newsletter, blog, audit


def test_adding_a_yearly_plan_to_a_monthly_cart_warns_at_once(client, plans):
    newsletter, blog, _ = plans
    client.post("/cart/add/", {"plan": newsletter.pk})

    response = client.post("/cart/add/", {"plan": blog.pk}, follow=True)

    html = response.content.decode()
    assert (
        "Added Blog content (Yearly) to your cart. Your cart now has monthly and yearly plans, which cannot be "
        "paid in one order: see your cart for what to remove." in html
    )
    assert "message-warning" in html


def test_cart_names_each_cycles_lines_with_a_remove_button_and_holds_back_checkout(client, plans):
    newsletter, blog, audit = plans
    for plan in plans:
        client.post("/cart/add/", {"plan": plan.pk})

    html = client.get("/cart/").content.decode()

    assert "Monthly and yearly plans cannot be paid in one order" in html
    assert "Monthly and yearly plans are billed on different cycles: check out one cycle at a time." in html
    assert "<strong>Monthly plans in your cart:</strong>" in html
    assert "Newsletter (Fortnightly) × 1, £240.00 / month" in html
    assert "<strong>Yearly plans in your cart:</strong>" in html
    assert "Blog content (Yearly) × 1, £2,400.00 / year" in html
    assert "SEO audit (Standard) × 1," not in html  # a one-off goes with either cycle
    assert 'aria-label="Remove Blog content (Yearly)"' in html
    assert 'href="/checkout/"' not in html
    assert '<button type="button" class="btn btn-primary btn-block" disabled' in html


def test_removing_one_cycle_from_the_banner_opens_the_checkout(client, plans):
    newsletter, blog, audit = plans
    for plan in plans:
        client.post("/cart/add/", {"plan": plan.pk})

    response = client.post("/cart/remove/", {"plan": blog.pk, "next": "/cart/"}, follow=True)

    html = response.content.decode()
    assert "Monthly and yearly plans cannot be paid in one order" not in html
    assert 'href="/checkout/"' in html


def test_checkout_with_both_cycles_explains_and_places_nothing(client, plans):
    newsletter, blog, _ = plans
    user = UserFactory()
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, plan=newsletter, quantity=1)
    CartLine.objects.create(cart=cart, plan=blog, quantity=1)
    client.force_login(user)

    page = client.get("/checkout/")
    refused = client.post("/checkout/", {"billing_name": "Ada"})

    assert "Monthly and yearly plans cannot be paid in one order" in page.text
    assert "Blog content (Yearly) × 1" in page.text
    assert 'name="billing_line1"' not in page.text
    assert refused.status_code == 409
    assert Order.objects.count() == 0
