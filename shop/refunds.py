"""Refunds of orders: staff's from the admin, and those Stripe reports by webhook.

Both ways end in the same state: one billing.Refund per Stripe refund (its id is unique),
one credit note, one line on the order's timeline, the customer emailed once, and the
order refunded when nothing is left to refund. The order row lock queues the two ways.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction

from billing import services as billing_services
from billing.exceptions import RefundRefused
from billing.models import Refund
from shop import payments
from shop.models import Order, OrderEvent
from shop.services import NotYetKnown, _id, order_set_status

logger = logging.getLogger(__name__)


def _order_note_refund(*, order, refund):
    """Write the refund on the order's timeline; refund the order when nothing is left.
    Runs in the transaction that completed the refund, with the order row locked."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    credit = f", credit note {refund.credit_note.number}" if refund.credit_note_id else ""
    OrderEvent.objects.create(
        order=order, status=order.status, note=f"Refunded £{refund.amount}: {refund.reason}{credit}"[:255]
    )
    if billing_services.refundable_amount(order) == 0 and order.can_move_to(Order.Status.REFUNDED):
        order_set_status(order=order, status=Order.Status.REFUNDED, note="Refunded in full")


def order_refund(*, order, amount: Decimal, reason: str, user) -> Refund:
    """Refund an order fully or in part, as staff asked in the admin.

    Writes the pending Refund first (committed, so the webhook of the refund finds it),
    then calls Stripe with the idempotency key "refund-<id>" and the refund's id in the
    metadata (outside any transaction: a network call), then completes it: the credit
    note, the timeline entry, the order refunded when nothing is left, the customer's
    email after commit. In demo mode no money moves and the refund is recorded as such.
    Raises RefundRefused (over-refund, no reason, a subscription payment Stripe must refund)
    and payments.PaymentError when Stripe refuses; the refund is then failed and stops
    counting against the order.
    """
    gateway = payments.get_gateway()
    if not gateway.is_demo and not order.stripe_payment_intent_id:
        raise RefundRefused(
            "This order was paid through a subscription invoice: refund it in Stripe's dashboard, "
            "and the refund and its credit note are recorded here when Stripe tells us."
        )
    origin = Refund.Origin.DEMO if gateway.is_demo else Refund.Origin.STAFF
    refund = billing_services.refund_open(order=order, amount=amount, reason=reason, user=user, origin=origin)
    stripe_refund_id = None
    if not gateway.is_demo:
        try:
            stripe_refund_id = gateway.create_refund(
                payment_intent_id=order.stripe_payment_intent_id,
                amount=refund.amount,
                idempotency_key=f"refund-{refund.pk}",
                metadata={"order_number": order.number, "refund_id": str(refund.pk)},
            )
        except payments.TransientPaymentError:
            # Stripe may have made it: the refund stays pending, and its webhook (or staff
            # trying again, with the same key) completes it.
            raise
        except payments.PaymentError as exc:
            billing_services.refund_fail(refund=refund, error=f"Refused by the payment provider ({exc})")
            raise
    with transaction.atomic():
        refund, completed_now = billing_services.refund_complete(refund=refund, stripe_refund_id=stripe_refund_id)
        if completed_now:
            _order_note_refund(order=order, refund=refund)
    return refund


def refund_created(refund: dict):
    """Stripe made a refund (refund.created / refund.updated, or one listed on a
    charge.refunded): record it once, whichever way it started.

    Writes what billing.services.refund_record_from_provider writes and, the first time,
    the timeline entry and the order's status. A failed or cancelled refund fails ours.
    Raises NotYetKnown when no order matches yet.
    """
    metadata = refund.get("metadata") or {}
    number = metadata.get("order_number")
    intent = _id(refund.get("payment_intent"))
    order = Order.objects.filter(number=number).first() if number else None
    if order is None and intent:
        order = Order.objects.filter(stripe_payment_intent_id=intent).first()
    if order is None:
        raise NotYetKnown("no order for this refund yet")
    ours = metadata.get("refund_id")
    if refund.get("status") in ("failed", "canceled"):
        found = Refund.objects.filter(stripe_refund_id=refund["id"]).first() or (
            Refund.objects.filter(pk=ours, order=order).first() if ours and str(ours).isdigit() else None
        )
        if found is not None and found.status == Refund.Status.PENDING:
            billing_services.refund_fail(refund=found, error="The payment provider could not make the refund")
        return
    with transaction.atomic():
        record, completed_now = billing_services.refund_record_from_provider(
            order=order,
            stripe_refund_id=refund["id"],
            amount=payments.from_minor_units(refund.get("amount")),
            refund_pk=int(ours) if ours and str(ours).isdigit() else None,
        )
        if completed_now:
            _order_note_refund(order=order, refund=record)


def refunds_of_charge(charge: dict):
    """The refunds a charge.refunded lists (when Stripe includes them), each as refund_created."""
    for refund in (charge.get("refunds") or {}).get("data") or []:
        refund_created(
            {
                **refund,
                "metadata": {**(charge.get("metadata") or {}), **(refund.get("metadata") or {})},
                "payment_intent": refund.get("payment_intent") or charge.get("payment_intent"),
            }
        )
