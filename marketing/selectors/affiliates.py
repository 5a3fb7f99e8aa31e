"""What partners have earned (P29), for the staff commission report."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from marketing.models import AffiliateReferral
from shop.models import Order


def commissions_by_month(*, partner=None) -> QuerySet:
    """Commission due per partner per month: referred orders that were paid (not refunded or
    cancelled), by the month they were paid, newest month first. Each row has ``month``,
    ``partner_id``, ``partner__code``, ``partner__name``, ``orders``, ``sales`` and
    ``commission``. One query."""
    referrals = AffiliateReferral.objects.filter(order__in=Order.objects.bought(), order__paid_at__isnull=False)
    if partner is not None:
        referrals = referrals.filter(partner=partner)
    return (
        referrals.annotate(month=TruncMonth("order__paid_at"))
        .values("month", "partner_id", "partner__code", "partner__name")
        .annotate(orders=Count("id"), sales=Sum("order__net_total"), commission=Sum("commission"))
        .order_by("-month", "partner__name", "partner_id")
    )
