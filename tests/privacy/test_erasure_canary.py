"""PR-01: an erasure reaches every store. A customer with their own value in every declared
personal field of every model is erased; then every text, varchar, JSON (and, on PostgreSQL,
inet) column of every table is scanned with raw SQL for those values. Also the symmetry of
the registry: what the erasure touches is exported, what is exported is erased or kept."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, models

from accounts.models import Address, Profile
from privacy.registry import Action, site
from privacy.selectors.erasure import erasure_pending
from privacy.services import subject_erase
from privacy.subjects import Subject
from shop.models import Order
from tests.privacy.people import SHORT, fresh_storages, person_everywhere  # noqa: F401

pytestmark = pytest.mark.usefixtures("fresh_storages")

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "inet")
#: Not scanned as text: the hash of a password, and the session's signed, encoded blob.
#: The erasure's effect on each is asserted through the ORM.
ENCODED = {"accounts.User.password", "sessions.Session.session_data"}


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type = ANY(%s) ORDER BY 1, 2",
                [list(TEXT_TYPES)],
            )
            return cursor.fetchall()
        columns = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'PRAGMA table_info("{table}")')
            for _cid, name, kind, *_rest in cursor.fetchall():
                if any(word in kind.lower() for word in ("char", "text", "json", "clob")) or not kind:
                    columns.append((table, name))
        return columns


def scan(tokens) -> list[tuple[str, str, str]]:
    """(table, column, token) for every column holding one of ``tokens``, by raw SQL."""
    quote = connection.ops.quote_name
    hits = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for token in tokens:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE CAST({quote(column)} AS TEXT) LIKE %s",  # noqa: S608
                    [f"%{token}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append((table, column, token))
    return hits


def canaried_fields() -> set[str]:
    """Every personal field the canary customer must fill: text-like, free (no choices), not
    kept under an obligation, long enough to hold a value of its own."""
    text = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)
    wanted = set()
    for declaration in site.holding_personal_data():
        kept = set(declaration.erasure_kept())
        for name in declaration.fields:
            field = declaration.model._meta.get_field(name)
            key = f"{declaration.label}.{name}"
            if not isinstance(field, text) or field.choices or name in kept or name in SHORT or key in ENCODED:
                continue
            wanted.add(key)
    return wanted


@pytest.mark.django_db
def test_pr01_the_canary_customer_fills_every_declared_personal_field():
    person = person_everywhere(1)

    assert canaried_fields() - set(person.canaries) == set()


@pytest.mark.django_db
def test_pr01_canary_after_erasure_no_column_of_any_table_holds_the_persons_values(
    django_capture_on_commit_callbacks, caplog
):
    person = person_everywhere(1)
    other = person_everywhere(2)
    found = {column for _table, column, _token in scan(person.tokens)}
    assert len(found) >= 20  # the scan sees the canaries before the erasure
    others_before = scan(other.tokens)

    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        subject_erase(subject=Subject.of(user=person.user))

    assert scan(person.tokens) == []
    assert scan(other.tokens) == others_before
    assert erasure_pending(Subject.of(user=person.user)) == {}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [token for token in person.tokens if token in logged]


@pytest.mark.django_db
def test_pr01_what_the_canary_does_not_scan_is_gone_through_the_orm():
    person = person_everywhere(1)
    session_keys = list(person.user.usersession_set.values_list("session_key", flat=True))

    subject_erase(subject=Subject.of(user=person.user))

    person.user.refresh_from_db()
    assert not person.user.has_usable_password()
    assert not Session.objects.filter(session_key__in=session_keys).exists()
    assert not Profile.objects.filter(user=person.user).exists()
    assert not Address.objects.filter(user=person.user).exists()
    assert not Order.objects.filter(card_last4="9137").exists()


def test_pr01_symmetry_what_the_erasure_touches_is_exported_and_what_is_exported_is_erased_or_kept():
    """For every declaration holding personal data: each personal field the erasure deletes or
    overwrites is in the export (or left out of it with a reason, such as a secret key), and
    each personal field the export carries is erased, or kept under the named obligation.
    The link to the person (a foreign key to the user) is not a data field of the export."""
    for declaration in site.holding_personal_data():
        personal = set(declaration.fields)
        exported = set(declaration.export_fields())
        left_out = {name for name, reason in declaration.not_exported.items() if reason.strip()}
        if declaration.erasure.action == Action.DELETE:
            touched = personal
        else:
            touched = set(declaration.erasure_anonymise()) & personal
        kept = set(declaration.erasure_kept())

        assert touched - exported - left_out == set(), declaration.label
        for name in exported & personal:
            assert name in touched or (name in kept and declaration.erasure.obligation.strip()), (
                declaration.label,
                name,
            )
        assert personal == touched | kept, declaration.label
