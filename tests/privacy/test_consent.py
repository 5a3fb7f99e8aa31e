"""The consent ledger: complete, append-only rows; the latest event wins (OPT-06, P26, P27, P35)."""

import datetime
import hashlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from privacy import db, signals
from privacy.models import AuditEvent, ConsentEvent, PolicyVersion
from privacy.selectors import consent_is_granted, consent_state
from privacy.services import ConsentError, consent_grant, consent_withdraw
from tests.accounts.factories import StaffFactory, UserFactory
from tests.privacy.factories import ConsentEventFactory, PolicyVersionFactory

WORDING = "Email me offers and news about Kinetogram's services."

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def grant(user, purpose="email_marketing", **kwargs):
    return consent_grant(user=user, purpose=purpose, source="account", wording=WORDING, **kwargs)


def withdraw(user, purpose="email_marketing", **kwargs):
    return consent_withdraw(user=user, purpose=purpose, source="account", wording="Stop email offers.", **kwargs)


@pytest.fixture
def policy():
    return PolicyVersionFactory(version="2026.01", effective_date=datetime.date(2026, 1, 1))


@pytest.fixture
def customer():
    return UserFactory()


@pytest.mark.django_db
def test_opt06_each_row_records_subject_purpose_source_wording_hash_version_action_and_utc_time(customer, policy):
    before = timezone.now()

    event = consent_grant(
        user=customer, purpose="sms_marketing", source="signup", wording=WORDING, phone="+44 7700 900123"
    )

    row = ConsentEvent.objects.get()
    assert row.pk == event.pk
    assert (row.user, row.phone) == (customer, "+44 7700 900123")
    assert (row.purpose, row.action, row.source) == ("sms_marketing", "given", "signup")
    assert row.wording == WORDING
    assert row.wording_hash == hashlib.sha256(WORDING.encode()).hexdigest()
    assert row.policy_version == policy
    assert row.created_at.utcoffset() == datetime.timedelta(0)
    assert before <= row.created_at <= timezone.now()
    assert row.recorded_by is None


@pytest.mark.django_db
def test_opt06_withdrawal_appends_a_row_and_keeps_the_grant(customer, policy):
    given = grant(customer)

    withdrawn = withdraw(customer)

    assert ConsentEvent.objects.count() == 2
    given.refresh_from_db()
    assert given.action == "given"
    assert withdrawn.action == "withdrawn"
    assert withdrawn.wording == "Stop email offers."


@pytest.mark.django_db
def test_opt06_staff_recorded_consent_names_the_staff_member_and_is_audited(customer, policy):
    staff = StaffFactory()

    event = grant(customer, recorded_by=staff)

    assert event.recorded_by == staff
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.model, audit.object_id) == ("consent", "privacy.ConsentEvent", str(event.pk))
    assert audit.subject_id == str(customer.pk)
    assert audit.actor_label == f"staff #{staff.pk}"


@pytest.mark.django_db
def test_p35_event_records_the_version_in_effect_not_one_published_for_later(customer, policy):
    PolicyVersionFactory(version="2099.01", effective_date=timezone.localdate() + datetime.timedelta(days=30))

    event = grant(customer)

    assert event.policy_version == policy


@pytest.mark.django_db
def test_p27_latest_event_per_purpose_wins(customer, policy):
    grant(customer)
    withdraw(customer)
    grant(customer, purpose="sms_marketing")
    withdraw(customer, purpose="sms_marketing")
    last = grant(customer, purpose="sms_marketing")
    grant(UserFactory())  # someone else's consent says nothing about this customer

    state = consent_state(user=customer)

    assert consent_is_granted("email_marketing", user=customer) is False
    assert consent_is_granted("sms_marketing", user=customer) is True
    assert consent_is_granted("analytics_cookies", user=customer) is False
    assert sorted(state) == ["email_marketing", "sms_marketing"]
    assert state["email_marketing"].action == "withdrawn"
    assert state["sms_marketing"] == last


