"""On a 390 px phone no customer-facing table scrolls sideways: each row is a small card whose
cells say what they are, and nothing is wider than the screen."""

import os
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.models import Cart, CartLine, Invoice, Order
from tests.e2e.test_consultation_journey import _sign_in_as
from tests.privacy.people import person_everywhere
from tests.shop.factories import (
    MonthlyPlanFactory,
    OrderFactory,
    OrderLineFactory,
    PlanFactory,
    ServiceFactory,
    SubscriptionFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/c_ops")  # noqa: S108 (pictures for a person to look at)
PHONE = {"width": 390, "height": 844}

MEASURE = """() => {
  const tables = [...document.querySelectorAll("main table")].map((table) => {
    const wrap = table.closest(".table-wrap") || table.parentElement;
    const card = table.closest(".card, section, .container") || wrap;
    const row = table.querySelector("tbody tr");
    const box = table.getBoundingClientRect();
    return {
      name: table.className,
      width: Math.round(box.width),
      right: Math.round(box.right),
      cardWidth: Math.round(card.getBoundingClientRect().width),
      wrapOverflow: wrap.scrollWidth - wrap.clientWidth,
      rowDisplay: row ? getComputedStyle(row).display : "none",
      unlabelledCells: row ? [...row.querySelectorAll("td")].filter((td) =>
        !td.dataset.label && td.textContent.trim()
        && !td.querySelector("form, .btn, button, .pill") && !td.matches(".stack-lead, .stack-note")).length : 0,
    };
  });
  return {page: document.scrollingElement.scrollWidth, tables};
}"""


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def customer():
    person = person_everywhere()
    user = person.user
    ads = ServiceFactory(name="Google Ads management")
    setup = PlanFactory(service=ads, name="Account set-up", price=Decimal("400.00"))
    management = MonthlyPlanFactory(service=ads, name="Management, monthly", price=Decimal("240.00"))
    order = OrderFactory(user=user, total=Decimal("640.00"), status=Order.Status.ACTIVE, mode=Order.Mode.SUBSCRIPTION)
    OrderLineFactory(order=order, plan=setup)
    OrderLineFactory(order=order, plan=management)
    subscription = SubscriptionFactory(
        user=user, order=order, plan=management, service_name=ads.name, plan_name=management.name,
        billing="month", unit_price=management.price, status="active", stripe_subscription_id="sub_phone_1",
    )  # fmt: skip
    Invoice.objects.create(
        subscription=subscription, stripe_invoice_id="in_phone_1", number="KG-INV-0001-LONG-NUMBER",
        amount=Decimal("640.00"), currency="gbp", status="paid", created_at=timezone.now(),
    )  # fmt: skip
    cart, _ = Cart.objects.get_or_create(user=user)
    CartLine.objects.get_or_create(cart=cart, plan=management, defaults={"quantity": 1})
    CartLine.objects.get_or_create(cart=cart, plan=setup, defaults={"quantity": 1})
    return user, order


PAGES = [
    ("your-data", "/account/your-data/"),
    ("cookie-settings", "/privacy/cookies/"),
    ("privacy-policy", "/privacy/"),
    ("orders", "/orders/"),
    ("order-detail", None),
    ("cart", "/cart/"),
    ("my-services", "/account/services/"),
    ("sessions", "/accounts/sessions/"),
]


def test_customer_tables_become_cards_on_a_390px_phone(live_server, page, customer):
    user, order = customer
    _sign_in_as(page, live_server, user)
    page.set_viewport_size(PHONE)

    measured = {}
    for name, path in PAGES:
        page.goto(live_server.url + (path or f"/orders/{order.number}/"))
        result = page.evaluate(MEASURE)
        shot(page, f"phone-table-{name}")
        measured[name] = result
        assert result["tables"], f"{name}: no table on the page"
        assert result["page"] <= 390, f"{name}: the page scrolls sideways ({result['page']} px)"
        for table in result["tables"]:
            assert table["rowDisplay"] == "block", f"{name}: {table['name']} rows are not cards"
            assert table["wrapOverflow"] <= 1, f"{name}: {table['name']} scrolls inside its card"
            assert table["width"] <= table["cardWidth"] + 1, f"{name}: {table['name']} is wider than its card"
            assert table["right"] <= 390, f"{name}: {table['name']} runs off the screen"
            assert table["unlabelledCells"] == 0, f"{name}: {table['name']} has cells without a label"
    assert len(measured) == len(PAGES)


def test_on_a_desktop_the_same_tables_stay_tables(live_server, page, customer):
    user, order = customer
    _sign_in_as(page, live_server, user)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/orders/{order.number}/")
    result = page.evaluate(MEASURE)

    assert {table["rowDisplay"] for table in result["tables"]} == {"table-row"}
    shot(page, "desktop-order-detail")
