"""VAT rates, the document number sequences, VAT invoices and credit notes, refunds.

billing never imports shop: it points at shop's rows by string ("shop.Order") and reads
the order objects shop hands it.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Round
from django.urls import reverse
from django.utils import timezone

from billing.vat import Treatment


class VatRate(models.Model):
    """The UK standard rate from `starts_on`: a change of rate is a new row, so orders
    placed before its date keep the rate they were sold at."""

    rate = models.DecimalField(
        max_digits=5, decimal_places=4, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
    )
    starts_on = models.DateField(unique=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=1), name="vat_rate_is_a_fraction")]

    def __str__(self):
        return f"{(self.rate * 100).normalize()}% from {self.starts_on:%d %B %Y}"


class DocumentSequence(models.Model):
    """One counter row per numbering sequence. Taken with SELECT ... FOR UPDATE in the same
    transaction that writes the document, so numbers run without gap or duplicate: a
    transaction that fails gives its number back with its rollback."""

    key = models.CharField(max_length=20, primary_key=True)
    prefix = models.CharField(max_length=10)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.prefix}{self.last_number:06d}"


class DocumentIsIssued(Exception):
    """An issued invoice or credit note never changes: correct it with a credit note."""


class TaxInvoice(models.Model):
    """A full VAT invoice (HMRC VAT Notice 700, 16.3) or a credit note against one.

    Every figure and every name is a snapshot taken when it is issued; nothing here
    follows later edits of the order or the catalogue. Once saved it is never saved again
    (the only later change is the erasure's set-based anonymisation, which the registry
    runs as an UPDATE, and which keeps every figure).
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", "VAT invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(max_length=20, unique=True)
    # What it was issued for, so issuing is idempotent: "order:KG-...", "stripe:in_...", "refund:12".
    source_key = models.CharField(max_length=120, unique=True)
    order = models.ForeignKey("shop.Order", on_delete=models.PROTECT, related_name="tax_documents")
    subscription_invoice = models.ForeignKey(
        "shop.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="tax_documents"
    )
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)
    supply_date = models.DateField(help_text="The time of supply (tax point).")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    seller_name = models.CharField(max_length=150)
    seller_address = models.TextField()
    seller_vat_number = models.CharField(max_length=20)

    customer_name = models.CharField(max_length=150)
    customer_company = models.CharField(max_length=150, blank=True)
    customer_address = models.TextField()
    customer_country = models.CharField(max_length=2)
    customer_vat_number = models.CharField(max_length=32, blank=True)
    customer_email = models.EmailField(blank=True)
    purchase_order = models.CharField(max_length=64, blank=True)

    currency = models.CharField(max_length=3, default="gbp")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    vat_treatment = models.CharField(max_length=16, choices=Treatment.choices)
    net_total = models.DecimalField(max_digits=12, decimal_places=2)
    vat_total = models.DecimalField(max_digits=12, decimal_places=2)
    gross_total = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=255, blank=True, help_text="Why a credit note was issued.")

    # What the payment provider charged for the same document, when it told us (pence).
    provider_vat = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    provider_gross = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    provider_figures_agree = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["kind", "supply_date"])]
        constraints = [
            models.CheckConstraint(
                # Rounded so SQLite's floating arithmetic compares like PostgreSQL's exact numeric.
                condition=Q(gross_total=Round(models.F("net_total") + models.F("vat_total"), 2)),
                name="tax_document_adds_up",
            ),
            models.CheckConstraint(
                condition=(Q(kind="invoice", credited_invoice__isnull=True, gross_total__gte=0))
                | Q(kind="credit_note", credited_invoice__isnull=False, gross_total__lte=0),
                name="credit_note_refers_to_invoice",
            ),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DocumentIsIssued(f"{self.number} is issued and cannot change: issue a credit note instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("billing:document_detail", args=[self.number])

    def delete(self, *args, **kwargs):
        raise DocumentIsIssued(f"{self.number} is a tax record and cannot be deleted.")

    @property
    def is_credit_note(self):
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def vat_percent(self):
        return (self.vat_rate * 100).normalize()

    @property
    def is_reverse_charge(self):
        return self.vat_treatment == Treatment.REVERSE_CHARGE


class TaxInvoiceLine(models.Model):
    document = models.ForeignKey(TaxInvoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=255)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, help_text="Excluding VAT.")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    net_amount = models.DecimalField(max_digits=12, decimal_places=2)
    # This line's share of the document's VAT (the VAT itself is computed once on the net total).
    vat_amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="one_line_per_position")]

    def __str__(self):
        return f"{self.quantity} × {self.description}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DocumentIsIssued("An issued document's lines cannot change.")
        super().save(*args, **kwargs)

    @property
    def vat_percent(self):
        return (self.vat_rate * 100).normalize()

    @property
    def gross_amount(self):
        return self.net_amount + self.vat_amount


class Refund(models.Model):
    """Money given back on an order, whichever way it started (our admin or Stripe's
    dashboard). Each refund ends in one credit note; `stripe_refund_id` is unique, so the
    same Stripe refund is never recorded twice.

    It lives in billing, not shop: what staff refund and what the law needs recorded is a
    credit note, billing's document, and the refund permission guards that document.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Sent to the payment provider"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed"

    class Origin(models.TextChoices):
        STAFF = "staff", "Our admin"
        PROVIDER = "provider", "Payment provider's dashboard"
        DEMO = "demo", "Demo (no money moved)"

    order = models.ForeignKey("shop.Order", on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    credit_note = models.OneToOneField(
        TaxInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("refund_order", "Can refund an order")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"Refund of £{self.amount} on order {self.order_id}"


class ProviderTaxRate(models.Model):
    """A Stripe tax rate made by `manage.py stripe_tax_rates` for one of our rates and
    treatments. Stripe's rates cannot change percentage, so a new UK rate gets a new row."""

    rate = models.DecimalField(max_digits=5, decimal_places=4)
    treatment = models.CharField(max_length=16, choices=Treatment.choices)
    provider_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rate", "treatment"], name="one_provider_rate_per_rate")]

    def __str__(self):
        return f"{self.provider_id} ({(self.rate * 100).normalize()}% {self.get_treatment_display()})"
