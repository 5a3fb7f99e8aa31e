"""P10: one rule says which inactive accounts the purge closes, for the account and the rows
that go with it; a subscription still running (a trial included) keeps the account open."""

import pytest
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Address, Profile, User
from accounts.personal_data import RUNNING_SUBSCRIPTIONS, WITH_THE_ACCOUNT, account_closable
from privacy.registry import site
from privacy.services import retention as retention_module
from privacy.services import retention_purge
from shop.models import Subscription
from tests.accounts.factories import AddressFactory, ProfileFactory, StaffFactory, UserFactory
from tests.shop.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

FOUR_YEARS_AGO = timezone.now() - relativedelta(years=4)


@pytest.fixture(autouse=True)
def _no_purge_lock_left():
    cache.delete(retention_module.CACHE_LOCK)


def test_p10_the_account_and_the_rows_that_go_with_it_follow_one_closing_rule():
    for declaration in site.declarations():
        retention = declaration.retention
        if declaration.model is User:
            assert retention.condition == account_closable()
        elif retention is not None and retention.from_field == "user__last_login":
            assert retention == WITH_THE_ACCOUNT, declaration.label
            assert retention.condition == account_closable("user")


def test_p10_a_running_subscription_is_what_the_shop_calls_live():
    people = {status: UserFactory() for status in Subscription.Status.values}
    for status, person in people.items():
        SubscriptionFactory(user=person, status=status)

    live = set(Subscription.objects.live().values_list("status", flat=True))
    closable = set(User.objects.filter(account_closable(), pk__in=[p.pk for p in people.values()]))

    assert live == set(RUNNING_SUBSCRIPTIONS)
    assert closable == {person for status, person in people.items() if status not in live}


@pytest.mark.parametrize("status", ["active", "trialing", "past_due"])
def test_p10_an_inactive_account_with_a_running_subscription_keeps_its_account_and_its_rows(status):
    # given a customer who last signed in four years ago, with a subscription still running
    subscriber = UserFactory(email="subscriber@example.com", last_login=FOUR_YEARS_AGO)
    SubscriptionFactory(user=subscriber, status=status)
    ProfileFactory(user=subscriber)
    AddressFactory(user=subscriber)

    # when
    retention_purge()

    # then
    subscriber.refresh_from_db()
    assert subscriber.email == "subscriber@example.com"
    assert Profile.objects.filter(user=subscriber).count() == 1
    assert Address.objects.filter(user=subscriber).count() == 1


@pytest.mark.parametrize("status", ["canceled", "incomplete"])
def test_p10_an_inactive_account_whose_subscriptions_ended_is_closed_with_its_rows(status):
    sleeper = UserFactory(last_login=FOUR_YEARS_AGO)
    SubscriptionFactory(user=sleeper, status=status)
    AddressFactory(user=sleeper)

    retention_purge()

    sleeper.refresh_from_db()
    assert sleeper.email == f"erased-{sleeper.pk}@erased.invalid"
    assert Address.objects.filter(user=sleeper).count() == 0


def test_p10_staff_accounts_are_never_closed_by_the_purge():
    staff = StaffFactory(last_login=FOUR_YEARS_AGO)
    AddressFactory(user=staff)

    retention_purge()

    staff.refresh_from_db()
    assert not staff.email.endswith("erased.invalid")
    assert Address.objects.filter(user=staff).count() == 1
