"""A clerk without the unmask permission sees a customer masked, unmasks, sees the values (P15)."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from privacy.models import AuditEvent
from tests.accounts.factories import AddressFactory, ProfileFactory, UserFactory
from tests.e2e.test_consultation_journey import _shot, _sign_in_as


@pytest.mark.django_db(transaction=True)
def test_p15_clerk_sees_the_customer_masked_and_unmasks_with_an_audit_row(live_server, page):
    customer = UserFactory(email="masked@example.com")
    ProfileFactory(user=customer, phone="+44 7700 900123")
    AddressFactory(user=customer, line1="12 Market Street", postcode="EC1A 1BB")
    clerk = UserFactory(is_staff=True)
    for codename in ("view_user", "view_profile", "view_address"):
        clerk.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename=codename))
    _sign_in_as(page, live_server, clerk)

    page.goto(f"{live_server.url}/admin/accounts/user/{customer.pk}/change/")
    expect(page.get_by_text("+44 77•• ••••23")).to_be_visible()
    expect(page.get_by_text("12 Market Street")).to_have_count(0)
    _shot(page, "admin-customer-masked")

    page.get_by_role("button", name="Unmask personal data").click()
    expect(page.get_by_text("+44 7700 900123")).to_be_visible()
    expect(page.get_by_text("12 Market Street", exact=True)).to_be_visible()
    _shot(page, "admin-customer-unmasked")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK, object_id=str(customer.pk)).count() == 1
