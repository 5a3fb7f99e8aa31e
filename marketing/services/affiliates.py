"""Affiliate referrals (P29): crediting the partner whose link brought an order."""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db import DatabaseError, transaction

from marketing.models import AffiliatePartner, AffiliateReferral

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def commission_on(total: Decimal, rate: Decimal) -> Decimal:
    """The commission on an order ``total`` at ``rate``, rounded half up to the penny."""
    return (total * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def affiliate_referral_record(*, order, code: str) -> AffiliateReferral | None:
    """Credit the active partner with ``code`` for ``order``: one AffiliateReferral with the
    partner's current rate and the commission on the order's net total (before VAT), rounded half up to the
    penny. Called with the visitor's affiliate consent already checked (the caller passes ""
    without it). Returns None, writing nothing, for no code, an unknown or inactive partner,
    or an order already credited.

    Runs in a savepoint of the caller's transaction (the order's): a failure here is logged
    and leaves the order as it is; a referral is never worth a lost sale.
    """
    if not code:
        return None
    partner = AffiliatePartner.objects.filter(code=code, is_active=True).first()
    if partner is None:
        return None
    commission = commission_on(order.net_total, partner.commission_rate)  # on the sale, not the VAT
    try:
        with transaction.atomic():
            referral, _ = AffiliateReferral.objects.get_or_create(
                order=order,
                defaults={
                    "partner": partner,
                    "code": code,
                    "commission_rate": partner.commission_rate,
                    "commission": commission,
                },
            )
    except DatabaseError:
        logger.exception("Could not record the referral of order %s by partner %s", order.pk, partner.pk)
        return None
    return referral
