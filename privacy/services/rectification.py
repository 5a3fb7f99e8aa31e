"""Rectification on request (P21, GDPR Art. 16 and 19; PR-09), through the registry.

Staff apply what a rectification request asks: only personal fields the declarations let
staff correct, only on the requester's own rows, each value validated as the model's field
would validate it, all in one transaction or none. The processors that hold the data are
told as for an erasure (the Stripe customer's name and address), and each corrected row is
audited by field name, never value.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction

from privacy.fields import with_hash_companions
from privacy.models import AuditEvent
from privacy.registry import site
from privacy.services.audit import audit_record
from privacy.services.processors import processor_steps_collect, processor_steps_create
from privacy.subjects import Subject


class RectificationError(ValueError):
    """A change that cannot be applied; nothing was changed. The message says which and why."""


def _row(subject: Subject, change) -> tuple:
    """The declaration, row and validated value of one requested change, or RectificationError."""
    if not isinstance(change, dict) or not {"record", "object_id", "field", "requested"} <= set(change):
        raise RectificationError("Each change names its record, object_id, field and requested value.")
    label, name = str(change["record"]), str(change["field"])
    try:
        declaration = site.get(apps.get_model(label))
    except (LookupError, ValueError):
        declaration = None
    if declaration is None:
        raise RectificationError(f"{label} is not a record of personal data.")
    if name not in declaration.rectifiable_fields():
        raise RectificationError(f"{declaration.verbose_name}: '{name}' is not corrected on request.")
    try:
        obj = subject.rows(declaration).filter(pk=change["object_id"]).first()
    except (ValueError, ValidationError):
        obj = None
    if obj is None:
        raise RectificationError(f"{declaration.verbose_name} #{change['object_id']} is not one of the person's.")
    if "current" in change and str(getattr(obj, name)) != str(change["current"]):
        raise RectificationError(
            f"{declaration.verbose_name} #{obj.pk}: '{name}' has changed since the request; review it again."
        )
    try:
        value = declaration.model._meta.get_field(name).clean(change["requested"], obj)
    except ValidationError as exc:
        raise RectificationError(f"{declaration.verbose_name} #{obj.pk}, '{name}': {' '.join(exc.messages)}") from None
    return declaration, obj, name, value


@transaction.atomic
def rectification_apply(*, request, actor) -> list[dict]:
    """Apply ``request.changes`` (a SubjectRequest of kind rectification) and tell the processors.

    Writes the corrected fields (one UPDATE per row), one AuditEvent "rectify" per row
    (field names only), and one ProcessorStep "rectify" per registered recipient that holds
    the data, queued on commit. Returns the applied changes as {"record", "object_id",
    "field"}. Raises RectificationError, with nothing changed, for a change that is not a
    correctable field of one of the requester's own rows or whose value is not valid.
    """
    subject = Subject.of(user=request.user, email=request.email)
    if not subject:
        raise RectificationError("The request names nobody.")
    if not request.changes:
        raise RectificationError("The request lists no corrections.")
    rows: dict[tuple, tuple] = {}
    changes = []
    for change in request.changes:
        declaration, obj, name, value = _row(subject, change)
        rows.setdefault((declaration.label, obj.pk), (declaration, obj, {}))[2][name] = value
        changes.append({"record": declaration.label, "object_id": str(obj.pk), "field": name, "requested": value})
    collected = processor_steps_collect(action="rectify", subject=subject, changes=changes)
    for declaration, obj, values in rows.values():
        declaration.model._default_manager.filter(pk=obj.pk).update(**with_hash_companions(declaration.model, values))
        audit_record(
            actor=actor,
            action=AuditEvent.Action.RECTIFY,
            model=declaration.model,
            object_id=obj.pk,
            subject_id=declaration.subject_id(obj),
            fields=list(values),
            detail=f"rectification request {request.reference}",
        )
    processor_steps_create(collected=collected, action="rectify", request=request)
    return [{key: change[key] for key in ("record", "object_id", "field")} for change in changes]
