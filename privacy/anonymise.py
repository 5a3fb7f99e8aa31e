"""Values that overwrite personal fields, as database expressions (set-based, one UPDATE)."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.db.models.functions import Cast, Concat

from privacy.fields import with_hash_companions

ERASED_TEXT = "[erased]"
ERASED_EMAIL_DOMAIN = "erased.invalid"


class CannotAnonymise(ValueError):
    pass


def anonymous_value(field: models.Field):
    """What ``field`` becomes when anonymised; raises CannotAnonymise when nothing is safe.

    Unique fields get a value derived from the primary key so that rows stay distinct;
    ``.invalid`` is reserved (RFC 2606) so an erased address can never receive mail.
    """
    if field.is_relation:
        if field.null:
            return None
        raise CannotAnonymise(f"{field.name} is a required relation; make it nullable or delete the row")
    if field.name == "password" and field.model is not None and hasattr(field.model, "set_unusable_password"):
        # Django's unusable-password prefix: has_usable_password() is False, nobody signs in.
        # A fixed value, so a second purge can tell the row is already anonymised.
        return UNUSABLE_PASSWORD_PREFIX + "erased"
    if isinstance(field, models.EmailField):
        if field.unique:
            return Concat(
                models.Value("erased-"),
                Cast("pk", models.CharField()),
                models.Value(f"@{ERASED_EMAIL_DOMAIN}"),
                output_field=field,
            )
        return "" if field.blank else f"erased@{ERASED_EMAIL_DOMAIN}"
    if isinstance(field, models.CharField | models.TextField):
        if getattr(field, "encrypted", False):
            # Stored as "" (no ciphertext): an encrypted column can be compared with "" only,
            # which is how a second purge tells the row is already anonymised.
            return ""
        if field.unique:
            return Concat(models.Value("erased-"), Cast("pk", models.CharField()), output_field=field)
        if field.blank:
            return ""
        if field.max_length is not None and field.max_length < len(ERASED_TEXT):
            return "-" * min(field.max_length, 1)
        return ERASED_TEXT
    if isinstance(field, models.JSONField):
        return field.get_default() if field.has_default() else None
    if field.null:
        return None
    if field.has_default():
        return field.get_default()
    raise CannotAnonymise(f"{field.name} has no safe anonymous value; make it nullable or give it a default")


def anonymous_values(model: type[models.Model], names) -> dict:
    """The anonymous value of each field in ``names``, with the keyed hashes that find rows by
    them cleared (privacy.fields.KeyedHashField)."""
    return with_hash_companions(model, {name: anonymous_value(model._meta.get_field(name)) for name in names})
