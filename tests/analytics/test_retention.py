"""P01, P10: page views are kept 13 months, then the scheduled purge deletes them; a restricted
person's are held (P23)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from analytics.models import PageView
from privacy.registry import site
from privacy.services import retention_purge
from tests.accounts.factories import UserFactory
from tests.analytics.factories import PageViewFactory
from tests.privacy.factories import RestrictionFactory

pytestmark = pytest.mark.django_db


def test_p01_page_views_are_declared_for_13_months():
    declaration = site.get(PageView)

    assert (declaration.retention.months, declaration.retention.from_field) == (13, "viewed_at")


def test_p10_the_purge_deletes_page_views_older_than_13_months_and_keeps_the_rest():
    now = timezone.now()
    cutoff = now - relativedelta(months=13)
    old = PageViewFactory(viewed_at=cutoff - datetime.timedelta(days=1), user=UserFactory())
    anonymous_old = PageViewFactory(viewed_at=cutoff - datetime.timedelta(days=1))
    young = PageViewFactory(viewed_at=cutoff + datetime.timedelta(days=1))

    retention_purge(now=now)

    assert list(PageView.objects.values_list("pk", flat=True)) == [young.pk]
    assert not PageView.objects.filter(pk__in=[old.pk, anonymous_old.pk]).exists()


def test_p23_a_restricted_persons_old_page_views_are_held():
    now = timezone.now()
    user = UserFactory()
    RestrictionFactory(user=user, scope="analytics", starts_at=now - datetime.timedelta(days=1))
    held = PageViewFactory(viewed_at=now - relativedelta(months=14), user=user)

    retention_purge(now=now)

    assert PageView.objects.filter(pk=held.pk).exists()
