import hashlib

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
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
        # Objections (GDPR Art. 21) to purposes whose basis is legitimate interest.
        OBJECTED = "objected", _("Objected")
        OBJECTION_WITHDRAWN = "unobjected", _("Objection withdrawn")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Sign-up form")
        ACCOUNT = "account", _("Account preferences page")
        COOKIE_BANNER = "cookie_banner", _("Cookie banner")
        GPC = "gpc", _("Global Privacy Control signal")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        SMS_KEYWORD = "sms_keyword", _("SMS keyword")
        ESP = "esp", _("Email provider")
        STAFF = "staff", _("Staff, on the person's instruction")
        REQUEST = "request", _("Privacy request")
        CONTEST = "contest", _("Contest entry form")

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
        indexes = [
            models.Index(fields=["user", "purpose", "-created_at"], name="consent_user_purpose"),
            # A withdrawal by address counts for the account with that address: the audience
            # query looks for one by UPPER(email) for every account it reads (email__iexact).
            models.Index(
                Upper("email"), "purpose", condition=models.Q(action="withdrawn"), name="consent_email_withdrawn"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user=None, anonymous_id=None, email="", phone=""), name="consent_has_subject"
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.get_action_display().lower()} ({self.get_source_display()})"

    def save(self, *args, **kwargs):
        if not self.pk:
            self.with_hash()
        super().save(*args, **kwargs)

    def with_hash(self):
        """Fill ``wording_hash`` from the wording; returns the event (for bulk_create)."""
        self.wording_hash = hashlib.sha256(self.wording.encode()).hexdigest()
        return self

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
        ABANDONED = "abandoned", _("Abandoned: stopped without finishing")

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
        REQUEST = "request", _("Privacy request handled")
        RECTIFY = "rectify", _("Corrected on request")
        DOWNLOAD = "download", _("Export downloaded")
        UNMASK = "unmask", _("Unmasked in the admin")

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
        # P15: staff without it see personal fields masked in the admin; each unmasking is audited.
        permissions = [("unmask_personal_data", "Can see personal data unmasked in the admin")]

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


class SubjectRequest(models.Model):
    """A data-subject request (P19-P25, GDPR Art. 12, 15-18, 20, 21), tracked to its deadline.

    Every change of status is a service call in ``privacy.services.requests`` that writes a
    SubjectRequestEvent (the timeline) and an AuditEvent; nothing sets ``status`` directly.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access: a copy of my data")
        PORTABILITY = "portability", _("Portability: my data in a machine-readable file")
        ERASURE = "erasure", _("Erasure: delete my data")
        RECTIFICATION = "rectification", _("Rectification: correct my data")
        RESTRICTION = "restriction", _("Restriction: keep my data but stop using it")
        OBJECTION = "objection", _("Objection: no marketing or profiling")

    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        POST = "post", _("Post")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        IN_PROGRESS = "in_progress", _("In progress")
        EXTENDED = "extended", _("Extended")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", _("Refused")

    class Verification(models.TextChoices):
        LINK = "link", _("Email link")
        REAUTHENTICATION = "reauthentication", _("Signed in and re-entered the password")
        STAFF = "staff", _("Verified by staff")

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.AWAITING_VERIFICATION,
        Status.VERIFIED,
        Status.IN_PROGRESS,
        Status.EXTENDED,
    )
    CLOSED_STATUSES = (Status.COMPLETED, Status.REFUSED)

    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(max_length=25, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subject_requests"
    )
    #: The requester's address: the account's at the time, or the one verified by link.
    email = models.EmailField(blank=True)
    details = models.TextField(blank=True, help_text="What the person asked, in their words.")
    #: Rectification: [{"record": "shop.Order", "object_id": "12", "field": "billing_name",
    #: "current": "...", "requested": "..."}]; restriction and objection: their scope.
    changes = models.JSONField(default=list, blank=True)
    scope = models.CharField(max_length=12, blank=True, help_text="Restriction scope, for a restriction request.")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"is_staff": True},
    )
    received_at = models.DateTimeField(default=timezone.now)
    first_due_on = models.DateField(help_text="One month from receipt, on a working day (Art. 12(3)).")
    due_on = models.DateField(db_index=True, help_text="The due date now: moved by a stopped clock or an extension.")
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    clock_stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while we wait for proof of identity or a clarification."
    )
    days_paused = models.PositiveIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification = models.CharField(max_length=20, choices=Verification.choices, blank=True)
    verification_note = models.TextField(blank=True, help_text="How staff verified the person (ID seen, call-back).")
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What was done, or the reason for a refusal.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        permissions = [("handle_request", "Can handle data-subject requests")]
        # No "has a requester" constraint: erasure blanks an email-only requester's address
        # and the request stays as proof that it was answered. The services require one.
        indexes = [models.Index(fields=["status", "due_on"], name="subjectrequest_open_due")]

    def __str__(self):
        return f"{self.reference}: {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class SubjectRequestEvent(models.Model):
    """One step in a request's timeline: who moved it from which status to which, and why."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=100, help_text="Staff #id, 'requester' or 'system'.")
    from_status = models.CharField(max_length=25, blank=True)
    to_status = models.CharField(max_length=25)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '-'} -> {self.to_status}"


class ProcessorStep(models.Model):
    """Something that must happen outside our database for a person (GDPR Art. 17(2), 19).

    Apps register the step handlers (the shop deletes the Stripe customer, email suppresses
    the address at the provider); the step keeps only the provider references it needs,
    cleared once it is done, and is retried with backoff until it succeeds.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed for good: staff must act")
        SKIPPED = "skipped", _("Not applicable: the provider keeps nothing to act on")

    FINISHED_STATUSES = (Status.DONE, Status.SKIPPED, Status.GAVE_UP)

    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="processor_steps"
    )
    handler = models.CharField(max_length=60, help_text="The registered handler's name, e.g. stripe.erase_customer.")
    action = models.CharField(max_length=12, help_text="erase or rectify")
    #: The erasure log entry of the erasure that asked for it (an erasure without a request).
    erasure = models.CharField(max_length=64, blank=True, db_index=True, help_text="The erasure log entry.")
    #: Provider references only (a Stripe customer id); emptied once the step is done.
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=255, blank=True, help_text="Done, or why the step does not apply.")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.handler} ({self.get_status_display()})"


class Suppression(models.Model):
    """An email address or phone number never to be marketed to again, as a keyed hash.

    Written before an erasure removes the person's consent records, so a later import or
    campaign cannot add them back; holds no readable personal data (HMAC-SHA256 with
    ``PRIVACY_HASH_KEY``, a key independent of SECRET_KEY).
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        PHONE = "phone", _("Phone number")

    kind = models.CharField(max_length=5, choices=Kind.choices)
    digest = models.CharField(max_length=64)
    reason = models.CharField(max_length=20, default="erasure")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "digest"], name="one_suppression_per_value")]

    def __str__(self):
        return f"Suppressed {self.get_kind_display().lower()} {self.digest[:12]}…"


class DataExport(models.Model):
    """A person's data as one zip (P19, P24), built by a task and downloadable for 7 days.

    The file lives in the private exports storage, never under the public media URL; a beat
    job deletes it when it expires.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired and deleted")

    token = models.UUIDField(unique=True, editable=False)
    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="data_exports"
    )
    email = models.EmailField(blank=True, help_text="For a person without an account.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField(max_length=255, blank=True, help_text="Path in the exports storage.")
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    downloads = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~models.Q(user=None, email=""), name="export_has_subject")]

    def __str__(self):
        return f"Export {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
