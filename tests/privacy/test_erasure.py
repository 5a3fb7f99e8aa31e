"""The erasure service (P20, P12): set-based through the registry, in one transaction."""

import datetime
import json
from decimal import Decimal
from unittest import mock

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile, User
from privacy import erasure_log
from privacy.models import AuditEvent, ConsentEvent, DataExport, Suppression
from privacy.selectors import is_suppressed
from privacy.selectors.erasure import erasure_order, erasure_pending
from privacy.services import ErasureRefused, subject_erase
from privacy.services.erasure import CHILD_ACCOUNT
from privacy.subjects import Subject, keyed_hash
from shop.models import Invoice, Order, Subscription
from tests.accounts.factories import StaffFactory, UserFactory
from tests.privacy.people import fresh_storages, person_everywhere  # noqa: F401
from tests.shop.factories import OrderFactory, SubscriptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storages")]


def erase(person_or_user, **kwargs):
    user = getattr(person_or_user, "user", person_or_user)
    return subject_erase(subject=Subject.of(user=user), **kwargs)


def test_p20_kept_orders_lose_the_person_and_keep_amounts_dates_and_country(django_capture_on_commit_callbacks):
    person = person_everywhere(1)
    order = Order.objects.get(user=person.user)
    created, total = order.created_at, order.total

    with django_capture_on_commit_callbacks(execute=True):
        result = erase(person)

    order.refresh_from_db()
    assert result.counts["shop.Order"] == {"kept": 2}
    assert (order.user, order.total, order.status, order.billing_country, order.created_at) == (
        None,
        total,
        Order.Status.PAID,
        "GB",
        created,
    )
    # The encrypted address fields are emptied (stored as "", no ciphertext left).
    assert (order.email, order.billing_name, order.billing_line1, order.billing_postcode) == (
        "erased@erased.invalid",
        "[erased]",
        "",
        "",
    )
    assert (order.billing_company, order.billing_line2, order.recipient_name, order.recipient_email) == ("", "", "", "")
    assert (order.stripe_customer_id, order.stripe_payment_intent_id, order.card_brand, order.card_last4) == (
        "",
        "",
        "",
        "",
    )


def test_p20_invoices_and_subscriptions_stay_as_tax_records_without_the_person():
    person = person_everywhere(1)

    erase(person)

    subscription = Subscription.objects.get(order__total=Decimal("149.00"))
    invoice = Invoice.objects.get(subscription=subscription)
    assert (subscription.user, subscription.stripe_subscription_id, subscription.service_name) == (
        None,
        "",
        "Monthly newsletter",
    )
    assert (invoice.number, invoice.amount, invoice.hosted_invoice_url) == ("KG-INV-0001", Decimal("49.00"), "")


def test_p20_the_account_is_closed_and_every_session_ends(client):
    person = person_everywhere(1)
    user = person.user
    other = UserFactory()
    client.force_login(other)
    other_sessions = Session.objects.exclude(session_key__in=UserSession.objects.values("session_key")).count()

    erase(person)

    user.refresh_from_db()
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert (user.full_name, user.is_active, user.is_staff, user.last_login) == ("", False, False, None)
    assert not user.has_usable_password()
    assert not client.login(username=person.canaries["accounts.User.email"], password="Blue-harbour-42")
    assert UserSession.objects.filter(user=user).count() == 0
    assert Session.objects.count() == other_sessions
    assert not Profile.objects.filter(user=user).exists()


