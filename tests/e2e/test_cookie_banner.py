"""The cookie banner in real Chromium: no banner can cheat (P07, P09, P29, P32)."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

from privacy import cookies
from privacy.models import ConsentEvent
from privacy.selectors.policy import policy_cache_clear

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/shots/cookies")  # noqa: S108 (screenshots to look at, not secrets)
OPTIONAL = {"kg_analytics", "kg_ad", "kg_aff"}
NECESSARY = {c.name for c in cookies.declared_cookies() if c.is_necessary}


@pytest.fixture(autouse=True)
def fresh_policy_cache():
    # Policy versions made here are rolled back after the test: no process cache may keep them.
    policy_cache_clear()


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=False)


def _cookie_names(page):
    return {c["name"] for c in page.context.cookies()}


def _wait_for_cookie(page, name):
    """The tags set their cookie from script; the page's CSP forbids Playwright's in-page polling."""
    deadline = time.monotonic() + 5
    while name not in _cookie_names(page):
        assert time.monotonic() < deadline, f"{name} was never set"
        page.wait_for_timeout(50)


def _banner_button(page, name):
    return page.locator("[data-cookie-banner]").get_by_role("button", name=name, exact=True)


def test_p29_before_any_choice_no_optional_cookie_and_no_tag(live_server, page):
    page.goto(f"{live_server.url}/?aff=partner-1")
    page.goto(f"{live_server.url}/services/")

    expect(page.locator("[data-cookie-banner]")).to_be_visible()
    assert page.locator("script[data-tag]").count() == 0
    assert _cookie_names(page) & OPTIONAL == set()
    assert _cookie_names(page) <= NECESSARY


def test_p29_reject_is_exactly_as_prominent_as_accept_and_choose(live_server, page):
    for width, height, name in [(1280, 800, "banner-desktop"), (390, 844, "banner-phone")]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/")
        buttons = [_banner_button(page, label) for label in ("Accept all", "Reject all", "Choose")]
        for button in buttons:
            expect(button).to_be_visible()
        shapes = [b.evaluate("e => e.tagName") for b in buttons]
        boxes = [b.bounding_box() for b in buttons]
        styles = [
            b.evaluate(
                "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, s.fontSize, s.fontWeight,"
                " s.borderTopWidth, s.borderTopColor, s.paddingTop, s.paddingLeft, s.borderRadius]; }"
            )
            for b in buttons
        ]
        assert shapes == ["BUTTON"] * 3
        assert len({(round(box["width"]), round(box["height"])) for box in boxes}) == 1, boxes
        assert styles[0] == styles[1] == styles[2]
        _shot(page, name)


def test_p29_choose_reveals_categories_none_ticked(live_server, page):
    page.goto(f"{live_server.url}/")
    _banner_button(page, "Choose").click()

    boxes = page.locator("[data-cookie-banner] input[type=checkbox]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        expect(boxes.nth(i)).to_be_visible()
        expect(boxes.nth(i)).not_to_be_checked()
    _shot(page, "banner-choose")

    page.get_by_label("Analytics").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)
    expect(page.locator('script[data-tag="analytics"]')).to_have_count(1)
    expect(page.locator('script[data-tag="advertising"]')).to_have_count(0)
    _wait_for_cookie(page, "kg_analytics")
    assert _cookie_names(page) & OPTIONAL == {"kg_analytics"}


def test_p29_choose_works_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/services/")
    _banner_button(page, "Choose").click()

    expect(page).to_have_url(re.compile(r".*/privacy/cookies/\??$"))
    page.get_by_label("Affiliate").check()
    page.get_by_role("button", name="Save my choices").click()

    expect(page).to_have_url(f"{live_server.url}/services/")  # back where the visitor chose
    expect(page.locator("[data-cookie-banner]")).to_have_count(0)
    page.goto(f"{live_server.url}/privacy/cookies/")
    expect(page.locator("[data-cookie-state]")).to_contain_text("affiliate")
    page.goto(f"{live_server.url}/?aff=partner-9")
    assert {c["name"]: c["value"] for c in context.cookies()}["kg_aff"] == "partner-9"
    context.close()


def test_p07_withdrawing_takes_no_more_clicks_than_giving(live_server, page):
    page.goto(f"{live_server.url}/services/")
    clicks_to_give = 0
    _banner_button(page, "Accept all").click()
    clicks_to_give += 1
    expect(page).to_have_url(f"{live_server.url}/services/")
    expect(page.locator('script[data-tag="advertising"]')).to_have_count(1)
    _wait_for_cookie(page, "kg_ad")

    clicks_to_withdraw = 0
    page.get_by_role("button", name="Withdraw cookie consent").click()
    clicks_to_withdraw += 1

    expect(page).to_have_url(f"{live_server.url}/services/")
    expect(page.locator("script[data-tag]")).to_have_count(0)
    assert _cookie_names(page) & OPTIONAL == set()
    assert clicks_to_withdraw <= clicks_to_give
    purposes = ConsentEvent.objects.filter(action="withdrawn").values_list("purpose", flat=True)
    assert sorted(purposes) == ["advertising_cookies", "affiliate_cookies", "analytics_cookies"]


def test_p09_gpc_is_honoured_in_the_browser(live_server, page):
    page.set_extra_http_headers({"Sec-GPC": "1"})
    page.goto(f"{live_server.url}/?aff=partner-1")
    expect(page.locator("[data-cookie-banner] [data-gpc-status]")).to_contain_text("Global Privacy Control honoured")

    _banner_button(page, "Accept all").click()
    page.goto(f"{live_server.url}/?aff=partner-1")

    expect(page.locator('script[data-tag="analytics"]')).to_have_count(1)
    expect(page.locator('script[data-tag="advertising"]')).to_have_count(0)
    _wait_for_cookie(page, "kg_analytics")
    assert _cookie_names(page) & OPTIONAL == {"kg_analytics"}
    assert set(ConsentEvent.objects.filter(source="gpc").values_list("purpose", flat=True)) == {
        "advertising_cookies",
        "affiliate_cookies",
    }


def test_p31_cookie_settings_page_lists_every_cookie(live_server, page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Cookie settings").click()

    expect(page.get_by_role("heading", name="Cookie settings", exact=True)).to_be_visible()
    rows = page.locator("table.cookie-table tbody tr")
    expect(rows).to_have_count(len(cookies.declared_cookies()))
    boxes = page.locator(".cookie-categories input[type=checkbox]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=f"{SHOTS}/cookie-settings.png", full_page=True)


def test_p32_a_browser_refusing_all_cookies_is_told_why(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    first = page.request.get(f"{live_server.url}/checkout/", max_redirects=0)
    assert first.status == 302
    # A browser refusing cookies comes back from the redirect without the cookie it was given.
    context.clear_cookies()
    page.goto(f"{live_server.url}{first.headers['location']}")

    expect(page.get_by_role("heading", name="Your browser is refusing cookies")).to_be_visible()
    expect(page.get_by_text("allow cookies for this site", exact=False)).to_be_visible()
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/cookies-required.png", full_page=True)
    context.close()
