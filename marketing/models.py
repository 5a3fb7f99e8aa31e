from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template import TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
        help_text=_("For “customers who bought a service of a category”: the category."),
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
                condition=~Q(audience="buyers", category=None), name="campaign_buyers_audience_has_category"
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
        if self.audience == self.Audience.BUYERS and self.category_id is None:
            errors["category"] = _("Choose the category whose buyers receive the campaign.")
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
