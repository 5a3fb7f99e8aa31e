from decimal import Decimal

import pytest

from shop.demo_promotions import DEMO_PROMOTION_CODE, demo_seed_promotions
from shop.models import PromotionCode
from tests.shop.factories import MonthlyPlanFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_one_code_and_one_scheduled_downgrade_and_can_run_again():
    starter = MonthlyPlanFactory(price=Decimal("49.00"))
    basic = MonthlyPlanFactory(service=starter.service, price=Decimal("19.00"))
    subscription = SubscriptionFactory(plan=starter)

    first = demo_seed_promotions()
    again = demo_seed_promotions()

    subscription.refresh_from_db()
    assert subscription.scheduled_plan == basic
    assert (first["code"], first["scheduled_plan_changes"], again["scheduled_plan_changes"]) == (
        DEMO_PROMOTION_CODE,
        1,
        0,
    )
    assert PromotionCode.objects.get().percent_off == Decimal("20.00")
