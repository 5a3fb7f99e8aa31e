import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import purposes
from privacy.querysets import ConsentEventQuerySet, PolicyVersionQuerySet, RestrictionQuerySet


class PolicyVersion(models.Model):
    """A published version of the privacy and cookie policy (P35)."""

    version = models.CharField(max_length=20, unique=True)
    effective_date = models.DateField()
    summary = models.TextField(help_text="What changed, in plain words; shown to customers.")
    is_material = models.BooleanField(
        default=False,
        help_text="A material change asks signed-in customers to review it and asks for cookie consent again.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "-id"]
        get_latest_by = "effective_date"

    def __str__(self):
        return f"Policy {self.version} ({self.effective_date:%d %B %Y})"


class ConsentEvent(models.Model):
    """One consent given or withdrawn; the ledger is append-only (OPT-06, GDPR Art. 7(1)).

    The current state of a purpose is the latest event for it. On PostgreSQL a trigger
    refuses UPDATE and DELETE except inside ``privacy.db.erasure_allowed()``.
    """

    class Action(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Sign-up form")
        ACCOUNT = "account", _("Account preferences page")
        COOKIE_BANNER = "cookie_banner", _("Cookie banner")
        GPC = "gpc", _("Global Privacy Control signal")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        SMS_KEYWORD = "sms_keyword", _("SMS keyword")
        ESP = "esp", _("Email provider")
        STAFF = "staff", _("Staff, on the person's instruction")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="consent_events"
    )
    #: The cookie banner's anonymous consent id (a random UUID held in the consent cookie).
    anonymous_id = models.UUIDField(null=True, blank=True, db_index=True)
    #: For people without an account (an email unsubscribe, an SMS keyword).
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    purpose = models.CharField(max_length=40, choices=[(k, p.name) for k, p in purposes.PURPOSES.items()])
    action = models.CharField(max_length=10, choices=Action.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    wording = models.TextField(help_text="The words shown when the choice was made.")
    wording_hash = models.CharField(max_length=64, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The staff member who recorded it, for staff-recorded changes.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="consent_user_purpose")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user=None, anonymous_id=None, email="", phone=""), name="consent_has_subject"
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.get_action_display().lower()} ({self.get_source_display()})"

    def save(self, *args, **kwargs):
        if not self.pk:
            self.wording_hash = hashlib.sha256(self.wording.encode()).hexdigest()
        super().save(*args, **kwargs)

    @property
    def is_given(self) -> bool:
        return self.action == self.Action.GIVEN


class PolicyAcknowledgement(models.Model):
    """A signed-in customer has reviewed a material policy version (P35)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acknowledgements")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "policy_version"], name="one_ack_per_version")]

    def __str__(self):
        return f"{self.policy_version} reviewed"


class PrivacySignal(models.Model):
    """A signed-in customer's browser sent Global Privacy Control (``Sec-GPC: 1``; P09)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_signal")
    gpc_first_seen_at = models.DateTimeField(default=timezone.now)
    gpc_last_seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "Global Privacy Control"


class Restriction(models.Model):
    """Processing restriction (P23, GDPR Art. 18): keep the data but do not use it."""

    class Scope(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        PROFILING = "profiling", _("Profiling and tailored offers")
        ANALYTICS = "analytics", _("Analytics")
        ALL = "all", _("All non-essential use")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="restrictions"
    )
    email = models.EmailField(blank=True, help_text="For a person without an account.")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    reason = models.TextField()
    starts_at = models.DateTimeField(default=timezone.now)
    review_on = models.DateField(help_text="When staff look at it again.")
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=~models.Q(user=None, email=""), name="restriction_has_subject")]

    def __str__(self):
        return f"{self.get_scope_display()} restricted from {self.starts_at:%d %b %Y}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.starts_at <= now and (self.ended_at is None or self.ended_at > now)


class PurgeRun(models.Model):
    """One run of the retention purge (P10), with what it did per model."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped: another run was in progress")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(default=False)
    #: {"shop.Order": {"anonymised": 3, "held": 1}, ...}
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"Purge {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def total(self) -> int:
        return sum(n for per_model in self.counts.values() for k, n in per_model.items() if k != "held")


class AuditEvent(models.Model):
    """Who did what to whose personal data, never the values (LG-01, LG-02).

    Append-only: a PostgreSQL trigger refuses UPDATE, and DELETE of rows younger than the
    six-year maximum (P10), which only the audited purge removes.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CHANGE = "change", _("Changed")
        ADD = "add", _("Added")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        ERASE = "erase", _("Erased")
        PURGE = "purge", _("Retention purge")
        CONSENT = "consent", _("Consent changed")
        RESTRICT = "restrict", _("Restriction changed")
        DISCLOSE = "disclose", _("Disclosed to an authority")
        POLICY = "policy", _("Policy published")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="Empty for the system (scheduled jobs).",
    )
    actor_label = models.CharField(max_length=100, help_text="Staff #id or 'system'; never a name or email.")
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=100, help_text="app_label.ModelName")
    object_id = models.CharField(max_length=64, blank=True)
    #: The id of the person whose data it is, when known.
    subject_id = models.CharField(max_length=64, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True, help_text="Field names only, never values.")
    detail = models.CharField(max_length=255, blank=True, help_text="Counts or a reason; never personal data.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.actor_label} {self.get_action_display().lower()} {self.model} {self.object_id}".strip()


class Processor(models.Model):
    """A service provider that handles personal data for us (P08, GDPR Art. 28)."""

    class Kind(models.TextChoices):
        IT = "it", _("IT and hosting")
        DELIVERY = "delivery", _("Delivery")
        MARKETING = "marketing", _("Marketing")
        PAYMENTS = "payments", _("Payments")
        EMAIL = "email", _("Email and messaging")

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    categories = models.JSONField(default=list, help_text="Data categories they receive (registry category keys).")
    purpose = models.CharField(max_length=255, help_text="Why they receive it.")
    location = models.CharField(max_length=150, help_text="Where they process it, and the transfer safeguard.")
    contract_date = models.DateField(help_text="Date of the data processing agreement.")
    safeguards_confirmed_on = models.DateField(
        null=True, blank=True, help_text="When we last confirmed their security and data-protection controls."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def category_labels(self) -> list[str]:
        from privacy.registry import Category

        return [str(Category(c).label) if c in Category.values else c for c in self.categories]


class Disclosure(models.Model):
    """Personal data given to an authority where the law required it (P09)."""

    recipient = models.CharField(max_length=200, help_text="The authority, court or body.")
    legal_basis = models.CharField(max_length=255, help_text="The law or order that required it.")
    categories = models.JSONField(default=list, help_text="Data categories disclosed.")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="disclosures"
    )
    subject_description = models.CharField(
        max_length=200, blank=True, help_text="Whom it concerns when they have no account (a reference, not details)."
    )
    reference = models.CharField(max_length=100, blank=True, help_text="The authority's reference.")
    disclosed_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disclosed_on"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject=None, subject_description=""), name="disclosure_names_whom"
            )
        ]

    def __str__(self):
        return f"Disclosure to {self.recipient} on {self.disclosed_on}"
