"""P15: the two-factor secrets allauth stored in clear (TOTP secrets, recovery-code seeds and
codes carried over from older versions) encrypted with the field encryption keys, as
accounts.adapter.MFAAdapter now reads them; decrypted again on the way down."""

from django.db import migrations

from privacy import crypto

CONTEXT = "mfa.Authenticator.data"  # accounts.adapter.MFA_SECRET_CONTEXT, frozen here
SECRET_KEYS = ("secret", "seed")


def _convert(data: dict, one) -> dict:
    data = dict(data or {})
    for key in SECRET_KEYS:
        if isinstance(data.get(key), str) and data[key]:
            data[key] = one(data[key])
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [one(code) for code in data["migrated_codes"]]
    return data


def _encrypt(value: str) -> str:
    return value if crypto.is_encrypted(value) else crypto.encrypt(value, context=CONTEXT)


def _decrypt(value: str) -> str:
    return crypto.decrypt(value, context=CONTEXT) if crypto.is_encrypted(value) else value


def _rewrite(apps, one):
    authenticator_model = apps.get_model("mfa", "Authenticator")
    changed = []
    for authenticator in authenticator_model.objects.order_by("pk").iterator(chunk_size=500):
        data = _convert(authenticator.data, one)
        if data != authenticator.data:
            authenticator.data = data
            changed.append(authenticator)
    authenticator_model.objects.bulk_update(changed, ["data"], batch_size=500)


def encrypt_secrets(apps, schema_editor):
    _rewrite(apps, _encrypt)


def decrypt_secrets(apps, schema_editor):
    _rewrite(apps, _decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_encrypt_phone_and_address"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
