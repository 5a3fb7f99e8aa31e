"""The privacy pages in a real browser: the policy on a desktop and a phone, the DPO contact,
and the staff's record of processing and audit log."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import ProfileFactory, StaffFactory
from tests.e2e.test_consultation_journey import _shot, _sign_in_as
from tests.privacy.factories import PolicyVersionFactory, ProcessorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _policy_data():
    ProcessorFactory(
        name="Mailgun Technologies", kind="email", categories=["contact", "correspondence"],
        purpose="Sending order confirmations and, with consent, newsletters.", location="EU (Germany)",
    )  # fmt: skip
    PolicyVersionFactory(version="2026.01", summary="The cookie banner now offers Reject all on its first screen.")


def test_policy_page_on_a_desktop_and_a_phone(live_server, page):
    _policy_data()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/privacy/")
    expect(page.get_by_role("heading", name="How we look after your personal data")).to_be_visible()
    expect(page.get_by_role("navigation", name="On this page")).to_be_visible()
    _shot(page, "privacy-policy-desktop")

    page.get_by_role("link", name="Who we share it with").click()
    expect(page.get_by_role("heading", name="Who we share it with")).to_be_in_viewport()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/privacy/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the policy page scrolls sideways on a phone"
    _shot(page, "privacy-policy-phone")


def test_dpo_contact_page(live_server, page):
    page.goto(f"{live_server.url}/privacy/contact/")
    expect(page.get_by_role("heading", name="Contact our Data Protection Officer")).to_be_visible()
    expect(page.get_by_role("link", name="dpo@kinetogramm.com")).to_be_visible()
    _shot(page, "privacy-contact")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shot(page, "privacy-contact-phone")


def test_staff_record_of_processing_and_audit_log(live_server, page):
    _policy_data()
    staff = StaffFactory()
    customer = ProfileFactory(user__full_name="Ada Lovelace").user
    _sign_in_as(page, live_server, staff)
    page.set_viewport_size({"width": 1400, "height": 900})

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Record of processing").click()
    expect(page.get_by_role("heading", name="Record of processing activities")).to_be_visible()
    _shot(page, "admin-record-of-processing")

    page.goto(f"{live_server.url}/admin/accounts/user/{customer.pk}/change/")
    page.get_by_label("Full name").fill("Ada King")
    page.get_by_role("button", name="Save and continue editing").click()
    page.goto(f"{live_server.url}/admin/privacy/auditevent/")
    expect(page.get_by_text(f"staff #{staff.pk}").first).to_be_visible()
    _shot(page, "admin-audit-log")
