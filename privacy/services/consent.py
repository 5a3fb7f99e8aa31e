"""The consent ledger (OPT-06, P05, P27, P35): append-only events, latest one wins."""

from django.db import transaction

from privacy import purposes, signals
from privacy.models import ConsentEvent, PolicyVersion
from privacy.services.audit import audit_record


class ConsentError(ValueError):
    pass


def current_policy_version() -> PolicyVersion | None:
    """The policy in effect today (P35), read afresh so each ledger row names the exact version.

    A version published ahead of its effective date does not apply until that date.
    """
    return PolicyVersion.objects.in_effect().first()


#: "Not given": the event takes the policy in effect when it is written.
CURRENT = object()


def _record(
    *,
    action,
    purpose,
    source,
    wording,
    user=None,
    anonymous_id=None,
    email="",
    phone="",
    recorded_by=None,
    policy_version=CURRENT,
):
    if purpose not in purposes.PURPOSES:
        raise ConsentError(f"Unknown purpose {purpose!r}.")
    if not purposes.PURPOSES[purpose].needs_consent:
        raise ConsentError(f"{purpose!r} is not processed on consent; object to it instead.")
    if user is None and not anonymous_id and not email and not phone:
        raise ConsentError("A consent event needs a person: a user, an anonymous id, an email or a phone.")
    if not wording.strip():
        raise ConsentError("Record the wording the person was shown.")
    event = ConsentEvent.objects.create(
        user=user,
        anonymous_id=anonymous_id,
        email=email,
        phone=phone,
        purpose=purpose,
        action=action,
        source=source,
        policy_version=current_policy_version() if policy_version is CURRENT else policy_version,
        wording=wording,
        recorded_by=recorded_by,
    )
    if recorded_by is not None:
        audit_record(
            actor=recorded_by,
            action="consent",
            model=ConsentEvent,
            object_id=event.pk,
            subject_id=user.pk if user is not None else "",
            fields=["purpose", "action"],
            detail=f"{purpose} {action} ({source})",
        )
    signal = signals.consent_given if action == ConsentEvent.Action.GIVEN else signals.consent_withdrawn
    transaction.on_commit(
        lambda: signal.send(sender=ConsentEvent, event=event, user=user, email=email, phone=phone, purpose=purpose)
    )
    return event


@transaction.atomic
def consent_grant(*, purpose: str, source: str, wording: str, **person) -> ConsentEvent:
    """Record that a person gave consent for ``purpose``.

    ``person`` names them (``user``, ``anonymous_id``, ``email``, ``phone``), and may add
    ``recorded_by`` (staff) and ``policy_version`` (when several events share one lookup).
    Writes one ConsentEvent under the policy version in effect (and an AuditEvent when staff
    record it); sends ``consent_given`` after commit. Raises ConsentError for a purpose that
    is not consent-based or a missing person or wording.
    """
    return _record(action=ConsentEvent.Action.GIVEN, purpose=purpose, source=source, wording=wording, **person)


@transaction.atomic
def consent_withdraw(*, purpose: str, source: str, wording: str, **person) -> ConsentEvent:
    """Record that a person withdrew consent for ``purpose`` (P27); ``person`` as consent_grant.

    Writes one ConsentEvent; sends ``consent_withdrawn`` after commit so receivers stop the
    processing (marketing drops queued messages). Raises ConsentError like consent_grant.
    """
    return _record(action=ConsentEvent.Action.WITHDRAWN, purpose=purpose, source=source, wording=wording, **person)
