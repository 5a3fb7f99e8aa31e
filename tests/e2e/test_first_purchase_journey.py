"""A newcomer's whole first purchase in Chromium, through the real pages only: sign up,
confirm the email from the mailbox, search, add to cart, pay in demo mode, and find the
order in the history."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from shop.models import Order, Plan
from tests.shop.factories import CategoryFactory, PlanFactory, ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Harbour-lights-2031"


@pytest.fixture(autouse=True)
def demo_payments(settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    mail.outbox = []


def test_p02_newcomer_signs_up_searches_buys_in_demo_mode_and_sees_the_order(live_server, page):
    category = CategoryFactory(name="Audits & strategy", slug="audits")
    audit = ServiceFactory(
        category=category,
        name="Campaign Audit",
        slug="campaign-audit",
        summary="A review of your last campaigns.",
        description="We audit your newsletters, adverts and landing pages and send a written plan.",
    )
    PlanFactory(service=audit, name="Full audit", billing=Plan.Billing.ONE_OFF, price=Decimal("350.00"))
    ServiceFactory(category=category, name="Brand Workshop", slug="brand-workshop", description="A day on your brand.")
    base = live_server.url

    # Sign up, with the age confirmation the form insists on (P12).
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Email", exact=True).fill("newcomer@example.com")
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("I am 16 or older").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    # Confirm the address from the email that arrived.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Your account")).to_be_visible()

    # Search the catalogue by a word of the description.
    page.goto(f"{base}/services/")
    page.get_by_label("Search").fill("newsletters")
    page.get_by_role("button", name="Show services").click()
    expect(page.get_by_role("heading", name="1 service for “newsletters”")).to_be_visible()
    page.get_by_role("link", name="Campaign Audit").click()
    page.locator(".plan-card", has_text="Full audit").get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added Campaign Audit (Full audit) to your cart.")).to_be_visible()

    # Check out and pay on the demo page.
    page.goto(f"{base}/cart/")
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Address line 1").fill("3 Quay Street")
    page.get_by_label("Town or city").fill("Bristol")
    page.get_by_label("Postcode").fill("BS1 4DJ")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name=re.compile("Continue to payment")).click()
    expect(page.get_by_role("heading", name="Demo payment — no card is charged")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Pay \(demo\)")).click()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()

    # The order is paid, belongs to the new account, and shows in the history.
    order = Order.objects.get()
    assert (order.user.email, order.status, order.net_total, order.total) == (
        "newcomer@example.com",
        "paid",
        Decimal("350.00"),
        Decimal("420.00"),
    )
    page.goto(f"{base}/orders/")
    expect(page.get_by_role("row", name=re.compile(order.number))).to_contain_text("Paid")
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_text("Campaign Audit")).to_be_visible()
