"""Contests and sweepstakes (P02), and surveys (P02, P11).

An entry is one per person and contest, by account and by email address, both enforced by
unique constraints. People without an account leave a ``PendingEntry`` until they follow
the link emailed to them; only then does the ``Entry`` exist. Survey responses are linked to
the signed-in customer, or hold nothing about who answered.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from contests.querysets import ContestQuerySet, EntryQuerySet, SurveyQuerySet

#: How long the emailed link confirming an entry works; unconfirmed entries go a day later.
CONFIRM_LINK_DAYS = 2
#: Entrants must be adults (P12: the site is not for children).
MINIMUM_AGE = 18


def normalise_email(address: str) -> str:
    """The form an address is compared in: trimmed and lower-cased (the whole address, as
    the privacy hub compares addresses)."""
    return (address or "").strip().lower()


# --- contests -------------------------------------------------------------------------------


class Contest(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(unique=True)
    prize = models.CharField(max_length=200)
    rules = models.TextField(help_text="The full rules, shown on the contest's page.")
    opens = models.DateTimeField()
    closes = models.DateTimeField()
    active = models.BooleanField(default=True, help_text="Shown on the site. Untick to hide the contest.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContestQuerySet.as_manager()

    class Meta:
        ordering = ["-closes", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="contest_closes_after_opens")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("contests:detail", args=[self.slug])

    def is_open(self, when=None) -> bool:
        when = when or timezone.now()
        return self.active and self.opens <= when < self.closes

    def has_closed(self, when=None) -> bool:
        return (when or timezone.now()) >= self.closes

    def state(self, when=None) -> str:
        """ "upcoming", "open" or "closed"."""
        when = when or timezone.now()
        if when < self.opens:
            return "upcoming"
        return "closed" if self.has_closed(when) else "open"


class Entry(models.Model):
    """One person's entry in one contest: their account, or an address they confirmed."""

    class Verification(models.TextChoices):
        ACCOUNT = "account", "Signed in"
        EMAIL_LINK = "email_link", "Emailed link"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="contest_entries"
    )
    #: Where we tell the winner; normalised (see ``normalise_email``).
    email = models.EmailField()
    verified_by = models.CharField(max_length=12, choices=Verification.choices)
    #: When the entrant confirmed they are 18 or over (P12).
    age_confirmed_at = models.DateTimeField()
    #: Whether the entrant ticked "Email me offers"; the consent itself is in the ledger.
    asked_for_offers = models.BooleanField(default=False)
    entered_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["contest", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "user"], condition=Q(user__isnull=False), name="contest_entry_one_per_account"
            ),
            models.UniqueConstraint(Lower("email"), "contest", name="contest_entry_one_per_email"),
        ]

    def __str__(self):
        return f"Entry #{self.pk} in {self.contest}"


class PendingEntry(models.Model):
    """An entry waiting for its address to be confirmed through the emailed link."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="pending_entries")
    #: What the emailed link names (signed): random, so a link cannot be guessed or reused
    #: for a later row.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField()
    age_confirmed_at = models.DateTimeField()
    asked_for_offers = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "pending entries"
        constraints = [models.UniqueConstraint(Lower("email"), "contest", name="contest_pending_one_per_email")]

    def __str__(self):
        return f"Unconfirmed entry #{self.pk} in {self.contest}"


class Draw(models.Model):
    """The drawing of a contest's winner, with what it takes to run it again.

    The winner is ``entry_ids[index]``, where the index is derived from ``seed`` and the
    ordered ids alone (``contests.services.draws.winning_index``), so anyone holding this row
    can check the result; ``entries_hash`` shows the list was not changed afterwards.
    """

    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="draw")
    seed = models.CharField(max_length=64, help_text="256 random bits from the operating system, in hex.")
    entry_ids = models.JSONField(help_text="The confirmed entries' ids at the draw, in ascending order.")
    entries_hash = models.CharField(max_length=64, help_text="SHA-256 of the ids joined by commas.")
    winner = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: Kept when the winning entry itself is later erased or purged.
    winner_entry_id = models.PositiveBigIntegerField()
    drawn_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Draw of {self.contest}"


# --- surveys --------------------------------------------------------------------------------


class Survey(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(unique=True)
    intro = models.TextField(blank=True)
    is_open = models.BooleanField(default=True, help_text="Taking answers. Untick to close the survey.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:detail", args=[self.slug])


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        CHOICE = "choice", "Single choice"
        RATING = "rating", "Rating from 1 to 5"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["survey", "position", "pk"]

    def __str__(self):
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=150)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self):
        return self.label


class Response(models.Model):
    """One filled-in survey: a signed-in customer's, or anonymous (no user, no address, no IP)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_responses"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(user__isnull=False), name="survey_response_one_per_account"
            )
        ]

    def __str__(self):
        return f"Response #{self.pk} to {self.survey}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # RESTRICT: a question or choice that has answers cannot be deleted on its own (the answers
    # would go with it), only with its survey.
    question = models.ForeignKey(Question, on_delete=models.RESTRICT, related_name="answers")
    text = models.TextField(blank=True)
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.RESTRICT, related_name="answers")
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["response", "question__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="survey_rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"Answer to {self.question}"
