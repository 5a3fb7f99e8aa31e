"""Every storefront page in Chromium, at desktop and phone widths, on the demo data.

The assertions are light (each page answers and has its heading); the full-page
screenshots in screenshots/walk/ (or $SCREENSHOT_DIR) are for people to look at.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import User
from kinetogram.demo import demo_seed
from shop.models import Order, Service, Subscription
from tests.accounts.utils import staff_login

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "screenshots")) / "walk"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def demo_payments(settings):
    SHOTS.mkdir(parents=True, exist_ok=True)
    settings.SHOP_PAYMENT_GATEWAY = "demo"


def shoot(page, name):
    """Full-page screenshots of the current page at every width, then back to desktop."""
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        # The header is sticky: from the top, or it lands mid-page in a full-page shot.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})


def visit(page, live_server, path, name, heading, status=200):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == status, path
    assert page.get_by_role("heading", level=1).first.inner_text().strip() == heading, path
    shoot(page, name)


def sign_in(page, live_server, user):
    client = Client()
    staff_login(client, user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def sign_out(page):
    page.context.clear_cookies()


def test_walk_every_storefront_page_at_desktop_and_phone_widths(page, live_server):
    # Test storage keeps uploads in memory, where the media view cannot serve them: the
    # walk shows the placeholder artwork a service without an image gets.
    demo_seed(images=False)
    service = Service.objects.filter(is_active=True, reviews__status="approved").distinct().first()
    customer = User.objects.get(email="chloe@example.com")  # has a plan whose payment failed

    # Anonymous pages.
    visit(page, live_server, "/", "01-home", page_heading(page, live_server, "/"))
    visit(page, live_server, "/services/", "02-catalogue", "Services")
    visit(page, live_server, "/services/?kind=month&sort=price&max_price=500", "03-catalogue-filtered", "Services")
    visit(page, live_server, "/services/?q=zzzz-nothing", "04-catalogue-empty", "Services")
    visit(page, live_server, f"/services/{service.slug}/", "05-service", service.name)
    visit(page, live_server, "/consultation/", "06-consultation", page_heading(page, live_server, "/consultation/"))
    visit(page, live_server, "/orders/lookup/", "07-order-lookup", page_heading(page, live_server, "/orders/lookup/"))
    visit(page, live_server, "/no-such-page/", "08-not-found", page_heading(page, live_server, "/no-such-page/"), 404)
    visit(page, live_server, "/cart/", "09-cart-empty", "Your cart")
    for path, name in [
        ("/accounts/login/", "10-sign-in"),
        ("/accounts/signup/", "11-sign-up"),
        ("/accounts/password/reset/", "12-password-reset"),
    ]:
        visit(page, live_server, path, name, page_heading(page, live_server, path))

    # A signed-in customer buys a one-off service.
    sign_in(page, live_server, customer)
    one_off = Service.objects.filter(is_active=True, plans__billing="one_off", plans__price__gt=0).distinct().first()
    page.goto(f"{live_server.url}/services/{one_off.slug}/")
    page.locator("form.add-to-cart button[type=submit], form[action$='/cart/add/'] button").first.click()
    visit(page, live_server, "/cart/", "13-cart", "Your cart")
    visit(page, live_server, "/checkout/", "14-checkout", page_heading(page, live_server, "/checkout/"))
    page.get_by_role("button", name=re.compile("Continue to payment")).click()
    page.wait_for_url(re.compile(r"/checkout/KG-[A-Z0-9]+/demo/$"))
    shoot(page, "15-demo-payment")
    page.get_by_role("button", name=re.compile(r"Pay \(demo\)")).click()
    page.wait_for_url(re.compile(r"/checkout/KG-[A-Z0-9]+/success/$"))
    shoot(page, "16-order-success")

    order = Order.objects.filter(user=customer).order_by("-created_at").first()
    subscription = (
        Subscription.objects.filter(user=customer, cancel_at_period_end=False).exclude(status="canceled").first()
    )
    visit(page, live_server, "/orders/", "17-order-history", "Your orders")
    visit(page, live_server, f"/orders/{order.number}/", "18-order-detail", f"Order {order.number}")
    visit(page, live_server, "/account/services/", "19-my-services", "My services")
    if subscription:
        visit(
            page,
            live_server,
            f"/account/services/{subscription.pk}/cancel/",
            "20-cancel-confirmation",
            "Cancel at the end of the period?",
        )
    for path, name in [
        ("/account/", "21-account-overview"),
        ("/account/profile/", "22-account-profile"),
        ("/account/addresses/", "23-account-addresses"),
        ("/account/saved-searches/", "24-account-saved-searches"),
        ("/accounts/email/", "25-account-email"),
        ("/accounts/password/change/", "26-account-password"),
        ("/accounts/2fa/", "27-account-mfa"),
        ("/accounts/sessions/", "28-account-sessions"),
        ("/account/your-data/", "29-your-data"),
    ]:
        visit(page, live_server, path, name, page_heading(page, live_server, path))

    # A customer with nothing yet: the empty states.
    newcomer = User.objects.create_user(email="newcomer@example.com", password="Blue-harbour-42")
    sign_out(page)
    sign_in(page, live_server, newcomer)
    visit(page, live_server, "/orders/", "30-order-history-empty", "Your orders")
    visit(page, live_server, "/account/services/", "31-my-services-empty", "My services")
    visit(page, live_server, "/account/saved-searches/", "32-saved-searches-empty", "Saved searches")


def page_heading(page, live_server, path):
    """The h1 of a page, read on a first visit (pages whose wording the walk does not pin)."""
    page.goto(f"{live_server.url}{path}")
    return page.get_by_role("heading", level=1).first.inner_text().strip()
