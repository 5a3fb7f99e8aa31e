"""Demo builders of billing: VAT invoices for every paid demo order and subscription period,
refunds with their credit notes, and an overseas business customer.

Called from the project's seed_demo (through shop.demo) with the orders it made; running it
again creates nothing twice (documents are issued once per source, refunds once per order).
"""

import datetime
from decimal import Decimal

from billing import services, vat

#: The overseas business among the demo customers: a French company with a valid VAT
#: number pays no UK VAT (reverse charge).
DEMO_VAT_NUMBERS = {"chloe@example.com": "FR40303265045"}
DEMO_PURCHASE_ORDERS = {"ben@example.com": "PO-2291"}
DEMO_GOODWILL = Decimal("10.00")


def demo_order_vat(*, email: str, country: str, nets, day: datetime.date):
    """(VAT number, figures) of a demo order, computed as the checkout does (billing.vat)."""
    vat_number = DEMO_VAT_NUMBERS.get(email, "")
    decision = vat.vat_decision(country=country, vat_number=vat_number, day=day)
    return vat.vat_number_clean(vat_number, country=country), vat.figures(nets=nets, decision=decision)


def demo_seed_billing(*, orders, now: datetime.datetime):
    """Issue the VAT invoices of every paid demo order (one per subscription period for
    plans), and give each customer a refund with its credit note: the whole of a refunded
    order, otherwise a goodwill £10 on their first delivered order.

    Writes: TaxInvoice and lines, Refund rows (origin demo; no email is sent).
    """
    refunded = set()
    for order in sorted(orders, key=lambda o: (o.paid_at or now, o.pk)):
        if order.paid_at is None:
            continue
        if order.mode == "payment":
            services.invoice_issue_for_order(order=order, issued_at=order.paid_at)
            continue
        invoices = [
            invoice
            for subscription in order.subscriptions.all()
            for invoice in subscription.invoices.filter(status="paid").order_by("created_at", "pk")
        ]
        for position, invoice in enumerate(sorted(invoices, key=lambda i: (i.created_at, i.pk))):
            services.invoice_issue_for_period(
                order=order, subscription_invoice=invoice, first=position == 0, issued_at=invoice.created_at
            )
    for order in sorted(orders, key=lambda o: (o.created_at, o.pk)):
        if order.user_id in refunded or order.refunds.exists():
            refunded.add(order.user_id)
            continue
        if order.mode != "payment" or order.status not in ("refunded", "delivered"):
            continue
        full = order.status == "refunded"
        amount = services.refundable_amount(order) if full else DEMO_GOODWILL
        reason = "Order cancelled before work started" if full else "Goodwill credit for a late delivery"
        refund = services.refund_open(order=order, amount=amount, reason=reason, origin="demo")
        services.refund_complete(refund=refund, notify=False)
        refunded.add(order.user_id)
