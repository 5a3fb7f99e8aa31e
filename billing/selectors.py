"""Reads of billing: documents for a page, what is left to refund, VAT return figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum

from billing import vat
from billing.models import ProviderTaxRate, TaxInvoice


def provider_tax_rate_id(*, decision: vat.VatDecision) -> str:
    """The Stripe tax rate id for a VAT decision, or "" when `stripe_tax_rates` has not made it."""
    return (
        ProviderTaxRate.objects.filter(rate=decision.rate, treatment=decision.treatment)
        .values_list("provider_id", flat=True)
        .first()
        or ""
    )


def documents_for_order(*, order) -> list[TaxInvoice]:
    """An order's invoices and credit notes, in the order they were issued (one query)."""
    return list(order.tax_documents.order_by("issued_at", "pk"))


def document_for_user(*, user, number: str) -> TaxInvoice | None:
    """A signed-in customer's own invoice or credit note with its lines, or None: never
    someone else's (the caller answers 404)."""
    if not (user and user.is_authenticated):
        return None
    return (
        TaxInvoice.objects.filter(number=number, order__user=user)
        .select_related("credited_invoice")
        .prefetch_related("lines")
        .first()
    )


def document_for_staff(*, pk) -> TaxInvoice | None:
    return TaxInvoice.objects.select_related("credited_invoice").prefetch_related("lines").filter(pk=pk).first()


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """ "2026-Q1" → Quarter(2026, 1). Raises ValueError for anything else."""
        year, _, q = (text or "").upper().partition("-Q")
        quarter = cls(int(year), int(q))
        if not 1 <= quarter.number <= 4 or not 2000 <= quarter.year <= 9999:
            raise ValueError(text)
        return quarter

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the quarter."""
        return Quarter(self.year + self.number // 4, self.number % 4 + 1).start

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __str__(self):
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class VatReturn:
    quarter: Quarter
    vat_due_on_sales: Decimal  # box 1
    sales_ex_vat: Decimal  # box 6
    reverse_charge_sales: Decimal
    documents: int


def vat_return(quarter: Quarter) -> VatReturn:
    """The VAT return figures of a quarter, by time of supply, in one query: VAT due on
    sales (box 1) and the value of sales excluding VAT (box 6), credit notes netted off,
    and of those sales the reverse-charge ones (outside the scope of UK VAT)."""
    sums = TaxInvoice.objects.filter(supply_date__gte=quarter.start, supply_date__lt=quarter.end).aggregate(
        vat=Sum("vat_total"),
        net=Sum("net_total"),
        reverse=Sum("net_total", filter=Q(vat_treatment=vat.Treatment.REVERSE_CHARGE)),
        documents=Count("pk"),
    )
    return VatReturn(
        quarter=quarter,
        vat_due_on_sales=vat.money(sums["vat"] or vat.ZERO),
        sales_ex_vat=vat.money(sums["net"] or vat.ZERO),
        reverse_charge_sales=vat.money(sums["reverse"] or vat.ZERO),
        documents=sums["documents"] or 0,
    )


def vat_return_quarters(*, today: datetime.date, count: int = 8) -> list[VatReturn]:
    """The last `count` quarters up to today's, newest first."""
    quarters, quarter = [], Quarter.of(today)
    for _ in range(count):
        quarters.append(quarter)
        quarter = quarter.previous()
    return [vat_return(q) for q in quarters]


@dataclass(frozen=True)
class Quote:
    """What a checkout shows before the order exists: the VAT for this country and number."""

    figures: vat.Figures
    vat_number: str
    error: str  # why the VAT number was not accepted ("" when it was, or none was given)


def checkout_quote(*, nets, country: str, vat_number: str = "") -> Quote:
    """Net, VAT and gross per line and in total for a cart sold to `country` with
    `vat_number`, by the same rule the order will be placed with (billing.vat). A VAT
    number that does not check is left out of the figures and its problem returned."""
    country = (country or vat.HOME_COUNTRY).strip().upper()
    try:
        cleaned = vat.vat_number_clean(vat_number, country=country)
        error = ""
    except ValidationError as exc:
        cleaned, error = "", exc.messages[0]
    decision = vat.vat_decision(country=country, vat_number=cleaned)
    return Quote(figures=vat.figures(nets=nets, decision=decision), vat_number=cleaned, error=error)


def sales_by_month(*, since: datetime.datetime) -> dict[datetime.date, dict[str, Decimal]]:
    """Net sales (invoices less credit notes, by issue date) and money refunded, per calendar
    month from ``since``: {first day of the month: {"net_sales": ..., "refunds": ...}}.
    Two queries, whatever the number of documents."""
    from django.db.models.functions import TruncMonth

    from billing.models import Refund

    months: dict[datetime.date, dict[str, Decimal]] = {}
    documents = (
        TaxInvoice.objects.filter(issued_at__gte=since)
        .annotate(month=TruncMonth("issued_at"))
        .values("month")
        .annotate(net=Sum("net_total"))
    )
    for row in documents:
        months.setdefault(_day(row["month"]), {})["net_sales"] = vat.money(row["net"] or 0)
    refunds = (
        Refund.objects.filter(created_at__gte=since, status=Refund.Status.SUCCEEDED)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    for row in refunds:
        months.setdefault(_day(row["month"]), {})["refunds"] = vat.money(row["total"] or 0)
    return months


def _day(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
