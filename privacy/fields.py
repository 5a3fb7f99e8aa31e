"""Model fields that keep personal data encrypted at rest (P15, CR-01), for every app.

``EncryptedCharField`` and ``EncryptedTextField`` behave like CharField and TextField in
Python, forms and the admin, and store ``enc:v1:<kid>:...`` (see privacy.crypto) in a text
column; an empty value stays empty, so "no phone given" needs no key. A database cannot
compare what it cannot read, so the only lookups are ``isnull`` and ``exact`` against ""
(any other raises FieldError at once rather than silently matching nothing). Where rows
must be found by the value, add a ``KeyedHashField`` next to it::

    phone = EncryptedCharField(max_length=32, blank=True)
    phone_hash = KeyedHashField(source="phone", kind="phone")

and filter on the hash (``phone_hash=keyed_hash("phone", value)``); the registry does this
by itself for a ``subject_phone``/``subject_email`` path that ends in a KeyedHashField.
"""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import lookups

from privacy import crypto
from privacy.subjects import keyed_hash

ALLOWED_LOOKUPS = {"isnull", "exact"}


class EmptyOnlyExact(lookups.Exact):
    """``field=""``: is the value empty (stored as "", unencrypted). Nothing else compares."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                f"{self.lhs.target.model._meta.label}.{self.lhs.target.name} is encrypted: it can only be "
                "compared with '' or tested with __isnull; look rows up by its keyed-hash field."
            )
        return ""


class EncryptedFieldMixin:
    """Encrypts on the way to the database, decrypts on the way out; raises on failure (CR-02)."""

    encrypted = True

    def get_internal_type(self):
        # Ciphertext is longer than the plaintext's max_length; the column is text.
        return "TextField"

    def context(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        if not crypto.is_encrypted(value):
            # A plaintext value in an encrypted column: a missed migration or a raw write.
            crypto.logger.error("Unencrypted value found in %s", self.context())
            raise crypto.DecryptionError(f"{self.context()} holds a value that is not encrypted")
        return crypto.decrypt(value, context=self.context())

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), context=self.context())

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.context()} is encrypted: __{lookup_name} cannot be used on it; look rows up by its keyed hash."
        )

    def get_transform(self, lookup_name):
        return None


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """A CharField (max_length checked on the plaintext) stored encrypted in a text column."""

    description = "Text encrypted at rest (up to %(max_length)s characters)"


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    description = "Text encrypted at rest"


class KeyedHashField(models.CharField):
    """HMAC-SHA256 (privacy.subjects.keyed_hash) of another field, kept in step on save, so
    rows can be found by an encrypted value. "" when the source is empty."""

    def __init__(self, *args, source: str = "", kind: str = "phone", **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, default in (("max_length", 64), ("blank", True), ("editable", False), ("db_index", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def digest(self, value) -> str:
        return keyed_hash(self.kind, value) if value else ""

    def pre_save(self, model_instance, add):
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def with_hash_companions(model, values: dict) -> dict:
    """``values`` for a set-based ``update()``, plus the keyed hashes of the fields it writes
    (an update() runs no pre_save). A value that is an expression (an anonymised one) clears
    its hash: nobody is to be found by it any more."""
    extra = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, KeyedHashField) and field.source in values and field.name not in values:
            value = values[field.source]
            extra[field.name] = field.digest(value) if isinstance(value, str) else ""
    return {**values, **extra}


def encrypted_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


# --- data migrations --------------------------------------------------------------
BATCH = 500


def encrypt_existing(model, names, *, batch: int = BATCH) -> int:
    """Encrypt the plaintext left in ``names`` of ``model`` (a historical model whose fields
    are already encrypted ones), and fill their keyed-hash companions. Safe to run again:
    values already encrypted are left alone. Returns the rows written."""
    manager = model._base_manager
    fields = [model._meta.get_field(name) for name in names]
    hashes = [f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField) and f.source in names]
    raw = {f"raw_{name}": models.functions.Cast(name, models.TextField()) for name in names}
    written = 0
    last_pk = None
    while True:
        rows = manager.order_by("pk").annotate(**raw).values("pk", *raw)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        rows = list(rows[:batch])
        if not rows:
            return written
        last_pk = rows[-1]["pk"]
        changed = []
        for row in rows:
            values = {f.name: row[f"raw_{f.name}"] for f in fields}
            if all(not v or crypto.is_encrypted(v) for v in values.values()):
                continue
            obj = model(pk=row["pk"])
            for name, value in values.items():
                if value and crypto.is_encrypted(value):
                    # Keep what is already encrypted: decrypting it only to write it again.
                    value = crypto.decrypt(value, context=f"{model._meta.label}.{name}")
                setattr(obj, name, value or "")
            for hash_field in hashes:
                setattr(obj, hash_field.attname, hash_field.digest(getattr(obj, hash_field.source)))
            changed.append(obj)
        if changed:
            manager.bulk_update(changed, [*names, *(f.name for f in hashes)], batch_size=batch)
            written += len(changed)


def decrypt_existing(model, names, *, batch: int = BATCH) -> int:
    """The reverse of encrypt_existing: write the plaintext back (before the column goes back
    to a plain one)."""
    manager = model._base_manager
    written = 0
    last_pk = None
    while True:
        rows = manager.order_by("pk").values("pk", *names)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        rows = list(rows[:batch])
        if not rows:
            return written
        last_pk = rows[-1]["pk"]
        for row in rows:
            plain = {name: models.Value(row[name] or "", output_field=models.TextField()) for name in names}
            manager.filter(pk=row["pk"]).update(**plain)
            written += 1
