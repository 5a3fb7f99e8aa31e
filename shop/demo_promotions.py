"""Demo data for promotion codes and plan changes; seed_demo calls demo_seed_promotions()."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shop.models import Plan, PromotionCode, Subscription

DEMO_PROMOTION_CODE = "WELCOME20"


@transaction.atomic
def demo_seed_promotions(*, now=None) -> dict:
    """One promotion code (20% off a first order, 100 uses, for 90 days) and, where a demo
    customer's monthly plan has a cheaper sibling, a downgrade scheduled for its renewal.
    Safe to run again: the code is found by name and an existing schedule is kept.
    Returns what was made, for the seed summary."""
    now = now or timezone.now()
    promotion, _ = PromotionCode.objects.get_or_create(
        code=DEMO_PROMOTION_CODE,
        defaults={
            "description": "Demo: 20% off a first order",
            "kind": PromotionCode.Kind.PERCENT,
            "percent_off": Decimal("20"),
            "first_order_only": True,
            "once_per_customer": True,
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=90),
            "max_redemptions": 100,
        },
    )
    scheduled = 0
    if not Subscription.objects.exclude(scheduled_plan=None).exists():
        for subscription in Subscription.objects.filter(
            status=Subscription.Status.ACTIVE, cancel_at_period_end=False, billing=Plan.Billing.MONTHLY
        ).select_related("plan")[:20]:
            if subscription.plan is None:
                continue
            cheaper = (
                Plan.objects.active()
                .filter(service_id=subscription.plan.service_id, billing=Plan.Billing.MONTHLY)
                .filter(price__lt=subscription.unit_price)
                .order_by("-price")
                .first()
            )
            if cheaper is not None:
                Subscription.objects.filter(pk=subscription.pk).update(scheduled_plan=cheaper)
                scheduled = 1
                break
    return {
        "promotion_codes": PromotionCode.objects.count(),
        "scheduled_plan_changes": scheduled,
        "code": promotion.code,
    }
