"""PR-04: a backup restored after an erasure brings the person back; replaying the erasure log
erases them again, and a second replay changes nothing. The restore is simulated: every row
of the database is dumped before the erasure and saved back after it, as a restore would."""

import io
import itertools

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from accounts.models import User
from privacy import erasure_log
from privacy.models import AuditEvent, ConsentEvent, ProcessorStep, Suppression
from privacy.services import subject_erase
from privacy.services.erasure import erasure_replay
from privacy.subjects import Subject, keyed_hash
from tests.accounts.factories import UserFactory
from tests.privacy.people import fresh_storages, person_everywhere  # noqa: F401
from tests.privacy.test_erasure_canary import scan
from tests.shop.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storages")]

#: The audit log is append-only and an erasure only adds to it: it is left as it is.
NOT_RESTORED = (AuditEvent,)
APPEND_ONLY = (ConsentEvent,)


def dump() -> str:
    models = [m for m in apps.get_models() if m not in NOT_RESTORED]
    return serializers.serialize("json", itertools.chain(*(m._base_manager.order_by("pk") for m in models)))


def restore(backup: str):
    """Put every row of the backup back, and drop the rows made since that a restore would drop."""
    Suppression.objects.all().delete()
    ProcessorStep.objects.filter(erasure__gt="").delete()
    for obj in serializers.deserialize("json", backup):
        model = type(obj.object)
        if model in APPEND_ONLY:
            # The ledger refuses UPDATE: only the rows the erasure deleted go back.
            if not model._base_manager.filter(pk=obj.object.pk).exists():
                obj.save()
            continue
        obj.save()


def replay() -> str:
    out = io.StringIO()
    call_command("privacy_replay_erasures", stdout=out)
    return out.getvalue()


def test_pr04_dump_erase_restore_replay_leaves_no_canary_and_a_second_replay_changes_nothing(
    fake_gateway, django_capture_on_commit_callbacks
):
    person = person_everywhere(1)
    other = person_everywhere(2)
    backup = dump()
    with django_capture_on_commit_callbacks(execute=True):
        result = subject_erase(subject=Subject.of(user=person.user))
    assert scan(person.tokens) == []

    restore(backup)
    assert scan(person.tokens)  # the restore brought the person back
    assert Suppression.objects.count() == 0

    first = replay()

    assert f"{result.log_id}: applied" in first
    assert scan(person.tokens) == []
    assert Suppression.objects.filter(kind="email").count() == 9
    assert len(scan(other.tokens)) > 20
    assert fake_gateway.deleted_customers == [person.stripe_customer]  # told once, at the erasure
    after_first = dump()

    second = replay()

    assert f"{result.log_id}: already erased" in second
    assert "1 logged erasures, 0 applied again." in second
    assert dump() == after_first


def test_pr04_a_person_without_an_account_is_found_again_by_the_hash_of_their_address():
    OrderFactory(user=None, email="Guest@Example.com", billing_name="Grace Guest")
    backup = dump()
    subject_erase(subject=Subject.of(email="guest@example.com"))
    restore(backup)

    replay()

    assert not User.objects.filter(full_name="Grace Guest").exists()
    assert scan(["Grace Guest"]) == []


def test_pr04_an_account_number_given_to_someone_else_after_the_restore_is_not_erased():
    newcomer = UserFactory(email="newcomer@example.com", full_name="New Comer")
    entry = {
        "id": "20260101T000000000000Z-0000test",
        "user_id": newcomer.pk,
        "user_joined": "2025-01-01T00:00:00+00:00",
        "emails": [keyed_hash("email", "somebody.erased@example.com")],
        "phones": [],
    }

    outcome = erasure_replay(entry=entry)

    newcomer.refresh_from_db()
    assert outcome == {"status": "not found", "counts": {}}
    assert (newcomer.email, newcomer.full_name, newcomer.is_active) == ("newcomer@example.com", "New Comer", True)
    assert Suppression.objects.filter(digest=entry["emails"][0]).count() == 1


def test_pr04_the_log_survives_what_a_restore_does_to_the_database():
    user = UserFactory()
    result = subject_erase(subject=Subject.of(user=user))

    User.objects.filter(pk=user.pk).delete()

    assert erasure_log.entry_ids() == [result.log_id]
    assert erasure_log.read(result.log_id)["user_id"] == user.pk


def test_pr04_an_empty_log_is_said_so():
    assert replay() == "The erasure log is empty: nothing to replay.\n"
