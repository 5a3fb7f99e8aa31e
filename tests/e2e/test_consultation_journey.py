import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from kinetogram.demo import demo_seed
from shop.demo import DEFAULT_STAFF_EMAIL
from shop.models import ConsultationRequest, Service
from tests.accounts.utils import staff_login

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/shots")  # noqa: S108 (screenshots to look at, nothing secret)


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    # The header is sticky: from the top, a full-page capture shows it where it belongs.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _sign_in_as(page, live_server, user):
    client = Client()
    staff_login(client, user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_p37_visitor_requests_a_consultation_and_staff_sees_it(live_server, page, mailoutbox):
    cache.clear()
    demo_seed(images=False)

    # A visitor sends the form empty, sees the errors, then fills it in.
    page.goto(f"{live_server.url}/consultation/")
    page.get_by_role("button", name="Request my free consultation").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator("#id_name_errors")).to_have_text("Please tell us your name.")
    page.get_by_label("Phone (optional)").fill("not a phone")
    _shot(page, "consultation-errors")

    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email address").fill("grace@example.com")
    page.get_by_label("Phone (optional)").fill("+44 20 7946 0018")
    page.get_by_label("Company (optional)").fill("Compiler Ltd")
    page.get_by_label("How can we help?").fill(
        "We run coding courses and want more sign-ups from our newsletter and LinkedIn."
    )
    _shot(page, "consultation-filled")
    page.get_by_role("button", name="Request my free consultation").click()

    page.wait_for_url(f"{live_server.url}/consultation/thanks/")
    expect(page.get_by_role("heading", name="Thank you, we have your request")).to_be_visible()
    expect(page.get_by_text("We have emailed a confirmation to grace@example.com.")).to_be_visible()
    _shot(page, "consultation-thanks")
    assert [m.to for m in mailoutbox] == [["grace@example.com"]]
    assert ConsultationRequest.objects.filter(email="grace@example.com").count() == 1

    # A member of staff finds the request in the admin.
    _sign_in_as(page, live_server, User.objects.get(email=DEFAULT_STAFF_EMAIL))
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Kinetogram staff")).to_be_visible()
    _shot(page, "admin-index")

    page.goto(f"{live_server.url}/admin/shop/consultationrequest/")
    row = page.locator("#result_list tbody tr", has_text="grace@example.com")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Compiler Ltd")
    expect(row.locator("td.field-status")).to_have_text("New")
    _shot(page, "admin-consultations")

    service = Service.objects.get(slug="social-media-management")
    page.goto(f"{live_server.url}/admin/shop/service/{service.pk}/change/")
    expect(page.locator("input[name='plans-2-price']")).to_have_value("5900.00")
    _shot(page, "admin-service-plans")