@pytest.mark.django_db
def test_p27_events_of_the_same_instant_are_ordered_by_id(customer, policy):
    moment = timezone.now()
    ConsentEventFactory(user=customer, action="given", created_at=moment)
    ConsentEventFactory(user=customer, action="withdrawn", created_at=moment)

    assert consent_is_granted("email_marketing", user=customer) is False
    assert consent_state(user=customer)["email_marketing"].action == "withdrawn"


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", ["postal_marketing", "tailored_offers", "provide_services", "legal_duties"])
def test_p26_consent_is_refused_for_a_purpose_not_based_on_consent(customer, policy, purpose):
    with pytest.raises(ConsentError, match="is not processed on consent"):
        grant(customer, purpose=purpose)
    with pytest.raises(ConsentError, match="is not processed on consent"):
        withdraw(customer, purpose=purpose)

    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_p26_unknown_purpose_missing_person_or_wording_are_refused(customer, policy):
    with pytest.raises(ConsentError, match="Unknown purpose 'newsletter'"):
        grant(customer, purpose="newsletter")
    with pytest.raises(ConsentError, match="needs a person"):
        consent_grant(purpose="email_marketing", source="account", wording=WORDING)
    with pytest.raises(ConsentError, match="Record the wording"):
        consent_grant(user=customer, purpose="email_marketing", source="account", wording="  ")

    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_p27_signals_are_sent_only_when_the_transaction_commits(customer, policy, django_capture_on_commit_callbacks):
    given, withdrawn = [], []
    signals.consent_given.connect(lambda **kw: given.append(kw), weak=False, dispatch_uid="test-given")
    signals.consent_withdrawn.connect(lambda **kw: withdrawn.append(kw), weak=False, dispatch_uid="test-withdrawn")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            grant(customer)
            event = withdraw(customer)
        assert (given, withdrawn) == ([], [])
        assert len(callbacks) == 2

        for callback in callbacks:
            callback()
    finally:
        signals.consent_given.disconnect(dispatch_uid="test-given")
        signals.consent_withdrawn.disconnect(dispatch_uid="test-withdrawn")

    assert [kw["purpose"] for kw in given] == ["email_marketing"]
    assert len(withdrawn) == 1
    assert withdrawn[0]["event"] == event
    assert withdrawn[0]["user"] == customer
    assert withdrawn[0]["sender"] is ConsentEvent


@pytest.mark.django_db
def test_p27_no_signal_when_the_transaction_rolls_back(customer, policy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                grant(customer)
                raise RuntimeError("the surrounding work failed")
        except RuntimeError:
            pass

    assert callbacks == []
    assert ConsentEvent.objects.count() == 0


# --- PostgreSQL: the trigger of migration 0002 -----------------------------------------


def refused(action):
    """Run ``action`` in a savepoint; return the database's refusal message."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        action()
    return str(error.value)


@needs_postgresql
@pytest.mark.django_db
def test_opt06_orm_update_and_delete_are_refused_and_change_nothing(customer, policy):
    event = grant(customer)

    update = refused(lambda: ConsentEvent.objects.filter(pk=event.pk).update(action="withdrawn", wording="edited"))
    delete = refused(lambda: ConsentEvent.objects.filter(pk=event.pk).delete())
    save = refused(lambda: ConsentEvent.objects.get(pk=event.pk).save())

    assert "privacy_consentevent is append-only: UPDATE refused" in update
    assert "privacy_consentevent is append-only: DELETE refused" in delete
    assert "UPDATE refused" in save
    row = ConsentEvent.objects.get()
    assert (row.action, row.wording) == ("given", WORDING)


@needs_postgresql
@pytest.mark.django_db
def test_opt06_raw_sql_update_and_delete_are_refused_and_change_nothing(customer, policy):
    event = grant(customer)

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    update = refused(lambda: raw("UPDATE privacy_consentevent SET action = 'withdrawn' WHERE id = %s"))
    delete = refused(lambda: raw("DELETE FROM privacy_consentevent WHERE id = %s"))

    assert "UPDATE refused" in update
    assert "DELETE refused" in delete
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM privacy_consentevent WHERE id = %s", [event.pk])
        assert cursor.fetchall() == [("given",)]


@needs_postgresql
@pytest.mark.django_db
def test_opt06_erasure_path_may_delete_but_still_not_update_and_closes_after(customer, policy):
    grant(customer)
    withdraw(customer)
    other = grant(UserFactory())

    with db.erasure_allowed():
        update = refused(lambda: ConsentEvent.objects.filter(user=customer).update(wording="edited"))
        deleted, _ = ConsentEvent.objects.filter(user=customer).delete()
    after = refused(lambda: ConsentEvent.objects.filter(pk=other.pk).delete())

    assert "UPDATE refused" in update
    assert deleted == 2
    assert "DELETE refused" in after
    assert list(ConsentEvent.objects.values_list("pk", flat=True)) == [other.pk]


@pytest.mark.django_db
def test_opt06_erasure_path_deletes_on_every_database(customer, policy):
    grant(customer)

    with db.erasure_allowed():
        deleted, _ = ConsentEvent.objects.filter(user=customer).delete()

    assert deleted == 1
    assert ConsentEvent.objects.count() == 0
    assert PolicyVersion.objects.filter(pk=policy.pk).exists()
