"""The audit log of access to and changes of personal data (LG-01, LG-02)."""

from django.db import models

from privacy.models import AuditEvent
from privacy.registry import site

SYSTEM = "system"


def actor_label(actor) -> str:
    """How the log names who acted: never a name or an email address."""
    if actor is None:
        return SYSTEM
    if getattr(actor, "is_staff", False):
        return f"staff #{actor.pk}"
    return f"customer #{actor.pk}"


def _event(*, actor, action, model, object_id="", subject_id="", fields=(), detail="") -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label(actor),
        action=action,
        model=model if isinstance(model, str) else model._meta.label,
        object_id=str(object_id or ""),
        subject_id=str(subject_id or ""),
        fields=sorted(fields),
        detail=detail[:255],
    )


def audit_record(
    *,
    actor,
    action: str,
    model: type[models.Model] | str,
    object_id="",
    subject_id="",
    fields=(),
    detail: str = "",
) -> AuditEvent:
    """Append one audit event: who, which action, which model and id, which fields; no values.

    ``actor`` is the user who acted, or None for the system. Writes one AuditEvent row.
    """
    event = _event(
        actor=actor,
        action=action,
        model=model,
        object_id=object_id,
        subject_id=subject_id,
        fields=fields,
        detail=detail,
    )
    event.save()
    return event


def audit_record_many(*, actor, action: str, model: type[models.Model], objects, fields=()) -> list[AuditEvent]:
    """One audit event per object of ``model`` (an admin bulk action), in one INSERT.

    The subject of each row is read from the model's personal-data declaration.
    """
    declaration = site.get(model)
    return AuditEvent.objects.bulk_create(
        _event(
            actor=actor,
            action=action,
            model=model,
            object_id=obj.pk,
            subject_id=declaration.subject_id(obj) if declaration else "",
            fields=fields,
        )
        for obj in objects
    )


def audit_record_bulk(*, actor, action: str, entries) -> list[AuditEvent]:
    """Several events of one actor and action in one INSERT (an erasure: one per model).

    ``entries`` are dicts of ``model`` and, optionally, ``object_id``, ``subject_id``,
    ``fields`` and ``detail``; field names only, never values.
    """
    return AuditEvent.objects.bulk_create(_event(actor=actor, action=action, **entry) for entry in entries)
