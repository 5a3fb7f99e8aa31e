"""Reads about a person's data exports: their recent ones, and whether we hold anything."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from privacy.models import DataExport
from privacy.registry import Registry, site
from privacy.subjects import Subject


def exports_for(subject: Subject, *, limit: int = 5) -> list[DataExport]:
    """The person's most recent exports, newest first, for "Your data" (one query). Each has
    ``is_downloadable``, ``state`` and ``state_label``: one past its expiry is in the state
    "expired" even before the hourly job has deleted it."""
    condition = Q(pk__in=[])
    if subject.user_id is not None:
        condition |= Q(user_id=subject.user_id)
    for email in sorted(subject.emails):
        condition |= Q(email__iexact=email)
    exports = list(DataExport.objects.filter(condition).order_by("-created_at", "-pk")[:limit])
    now = timezone.now()
    for export in exports:
        # Until the hourly expiry runs, a ready export past its date is already gone to the person.
        export.is_downloadable = export.status == DataExport.Status.READY and bool(
            export.expires_at and export.expires_at > now
        )
        state = DataExport.Status(export.status)
        if state == DataExport.Status.READY and not export.is_downloadable:
            state = DataExport.Status.EXPIRED
        export.state, export.state_label = state.value, str(state.label)
    return exports


def export_for_owner(*, token, user) -> DataExport | None:
    """The export with this token if it is ``user``'s own, else None (AC-01: a stranger's
    token and an unknown one look alike)."""
    if user is None or not user.is_authenticated:
        return None
    return DataExport.objects.filter(token=token, user_id=user.pk).first()


def subject_holds_data(subject: Subject, *, registry: Registry = site) -> bool:
    """Whether we hold an account or any declared row for the person (one query per model,
    stopping at the first hit)."""
    if subject.user_id is not None:
        return True
    return any(subject.rows(declaration).exists() for declaration in registry.declarations())
