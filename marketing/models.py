from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.template import TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

# --- preferences and text alerts (P05, P22, P27) -------------------------------------------
# Consent per channel (email, text, post) lives in privacy's consent ledger; these rows hold
# what the ledger does not: interests, preferred messages and brands, the verified number
# and the text alerts sent to it.

DEFAULT_TIME_ZONE = "Europe/London"


class MarketingPreference(models.Model):
    """A customer's marketing choices besides consent: the time zone their texts respect."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_preference")
    time_zone = models.CharField(
        max_length=64, default=DEFAULT_TIME_ZONE, help_text="Text alerts arrive only in the daytime here."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [("export_postal_list", "Can export the postal marketing list")]

    def __str__(self):
        return f"Marketing preferences #{self.pk}"


class InterestChoice(models.Model):
    """A service category the customer wants to hear about (P11 "interests")."""

    preference = models.ForeignKey(MarketingPreference, on_delete=models.CASCADE, related_name="interests")
    category = models.ForeignKey("shop.Category", on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category__position", "category__name"]
        constraints = [models.UniqueConstraint(fields=["preference", "category"], name="one_interest_per_category")]

    def __str__(self):
        return str(self.category)


class MessageChoice(models.Model):
    """A kind of message or a brand the customer prefers (P03 "preferred brands or messages")."""

    class Topic(models.TextChoices):
        # The policy's messages: "promotional offers and services which may be of interest",
        # "updates on the latest offers and services", "relevant services".
        OFFERS = "offers", _("Promotional offers on our services")
        LATEST = "latest", _("Updates on the latest offers and new services")
        RELEVANT = "relevant", _("Services relevant to the ones I use")
        # The policy's brands: ours, and partners' services "under the Kinetogram Marketing brand".
        BRAND_OWN = "brand_own", _("Kinetogram Marketing's own services")
        BRAND_PARTNERS = "brand_partners", _("Partner services under the Kinetogram Marketing brand")

    MESSAGES = (Topic.OFFERS, Topic.LATEST, Topic.RELEVANT)
    BRANDS = (Topic.BRAND_OWN, Topic.BRAND_PARTNERS)

    preference = models.ForeignKey(MarketingPreference, on_delete=models.CASCADE, related_name="messages")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["topic"]
        constraints = [models.UniqueConstraint(fields=["preference", "topic"], name="one_choice_per_topic")]

    def __str__(self):
        return self.get_topic_display()


class PhoneNumber(models.Model):
    """The mobile number a customer gets text alerts on, once proven theirs (double opt-in).

    A 6-digit code is texted to it; only its keyed hash is stored, it expires after a few
    minutes and a few wrong tries. Text marketing consent is recorded only once the code
    is entered (``verified_at``).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="text_alert_phone")
    number = PhoneNumberField(help_text="E.164, e.g. +447700900123.")
    verified_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    #: Codes sent since ``sends_window_started_at``, for the hourly limit.
    code_sends = models.PositiveSmallIntegerField(default=0)
    sends_window_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "text alert number"
        indexes = [models.Index(fields=["number"], name="text_alert_number")]

    def __str__(self):
        return f"Text alert number #{self.pk}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class TextAlert(models.Model):
    """A text message staff send to every verified number whose owner agreed to text offers."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    message = models.CharField(
        max_length=300,
        help_text="Without the opt-out line: “Reply STOP to opt out” is added to every text.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    #: When the deliveries (one per person in the audience) were created.
    audience_built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.message[:50]


class TextAlertDelivery(models.Model):
    """One text alert to one person: sent, waiting for their daytime, or dropped (and why)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the recipient's daytime")
        SENT = "sent", _("Sent")
        DROPPED = "dropped", _("Dropped: no longer allowed")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(TextAlert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="text_alert_deliveries")
    phone = PhoneNumberField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    not_before = models.DateTimeField(default=timezone.now, help_text="Sent at or after this time.")
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="one_delivery_per_person")]
        indexes = [models.Index(fields=["status", "not_before"], name="text_alert_due")]

    def __str__(self):
        return f"{self.alert} → #{self.user_id} ({self.get_status_display()})"


