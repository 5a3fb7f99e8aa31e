"""Every page a customer sees, checked with axe-core in Chromium against WCAG 2.2 AA.

axe-core runs from the copy inside the axe-playwright-python wheel, so nothing is
fetched. A page fails on any violation axe rates serious or critical, and on any content
outside a landmark (axe's `region` rule, a best practice that WCAG's tags leave out).
Each page is also photographed into var/screens/a11y/ (or $SCREENSHOT_DIR/a11y) to look at.

The cookie banner and the sign-in form are then worked with the keyboard alone.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User
from kinetogram.demo import demo_seed
from privacy.selectors.policy import policy_cache_clear
from shop.models import Order, Service
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.test_storefront_walk import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screens")) / "a11y"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CUSTOMER_EMAIL = "amelia@example.com"

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    # Switched on by name: a rule's own `enabled` wins over the tag filter above.
    "rules": {"region": {"enabled": True}},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}

AXE = Axe()


@pytest.fixture(autouse=True)
def demo_shop(settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    # A policy version cached by an earlier test may have been rolled back since.
    policy_cache_clear()


@pytest.fixture
def demo_data():
    demo_seed(images=False)


def axe_failures(page):
    """The violations that fail a page: serious or critical ones, and any `region`."""
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [v for v in violations if v["impact"] in FAILING_IMPACTS or v["id"] == "region"]


def axe_report(page, name, viewport=DESKTOP):
    """Photographs the page at `viewport` and runs axe on it: one line for each failing
    violation, then the selector and axe's advice for each element it found."""
    page.set_viewport_size(viewport)
    page.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    lines = []
    for violation in axe_failures(page):
        lines.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(str(t) for t in node['target'])}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    if lines:
        print("\n".join(lines))
    return lines


def both_widths(page, name):
    lines = axe_report(page, f"{name}-desktop") + axe_report(page, f"{name}-phone", PHONE)
    page.set_viewport_size(DESKTOP)
    return lines


def open_page(page, live_server, path, status=200):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == status, path


def customer():
    return User.objects.get(email=CUSTOMER_EMAIL)


def service_path(*, reviewed):
    services = Service.objects.filter(is_active=True)
    if reviewed:
        services = services.filter(reviews__status="approved").distinct()
    else:
        services = services.exclude(reviews__status="approved")
    return f"/services/{services.order_by('slug').first().slug}/"


def order_path():
    return f"/orders/{Order.objects.filter(user=customer()).latest('created_at').number}/"


#: Page name: the paths that show it (several states of one page) and who sees it. Anyone
#: sees the cookie banner until they choose. Each is checked at desktop and phone widths.
PAGES = {
    "home": (["/"], "anyone"),
    "catalogue": (
        ["/services/", "/services/?kind=month&sort=price&max_price=500", "/services/?q=zzzz-nothing"],
        "anyone",
    ),
    "service": ([lambda: service_path(reviewed=True), lambda: service_path(reviewed=False)], "anyone"),
    "consultation": (["/consultation/"], "anyone"),
    "order-lookup": (["/orders/lookup/"], "anyone"),
    "cart-empty": (["/cart/"], "anyone"),
    "sign-in": (["/accounts/login/"], "anyone"),
    "sign-up": (["/accounts/signup/"], "anyone"),
    "password-reset": (["/accounts/password/reset/"], "anyone"),
    "cookie-settings": (["/privacy/cookies/"], "anyone"),
    "privacy-policy": (["/privacy/"], "anyone"),
    "privacy-contact": (["/privacy/contact/"], "anyone"),
    "account": (["/account/"], "customer"),
    "account-profile": (["/account/profile/"], "customer"),
    "account-addresses": (["/account/addresses/", "/account/addresses/add/"], "customer"),
    "account-security": (
        ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/sessions/"],
        "customer",
    ),
    "saved-searches": (["/account/saved-searches/"], "customer"),
    "my-services": (["/account/services/"], "customer"),
    "your-data": (["/account/your-data/"], "customer"),
    "preferences": (["/account/preferences/"], "customer"),
    "orders": (["/orders/", order_path], "customer"),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_passes_axe(page, live_server, demo_data, name):
    paths, who = PAGES[name]
    problems = []
    if who == "customer":
        sign_in(page, live_server, customer())
    for number, path in enumerate(paths):
        open_page(page, live_server, path() if callable(path) else path)
        if who == "anyone" and name != "cookie-settings":  # that page is the banner's full-page form
            expect(page.get_by_role("region", name="Cookies on Kinetogram")).to_be_visible()
        problems += both_widths(page, f"{name}-{number}" if len(paths) > 1 else name)

    assert problems == [], "\n".join(problems)


def test_cookie_banner_with_its_categories_open_passes_axe(page, live_server, demo_data):
    open_page(page, live_server, "/")
    page.locator("[data-cookie-banner]").get_by_role("button", name="Choose", exact=True).click()
    expect(page.locator("#cookie-banner-panel")).to_be_visible()

    problems = both_widths(page, "cookie-banner-choose")

    assert problems == [], "\n".join(problems)


def test_pages_after_the_cookie_choice_pass_axe(page, live_server, demo_data):
    open_page(page, live_server, "/")
    page.locator("[data-cookie-banner]").get_by_role("button", name="Reject all", exact=True).click()
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)

    problems = both_widths(page, "home-after-choice")
    open_page(page, live_server, "/privacy/cookies/")
    problems += both_widths(page, "cookie-settings-after-choice")

    assert problems == [], "\n".join(problems)


