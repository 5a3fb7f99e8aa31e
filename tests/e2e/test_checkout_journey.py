"""Checkout journeys in Chromium with the demo payment page (the same fulfilment code as
the Stripe webhook)."""

import os
import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from shop.models import Order, Plan, Subscription
from tests.accounts.factories import AddressFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.shop.factories import CategoryFactory, PlanFactory, ServiceFactory
from tests.shop.factories_payments import cart_with

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots/checkout"  # noqa: S108 - screenshots for a human to look at, nothing secret


@pytest.fixture(autouse=True)
def demo_payments(settings):
    os.makedirs(SHOTS, exist_ok=True)
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    mail.outbox = []


@pytest.fixture
def catalogue():
    category = CategoryFactory(name="Social media", slug="social-media")
    social = ServiceFactory(category=category, name="Social Media", slug="social-media-management")
    audit = ServiceFactory(category=category, name="Brand Audit", slug="brand-audit")
    return {
        "starter": PlanFactory(service=social, name="Starter", billing=Plan.Billing.MONTHLY, price=Decimal("49.00")),
        "audit": PlanFactory(service=audit, name="Full audit", billing=Plan.Billing.ONE_OFF, price=Decimal("350.00")),
    }


def shot(page, name):
    # The header is sticky: scroll to the top first or it lands mid-page in a full-page shot.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_in(page, live_server, user):
    client = Client()
    staff_login(client, user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def guest_session_with_cart(page, live_server, *plans):
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store["cart"] = {str(plan.pk): 1 for plan in plans}
    store.create()
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": live_server.url}]
    )


def test_signed_in_customer_buys_a_plan_pays_on_the_demo_page_and_sees_it_paid(page, live_server, catalogue):
    user = UserFactory(full_name="Ada Lovelace")
    AddressFactory(user=user, full_name="Ada Lovelace", line1="12 Harbour Road", is_default=True)
    cart_with(user, catalogue["starter"], catalogue["audit"])
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/checkout/")
    assert page.get_by_label("Address line 1").input_value() == "12 Harbour Road"
    shot(page, "checkout")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "checkout_mobile")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("button", name=re.compile("Continue to payment")).click()

    page.wait_for_url(re.compile(r"/checkout/KG-[A-Z0-9]+/demo/$"))
    assert page.get_by_role("heading", name="Demo payment — no card is charged").is_visible()
    shot(page, "demo_payment")
    page.get_by_role("button", name=re.compile(r"Pay \(demo\)")).click()

    page.wait_for_url(re.compile(r"/checkout/KG-[A-Z0-9]+/success/$"))
    assert page.get_by_role("heading", name="Thank you for your order").is_visible()
    shot(page, "success")

    order = Order.objects.get()
    assert order.status == Order.Status.ACTIVE
    assert (order.net_total, order.total) == (Decimal("399.00"), Decimal("478.80"))  # + 20% VAT
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE
    assert [m.subject for m in mail.outbox] == [f"Your Kinetogram order {order.number} is confirmed"]

    page.goto(f"{live_server.url}/orders/")
    row = page.get_by_role("row", name=re.compile(order.number))
    assert "Subscription active" in row.inner_text()
    shot(page, "order_list")
    page.get_by_role("link", name=order.number).click()
    assert page.get_by_role("heading", name=f"Order {order.number}").is_visible()
    assert page.get_by_text("Payment received").is_visible()
    shot(page, "order_detail")


