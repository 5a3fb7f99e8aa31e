"""Rectification on request (P21, PR-09): through the registry, the person's own rows only, the
recipients told (GDPR Art. 19), audited by field name."""

import uuid

import pytest
from django.utils import timezone

from privacy.models import AuditEvent, ProcessorStep, SubjectRequest
from privacy.selectors import rectifiable_records
from privacy.services import RectificationError, rectification_apply
from privacy.subjects import Subject
from shop.models import Order
from tests.accounts.factories import ProfileFactory, StaffFactory, UserFactory
from tests.shop.factories import OrderFactory

pytestmark = pytest.mark.django_db


def rectification(user, changes):
    today = timezone.localdate()
    return SubjectRequest.objects.create(
        reference=f"R-{uuid.uuid4().hex[:8]}",
        kind=SubjectRequest.Kind.RECTIFICATION,
        user=user,
        email=user.email,
        changes=changes,
        first_due_on=today,
        due_on=today,
    )


def change(order, field, requested, current=None):
    return {
        "record": "shop.Order",
        "object_id": str(order.pk),
        "field": field,
        "current": str(getattr(order, field)) if current is None else current,
        "requested": requested,
    }


@pytest.fixture
def customer():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def order(customer):
    return OrderFactory(user=customer, stripe_customer_id="cus_ada1", billing_name="Ada Lovelace")


def test_pr09_staff_correct_a_billing_address_and_the_stripe_customer_follows(
    customer, order, fake_gateway, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    request = rectification(
        customer, [change(order, "billing_name", "Ada King"), change(order, "billing_line1", "2 Market Street")]
    )

    with django_capture_on_commit_callbacks(execute=True):
        applied = rectification_apply(request=request, actor=staff)

    order.refresh_from_db()
    assert (order.billing_name, order.billing_line1) == ("Ada King", "2 Market Street")
    assert applied == [
        {"record": "shop.Order", "object_id": str(order.pk), "field": "billing_name"},
        {"record": "shop.Order", "object_id": str(order.pk), "field": "billing_line1"},
    ]
    assert fake_gateway.updated_customers == [
        ("cus_ada1", {"name": "Ada King", "address": {"line1": "2 Market Street"}})
    ]
    [step] = ProcessorStep.objects.all()
    assert (step.handler, step.action, step.status, step.payload, step.request) == (
        "stripe.update_customer",
        "rectify",
        "done",
        {},
        request,
    )
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.RECTIFY)
    assert (event.actor_label, event.model, event.object_id, event.subject_id) == (
        f"staff #{staff.pk}",
        "shop.Order",
        str(order.pk),
        str(customer.pk),
    )
    assert event.fields == ["billing_line1", "billing_name"]
    assert event.detail == f"rectification request {request.reference}"


def test_pr09_a_correction_stripe_does_not_hold_tells_nobody(customer, fake_gateway):
    order = OrderFactory(user=customer, stripe_customer_id="")

    rectification_apply(request=rectification(customer, [change(order, "billing_city", "Leeds")]), actor=None)

    order.refresh_from_db()
    assert order.billing_city == "Leeds"
    assert ProcessorStep.objects.count() == 0


@pytest.mark.parametrize(
    ("make_change", "message"),
    [
        (lambda o, other: change(other, "billing_name", "Mallory"), "is not one of the person's"),
        (lambda o, other: change(o, "total", "0.00"), "'total' is not corrected on request"),
        (lambda o, other: change(o, "billing_country", "GBR"), "Ensure this value has at most 2 characters"),
        (lambda o, other: change(o, "billing_name", "Ada", current="Someone"), "has changed since the request"),
        (lambda o, other: {**change(o, "email", "x@example.com"), "record": "accounts.User"}, "is not corrected"),
        (lambda o, other: {**change(o, "email", "x"), "record": "shop.Nothing"}, "is not a record of personal data"),
        (lambda o, other: {**change(o, "email", "x"), "object_id": "abc"}, "is not one of the person's"),
        (lambda o, other: {"record": "shop.Order"}, "Each change names its record"),
    ],
)
def test_pr09_a_change_that_cannot_apply_is_refused_and_nothing_changes(customer, order, make_change, message):
    other = OrderFactory(billing_name="Other Person")
    valid = change(order, "billing_name", "Ada King")
    request = rectification(customer, [valid, make_change(order, other)])

    with pytest.raises(RectificationError, match=message):
        rectification_apply(request=request, actor=None)

    order.refresh_from_db()
    other.refresh_from_db()
    assert (order.billing_name, other.billing_name) == ("Ada Lovelace", "Other Person")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECTIFY).count() == 0
    assert ProcessorStep.objects.count() == 0


def test_pr09_a_request_without_changes_is_refused(customer):
    with pytest.raises(RectificationError, match="lists no corrections"):
        rectification_apply(request=rectification(customer, []), actor=None)


def test_p21_the_fields_a_customer_cannot_edit_themselves_are_listed_with_their_values(customer, order):
    ProfileFactory(user=customer, phone="+44 20 7946 0000")
    guest = OrderFactory(user=None, email="ADA@example.com", billing_name="Ada at home")
    OrderFactory(billing_name="Someone Else")

    records = rectifiable_records(Subject.of(user=customer))

    assert [(r["record"], r["object_id"], r["object"]) for r in records] == [
        ("shop.Order", str(order.pk), order.number),
        ("shop.Order", str(guest.pk), guest.number),
    ]
    fields = {f["field"]: f for f in records[0]["fields"]}
    assert fields["billing_name"] == {"field": "billing_name", "label": "billing name", "current": "Ada Lovelace"}
    assert fields["billing_line1"]["label"] == "billing address line 1"
    assert set(fields) == {
        "email",
        "billing_name",
        "billing_company",
        "billing_line1",
        "billing_line2",
        "billing_city",
        "billing_postcode",
        "billing_country",
        "recipient_name",
        "recipient_email",
    }
    assert Order.objects.filter(billing_name="Someone Else").count() == 1
