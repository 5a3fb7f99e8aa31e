"""Objections (P22, GDPR Art. 21): one action stops all direct marketing and profiling."""

from django.db import transaction

from privacy import purposes as purpose_registry
from privacy import signals
from privacy.models import AuditEvent, ConsentEvent
from privacy.selectors.consent import consent_state
from privacy.services.audit import audit_record
from privacy.services.consent import consent_withdraw, current_policy_version

#: What "object to all marketing" covers (P22): post and tailored offers are legitimate
#: interests one objects to; email and text marketing are consents, withdrawn at once.
MARKETING_OBJECTION = purpose_registry.MARKETING_OBJECTIONS
OBJECTION_WORDING = "I object to all direct marketing (email, text messages and post) and to tailored offers."
WITHDRAW_WORDING = "I no longer object to postal marketing and tailored offers."


class ObjectionError(ValueError):
    pass


def _person(user, email):
    if user is None and not email:
        raise ObjectionError("An objection needs a person: an account or an email address.")


@transaction.atomic
def objection_record(*, user=None, email: str = "", purposes=None, source: str, actor=None, wording: str = ""):
    """Record that the person objects to ``purposes`` (default: all direct marketing and
    tailored offers), and withdraw their email and text marketing consents in the same
    transaction (P22, PR-08).

    Writes one ConsentEvent (action "objected") per purpose, a withdrawal per marketing
    consent still given, and one AuditEvent; sends ``objection_recorded`` after commit so
    marketing drops queued messages. Raises ObjectionError for a purpose nobody can object
    to or a missing person.
    """
    _person(user, email)
    chosen = tuple(purposes or MARKETING_OBJECTION)
    unknown = [p for p in chosen if p not in purpose_registry.OBJECTABLE_PURPOSES]
    if unknown:
        raise ObjectionError(f"Nobody can object to {', '.join(unknown)}.")
    policy = current_policy_version()
    wording = wording or OBJECTION_WORDING
    events = ConsentEvent.objects.bulk_create(
        ConsentEvent(
            user=user,
            email="" if user is not None else email,
            purpose=purpose,
            action=ConsentEvent.Action.OBJECTED,
            source=source,
            policy_version=policy,
            wording=wording,
            recorded_by=actor if getattr(actor, "is_staff", False) else None,
        ).with_hash()
        for purpose in chosen
    )
    if set(chosen) >= set(MARKETING_OBJECTION):
        given = consent_state(user=user, email=email)
        for purpose in purpose_registry.MARKETING_CONSENT_PURPOSES:
            # By address alone the consent may sit on an account we do not look up here: the
            # withdrawal is written by address, which the marketing selectors honour for it.
            if user is None or (purpose in given and given[purpose].is_given):
                person = {"user": user} if user is not None else {"email": email}
                consent_withdraw(purpose=purpose, source=source, wording=wording, policy_version=policy, **person)
    audit_record(
        actor=actor or user,
        action=AuditEvent.Action.CONSENT,
        model=ConsentEvent,
        object_id=events[0].pk if events and events[0].pk else "",
        subject_id=user.pk if user is not None else "",
        fields=["purpose", "action"],
        detail="objected: " + ", ".join(chosen),
    )
    transaction.on_commit(
        lambda: signals.objection_recorded.send(sender=ConsentEvent, user=user, email=email, purposes=chosen)
    )
    return events


@transaction.atomic
def objection_withdraw(*, user=None, email: str = "", purposes=None, source: str, actor=None):
    """The person no longer objects to ``purposes`` (default: the marketing objection).
    Consents withdrawn with the objection stay withdrawn: giving them again is the person's
    own choice. Writes one ConsentEvent per purpose and one AuditEvent."""
    _person(user, email)
    chosen = tuple(purposes or MARKETING_OBJECTION)
    policy = current_policy_version()
    events = ConsentEvent.objects.bulk_create(
        ConsentEvent(
            user=user,
            email="" if user is not None else email,
            purpose=purpose,
            action=ConsentEvent.Action.OBJECTION_WITHDRAWN,
            source=source,
            policy_version=policy,
            wording=WITHDRAW_WORDING,
        ).with_hash()
        for purpose in chosen
    )
    audit_record(
        actor=actor or user,
        action=AuditEvent.Action.CONSENT,
        model=ConsentEvent,
        subject_id=user.pk if user is not None else "",
        fields=["purpose", "action"],
        detail="objection withdrawn: " + ", ".join(chosen),
    )
    return events