def test_cart_checkout_and_demo_payment_pass_axe(page, live_server, demo_data):
    sign_in(page, live_server, customer())
    one_off = Service.objects.filter(is_active=True, plans__billing="one_off", plans__price__gt=0).distinct().first()
    open_page(page, live_server, f"/services/{one_off.slug}/")
    page.locator("form[action$='/cart/add/'] button").first.click()
    page.wait_for_url(re.compile(r"/cart/$"))

    problems = both_widths(page, "cart")
    open_page(page, live_server, "/checkout/")
    problems += both_widths(page, "checkout")
    page.get_by_role("button", name=re.compile("Continue to payment")).click()
    page.wait_for_url(re.compile(r"/checkout/KG-[A-Z0-9]+/demo/$"))
    problems += both_widths(page, "demo-payment")
    page.get_by_role("button", name=re.compile(r"Pay \(demo\)")).click()
    page.wait_for_url(re.compile(r"/checkout/KG-[A-Z0-9]+/success/$"))
    problems += both_widths(page, "order-success")

    assert problems == [], "\n".join(problems)


def focused(page):
    return page.evaluate(
        """() => { const e = document.activeElement;
        return e.dataset.cookieAction || e.getAttribute("aria-label") || e.name || (e.innerText || "").trim()
          || e.tagName; }"""
    )


def tab_to(page, wanted, limit=25):
    """Presses Tab until the focused element is `wanted`; fails if it never comes."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(focused(page))
        if seen[-1] == wanted:
            return
    raise AssertionError(f"Tab never reached {wanted!r}; it went through {seen}")


def test_cookie_banner_works_by_keyboard_alone(page, live_server):
    open_page(page, live_server, "/services/")
    banner = page.get_by_role("region", name="Cookies on Kinetogram")

    tab_to(page, "choose")
    page.keyboard.press("Enter")
    analytics = banner.get_by_role("checkbox", name="Analytics")
    expect(analytics).to_be_focused()
    expect(banner.get_by_role("button", name="Choose", exact=True)).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Space")
    expect(analytics).to_be_checked()
    tab_to(page, "choice")
    expect(banner.get_by_role("button", name="Save my choices")).to_be_focused()
    page.keyboard.press("Space")

    page.wait_for_url(f"{live_server.url}/services/")
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)
    expect(page.locator('script[data-tag="analytics"]')).to_have_count(1)
    expect(page.locator('script[data-tag="advertising"]')).to_have_count(0)


def test_cookie_banner_reject_by_keyboard(page, live_server):
    open_page(page, live_server, "/")

    tab_to(page, "reject")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)
    expect(page.locator("script[data-tag]")).to_have_count(0)


def test_sign_in_form_works_by_keyboard_alone(page, live_server):
    UserFactory(email=CUSTOMER_EMAIL)
    open_page(page, live_server, "/accounts/login/")
    page.locator("[data-cookie-banner]").get_by_role("button", name="Reject all", exact=True).click()
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)

    tab_to(page, "login")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(CUSTOMER_EMAIL)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    tab_to(page, "remember")
    page.keyboard.press("Space")
    expect(page.get_by_label("Keep me signed in on this device")).to_be_checked()
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("navigation", name="Your account").get_by_role("link", name="Your account")).to_be_visible()


def test_axe_core_runs_from_the_wheel_without_the_network(page, live_server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # Anything not served by the shop under test would have to come from outside.
    page.route(re.compile(r"^(?!" + re.escape(live_server.url) + r"/)"), lambda route: route.abort())
    open_page(page, live_server, "/")

    results = AXE.run(page, options=AXE_OPTIONS).response

    assert results["testEngine"]["name"] == "axe-core"
    assert AXE.axe_script.startswith(f"/*! axe v{results['testEngine']['version']}")
    assert [url for url in requests if not url.startswith(f"{live_server.url}/")] == []