class InboundMessage(models.Model):
    """A text message someone sent us (STOP, START, HELP, ...), each MessageSid once (OPT-05)."""

    class Outcome(models.TextChoices):
        OPTED_OUT = "opted_out", _("Opted out")
        OPTED_IN = "opted_in", _("Opted back in")
        HELP = "help", _("Asked for help")
        OTHER = "other", _("Anything else")

    message_sid = models.CharField(max_length=64, unique=True)
    from_number = PhoneNumberField()
    body = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_texts"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"Text {self.message_sid} ({self.get_outcome_display()})"


# --- Ad tags and affiliate partners (P07, P29) -------------------------------------------
# Kept together in this section; campaigns and preferences have sections of their own.

#: What a partner's code may look like in ``?aff=`` / ``?ref=`` links and in the cookie.
AFFILIATE_CODE_PATTERN = r"[A-Za-z0-9_-]{1,40}"


class AdTag(models.Model):
    """An advertising broadcaster's snippet, rendered only with advertising-cookie consent,
    never under Global Privacy Control and never for a restricted customer (P07, P09, P23).

    Every ``<script>`` in the snippet is given the response's CSP nonce when it is rendered;
    inline event handlers (``onload="..."``) and inline styles stay blocked by the policy.
    """

    class Placement(models.TextChoices):
        HEAD = "head", "End of <head>"
        BODY_END = "body_end", "End of <body>"

    name = models.CharField(max_length=100)
    snippet = models.TextField(
        help_text="HTML and <script> tags as the broadcaster supplies them. Each <script> gets the page's "
        "security nonce; inline event handlers and inline styles are blocked by the Content Security Policy."
    )
    placement = models.CharField(max_length=10, choices=Placement.choices, default=Placement.BODY_END)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["placement", "name", "pk"]
        verbose_name = "ad tag"

    def __str__(self):
        return self.name


class AffiliatePartner(models.Model):
    """A site that sends us customers through ``?aff=<code>`` links and is paid a share of
    what they buy (P29)."""

    code = models.CharField(
        max_length=40,
        unique=True,
        validators=[RegexValidator(f"^{AFFILIATE_CODE_PATTERN}$", "Letters, digits, - and _ only.")],
        help_text="As it appears in the partner's links: https://…/?aff=<code>.",
    )
    name = models.CharField(max_length=150)
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Share of the order total, e.g. 0.1000 for 10%.",
    )
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "affiliate partner"

    def __str__(self):
        return f"{self.name} ({self.code})"


class AffiliateReferral(models.Model):
    """An order placed by a visitor a partner sent, with the commission it earns (P29).

    Recorded when the order is placed, only with affiliate-cookie consent; the commission
    is due once the order is paid (``marketing.selectors.affiliates.commissions_by_month``).
    """

    order = models.ForeignKey("shop.Order", on_delete=models.CASCADE, related_name="affiliate_referrals")
    partner = models.ForeignKey(AffiliatePartner, on_delete=models.PROTECT, related_name="referrals")
    #: The code as the link carried it.
    code = models.CharField(max_length=40)
    #: The partner's rate when the order was placed: a later change does not rewrite it.
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    commission = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order"], name="marketing_one_referral_per_order")]
        verbose_name = "affiliate referral"

    def __str__(self):
        return f"{self.code}: {self.commission}"


# --- end of ad tags and affiliate partners ---------------------------------------------------


# =============================================================================================
# Email campaigns (P05, P22, P27; OPT-01 to OPT-05): the campaign, its send log, the addresses
# that hard-bounced, and the email provider's events.
# =============================================================================================


