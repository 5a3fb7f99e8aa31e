"""The audit log of access to and changes of personal data (LG-01, LG-02)."""

from django.db import models

from privacy.models import AuditEvent

SYSTEM = "system"


def actor_label(actor) -> str:
    """How the log names who acted: never a name or an email address."""
    if actor is None:
        return SYSTEM
    if getattr(actor, "is_staff", False):
        return f"staff #{actor.pk}"
    return f"customer #{actor.pk}"


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
    label = model if isinstance(model, str) else model._meta.label
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label(actor),
        action=action,
        model=label,
        object_id=str(object_id or ""),
        subject_id=str(subject_id or ""),
        fields=sorted(fields),
        detail=detail[:255],
    )