def test_guest_buys_a_one_off_service_and_finds_the_order_by_email(page, live_server, catalogue):
    guest_session_with_cart(page, live_server, catalogue["audit"])

    page.goto(f"{live_server.url}/checkout/")
    page.get_by_label("Email address", exact=True).fill("guest@example.com")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Address line 1").fill("1 Navy Yard")
    page.get_by_label("Town or city").fill("Arlington")
    page.get_by_label("Postcode").fill("22202")
    page.get_by_label("Country").select_option("US")
    shot(page, "checkout_guest")
    page.get_by_role("button", name=re.compile("Continue to payment")).click()
    page.get_by_role("button", name=re.compile(r"Pay \(demo\)")).click()
    page.wait_for_url(re.compile(r"/success/$"))
    order = Order.objects.get()
    assert order.status == Order.Status.PAID and order.user is None

    page.goto(f"{live_server.url}/orders/lookup/")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Email address used for the order").fill("guest@example.com")
    page.get_by_role("button", name="Email me a link").click()
    assert page.get_by_text("If an order matches, we have emailed a link to it.").is_visible()
    shot(page, "order_lookup")

    link_email = next(m for m in mail.outbox if "link" in m.subject.lower())
    link = re.search(r"(https?://\S+/orders/lookup/\S+/)", link_email.body).group(1)
    page.goto(link)
    assert page.get_by_role("heading", name=f"Order {order.number}").is_visible()
    assert page.get_by_text("1 Navy Yard").is_visible()
    shot(page, "order_link")


def test_customer_cancels_a_subscription_from_my_services(page, live_server, catalogue):
    user = UserFactory(full_name="Ada Lovelace")
    cart_with(user, catalogue["starter"])
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/checkout/")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 Harbour Road")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("E1 6AN")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name=re.compile("Continue to payment")).click()
    page.get_by_role("button", name=re.compile(r"Pay \(demo\)")).click()
    page.wait_for_url(re.compile(r"/success/$"))

    page.goto(f"{live_server.url}/account/services/")
    assert page.get_by_role("heading", name=re.compile("Social Media")).is_visible()
    shot(page, "my_services")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "my_services_mobile")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("link", name="Cancel", exact=True).click()
    subscription = Subscription.objects.get()
    end = subscription.current_period_end
    sentence = (
        f"Your Social Media Starter plan stays active until {end.day} {end:%B %Y}; you will not be charged again."
    )
    assert page.get_by_text(sentence).is_visible()
    shot(page, "cancel_confirmation")
    page.get_by_role("button", name="Yes, cancel at period end").click()

    page.wait_for_url(re.compile(r"/account/services/$"))
    assert page.get_by_text("Active until", exact=True).is_visible()
    shot(page, "my_services_cancelled")
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert any("end" in m.subject for m in mail.outbox)


def test_pages_that_explain_a_refusal_or_a_problem(page, live_server, catalogue):
    from shop.models import Invoice
    from tests.shop.factories import OrderFactory, OrderLineFactory, SubscriptionFactory

    yearly = PlanFactory(service=catalogue["starter"].service, name="Starter yearly", billing=Plan.Billing.YEARLY)
    user = UserFactory(full_name="Ada Lovelace")
    cart_with(user, catalogue["starter"], yearly)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/checkout/")
    assert page.get_by_text("Monthly and yearly plans are billed on different cycles").is_visible()
    shot(page, "checkout_mixed_cycles")

    pending = OrderFactory(user=user, total=Decimal("350.00"))
    OrderLineFactory(order=pending, plan=catalogue["audit"])
    pending.events.create(status=Order.Status.PENDING, note="Order placed")
    page.goto(f"{live_server.url}/orders/{pending.number}/")
    assert page.get_by_role("button", name=re.compile("Pay now")).is_visible()
    shot(page, "order_detail_pending")

    subscription = SubscriptionFactory(
        user=user, plan=catalogue["starter"], status=Subscription.Status.PAST_DUE, current_period_end=pending.created_at
    )
    Invoice.objects.create(
        subscription=subscription, stripe_invoice_id="in_failed", number="KG-0042", amount=Decimal("49.00"),
        currency="gbp", status=Invoice.Status.FAILED,
    )  # fmt: skip
    page.goto(f"{live_server.url}/account/services/")
    assert page.get_by_text("Your last payment failed").is_visible()
    shot(page, "my_services_past_due")

    page.goto(f"{live_server.url}/orders/lookup/not-a-real-token/")
    assert page.get_by_role("heading", name="This link is not valid").is_visible()
    shot(page, "order_link_invalid")

    page.context.clear_cookies()
    guest_session_with_cart(page, live_server, catalogue["starter"])
    page.goto(f"{live_server.url}/checkout/")
    assert page.get_by_role("link", name="Create an account").first.is_visible()
    shot(page, "checkout_guest_recurring")
