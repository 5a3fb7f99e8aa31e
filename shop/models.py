import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from billing.vat import Treatment
from privacy.email_address import EmailAddressModelField
from privacy.fields import EncryptedCharField, KeyedHashField
from shop.querysets import OrderQuerySet, PlanQuerySet, ReviewQuerySet, ServiceQuerySet, SubscriptionQuerySet

ORDER_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_order_number():
    """KG- plus 12 characters from a 32-symbol alphabet: 60 random bits, not guessable."""
    return "KG-" + "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(12))


# --- catalogue -----------------------------------------------------------------
class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=150)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=300)
    description = models.TextField()
    image = models.ImageField(upload_to="services/", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:service_detail", args=[self.slug])


class Plan(models.Model):
    class Billing(models.TextChoices):
        ONE_OFF = "one_off", "One-off"
        MONTHLY = "month", "Monthly"
        YEARLY = "year", "Yearly"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=100)
    billing = models.CharField(max_length=10, choices=Billing.choices, default=Billing.ONE_OFF)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    features = models.TextField(blank=True, help_text="One feature per line.")
    # None means unlimited; a number is the places left (workshops, audits with capacity).
    stock = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["position", "price"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_not_negative")]

    def __str__(self):
        return f"{self.service.name} — {self.name}"

    @property
    def is_recurring(self):
        return self.billing != self.Billing.ONE_OFF

    def feature_list(self):
        return [line.strip() for line in self.features.splitlines() if line.strip()]


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Published"
        REJECTED = "rejected", "Rejected"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "user"], name="one_review_per_customer_and_service"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.title}"


class SavedSearch(models.Model):
    """P03: a customer's saved catalogue search (the query string of the listing)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "saved searches"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:service_list") + (f"?{self.query}" if self.query else "")


# --- cart ------------------------------------------------------------------------
class Cart(models.Model):
    """A signed-in customer's cart; anonymous carts live in the session."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the orders placed from this cart, so each filling of it has a key of its own
    # (see checkout_key) and can become one order only.
    orders_placed = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self):
        return f"Cart of {self.user}"

    @property
    def checkout_key(self):
        return f"cart:{self.pk}:{self.orders_placed}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cart", "plan"], name="one_line_per_plan")]

    def __str__(self):
        return f"{self.quantity} × plan {self.plan_id}"


# --- orders --------------------------------------------------------------------
class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        IN_PROGRESS = "in_progress", "In progress"
        DELIVERED = "delivered", "Delivered"
        ACTIVE = "active", "Subscription active"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    # Allowed moves of the state machine; anything else is refused by set_status().
    TRANSITIONS = {
        Status.PENDING: {Status.PAID, Status.CANCELLED},
        Status.PAID: {Status.IN_PROGRESS, Status.ACTIVE, Status.DELIVERED, Status.REFUNDED, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.DELIVERED, Status.REFUNDED, Status.CANCELLED},
        Status.ACTIVE: {Status.CANCELLED, Status.REFUNDED},
        Status.DELIVERED: {Status.REFUNDED},
        Status.CANCELLED: {Status.REFUNDED},
        Status.REFUNDED: set(),
    }

    class Mode(models.TextChoices):
        PAYMENT = "payment", "One-off payment"
        SUBSCRIPTION = "subscription", "Subscription"

    number = models.CharField(max_length=20, unique=True, default=new_order_number, editable=False)
    # The cart the order was placed from: unique, so however many times the checkout form
    # is submitted at once, one cart becomes one order. Empty for older orders.
    cart_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = EmailAddressModelField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.PAYMENT)
    currency = models.CharField(max_length=3, default="gbp")
    # What the customer pays, VAT included; the parts below add up to it (billing.vat).
    total = models.DecimalField(max_digits=12, decimal_places=2)
    net_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    vat_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    # Empty on orders placed before VAT was charged.
    vat_treatment = models.CharField(max_length=16, choices=Treatment.choices, blank=True)
    # Business details printed on the VAT invoice; the VAT number is stored normalised.
    vat_number = models.CharField("VAT number", max_length=32, blank=True)
    purchase_order = models.CharField("purchase order reference", max_length=64, blank=True)
    invoice_email = models.EmailField("billing email", blank=True)

    billing_name = models.CharField(max_length=150)
    billing_company = models.CharField(max_length=150, blank=True)
    # P15: the billing address is encrypted at rest; the country stays readable (VAT).
    billing_line1 = EncryptedCharField(max_length=200)
    billing_line2 = EncryptedCharField(max_length=200, blank=True)
    billing_city = EncryptedCharField(max_length=100)
    billing_postcode = EncryptedCharField(max_length=20)
    billing_country = models.CharField(max_length=2)
    # P03: someone else the services are bought for.
    recipient_name = models.CharField(max_length=150, blank=True)
    recipient_email = EmailAddressModelField(blank=True)

    # Payment references only: card data stays with Stripe (P03).
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("shop:order_detail", args=[self.number])

    def can_move_to(self, status):
        return status in self.TRANSITIONS[self.Status(self.status)]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    plan = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL, related_name="+")
    # A snapshot: the order keeps what was bought at which price, whatever the catalogue does later.
    service_name = models.CharField(max_length=150)
    plan_name = models.CharField(max_length=100)
    billing = models.CharField(max_length=10, choices=Plan.Billing.choices)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self):
        return f"{self.quantity} × {self.service_name} ({self.plan_name})"


