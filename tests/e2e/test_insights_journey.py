"""In real Chromium: an ad tag runs only after advertising consent through the cookie banner,
never under Global Privacy Control, and within the page's CSP (P07, P09, FE-02); staff see
the site insights (P01); a customer sees offers with their reasons (P06)."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from analytics.demo import demo_seed_page_views
from marketing.models import AdTag
from shop.models import Order
from tests.accounts.factories import StaffFactory, UserFactory
from tests.e2e.test_consultation_journey import _sign_in_as
from tests.shop.factories import CategoryFactory, OrderLineFactory, PlanFactory, ServiceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/m_insights")  # noqa: S108 (screenshots to look at, nothing secret)
SNIPPET = '<script data-ad-snippet>document.documentElement.dataset.adTagRan = "yes";</script>'


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def ad_tag(db):
    return AdTag.objects.create(name="Broadcaster", snippet=SNIPPET, placement=AdTag.Placement.BODY_END)


def _banner_button(page, name):
    return page.locator("[data-cookie-banner]").get_by_role("button", name=name, exact=True)


def test_p07_the_ad_tag_runs_only_after_consent_through_the_banner_and_goes_with_it(live_server, page, ad_tag):
    page.goto(f"{live_server.url}/services/")
    expect(page.locator("script[data-ad-snippet]")).to_have_count(0)
    assert page.evaluate("document.documentElement.dataset.adTagRan") is None

    _banner_button(page, "Accept all").click()

    expect(page.locator("script[data-ad-snippet]")).to_have_count(1)
    # It ran: its nonce matched the page's Content Security Policy (page_problems checks no violation).
    assert page.evaluate("document.documentElement.dataset.adTagRan") == "yes"

    page.get_by_role("button", name="Withdraw cookie consent").click()
    expect(page.locator("script[data-ad-snippet]")).to_have_count(0)
    assert page.evaluate("document.documentElement.dataset.adTagRan") is None


def test_p09_under_global_privacy_control_the_ad_tag_never_runs(live_server, page, ad_tag):
    page.set_extra_http_headers({"Sec-GPC": "1"})
    page.goto(f"{live_server.url}/")

    _banner_button(page, "Accept all").click()
    page.goto(f"{live_server.url}/services/")

    expect(page.locator('script[data-tag="analytics"]')).to_have_count(1)
    expect(page.locator("script[data-ad-snippet]")).to_have_count(0)
    assert page.evaluate("document.documentElement.dataset.adTagRan") is None


def test_p01_staff_see_the_site_insights(live_server, page):
    paths = [f"/services/{slug}/" for slug in ("seo-audit", "social-starter", "newsletter-sprint")]
    demo_seed_page_views(users=[UserFactory()], service_paths=paths)
    _sign_in_as(page, live_server, StaffFactory())

    page.goto(f"{live_server.url}/admin/analytics/pageview/")
    page.get_by_role("link", name="Site insights").click()

    expect(page.get_by_role("heading", name="Most visited pages")).to_be_visible()
    expect(page.locator("#top-pages tbody tr")).to_have_count(9)
    expect(page.locator("svg rect.kg-bar-visits")).to_have_count(30)
    _shot(page, "admin-site-insights")


def test_p06_a_customer_sees_recommendations_with_their_reasons(live_server, page):
    social = CategoryFactory(name="Social media")
    starter = ServiceFactory(category=social, name="Social starter", slug="social-starter")
    ServiceFactory(category=social, name="Social growth", slug="social-growth", summary="Three posts a week.")
    ServiceFactory(category=social, name="Paid social ads", slug="social-ads", summary="Campaigns on two networks.")
    customer = UserFactory(full_name="Amelia Hart")
    OrderLineFactory(
        order__user=customer, order__status=Order.Status.PAID, plan=PlanFactory(service=starter, price=Decimal("90"))
    )
    _sign_in_as(page, live_server, customer)

    page.goto(f"{live_server.url}/")
    _banner_button(page, "Reject all").click()
    section = page.locator("[data-recommendations]")
    expect(section.get_by_role("heading", name="Recommended for you")).to_be_visible()
    expect(section.locator(".recommendation")).to_have_count(2)
    expect(section).to_contain_text("Because you bought Social starter")
    _shot(page, "home-recommended-for-you")

    page.goto(f"{live_server.url}/account/")
    expect(page.locator("[data-recommendations] .recommendation")).to_have_count(2)
    _shot(page, "account-recommended-for-you")
