"""Demo data for promotion codes and plan changes; seed_demo calls demo_seed_promotions()."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing import vat
from billing.services import order_vat_decision
from shop.models import Order, Plan, PromotionCode, PromotionRedemption, Subscription

DEMO_PROMOTION_CODE = "WELCOME20"
#: A past launch offer each demo customer used on their first order, so every customer has a
#: redemption to see in their data export.
DEMO_USED_CODE = "LAUNCH10"
DEMO_USED_DISCOUNT = Decimal("10.00")


@transaction.atomic
def demo_seed_promotions(*, customers=(), now=None) -> dict:
    """One promotion code (20% off a first order, 100 uses, for 90 days); a past £10 code
    each of `customers` used on their first paid order (the order's total is net of it);
    and, where a demo customer's monthly plan has a cheaper sibling, a downgrade scheduled
    for its renewal. Safe to run again: codes are found by name, a customer with a
    redemption gets no other, and an existing schedule is kept. Returns what was made."""
    now = now or timezone.now()
    used, _ = PromotionCode.objects.get_or_create(
        code=DEMO_USED_CODE,
        defaults={
            "description": "Demo: launch offer, now over",
            "kind": PromotionCode.Kind.AMOUNT,
            "amount_off": DEMO_USED_DISCOUNT,
            "starts_at": now - timedelta(days=3 * 365),
            "ends_at": now - timedelta(days=30),
        },
    )
    for customer in customers:
        if PromotionRedemption.objects.filter(user=customer).exists():
            continue
        order = (
            Order.objects.filter(user=customer, total__gte=DEMO_USED_DISCOUNT)
            .exclude(status__in=[Order.Status.PENDING, Order.Status.CANCELLED])
            .order_by("created_at", "pk")
            .first()
        )
        if order is None or hasattr(order, "promotion_redemption"):
            continue
        nets = list(order.lines.values_list("line_total", flat=True)) or [order.net_total or order.total]
        PromotionRedemption.objects.create(
            promotion=used,
            order=order,
            user=customer,
            email=order.email,
            subtotal=sum(nets, Decimal("0.00")),
            discount=DEMO_USED_DISCOUNT,
            created_at=order.created_at,
        )
        # As order_place does: the discount is a negative line, VAT is due on the net after it.
        figures = vat.figures(nets=[*nets, -DEMO_USED_DISCOUNT], decision=order_vat_decision(order))
        Order.objects.filter(pk=order.pk).update(total=figures.gross, net_total=figures.net, vat_total=figures.vat)
        PromotionCode.objects.filter(pk=used.pk).update(times_redeemed=F("times_redeemed") + 1)
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
