"""Writes of billing: issuing VAT invoices and credit notes, recording refunds.

The order objects come from shop, which calls these services; billing reads their fields
and never imports shop. Every document takes its number from a counter row locked in the
same transaction, so numbers run without gap or duplicate.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from billing import conf, vat
from billing.exceptions import RefundRefused
from billing.models import DocumentSequence, ProviderTaxRate, Refund, TaxInvoice, TaxInvoiceLine
from privacy import mail

logger = logging.getLogger(__name__)

INVOICE_SEQUENCE = "invoice"
CREDIT_NOTE_SEQUENCE = "credit_note"
ONE_OFF = "one_off"
BILLING_LABELS = {"one_off": "one-off", "month": "monthly", "year": "yearly"}


@dataclasses.dataclass(frozen=True)
class LineSpec:
    """One line to invoice: what, how many, unit price excluding VAT."""

    description: str
    quantity: int
    unit_price: Decimal

    @property
    def net(self) -> Decimal:
        return vat.money(self.unit_price * self.quantity)


def _lock_sequence(key: str) -> DocumentSequence:
    """Lock a sequence's counter row. Must run inside the transaction that writes the
    document: the lock queues concurrent issuers until it commits."""
    return DocumentSequence.objects.select_for_update().get(key=key)


def _take_number(sequence: DocumentSequence) -> str:
    """The next number of a locked sequence; a rollback of the transaction gives it back."""
    sequence.last_number = F("last_number") + 1
    sequence.save(update_fields=["last_number"])
    sequence.refresh_from_db(fields=["last_number"])
    return f"{sequence.prefix}{sequence.last_number:06d}"


def _seller_snapshot():
    seller = conf.seller()
    return {
        "seller_name": seller["name"],
        "seller_address": seller["address"],
        "seller_vat_number": seller["vat_number"],
    }


def _customer_snapshot(order):
    address = "\n".join(
        part
        for part in (
            order.billing_line1,
            order.billing_line2,
            f"{order.billing_postcode} {order.billing_city}".strip(),
            order.billing_country,
        )
        if part
    )
    return {
        "customer_name": order.billing_name,
        "customer_company": order.billing_company,
        "customer_address": address,
        "customer_country": order.billing_country,
        "customer_vat_number": getattr(order, "vat_number", ""),
        "customer_email": getattr(order, "invoice_email", "") or order.email,
        "purchase_order": getattr(order, "purchase_order", ""),
    }


def order_vat_decision(order, *, day: datetime.date | None = None) -> vat.VatDecision:
    """The VAT an order's sale bears on `day`: the treatment recorded on the order, at the
    rate in force that day (a renewal after a change of rate bears the new rate)."""
    treatment = getattr(order, "vat_treatment", "")
    if treatment == vat.Treatment.REVERSE_CHARGE:
        return vat.VatDecision(rate=Decimal("0"), treatment=treatment)
    if treatment == vat.Treatment.STANDARD and day is None:
        return vat.VatDecision(rate=order.vat_rate, treatment=treatment)
    return vat.VatDecision(rate=vat.rate_on(day), treatment=vat.Treatment.STANDARD)


def order_line_specs(order, *, recurring_only=False) -> list[LineSpec]:
    """The order's lines as invoice lines, a set-up fee or one-off service each its own."""
    specs = []
    for line in order.lines.order_by("pk"):
        if recurring_only and line.billing == ONE_OFF:
            continue
        label = BILLING_LABELS.get(line.billing, line.billing)
        specs.append(
            LineSpec(
                description=f"{line.service_name} — {line.plan_name} ({label})",
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
        )
    discount = _order_discount(order)
    if discount is not None and not recurring_only:
        code, amount = discount
        specs.append(LineSpec(description=f"Discount: promotion code {code}", quantity=1, unit_price=-amount))
    if not specs:
        # An order recorded without lines (before line snapshots existed): one line for it.
        net = order.net_total or order.total
        specs.append(LineSpec(description=f"Order {order.number}", quantity=1, unit_price=net))
    return specs


def _order_discount(order) -> tuple[str, Decimal] | None:
    """(code, amount) of the promotion code the order was placed with, if any: the shop
    records it as the order's ``promotion_redemption``."""
    try:
        redemption = order.promotion_redemption
    except ObjectDoesNotExist:
        return None
    if redemption is None or not redemption.discount:
        return None
    return redemption.promotion.code, redemption.discount


@transaction.atomic
def invoice_issue(
    *,
    order,
    source_key: str,
    lines: list[LineSpec],
    decision: vat.VatDecision,
    supply_date: datetime.date,
    period: tuple[datetime.date, datetime.date] | None = None,
    subscription_invoice=None,
    provider_figures: tuple[Decimal, Decimal] | None = None,
    issued_at: datetime.datetime | None = None,
) -> tuple[TaxInvoice, bool]:
    """Issue a full VAT invoice once per `source_key`; return (invoice, created).

    Writes: the invoice sequence's next number, one TaxInvoice and its lines, with the VAT
    computed once on the net total (billing.vat). `provider_figures` (VAT, gross) is what
    the payment provider charged: when it differs from ours by a penny or more the
    invoice is flagged and an error logged, for staff to correct with a credit note.
    Raises ValueError for an invoice without lines.
    """
    if not lines:
        raise ValueError("an invoice needs at least one line")
    # The sequence lock comes first: it also queues two issuers of the same source_key,
    # so the second finds the first's invoice here instead of meeting the unique index.
    sequence = _lock_sequence(INVOICE_SEQUENCE)
    existing = TaxInvoice.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    number = _take_number(sequence)
    sums = vat.figures(nets=[line.net for line in lines], decision=decision)
    agree = None
    provider_vat = provider_gross = None
    if provider_figures is not None:
        provider_vat, provider_gross = provider_figures
        agree = provider_vat == sums.vat and provider_gross == sums.gross
    invoice = TaxInvoice.objects.create(
        kind=TaxInvoice.Kind.INVOICE,
        number=number,
        source_key=source_key,
        order=order,
        subscription_invoice=subscription_invoice,
        issued_at=issued_at or timezone.now(),
        supply_date=supply_date,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        currency=order.currency,
        vat_rate=decision.rate,
        vat_treatment=decision.treatment,
        net_total=sums.net,
        vat_total=sums.vat,
        gross_total=sums.gross,
        note=decision.note,
        provider_vat=provider_vat,
        provider_gross=provider_gross,
        provider_figures_agree=agree,
        **_seller_snapshot(),
        **_customer_snapshot(order),
    )
    TaxInvoiceLine.objects.bulk_create(
        TaxInvoiceLine(
            document=invoice,
            position=index,
            description=spec.description[:255],
            quantity=spec.quantity,
            unit_price=spec.unit_price,
            vat_rate=decision.rate,
            net_amount=part.net,
            vat_amount=part.vat,
        )
        for index, (spec, part) in enumerate(zip(lines, sums.lines, strict=True), start=1)
    )
    if agree is False:
        logger.error(
            "Invoice %s: the payment provider charged VAT %s, gross %s; ours is VAT %s, gross %s",
            invoice.number,
            provider_vat,
            provider_gross,
            sums.vat,
            sums.gross,
        )
    return invoice, True


def invoice_issue_for_order(*, order, provider_figures=None, issued_at=None) -> tuple[TaxInvoice, bool]:
    """The VAT invoice of a paid one-off order: every line, at the order's VAT.

    Writes what invoice_issue writes, once per order.
    """
    paid = order.paid_at or timezone.now()
    return invoice_issue(
        order=order,
        source_key=f"order:{order.number}",
        lines=order_line_specs(order),
        decision=order_vat_decision(order),
        supply_date=timezone.localdate(paid),
        provider_figures=provider_figures,
        issued_at=issued_at,
    )


def invoice_issue_for_period(
    *, order, subscription_invoice, first: bool | None = None, provider_figures=None, issued_at=None
) -> tuple[TaxInvoice, bool]:
    """The VAT invoice of one paid subscription period (a shop.Invoice).

    The plan's first invoice itemises every line of the order (set-up fees and one-off
    services are charged with it); a renewal invoices the recurring lines at the rate in
    force on its date. `first` None: first when the order has no period invoice yet.
    Writes what invoice_issue writes, once per subscription invoice.
    """
    if first is None:
        first = not order.tax_documents.filter(
            kind=TaxInvoice.Kind.INVOICE, subscription_invoice__isnull=False
        ).exists()
    supply = timezone.localdate(subscription_invoice.created_at)
    start = subscription_invoice.period_start or subscription_invoice.created_at
    end = subscription_invoice.period_end
    period = (timezone.localdate(start), timezone.localdate(end)) if start and end else None
    return invoice_issue(
        order=order,
        source_key=f"period:{subscription_invoice.stripe_invoice_id}",
        lines=order_line_specs(order, recurring_only=not first),
        decision=order_vat_decision(order) if first else order_vat_decision(order, day=supply),
        supply_date=supply,
        period=period,
        subscription_invoice=subscription_invoice,
        provider_figures=provider_figures,
        issued_at=issued_at,
    )


# --- credit notes -------------------------------------------------------------------------
def credited_so_far(invoice: TaxInvoice) -> tuple[Decimal, Decimal]:
    """(gross, VAT) already credited against `invoice`, as positive amounts."""
    sums = invoice.credit_notes.aggregate(gross=Sum("gross_total"), vat=Sum("vat_total"))
    return -vat.money(sums["gross"] or vat.ZERO), -vat.money(sums["vat"] or vat.ZERO)


@transaction.atomic
def credit_note_issue(*, invoice: TaxInvoice, gross: Decimal, reason: str, source_key: str) -> TaxInvoice:
    """Issue a credit note for `gross` (VAT included) against `invoice`.

    The credit's VAT is the invoice's share for that amount; the last credit that brings
    the invoice to zero takes exactly what is left, so the credits never undo more VAT than
    was charged. A full credit repeats the invoice's lines negated; a partial one is one
    negative line. Writes: the credit note sequence's next number, one TaxInvoice (kind
    credit note) and its lines. Raises RefundRefused when `gross` is more than is left to
    credit. Idempotent per `source_key`.
    """
    sequence = _lock_sequence(CREDIT_NOTE_SEQUENCE)
    existing = TaxInvoice.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    gross = vat.money(gross)
    done_gross, done_vat = credited_so_far(invoice)
    left_gross, left_vat = invoice.gross_total - done_gross, invoice.vat_total - done_vat
    if gross <= 0 or gross > left_gross:
        raise RefundRefused(f"At most £{left_gross} is left to credit on invoice {invoice.number}.")
    if gross == left_gross:
        credit_vat = left_vat
    else:
        share = (gross * invoice.vat_total / invoice.gross_total) if invoice.gross_total else vat.ZERO
        credit_vat = min(vat.money(share), left_vat)
    credit_net = gross - credit_vat
    note = TaxInvoice.objects.create(
        kind=TaxInvoice.Kind.CREDIT_NOTE,
        number=_take_number(sequence),
        source_key=source_key,
        order_id=invoice.order_id,
        credited_invoice=invoice,
        subscription_invoice_id=invoice.subscription_invoice_id,
        supply_date=timezone.localdate(),
        currency=invoice.currency,
        vat_rate=invoice.vat_rate,
        vat_treatment=invoice.vat_treatment,
        net_total=-credit_net,
        vat_total=-credit_vat,
        gross_total=-gross,
        note=invoice.note,
        reason=reason[:255],
        seller_name=invoice.seller_name,
        seller_address=invoice.seller_address,
        seller_vat_number=invoice.seller_vat_number,
        customer_name=invoice.customer_name,
        customer_company=invoice.customer_company,
        customer_address=invoice.customer_address,
        customer_country=invoice.customer_country,
        customer_vat_number=invoice.customer_vat_number,
        customer_email=invoice.customer_email,
        purchase_order=invoice.purchase_order,
    )
    originals = list(invoice.lines.all())
    if gross == invoice.gross_total and done_gross == 0:
        lines = [
            TaxInvoiceLine(
                document=note,
                position=line.position,
                description=line.description,
                quantity=-line.quantity,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                net_amount=-line.net_amount,
                vat_amount=-line.vat_amount,
            )
            for line in originals
        ]
    else:
        lines = [
            TaxInvoiceLine(
                document=note,
                position=1,
                description=f"Partial credit of invoice {invoice.number}: {reason}"[:255],
                quantity=-1,
                unit_price=credit_net,
                vat_rate=invoice.vat_rate,
                net_amount=-credit_net,
                vat_amount=-credit_vat,
            )
        ]
    TaxInvoiceLine.objects.bulk_create(lines)
    return note


# --- refunds ---------------------------------------------------------------------------
def _lock_order(order):
    # The class of the order shop handed us: billing locks shop's row without importing shop.
    return type(order).objects.select_for_update().get(pk=order.pk)


def _refund_target(order, amount) -> TaxInvoice:
    """The invoice a refund of `amount` credits: the latest with that much left to credit.
    A paid one-off order sold before invoices existed gets its invoice first."""
    invoices = list(order.tax_documents.filter(kind=TaxInvoice.Kind.INVOICE).order_by("-issued_at", "-pk"))
    if not invoices and order.paid_at and order.mode == "payment":
        invoices = [invoice_issue_for_order(order=order)[0]]
    for invoice in invoices:
        done_gross, _ = credited_so_far(invoice)
        if invoice.gross_total - done_gross >= amount:
            return invoice
    raise RefundRefused("No invoice of this order has that much left to credit: refund a smaller amount.")


def refundable_amount(order) -> Decimal:
    """What may still be refunded on an order: its invoices' gross less every refund not
    failed (a refund waiting for the provider counts already)."""
    invoiced = order.tax_documents.filter(kind=TaxInvoice.Kind.INVOICE).aggregate(total=Sum("gross_total"))["total"]
    if invoiced is None:
        invoiced = order.total if order.paid_at else vat.ZERO
    refunded = order.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))["total"]
    return vat.money(max(vat.ZERO, invoiced - (refunded or vat.ZERO)))


