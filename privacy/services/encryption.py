"""Key rotation of the fields encrypted at rest (P15, CR-04).

Rotation is: put a new key first in PRIVACY_FIELD_ENCRYPTION_KEYS (the old one stays after
it, so everything still decrypts), run ``manage.py reencrypt``, then remove the old key.
The rewrite goes model by model in primary-key order, one transaction per batch; a value
already under the current key is left alone, so a run that stops part-way is simply run
again and picks up where the old key is still found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from privacy import crypto
from privacy.fields import encrypted_fields

#: Values encrypted outside model fields (allauth's two-factor secrets), registered by the
#: app that encrypts them: ``rotate(batch_size) -> (rows scanned, rows rewritten)``.
_extra_rotations: dict[str, Callable[[int], tuple[int, int]]] = {}


def encryption_rotation_register(label: str, rotate: Callable[[int], tuple[int, int]]):
    """Have ``reencrypt`` call ``rotate(batch_size)`` for values it cannot find as model fields."""
    _extra_rotations[label] = rotate


@dataclasses.dataclass
class RotationCount:
    scanned: int = 0
    rewritten: int = 0


def models_with_encrypted_fields() -> list[type[models.Model]]:
    return sorted((m for m in apps.get_models() if encrypted_fields(m)), key=lambda m: m._meta.label)


def _stale(values: dict) -> bool:
    return any(value and crypto.needs_rotation(value) for value in values.values())


def encryption_rotate_model(model: type[models.Model], *, batch_size: int = 500) -> RotationCount:
    """Re-encrypt with the current key every value of ``model``'s encrypted fields that was
    encrypted with another one. Reads the stored tokens without decrypting them; decrypts and
    writes only the rows that need it (one bulk UPDATE per batch, each batch its own
    transaction). Raises DecryptionError when a value does not decrypt with any configured key."""
    names = [field.name for field in encrypted_fields(model)]
    raw = {f"raw_{name}": Cast(name, models.TextField()) for name in names}
    manager = model._base_manager
    count = RotationCount()
    last_pk = None
    while True:
        page = manager.order_by("pk").annotate(**raw).values("pk", *raw)
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page[:batch_size])
        if not rows:
            return count
        last_pk = rows[-1]["pk"]
        count.scanned += len(rows)
        stale = [row["pk"] for row in rows if _stale({name: row[f"raw_{name}"] for name in names})]
        if stale:
            with transaction.atomic():
                objects = list(manager.filter(pk__in=stale).only("pk", *names))
                # Saving the decrypted values encrypts them again, under the current key.
                manager.bulk_update(objects, names, batch_size=batch_size)
            count.rewritten += len(objects)


def encryption_rotate(*, batch_size: int = 500, progress: Callable | None = None) -> dict[str, RotationCount]:
    """Re-encrypt under the current key every encrypted value held (model fields, then the
    registered extra values); returns the count per model label."""
    summary: dict[str, RotationCount] = {}
    for model in models_with_encrypted_fields():
        summary[model._meta.label] = encryption_rotate_model(model, batch_size=batch_size)
        if progress is not None:
            progress(model._meta.label, summary[model._meta.label])
    for label, rotate in sorted(_extra_rotations.items()):
        scanned, rewritten = rotate(batch_size)
        summary[label] = RotationCount(scanned=scanned, rewritten=rewritten)
        if progress is not None:
            progress(label, summary[label])
    return summary