def test_p20_an_erased_customer_who_was_signed_in_is_signed_out(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/account/your-data/").status_code == 200

    erase(user)

    response = client.get("/account/your-data/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_p20_consent_rows_go_and_the_addresses_are_suppressed_first():
    person = person_everywhere(1)
    emails = {v for k, v in person.canaries.items() if "email" in k and "recipient" not in k}
    seen = []
    original = Suppression.objects.bulk_create

    def spy(rows, **kwargs):
        seen.append(ConsentEvent.objects.filter(user=person.user).count())
        return original(rows, **kwargs)

    with mock.patch.object(Suppression.objects, "bulk_create", side_effect=spy):
        erase(person)

    assert seen == [1]
    assert ConsentEvent.objects.filter(user=person.user).count() == 0
    assert {s.digest for s in Suppression.objects.filter(kind="email")} == {keyed_hash("email", e) for e in emails}
    assert Suppression.objects.filter(kind="phone").count() == 1
    assert is_suppressed(email=person.canaries["shop.Order.email"].upper())
    assert is_suppressed(phone="+44 " + person.phone_digits[2:])
    assert not is_suppressed(email=person.canaries["shop.Order.recipient_email"])
    assert not is_suppressed(email="someone.else@example.com", phone="+447700900000")
    assert not is_suppressed()


def test_p20_the_suppression_list_holds_each_address_once(django_capture_on_commit_callbacks):
    user = UserFactory(email="twice@example.com")
    OrderFactory(user=None, email="twice@example.com")
    erase(user)
    OrderFactory(user=None, email="TWICE@example.com")

    subject_erase(subject=Subject.of(email="twice@example.com"))

    assert Suppression.objects.filter(kind="email").count() == 1
    assert not Suppression.objects.filter(digest__icontains="twice").exists()


def test_p20_a_person_without_an_account_is_erased_by_email():
    guest = OrderFactory(user=None, email="guest.buyer@example.com", billing_name="Grace Guest")
    OrderFactory(user=None, email="someone@example.com", billing_name="Someone Else")

    result = subject_erase(subject=Subject.of(email="Guest.Buyer@example.com"))

    guest.refresh_from_db()
    assert result.counts == {"shop.Order": {"kept": 1}}
    assert guest.billing_name == "[erased]"
    assert Order.objects.filter(billing_name="Someone Else").count() == 1


def test_p20_nobody_else_is_touched():
    person = person_everywhere(1)
    other = person_everywhere(2)
    before = {label: rows for label, rows in erasure_pending(Subject.of(user=other.user)).items()}

    erase(person)

    assert erasure_pending(Subject.of(user=other.user)) == before
    assert erasure_pending(Subject.of(user=person.user)) == {}


def test_p20_one_statement_per_model_whatever_the_number_of_rows():
    small, large = UserFactory(), UserFactory()
    OrderFactory(user=small)
    consent = {"purpose": "email_marketing", "action": "given", "source": "account", "wording": "Email me."}
    for _ in range(30):
        OrderFactory(user=large)
        ConsentEvent.objects.create(user=large, **consent)
    ConsentEvent.objects.create(user=small, **consent)

    def statements(user):
        with CaptureQueriesContext(connection) as ctx:
            erase(user)
        return [q["sql"].split()[0] for q in ctx.captured_queries]

    few, many = statements(small), statements(large)

    assert len(few) == len(many)
    writes = [verb for verb in many if verb in ("UPDATE", "DELETE", "INSERT")]
    # Suppression, processor steps and audit: one INSERT each; then one write per model.
    assert writes.count("INSERT") == 3


def test_p20_every_declared_model_is_in_the_erasure_order_and_found_before_what_it_goes_through():
    order = [d.label for d in erasure_order()]

    assert order[0] == "admin.LogEntry"
    assert order.index("shop.Invoice") < order.index("shop.Subscription")
    assert order.index("sessions.Session") < order.index("usersessions.UserSession")
    assert order.index("privacy.ProcessorStep") < order.index("privacy.SubjectRequest")
    assert len(order) == len(set(order))


def test_p20_refused_when_a_blocker_says_so_and_nothing_changes():
    user = UserFactory(email="runs@example.com")
    SubscriptionFactory(user=user, status=Subscription.Status.ACTIVE)

    with pytest.raises(ErasureRefused, match="A subscription is still running"):
        erase(user)

    user.refresh_from_db()
    assert user.email == "runs@example.com"
    assert Suppression.objects.count() == 0
    assert AuditEvent.objects.filter(action="erase").count() == 0
    assert erasure_log.entry_ids() == []


def test_p12_staff_erase_a_childs_account_with_that_reason_in_the_audit_and_the_log():
    child = UserFactory()
    staff = StaffFactory()

    result = erase(child, actor=staff, reason=CHILD_ACCOUNT)

    events = AuditEvent.objects.filter(action="erase", model="accounts.User")
    assert [(e.actor_label, e.subject_id) for e in events] == [(f"staff #{staff.pk}", str(child.pk))]
    assert events[0].detail.endswith("; Account found to be a child's (P12)")
    entry = erasure_log.read(result.log_id)
    assert (entry["reason"], entry["actor"], entry["user_id"]) == (CHILD_ACCOUNT, f"staff #{staff.pk}", child.pk)


def test_pr04_the_log_entry_holds_hashes_and_what_was_done_never_the_values():
    person = person_everywhere(1)

    result = erase(person)

    entry = erasure_log.read(result.log_id)
    text = json.dumps(entry)
    assert all(token not in text for token in person.tokens)
    assert keyed_hash("email", person.canaries["accounts.User.email"]) in entry["emails"]
    assert entry["done"]["shop.Order"]["kept"] == 2
    assert "billing_name" in entry["done"]["shop.Order"]["fields"]
    assert entry["done"]["privacy.ConsentEvent"] == {"deleted": 1, "fields": []}
    assert entry["user_joined"] == person.user.date_joined.isoformat()
    assert datetime.datetime.fromisoformat(entry["erased_at"]).tzinfo is not None


def test_pr04_no_log_entry_stays_behind_when_the_erasure_does_not_commit():
    user = UserFactory()

    with mock.patch("privacy.services.erasure.transaction.on_commit", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            erase(user)

    assert erasure_log.entry_ids() == []
    user.refresh_from_db()
    assert user.is_active


def test_p20_prepared_downloads_go_with_the_erasure(django_capture_on_commit_callbacks):
    person = person_everywhere(1)
    name = person.canaries["privacy.DataExport.file_name"]
    assert storages["exports"].exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        erase(person)

    assert not storages["exports"].exists(name)
    assert not DataExport.objects.exists()


def test_p20_a_subject_naming_nobody_is_refused():
    with pytest.raises(ValueError, match="Nobody to erase"):
        subject_erase(subject=Subject())


def test_p20_an_erased_account_stays_for_the_kept_records_and_cannot_be_found_by_its_email():
    user = UserFactory(email="gone@example.com")

    erase(user)

    assert User.objects.filter(pk=user.pk).exists()
    assert Subject.of(email="gone@example.com").user_id is None
