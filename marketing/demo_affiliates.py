"""A demo affiliate partner with referred orders (P29), for the embedded run's commission
report. Called by the project's ``seed_demo``; idempotent (the partner is matched on its
code, a referral on its order)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from marketing.models import AffiliatePartner, AffiliateReferral
from marketing.services.affiliates import commission_on
from shop.models import Order

DEMO_PARTNER_CODE = "northwind"


@transaction.atomic
def demo_seed_affiliates(*, users=None) -> AffiliatePartner:
    """The partner "Northwind Digital" (10 %) credited with the earliest paid order of each
    of ``users`` (default: every customer with a paid order), as if each had followed its
    link with affiliate cookies allowed. Returns the partner."""
    partner, _ = AffiliatePartner.objects.get_or_create(
        code=DEMO_PARTNER_CODE, defaults={"name": "Northwind Digital", "commission_rate": Decimal("0.1000")}
    )
    orders = Order.objects.bought().exclude(user=None).order_by("user_id", "created_at", "pk")
    if users is not None:
        orders = orders.filter(user__in=list(users))
    first_orders = {}
    for order in orders:
        first_orders.setdefault(order.user_id, order)
    credited = set(AffiliateReferral.objects.filter(order__in=first_orders.values()).values_list("order_id", flat=True))
    AffiliateReferral.objects.bulk_create(
        AffiliateReferral(
            order=order,
            partner=partner,
            code=partner.code,
            commission_rate=partner.commission_rate,
            commission=commission_on(order.total, partner.commission_rate),
        )
        for order in first_orders.values()
        if order.pk not in credited
    )
    return partner
