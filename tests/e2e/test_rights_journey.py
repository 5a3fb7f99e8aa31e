"""The rights in the browser (P19-P25): a customer objects to all marketing in one click and
erases their account; a person without an account files a request, confirms it from the
email, and staff fulfil it in the admin."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from privacy.deadlines import due_date
from privacy.models import SubjectRequest
from privacy.selectors import marketing_allowed
from privacy.services import consent_grant
from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory
from tests.e2e.test_consultation_journey import _shot, _sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def _no_cookies_banner(page):
    reject = page.get_by_role("button", name="Reject all")
    if reject.count() and reject.first.is_visible():
        reject.first.click()


def test_p22_p20_a_customer_objects_to_all_marketing_in_one_click_then_erases_their_account(live_server, page):
    customer = UserFactory(email="leaving.journey@example.com", full_name="Lee Leaving")
    consent_grant(purpose="email_marketing", source="account", wording="Yes please", user=customer)
    _sign_in_as(page, live_server, customer)
    page.goto(f"{live_server.url}/account/your-data/")
    _no_cookies_banner(page)
    expect(page.get_by_role("heading", name="Your rights")).to_be_visible()
    _shot(page, "your-data-rights")

    page.get_by_role("button", name="Object to all marketing").click()
    expect(page.get_by_text("no more marketing by email, text or post")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw my objection")).to_be_visible()
    assert not marketing_allowed("email_marketing", user=customer)
    assert not marketing_allowed("postal_marketing", user=customer)

    page.get_by_role("link", name="Erase my account").click()
    # A fresh password first (AU-11): force_login signed in without one.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Confirm|Re-authenticate|Continue", re.I)).click()
    expect(page.get_by_role("heading", name="Erase your account")).to_be_visible()
    expect(page.get_by_role("cell", name="Your account")).to_be_visible()
    _shot(page, "your-data-erase")
    page.get_by_label("I understand: erase my account and my data.").check()
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_role("heading", name="Your account is erased")).to_be_visible()
    _shot(page, "your-data-erased")
    customer.refresh_from_db()
    assert "leaving.journey" not in customer.email and not customer.has_usable_password()
    page.goto(f"{live_server.url}/account/your-data/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_p25_a_person_without_an_account_files_a_request_confirms_it_and_staff_fulfil_it(live_server, page):
    mail.outbox = []
    page.goto(f"{live_server.url}/privacy/request/")
    _no_cookies_banner(page)
    page.get_by_label("Objection: no marketing or profiling").check()
    page.get_by_label("Your email address").fill("no.account@example.com")
    page.get_by_label("Details (optional)").fill("Please stop the leaflets.")
    _shot(page, "privacy-request-form")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    link = re.search(r"https?://\S+/privacy/request/verify/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm my request").click()
    expect(page.get_by_role("heading", name="Thank you: your request is confirmed")).to_be_visible()
    request = SubjectRequest.objects.get()
    expected_due = due_date(timezone.localdate())
    assert request.due_on == expected_due

    _sign_in_as(page, live_server, StaffFactory())
    page.goto(f"{live_server.url}/admin/privacy/subjectrequest/")
    row = page.get_by_role("row", name=re.compile(request.reference))
    expect(row).to_contain_text("no.account@example.com")
    expect(row).to_contain_text(expected_due.strftime("%d %b %Y"))
    _shot(page, "admin-request-queue")
    row.get_by_role("link", name=request.reference).click()
    page.get_by_role("link", name="Fulfil the request now").click()
    page.get_by_role("button", name=re.compile("Fulfil")).click()
    expect(page.get_by_text(f"{request.reference}: completed.")).to_be_visible()
    _shot(page, "admin-request-done")
    assert not marketing_allowed("postal_marketing", email="no.account@example.com")
    assert any("is complete" in m.subject for m in mail.outbox)
