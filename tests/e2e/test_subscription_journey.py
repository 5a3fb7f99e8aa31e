"""Browser journeys: a subscriber upgrades and sees the prorated charge; a customer applies
a promotion code at checkout (demo payments, real Chromium)."""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.models import Invoice, Order, Plan, PromotionCode
from tests.accounts.factories import AddressFactory, UserFactory
from tests.e2e.test_checkout_journey import sign_in
from tests.shop.factories import CategoryFactory, PlanFactory, ServiceFactory, SubscriptionFactory
from tests.shop.factories_payments import cart_with

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/c_subs"  # noqa: S108 - screenshots for a human to look at, nothing secret


@pytest.fixture(autouse=True)
def demo_payments(settings):
    os.makedirs(SHOTS, exist_ok=True)
    settings.SHOP_PAYMENT_GATEWAY = "demo"


def shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def social():
    service = ServiceFactory(category=CategoryFactory(name="Social media", slug="social"), name="Social Media")
    return {
        "starter": PlanFactory(service=service, name="Starter", billing=Plan.Billing.MONTHLY, price=Decimal("49.00")),
        "growth": PlanFactory(service=service, name="Growth", billing=Plan.Billing.MONTHLY, price=Decimal("99.00")),
    }


def test_a_subscriber_upgrades_and_sees_the_prorated_charge(page, live_server, social):
    user = UserFactory(full_name="Ada Lovelace")
    period_end = timezone.now() + timedelta(days=15)
    subscription = SubscriptionFactory(
        user=user, plan=social["starter"], current_period_end=period_end, order__status=Order.Status.ACTIVE
    )
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/account/services/")
    shot(page, "my_services")
    page.get_by_role("link", name="Change plan").click()
    page.get_by_role("button", name="Review the change to Growth").click()
    shot(page, "change_confirm")

    shown = page.get_by_test_id("prorated-total").inner_text()
    # About half of a 30- or 31-day month is left: £50 difference × about 0.5.
    assert re.fullmatch(r"£2[3-6]\.\d\d", shown), shown
    page.get_by_role("button", name=re.compile(r"Confirm and pay £")).click()

    page.wait_for_url(f"{live_server.url}/account/services/")
    assert page.get_by_text(f"We charged {shown} for the rest of this period").is_visible()
    shot(page, "after_upgrade")
    subscription.refresh_from_db()
    assert subscription.plan_name == "Growth"
    assert f"£{Invoice.objects.get(subscription=subscription).amount}" == shown


def test_a_customer_applies_a_promotion_code_at_checkout(page, live_server, social):
    user = UserFactory(full_name="Ben Okafor")
    AddressFactory(user=user, full_name="Ben Okafor", line1="3 Mill Lane", is_default=True)
    PromotionCode.objects.create(code="WELCOME20", kind="percent", percent_off=Decimal("20"))
    cart_with(user, social["starter"])
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/checkout/")
    page.get_by_label("Promotion code (optional)").fill("nope")
    page.get_by_role("button", name="Apply code").click()
    assert page.get_by_text("We do not recognise the code “NOPE”. Check it and try again.").is_visible()

    page.get_by_label("Promotion code (optional)").fill("welcome20")
    page.get_by_role("button", name="Apply code").click()
    assert page.get_by_text("Code WELCOME20 applied: 20% off, −£9.80.").is_visible()
    shot(page, "checkout_with_code")
    page.get_by_role("button", name=re.compile(r"Continue to payment · £47\.04")).click()  # £39.20 + 20% VAT

    page.wait_for_url(re.compile(r"/checkout/KG-[A-Z0-9]+/demo/$"))
    shot(page, "demo_payment_with_code")
    order = Order.objects.get()
    assert (order.net_total, order.total) == (Decimal("39.20"), Decimal("47.04"))
    assert order.promotion_redemption.discount == Decimal("9.80")