class OrderEvent(models.Model):
    """One step of an order's timeline."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=Order.Status.choices)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order_id}: {self.status}"


class Subscription(models.Model):
    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Awaiting first payment"
        ACTIVE = "active", "Active"
        TRIALING = "trialing", "Trial"
        PAST_DUE = "past_due", "Payment failed"
        CANCELED = "canceled", "Ended"

    class EndedReason(models.TextChoices):
        CUSTOMER = "customer", "Cancelled by the customer"
        PAYMENT_FAILED = "payment_failed", "Renewal payments failed"
        PROVIDER = "provider", "Ended at the payment provider"

    # A tax record (6 years): an erasure unlinks it from the person; deleting a user row
    # outright must not take it along.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL, related_name="+")
    service_name = models.CharField(max_length=150)
    plan_name = models.CharField(max_length=100)
    billing = models.CharField(max_length=10, choices=Plan.Billing.choices)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INCOMPLETE)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A downgrade waits for the end of the period paid at the old price.
    scheduled_plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Takes over at period end."
    )
    # Failed tries of the current renewal (Stripe's attempt_count); 0 once a renewal is paid.
    failed_payment_attempts = models.PositiveIntegerField(default=0)
    ended_reason = models.CharField(max_length=20, choices=EndedReason.choices, blank=True, db_index=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.service_name} ({self.plan_name})"


class Invoice(models.Model):
    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        OPEN = "open", "Open"
        FAILED = "failed", "Payment failed"
        VOID = "void", "Void"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.number or self.stripe_invoice_id


# --- payments ------------------------------------------------------------------
class StripeEvent(models.Model):
    """A Stripe event we received or fetched. No body and no personal data: the id, the
    type and the id of the object it is about are enough to fetch it again (PAY-07)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (type not handled)"
        FAILED = "failed", "Failed"
        STOPPED = "stopped", "Stopped: needs staff"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=255, blank=True)
    livemode = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


# --- correspondence --------------------------------------------------------------
class ConsultationRequest(models.Model):
    """P37: a request for the free consultation."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="consultations"
    )
    name = models.CharField(max_length=150)
    email = EmailAddressModelField()
    # P15: encrypted at rest; found by its keyed hash (a person asking by phone number).
    phone = EncryptedCharField(max_length=32, blank=True)
    phone_hash = KeyedHashField(source="phone", kind="phone")
    company = models.CharField(max_length=150, blank=True)
    message = models.TextField(max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.created_at:%Y-%m-%d})"


# --- promotion codes -------------------------------------------------------------------
class PromotionCode(models.Model):
    """A code a customer types at checkout for a discount on the net price (before VAT).
    The rules that use these fields live in shop.promotions."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage off"
        AMOUNT = "amount", "Fixed amount off"

    class Duration(models.TextChoices):
        ONCE = "once", "Once (the first payment)"
        REPEATING = "repeating", "For a number of months of a plan"

    code = models.CharField(max_length=40, unique=True, help_text="Letters, digits and dashes; not case-sensitive.")
    description = models.CharField(max_length=200, blank=True, help_text="For staff; not shown to customers.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    percent_off = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    amount_off = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    duration = models.CharField(max_length=10, choices=Duration.choices, default=Duration.ONCE)
    duration_in_months = models.PositiveSmallIntegerField(null=True, blank=True)
    first_order_only = models.BooleanField(default=False, help_text="Only for a customer's first paid order.")
    once_per_customer = models.BooleanField(default=True)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    # Counted under the code's row lock as each order takes the code (see promotions.promotion_apply).
    times_redeemed = models.PositiveIntegerField(default=0, editable=False)
    plans = models.ManyToManyField(Plan, blank=True, related_name="+", help_text="Empty: every plan.")
    services = models.ManyToManyField(Service, blank=True, related_name="+", help_text="Empty: every service.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="percent", percent_off__isnull=False, amount_off__isnull=True)
                | Q(kind="amount", amount_off__isnull=False, percent_off__isnull=True),
                name="promotion_one_kind_of_discount",
            ),
            models.CheckConstraint(
                condition=Q(duration="once", duration_in_months__isnull=True)
                | Q(duration="repeating", duration_in_months__gte=1),
                name="promotion_months_only_when_repeating",
            ),
            models.CheckConstraint(
                condition=Q(max_redemptions__isnull=True) | Q(times_redeemed__lte=F("max_redemptions")),
                name="promotion_redemptions_within_maximum",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class PromotionRedemption(models.Model):
    """A promotion code taken by an order: the discount it gave, and whose it was."""

    promotion = models.ForeignKey(PromotionCode, on_delete=models.PROTECT, related_name="redemptions")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="promotion_redemption")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A guest's "once per customer" is by email.
    email = models.EmailField()
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(discount__gte=0), name="redemption_discount_not_negative")]

    def __str__(self):
        return f"{self.promotion_id} on order {self.order_id}"
