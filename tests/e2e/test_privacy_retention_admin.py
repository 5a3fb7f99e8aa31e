"""The retention pages staff use: restrictions, purge runs and the held report (P10, P23)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from privacy.services import retention_purge
from shop.models import Review
from tests.accounts.factories import StaffFactory, UserFactory
from tests.e2e.test_consultation_journey import _shot, _sign_in_as
from tests.privacy.factories import RestrictionFactory
from tests.shop.factories import ReviewFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_p23_staff_find_the_held_report_from_the_privacy_admin(live_server, page):
    restricted = UserFactory(email="held@example.com")
    review = ReviewFactory(user=restricted)
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - relativedelta(years=4))
    RestrictionFactory(user=restricted, scope="all", review_on=datetime.date(2099, 5, 1))
    retention_purge()
    _sign_in_as(page, live_server, StaffFactory())

    page.goto(f"{live_server.url}/admin/privacy/")
    page.get_by_role("link", name="Held past retention").click()
    expect(page.get_by_role("cell", name="held@example.com")).to_be_visible()
    expect(page.get_by_role("cell", name="1 May 2099")).to_be_visible()
    _shot(page, "admin-held-report")

    page.goto(f"{live_server.url}/admin/privacy/purgerun/")
    expect(page.get_by_text("shop.Review: deleted 0, held 1")).to_be_visible()
    _shot(page, "admin-purge-runs")
    page.goto(f"{live_server.url}/admin/privacy/restriction/?active=yes")
    _shot(page, "admin-restrictions")