class Campaign(models.Model):
    """A marketing email: subject and bodies are templates with a small context (the first name
    and the unsubscribe link), sent in batches to an audience computed in SQL at send time."""

    class Audience(models.TextChoices):
        AGREED = "agreed", _("Everyone who agreed to email marketing")
        BUYERS = "buyers", _("Customers who bought a service of a category")
        INTERESTED = "interested", _("Customers who chose a category among their interests")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(max_length=150, help_text=_("For staff; recipients never see it."))
    slug = models.SlugField(unique=True, help_text=_("Names the campaign in `manage.py campaign_send SLUG`."))
    subject = models.CharField(max_length=200, help_text=_("A template: {{ first_name }} may be used."))
    body_html = models.TextField(
        "HTML body",
        help_text=_(
            "A template: {{ first_name }} (may be empty: {{ first_name|default:'there' }}), {{ site_url }} and "
            "{{ unsubscribe_url }}. "
            "The footer with the unsubscribe link is added to every message."
        ),
    )
    body_text = models.TextField("text body", help_text=_("The plain-text version, with the same context."))
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.AGREED)
    category = models.ForeignKey(
        "shop.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For the buyers of a category, or the customers interested in it: the category."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    scheduled_at = models.DateTimeField(null=True, blank=True, help_text=_("When sending starts (UTC)."))
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_note = models.CharField(max_length=255, blank=True, editable=False)
    # The sending run's lease: one run at a time; a run whose worker died is resumed by the
    # beat job once its lease has run out.
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    complaint_alert_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(audience__in=["buyers", "interested"], category=None),
                name="campaign_buyers_audience_has_category",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from marketing.rendering import compile_template

        errors = {}
        for name in ("subject", "body_html", "body_text"):
            try:
                compile_template(getattr(self, name) or "")
            except TemplateSyntaxError as error:
                errors[name] = _("This template does not work: %(error)s") % {"error": error}
        if self.audience in (self.Audience.BUYERS, self.Audience.INTERESTED) and self.category_id is None:
            errors["category"] = _("Choose the category of this audience.")
        if errors:
            raise ValidationError(errors)

    @property
    def can_be_changed(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED, self.Status.PAUSED)


class CampaignSend(models.Model):
    """One recipient of one campaign: the send log (OPT-03, P27).

    The row is claimed (unique per campaign and recipient) before the message is handed to
    the email backend, so however often a run is retried or resumed, nobody gets two copies.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Handed to the provider")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Claimed by a run whose worker died before it could record the outcome: the message
        # may or may not have gone, so it is never sent again.
        INTERRUPTED = "interrupted", _("Interrupted (not sent again)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sends")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENDING)
    run = models.UUIDField(editable=False, help_text=_("The sending run that claimed the row."))
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    error = models.CharField(max_length=255, blank=True)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the provider told us afterwards (anymail tracking events).
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "recipient"], name="campaign_send_once")]
        indexes = [models.Index(fields=["campaign", "status"], name="campaign_send_status")]

    def __str__(self):
        return f"{self.campaign_id} → {self.recipient_id or 'erased'}"


class UndeliverableAddress(models.Model):
    """An address the provider reported as a hard bounce or rejected: never sent marketing
    again (kept lower-case, compared in SQL with the account's address lower-cased)."""

    address = models.EmailField(unique=True)
    reason = models.CharField(max_length=40)
    esp_name = models.CharField(max_length=40, blank=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-marked_at"]
        verbose_name_plural = "undeliverable addresses"

    def __str__(self):
        return self.address

    def save(self, *args, **kwargs):
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)


class EmailProviderEvent(models.Model):
    """One event the email provider reported (anymail's tracking signal), recorded once by its
    id so a provider's retries change nothing (OPT-05)."""

    esp_name = models.CharField(max_length=40)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=20, db_index=True)
    recipient = models.EmailField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    reject_reason = models.CharField(max_length=20, blank=True)
    send = models.ForeignKey(
        CampaignSend, null=True, blank=True, on_delete=models.SET_NULL, related_name="provider_events"
    )
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["esp_name", "event_id"], name="provider_event_once")]

    def __str__(self):
        return f"{self.esp_name} {self.event_type} {self.event_id}"


# --- end of email campaigns ---------------------------------------------------------------
