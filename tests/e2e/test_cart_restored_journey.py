"""Signing in with a saved cart, in Chromium: the lines the saved cart adds are named on the
checkout, and "Remove these" brings the total back to what the visitor chose."""

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from shop.models import Cart, CartLine, Plan
from tests.accounts.factories import PASSWORD, UserFactory
from tests.shop.factories import PlanFactory, ServiceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/c_ops")  # noqa: S108 (pictures for a person to look at)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_signing_in_names_what_the_saved_cart_added_and_remove_these_restores_the_total(live_server, page):
    newsletter = ServiceFactory(name="Email newsletter", slug="email-newsletter")
    PlanFactory(service=newsletter, name="Fortnightly", billing=Plan.Billing.MONTHLY, price=Decimal("240.00"))
    ads = ServiceFactory(name="Google Ads management", slug="google-ads")
    setup = PlanFactory(service=ads, name="Account set-up", price=Decimal("400.00"))
    audit = PlanFactory(
        service=ServiceFactory(name="SEO audit", slug="seo-audit"), name="Standard", price=Decimal("190")
    )
    customer = UserFactory(email="returning@example.com")
    saved = Cart.objects.create(user=customer)
    CartLine.objects.create(cart=saved, plan=setup, quantity=1)
    CartLine.objects.create(cart=saved, plan=audit, quantity=1)
    base = live_server.url

    # As a visitor: one plan in the cart, then the checkout asks to sign in.
    page.goto(f"{base}/services/email-newsletter/")
    page.locator(".plan-card", has_text="Fortnightly").get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/checkout/")
    page.locator("[data-problem=account_needed]").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(customer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back on the checkout: what came back is named, line by line, with the choice.
    page.wait_for_url(re.compile(r"/checkout/$"))
    expect(page.get_by_text("Signing in brought back what you had saved in your cart before")).to_be_visible()
    banner = page.locator(".cart-restored")
    expect(banner.get_by_role("heading", name="Added from the cart you saved before")).to_be_visible()
    expect(banner.get_by_role("listitem")).to_have_count(2)
    expect(banner).to_contain_text("Google Ads management (Account set-up) × 1")
    expect(banner).to_contain_text("SEO audit (Standard) × 1")
    expect(page.locator(".summary-total")).to_contain_text("£996.00")
    shot(page, "cart-restored-checkout")

    banner.get_by_role("button", name="Remove these").click()

    page.wait_for_url(re.compile(r"/checkout/$"))
    expect(page.get_by_text("Removed what came back from your saved cart")).to_be_visible()
    expect(page.locator(".cart-restored")).to_have_count(0)
    expect(page.locator(".summary-total")).to_contain_text("£288.00")
    shot(page, "cart-restored-removed")
    assert list(CartLine.objects.filter(cart__user=customer).values_list("plan__name", "quantity")) == [
        ("Fortnightly", 1)
    ]


def test_first_time_customer_pages_on_a_phone(live_server, page):
    """The mixed-cycle explanation in the cart, a card tagged with both kinds of plan and the
    405 page, as a phone shows them (screenshots looked at by a person)."""
    newsletter = ServiceFactory(name="Email newsletter", slug="email-newsletter")
    monthly = PlanFactory(service=newsletter, name="Fortnightly", billing=Plan.Billing.MONTHLY, price=Decimal("240"))
    ads = ServiceFactory(name="Google Ads management", slug="google-ads")
    PlanFactory(service=ads, name="Account set-up", price=Decimal("400.00"))
    yearly = PlanFactory(service=ads, name="Management, yearly", billing=Plan.Billing.YEARLY, price=Decimal("3500"))
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})

    for plan, service in ((monthly, "email-newsletter"), (yearly, "google-ads")):
        page.goto(f"{base}/services/{service}/")
        page.locator(".plan-card", has_text=plan.name).get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Your cart now has monthly and yearly plans")).to_be_visible()
    page.goto(f"{base}/cart/")
    mixed = page.locator(".mixed-cycles")
    expect(mixed.get_by_role("heading", name="Monthly and yearly plans cannot be paid in one order")).to_be_visible()
    expect(page.get_by_role("button", name="Checkout")).to_be_disabled()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    shot(page, "phone-cart-mixed-cycles")
    mixed.get_by_role("button", name="Remove Google Ads management (Management, yearly)").click()
    expect(page.locator(".mixed-cycles")).to_have_count(0)
    expect(page.get_by_role("link", name="Checkout")).to_be_visible()

    page.goto(f"{base}/services/?kind=one_off")
    card = page.locator(".service-card", has_text="Google Ads management")
    expect(card.locator(".pill", has_text="One-off")).to_be_visible()
    expect(card.locator(".pill", has_text="Yearly")).to_be_visible()
    expect(card).to_contain_text("from £400")
    shot(page, "phone-catalogue-one-off")

    page.goto(f"{base}/cart/remove/")
    expect(page.get_by_role("heading", name="This address only works from a button")).to_be_visible()
    page.get_by_role("link", name="Go back").click()
    page.wait_for_url(re.compile(r"/cart/$"))
    page.goto(f"{base}/cart/add/")
    shot(page, "phone-405")
