"""Disclosures of personal data to authorities (P09)."""

from django.db import transaction

from privacy.models import AuditEvent, Disclosure
from privacy.services.audit import audit_record

#: The fields a disclosure record consists of, named in its audit entry.
RECORD_FIELDS = ("recipient", "legal_basis", "categories", "subject", "subject_description", "disclosed_on")


@transaction.atomic
def disclosure_record(*, disclosure: Disclosure, recorded_by) -> Disclosure:
    """Save a new disclosure to an authority, recorded by the staff member ``recorded_by``.

    Writes the Disclosure and one AuditEvent (action "disclose", the disclosed categories
    in its detail, never the person's details). Raises ValueError for a disclosure that is
    already saved (a correction is an ordinary admin change, audited as such).
    """
    if disclosure.pk:
        raise ValueError("This disclosure is already recorded.")
    disclosure.recorded_by = recorded_by
    disclosure.full_clean()
    disclosure.save()
    audit_record(
        actor=recorded_by,
        action=AuditEvent.Action.DISCLOSE,
        model=Disclosure,
        object_id=disclosure.pk,
        subject_id=disclosure.subject_id or "",
        fields=[name for name in RECORD_FIELDS if getattr(disclosure, name, None)],
        detail="categories: " + ", ".join(disclosure.categories),
    )
    return disclosure
