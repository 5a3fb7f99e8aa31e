"""The privacy pages a customer and a member of staff see, in Chromium at desktop and phone
widths, on the demo data.

Besides the screenshots in screenshots/walk/ (or $SCREENSHOT_DIR), the walk checks what
a screenshot cannot show: no customer page scrolls sideways on a phone, every form control
has a label, and the cookie banner is a named region whose buttons come in a sensible
keyboard order.
"""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_STAFF_TOTP_SECRET
from accounts.models import User
from kinetogram.demo import demo_seed
from privacy.models import AuditEvent
from privacy.selectors.policy import policy_cache_clear
from privacy.services import policy_version_publish, retention_purge
from shop.demo import DEFAULT_STAFF_EMAIL
from tests.e2e.test_storefront_walk import SHOTS, WIDTHS, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_PASSWORD = "Walk-the-privacy-pages-2026"  # noqa: S105 (a test account's password)
CUSTOMER_EMAIL = "amelia@example.com"

#: Form controls without a label, counting <label for>, wrapping labels, aria-label and
#: aria-labelledby; hidden inputs and buttons name themselves. Django's tabular inlines
#: label their cells only by the column header, which is Django's own markup.
UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(e => !["hidden", "submit", "button", "reset", "image"].includes(e.type))
  .filter(e => !e.closest(".tabular"))
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
  .map(e => e.name || e.id || e.outerHTML.slice(0, 80))"""

FOCUSED = """() => { const e = document.activeElement;
  return e.dataset.cookieAction || e.name || e.getAttribute("aria-label")
    || (e.innerText || "").trim() || e.tagName; }"""


@pytest.fixture(autouse=True)
def walk_setup(settings):
    SHOTS.mkdir(parents=True, exist_ok=True)
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    # A policy version published here is rolled back after the test: no process cache may keep it.
    policy_cache_clear()
    yield
    policy_cache_clear()


def shoot(page, name, *, phone_fits=True):
    """Full-page screenshots at every width; a customer page must not scroll sideways on a phone."""
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        if phone_fits:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{name} scrolls sideways at {width}px ({scroll_width}px wide)"
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})


def visit(page, live_server, path, name, heading, *, phone_fits=True):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, path
    expect(page.get_by_role("heading", level=1).first).to_have_text(heading)
    assert page.evaluate(UNLABELLED_CONTROLS) == [], path
    shoot(page, name, phone_fits=phone_fits)


def test_walk_the_privacy_pages_of_a_customer_and_of_staff(page, live_server):
    demo_seed(images=False, staff_password=STAFF_PASSWORD)
    retention_purge()  # a purge run for the staff pages
    customer = User.objects.get(email=CUSTOMER_EMAIL)
    staff = User.objects.get(email=DEFAULT_STAFF_EMAIL)

    # First visit: the banner is a named region, its buttons in reading order by keyboard.
    page.goto(f"{live_server.url}/")
    banner = page.get_by_role("region", name="Cookies on Kinetogram")
    expect(banner).to_be_visible()
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED))
    assert order[:5] == ["Skip to content", "What each cookie does", "accept", "reject", "choose"], order
    shoot(page, "40-cookie-banner")

    # Choose by keyboard opens the categories and moves focus to the first box.
    page.locator('[data-cookie-action="choose"]').focus()
    page.keyboard.press("Enter")
    expect(banner.get_by_role("checkbox", name="Analytics")).to_be_focused()
    order = [page.evaluate(FOCUSED)]
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED))
    assert order == ["categories", "categories", "categories", "choice", "Kinetogram home"], order
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    shoot(page, "41-cookie-banner-choose")
    banner.get_by_role("button", name="Reject all", exact=True).click()
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)

    # The public privacy pages.
    visit(page, live_server, "/privacy/", "42-privacy-policy", "How we look after your personal data")
    visit(page, live_server, "/privacy/contact/", "43-privacy-contact", "Contact our Data Protection Officer")
    visit(page, live_server, "/privacy/cookies/", "44-cookie-settings", "Cookie settings")

    # A browser refusing every cookie is told why it cannot buy (P32).
    context = page.context.browser.new_context()
    refusing = context.new_page()
    first = refusing.request.get(f"{live_server.url}/checkout/", max_redirects=0)
    context.clear_cookies()
    refusing.goto(f"{live_server.url}{first.headers['location']}")
    expect(refusing.get_by_role("heading", level=1)).to_have_text("Your browser is refusing cookies")
    shoot(refusing, "45-cookies-required")
    context.close()

    # Sign-up: the marketing opt-ins are there and unticked (P05).
    visit(page, live_server, "/accounts/signup/", "46-sign-up", "Create an account")
    for box in page.locator("main input[type=checkbox]").all():
        expect(box).not_to_be_checked()

    # A signed-in customer's preferences and data, with Global Privacy Control on.
    sign_in(page, live_server, customer)
    page.set_extra_http_headers({"Sec-GPC": "1"})
    visit(page, live_server, "/account/preferences/", "47-preferences", "Marketing preferences")
    visit(page, live_server, "/account/your-data/", "48-your-data", "Your data")
    expect(page.locator("main [data-gpc-status]")).to_contain_text("Global Privacy Control honoured")
    page.set_viewport_size({"width": 390, "height": 844})
    withdraw = page.get_by_role("button", name="Withdraw consent to")
    assert withdraw.count() >= 1
    for box in (button.bounding_box() for button in withdraw.all()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, "a Withdraw button is out of sight on a phone"
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})
    page.set_extra_http_headers({})

    # A material policy change asks the customer to review it (P35).
    policy_version_publish(
        version="2099.01",
        effective_date=timezone.localdate() + datetime.timedelta(days=0),
        summary="We now name each marketing partner that sets an affiliate cookie.",
        is_material=True,
        published_by=staff,
    )
    policy_cache_clear()
    visit(page, live_server, "/account/", "49-policy-changed", f"Hello, {customer.get_short_name()}")
    notice = page.get_by_role("region", name="Privacy policy changed")
    expect(notice).to_be_visible()
    expect(page.get_by_role("region", name="Cookies on Kinetogram")).to_be_visible()
    sign_out(page)

    # Staff sign in through allauth, as they would.
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(DEFAULT_STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # AU-07: then the code from the authenticator app the demo staff account has.
    page.locator("input[name=code]").fill(_totp_code(DEMO_STAFF_TOTP_SECRET))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")

    for path, name, heading in [
        ("/admin/privacy/", "50-admin-privacy", "Privacy administration"),
        ("/admin/privacy/auditevent/", "51-admin-audit-log", "Select audit event to view"),
        ("/admin/privacy/restriction/", "52-admin-restrictions", "Select restriction to change"),
        ("/admin/privacy/purgerun/", "53-admin-purge-runs", "Select purge run to view"),
        ("/admin/privacy/purgerun/held/", "54-admin-held", "Held past retention"),
        ("/admin/privacy/processor/record-of-processing/", "55-admin-record", "Record of processing activities"),
        ("/admin/privacy/processor/", "56-admin-processors", "Select processor to change"),
        ("/admin/privacy/disclosure/add/", "57-admin-disclosure-add", "Add disclosure"),
        ("/admin/privacy/policyversion/", "58-admin-policy-versions", "Select policy version to view"),
    ]:
        visit(page, live_server, path, name, heading, phone_fits=False)

    # Opening a customer's personal data is audited (LG-01).
    before = AuditEvent.objects.filter(object_id=str(customer.pk)).count()
    visit(
        page,
        live_server,
        f"/admin/accounts/user/{customer.pk}/change/",
        "59-admin-customer",
        "Change user",
        phone_fits=False,
    )
    assert AuditEvent.objects.filter(object_id=str(customer.pk)).count() == before + 1
    visit(
        page,
        live_server,
        "/admin/privacy/auditevent/",
        "60-admin-audit-log-after",
        "Select audit event to view",
        phone_fits=False,
    )


def _totp_code(secret):
    import time

    return format(hotp_value(secret, int(time.time()) // 30), "06d")
