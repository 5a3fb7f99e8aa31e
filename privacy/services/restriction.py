"""Processing restriction (P23, GDPR Art. 18): keep a person's data but do not use it."""

import datetime

from django.db import transaction
from django.utils import timezone

from privacy.mail import send_templated_email
from privacy.models import AuditEvent, Restriction
from privacy.services.audit import audit_record


class RestrictionError(ValueError):
    pass


def _audit(*, restriction: Restriction, actor, fields, detail: str):
    audit_record(
        actor=actor,
        action=AuditEvent.Action.RESTRICT,
        model=Restriction,
        object_id=restriction.pk,
        subject_id=restriction.user_id or "",
        fields=fields,
        detail=detail,
    )


@transaction.atomic
def restriction_create(
    *, user=None, email: str = "", scope: str, reason: str, review_on: datetime.date, created_by=None
) -> Restriction:
    """Restrict a person's data to essential use from now on (P23).

    Writes one Restriction and one AuditEvent (action "restrict", no values). While it is
    active the purge holds the person's rows and ``processing_is_restricted`` answers yes.
    Raises RestrictionError for a missing person, an unknown scope, an empty reason or a
    review date in the past.
    """
    email = (email or "").strip()
    if user is None and not email:
        raise RestrictionError("A restriction needs a person: a customer account or an email address.")
    if scope not in Restriction.Scope.values:
        raise RestrictionError(f"Unknown scope {scope!r}.")
    if not (reason or "").strip():
        raise RestrictionError("Give the reason for the restriction.")
    if review_on < timezone.localdate():
        raise RestrictionError("The review date cannot be in the past.")
    restriction = Restriction.objects.create(
        user=user, email=email, scope=scope, reason=reason.strip(), review_on=review_on, created_by=created_by
    )
    _audit(
        restriction=restriction,
        actor=created_by,
        fields=["scope", "reason", "review_on"],
        detail=f"restricted: {scope}, review on {review_on.isoformat()}",
    )
    return restriction


@transaction.atomic
def restriction_review(*, restriction: Restriction, review_on: datetime.date, reason: str, changed_by=None):
    """Move a restriction's review date or restate its reason; audited with the changed fields."""
    if not (reason or "").strip():
        raise RestrictionError("Give the reason for the restriction.")
    # Compare with the stored row: the caller's instance may already carry the new values
    # (the admin's form applies them before saving).
    stored = Restriction.objects.select_for_update().get(pk=restriction.pk)
    changed = [
        name for name, value in (("review_on", review_on), ("reason", reason.strip())) if getattr(stored, name) != value
    ]
    if not changed:
        return stored
    stored.review_on = review_on
    stored.reason = reason.strip()
    stored.save(update_fields=changed)
    restriction = stored
    _audit(restriction=restriction, actor=changed_by, fields=changed, detail="restriction reviewed")
    return restriction


@transaction.atomic
def restriction_end(*, restriction: Restriction, ended_by=None) -> Restriction:
    """End a restriction now (P23): normal processing, and the retention purge, resume.

    The person is told first (GDPR Art. 18(3)): the email is sent before ``ended_at`` is
    written, and if it cannot be sent the restriction stays. Writes ``ended_at`` and one
    AuditEvent. Ending an ended restriction changes nothing.
    """
    restriction = Restriction.objects.select_for_update(of=("self",)).select_related("user").get(pk=restriction.pk)
    if restriction.ended_at is not None:
        return restriction
    address = restriction.user.email if restriction.user_id else restriction.email
    if address:
        send_templated_email(
            to=[address],
            template="privacy/email/restriction_ending",
            context={"restriction": restriction, "scope": restriction.get_scope_display()},
        )
    restriction.ended_at = timezone.now()
    restriction.save(update_fields=["ended_at"])
    _audit(
        restriction=restriction, actor=ended_by, fields=["ended_at"], detail=f"restriction ended: {restriction.scope}"
    )
    return restriction