@transaction.atomic
def refund_open(*, order, amount: Decimal, reason: str, user=None, origin=Refund.Origin.STAFF) -> Refund:
    """Record a refund staff asked for, before the provider is called.

    Locks the order row, so two refunds of one order are checked one after the other.
    Writes: one Refund (pending). Raises RefundRefused for an amount of nothing, more than
    is left to refund (naming what is left), or an empty reason; nothing is written then.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RefundRefused("Give the reason for the refund: it is printed on the credit note.")
    amount = vat.money(amount)
    if amount <= 0:
        raise RefundRefused("Enter an amount of at least £0.01.")
    order = _lock_order(order)
    left = refundable_amount(order)
    if amount > left:
        raise RefundRefused(
            f"You can refund at most £{left} on order {order.number}: £{amount} is more than is left to refund."
        )
    _refund_target(order, amount)
    return Refund.objects.create(order=order, amount=amount, reason=reason, origin=origin, created_by=user)


def _complete(refund: Refund, *, stripe_refund_id: str | None, notify: bool = True) -> Refund:
    invoice = _refund_target(refund.order, refund.amount)
    refund.credit_note = credit_note_issue(
        invoice=invoice, gross=refund.amount, reason=refund.reason, source_key=f"refund:{refund.pk}"
    )
    refund.status = Refund.Status.SUCCEEDED
    refund.stripe_refund_id = stripe_refund_id or refund.stripe_refund_id
    refund.completed_at = timezone.now()
    refund.error = ""
    refund.save(update_fields=["credit_note", "status", "stripe_refund_id", "completed_at", "error"])
    if notify:
        transaction.on_commit(lambda: _send_credit_note_email(refund.pk))
    return refund


@transaction.atomic
def refund_complete(*, refund: Refund, stripe_refund_id: str | None = None, notify: bool = True) -> tuple[Refund, bool]:
    """The provider refunded the money: issue the credit note. Returns (refund, completed_now).

    Locks the order row then the refund row (the webhook path takes the same locks in the
    same order), so the admin and a webhook finishing the same refund at once issue one
    credit note. Writes: the Refund (succeeded, the provider's id), one credit note.
    Sends: the credit note email to the customer, after commit.
    """
    _lock_order(refund.order)
    refund = Refund.objects.select_for_update().select_related("order").get(pk=refund.pk)
    if refund.status == Refund.Status.SUCCEEDED:
        return refund, False
    return _complete(refund, stripe_refund_id=stripe_refund_id, notify=notify), True


@transaction.atomic
def refund_fail(*, refund: Refund, error: str) -> Refund:
    """The provider refused the refund: it no longer counts against the order. Writes the
    Refund's status and a short error (our words, never the provider's message)."""
    Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.FAILED, error=error[:255]
    )
    refund.refresh_from_db()
    return refund


@transaction.atomic
def refund_record_from_provider(
    *, order, stripe_refund_id: str, amount: Decimal, reason: str = "", refund_pk=None
) -> tuple[Refund, bool]:
    """A refund reported by the payment provider's webhook; returns (refund, completed_now).

    The same refund arrives in several events (refund.created, charge.refunded) and may be
    one staff started here: the order row lock queues them, the refund's provider id is
    unique, and a pending refund of ours (named in the refund's metadata) is completed
    rather than recorded again. A refund made in the provider's dashboard is recorded and
    credited like one of ours, even past what is left to credit: the money has gone.
    Writes: a Refund and a credit note, at most once per provider refund id.
    """
    order = _lock_order(order)
    found = Refund.objects.select_for_update().filter(stripe_refund_id=stripe_refund_id).first()
    if found is None and refund_pk:
        found = Refund.objects.select_for_update().filter(pk=refund_pk, order=order).first()
    if found is not None:
        if found.status == Refund.Status.SUCCEEDED:
            return found, False
        return _complete(found, stripe_refund_id=stripe_refund_id), True
    refund = Refund.objects.create(
        order=order,
        amount=vat.money(amount),
        reason=(reason or "Refunded in the payment provider's dashboard")[:255],
        origin=Refund.Origin.PROVIDER,
        stripe_refund_id=stripe_refund_id,
    )
    try:
        with transaction.atomic():
            return _complete(refund, stripe_refund_id=stripe_refund_id), True
    except RefundRefused:
        logger.error(
            "Order %s: refund %s is more than is left to credit; staff must review it", order.number, refund.pk
        )
        refund.error = "More than is left to credit: no credit note issued"
        refund.status = Refund.Status.SUCCEEDED
        refund.completed_at = timezone.now()
        refund.save(update_fields=["error", "status", "completed_at"])
        return refund, True


def _send_credit_note_email(refund_pk):
    refund = Refund.objects.select_related("order", "credit_note").get(pk=refund_pk)
    note = refund.credit_note
    to = note.customer_email if note else ""
    if not to:
        return
    try:
        mail.send_templated_email(
            to=[to],
            template="email/billing/refund_issued",
            context={"refund": refund, "credit_note": note, "order_number": refund.order.number},
        )
    except Exception as error:  # noqa: BLE001 - the refund stands; staff see the log
        logger.error("Refund %s: email not sent (%s)", refund.pk, type(error).__name__)


@transaction.atomic
def provider_tax_rate_record(*, decision: vat.VatDecision, provider_id: str) -> ProviderTaxRate:
    """Remember the Stripe tax rate made for a rate and treatment (`stripe_tax_rates`).
    Writes one ProviderTaxRate, replacing the id of an older one for the same pair."""
    row, _ = ProviderTaxRate.objects.update_or_create(
        rate=decision.rate, treatment=decision.treatment, defaults={"provider_id": provider_id}
    )
    return row
