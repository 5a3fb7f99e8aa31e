import pytest
from playwright.sync_api import expect

from tests.accounts.factories import AddressFactory, ProfileFactory, StaffFactory
from tests.e2e.test_consultation_journey import _shot, _sign_in_as

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.kinetogram.error_urls")]


def test_error_pages_render_in_the_browser(live_server, page):
    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.get_by_role("heading", name="We could not find that page")).to_be_visible()
    _shot(page, "error-404")

    response = page.goto(f"{live_server.url}/test-errors/boom/")
    assert response.status == 500
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    _shot(page, "error-500")


def test_consultation_form_on_a_phone(live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/consultation/")
    page.get_by_role("button", name="Request my free consultation").click()
    expect(page.locator(".form-errors")).to_be_visible()
    _shot(page, "consultation-phone")


def test_user_change_page_with_profile_and_addresses(live_server, page):
    profile = ProfileFactory(user__full_name="Ada Lovelace", user__email="ada@example.com")
    AddressFactory(user=profile.user, is_default=True)
    AddressFactory(user=profile.user, kind="delivery", is_default=True)
    _sign_in_as(page, live_server, StaffFactory())
    page.goto(f"{live_server.url}/admin/accounts/user/{profile.user.pk}/change/")
    expect(page.get_by_role("heading", name="ada@example.com", exact=True)).to_be_visible()
    _shot(page, "admin-user-change")
    page.goto(f"{live_server.url}/admin/accounts/user/add/")
    _shot(page, "admin-user-add")


def test_p37_rate_limited_visitor_sees_the_friendly_429_page(live_server, page, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SHOP_CONSULTATION_RATE_LIMIT = (0, 60)
    page.goto(f"{live_server.url}/consultation/")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email address").fill("grace@example.com")
    page.get_by_label("How can we help?").fill("We would like help with our newsletter sign-ups.")
    page.get_by_role("button", name="Request my free consultation").click()

    expect(page.get_by_role("heading", name="Please slow down a little")).to_be_visible()
    expect(page.get_by_text("Please try again in an hour.", exact=False)).to_be_visible()
    _shot(page, "consultation-429")
