"""Personal data encrypted at rest (P15; CR-01 to CR-06) with privacy.crypto and privacy.fields."""

import base64
import logging

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, hotp_value
from allauth.mfa.utils import decrypt
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Address, Profile
from privacy import crypto
from privacy.fields import encrypted_fields
from privacy.registry import site
from privacy.services.encryption import models_with_encrypted_fields
from privacy.subjects import Subject
from shop.models import ConsultationRequest, Order
from tests.accounts.factories import AddressFactory, ProfileFactory, UserFactory
from tests.privacy.people import person_everywhere

pytestmark = pytest.mark.django_db

OLD = "old0:" + base64.b64encode(b"o" * 32).decode()
NEW = "new1:" + base64.b64encode(b"n" * 32).decode()


def _raw(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _set_raw(model, pk, column, value):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_cr01_canary_phones_and_addresses_are_never_stored_in_clear():
    # given a person with a canary in every declared model
    person = person_everywhere(1)
    canaries = {key: value for key, value in person.canaries.items() if value}
    # when every encrypted column is searched for each canary, as the database holds it
    hits = []
    columns = 0
    for model in models_with_encrypted_fields():
        table = connection.ops.quote_name(model._meta.db_table)
        for field in encrypted_fields(model):
            columns += 1
            column = connection.ops.quote_name(field.column)
            for value in canaries.values():
                with connection.cursor() as cursor:
                    sql = f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE %s"  # noqa: S608
                    cursor.execute(sql, [f"%{value}%"])
                    hits += [(model._meta.label, field.name, value)] * cursor.fetchone()[0]
    # then nothing is found in clear, and the model still reads the values back
    assert columns == 11
    assert hits == []
    profile = Profile.objects.get(user=person.user)
    assert profile.phone == person.canaries["accounts.Profile.phone"]
    assert _raw(Profile, profile.pk, "phone").startswith("enc:v1:dev0:")


def test_cr01_every_encrypted_value_names_its_key_and_empty_stays_empty():
    address = AddressFactory(line1="1 Canary Wharf", line2="")
    raw = _raw(Address, address.pk, "line1")
    assert raw.startswith("enc:v1:dev0:") and "Canary" not in raw
    assert _raw(Address, address.pk, "line2") == ""
    # Two equal values do not encrypt alike (a fresh nonce each time).
    other = AddressFactory(line1="1 Canary Wharf")
    assert _raw(Address, other.pk, "line1") != raw


def test_cr02_a_changed_byte_raises_and_logs_an_error_never_shows_ciphertext(caplog):
    profile = ProfileFactory(phone="+44 7700 900123")
    token = _raw(Profile, profile.pk, "phone")
    head, _, body = token.rpartition(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[len(raw) // 2] ^= 0x01
    flipped = f"{head}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    _set_raw(Profile, profile.pk, "phone", flipped)
    with caplog.at_level(logging.ERROR, logger="privacy.crypto"), pytest.raises(crypto.DecryptionError):
        Profile.objects.get(pk=profile.pk)
    assert [r.getMessage() for r in caplog.records] == ["Decryption failed for accounts.Profile.phone: InvalidTag"]
    assert "900123" not in caplog.text and flipped not in caplog.text


def test_cr02_a_value_moved_to_another_column_or_in_clear_does_not_decrypt():
    address = AddressFactory(line1="2 Moved Street", postcode="EC1A 1BB")
    _set_raw(Address, address.pk, "postcode", _raw(Address, address.pk, "line1"))
    with pytest.raises(crypto.DecryptionError):
        Address.objects.get(pk=address.pk)
    _set_raw(Address, address.pk, "postcode", "EC1A 1BB")
    with pytest.raises(crypto.DecryptionError, match="not encrypted"):
        Address.objects.get(pk=address.pk)


def test_cr02_a_key_id_no_longer_configured_raises(settings):
    settings.PRIVACY_FIELD_ENCRYPTION_KEYS = OLD
    profile = ProfileFactory(phone="+44 7700 900124")
    settings.PRIVACY_FIELD_ENCRYPTION_KEYS = NEW
    with pytest.raises(crypto.DecryptionError, match="no key with id 'old0'"):
        Profile.objects.get(pk=profile.pk)


def test_cr03_the_crypto_inventory_lists_the_cipher_and_every_encrypted_field():
    from pathlib import Path

    inventory = (Path(__file__).resolve().parents[2] / "privacy" / "CRYPTO.md").read_text()
    assert "AES-256-GCM" in inventory and "256-bit" in inventory and "FIELD_ENCRYPTION_KEYS" in inventory
    for model in models_with_encrypted_fields():
        for field in encrypted_fields(model):
            assert f"{model._meta.label}.{field.name}" in inventory
    assert "mfa.Authenticator.data" in inventory


def test_cr04_rotation_rewrites_every_row_so_the_old_key_can_go(settings, capsys):
    # given rows under the old key, and a new key put first
    settings.PRIVACY_FIELD_ENCRYPTION_KEYS = OLD
    person = person_everywhere(2)
    settings.PRIVACY_FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
    # when reencrypt runs, twice (the second run finds nothing left)
    call_command("reencrypt", "--batch-size", "2")
    first = capsys.readouterr().out
    call_command("reencrypt")
    second = capsys.readouterr().out
    # then with the new key only, every row reads back
    settings.PRIVACY_FIELD_ENCRYPTION_KEYS = NEW
    assert Profile.objects.get(user=person.user).phone == person.canaries["accounts.Profile.phone"]
    assert [a.line1 for a in Address.objects.filter(user=person.user)] == [person.canaries["accounts.Address.line1"]]
    assert all(o.billing_line1 for o in Order.objects.all())
    assert list(ConsultationRequest.objects.values_list("phone", flat=True))
    authenticator = Authenticator.objects.get(user=person.user, type=Authenticator.Type.TOTP)
    assert authenticator.data["secret"].startswith("enc:v1:new1:")
    assert decrypt(authenticator.data["secret"]) == person.canaries["mfa.Authenticator.data"]
    assert "Current key: new1 (of 2 configured)" in first
    assert "mfa.Authenticator" in first
    assert "Done: 0 of" in second


def _counter():
    import time

    from allauth.mfa import app_settings

    return int(time.time()) // app_settings.TOTP_PERIOD


def test_cr05_field_keys_do_not_depend_on_secret_key(settings):
    profile = ProfileFactory(phone="+44 7700 900125")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert Profile.objects.get(pk=profile.pk).phone == "+44 7700 900125"
    settings.SECRET_KEY_FALLBACKS = []
    assert Profile.objects.get(pk=profile.pk).phone == "+44 7700 900125"


def test_cr05_malformed_keys_are_refused_by_name():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="16 bytes; AES-256 needs 32"):
        crypto.parse_keys("k1:" + base64.b64encode(b"x" * 16).decode())
    with pytest.raises(ImproperlyConfigured, match="appears twice"):
        crypto.parse_keys(f"{NEW},{NEW}")
    with pytest.raises(ImproperlyConfigured, match="is empty"):
        crypto.parse_keys("")


def test_cr06_lookups_other_than_empty_and_isnull_raise_at_once():
    with pytest.raises(FieldError, match="accounts.Profile.phone is encrypted"):
        list(Profile.objects.filter(phone="+44 7700 900126"))
    with pytest.raises(FieldError, match="__icontains cannot be used"):
        list(Address.objects.filter(line1__icontains="Street"))
    ProfileFactory(phone="")
    assert Profile.objects.filter(phone="").count() == 1


def test_cr06_a_consultation_request_is_found_by_the_keyed_hash_of_its_phone():
    # given a request with a phone number and one without
    wanted = ConsultationRequest.objects.create(
        name="Ada", email="ada@example.com", phone="+44 7700 900127", message="x"
    )
    ConsultationRequest.objects.create(name="Bob", email="bob@example.com", phone="", message="y")
    declaration = site.get(ConsultationRequest)
    # when the registry looks the person up by the number, typed differently
    rows = Subject(phones=frozenset({"+447700900127"})).rows(declaration)
    # then the query uses the hash column and finds the row
    assert list(rows) == [wanted]
    assert "phone_hash" in str(rows.query)
    assert wanted.phone_hash == ConsultationRequest.objects.get(pk=wanted.pk).phone_hash != ""


def test_p15_two_factor_secrets_are_encrypted_and_still_sign_in():
    user = UserFactory()
    authenticator = TOTP.activate(user, "JBSWY3DPEHPK3PXP").instance
    stored = Authenticator.objects.get(pk=authenticator.pk).data["secret"]
    assert stored.startswith("enc:v1:dev0:") and "JBSWY3DPEHPK3PXP" not in stored
    code = format(hotp_value("JBSWY3DPEHPK3PXP", _counter()), "06d")
    assert TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code(code)


@pytest.mark.django_db(transaction=True)
def test_p15_the_data_migrations_encrypt_existing_rows_and_reverse():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0001_initial"), ("shop", "0009_email_address_rule")])
    try:
        old = (
            MigrationExecutor(connection)
            .loader.project_state([("accounts", "0001_initial"), ("shop", "0009_email_address_rule")])
            .apps
        )
        user = old.get_model("accounts", "User").objects.create(email="legacy@example.com")
        profile = old.get_model("accounts", "Profile").objects.create(user=user, phone="+44 7700 900128", city="Leeds")
        request = old.get_model("shop", "ConsultationRequest").objects.create(
            name="Legacy", email="legacy@example.com", phone="+44 7700 900128", message="m"
        )
        executor = MigrationExecutor(connection)
        executor.migrate(
            [("accounts", "0003_encrypt_two_factor_secrets"), ("shop", "0010_encrypt_billing_address_and_phone")]
        )
        assert _raw(Profile, profile.pk, "phone").startswith("enc:v1:")
        assert Profile.objects.get(pk=profile.pk).phone == "+44 7700 900128"
        assert ConsultationRequest.objects.get(pk=request.pk).phone_hash != ""
        executor = MigrationExecutor(connection)
        executor.migrate([("accounts", "0001_initial")])
        assert _raw(Profile, profile.pk, "phone") == "+44 7700 900128"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
