from decimal import Decimal

import pytest

from shop.demo_promotions import DEMO_PROMOTION_CODE, demo_seed_promotions
from shop.models import Order, PromotionCode, PromotionRedemption
from tests.shop.factories import MonthlyPlanFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_the_codes_a_redemption_and_one_scheduled_downgrade_and_can_run_again():
    starter = MonthlyPlanFactory(price=Decimal("49.00"))
    basic = MonthlyPlanFactory(service=starter.service, price=Decimal("19.00"))
    subscription = SubscriptionFactory(plan=starter, order__status=Order.Status.ACTIVE)

    first = demo_seed_promotions(customers=[subscription.user])
    again = demo_seed_promotions(customers=[subscription.user])

    subscription.refresh_from_db()
    assert subscription.scheduled_plan == basic
    redemption = PromotionRedemption.objects.get()
    assert (redemption.order, redemption.discount) == (subscription.order, Decimal("10.00"))
    subscription.order.refresh_from_db()
    assert subscription.order.net_total == Decimal("90.00")
    assert (first["code"], first["scheduled_plan_changes"], again["scheduled_plan_changes"]) == (
        DEMO_PROMOTION_CODE,
        1,
        0,
    )
    assert PromotionCode.objects.get(code=DEMO_PROMOTION_CODE).percent_off == Decimal("20.00")
