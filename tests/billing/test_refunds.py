import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, connections

from billing import services
from billing.exceptions import RefundRefused
from billing.models import Refund, TaxInvoice
from shop import refunds as shop_refunds
from shop import services as shop_services
from shop.models import Order
from tests.accounts.factories import StaffFactory
from tests.accounts.utils import staff_login
from tests.billing.factories import paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoiced():
    order = paid_order(lines=[(Decimal("100.00"), 1, "one_off")])  # £120.00 with VAT
    services.invoice_issue_for_order(order=order)
    return order


@pytest.fixture
def refunder(client):
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(
        Permission.objects.get(codename="refund_order"),
        *Permission.objects.filter(codename__in=["view_order", "change_order"]),
    )
    staff_login(client, staff)
    return staff


def refund_url(order):
    return f"/admin/shop/order/{order.pk}/refund/"


def test_staff_refund_in_part_through_stripe_issues_a_credit_note_tells_the_customer_and_notes_the_timeline(
    client, refunder, invoiced, fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(refund_url(invoiced), {"amount": "30.00", "reason": "Two posts were late"})

    assert response.status_code == 302
    refund = Refund.objects.get()
    [stripe_call] = fake_gateway.refunds.items()
    assert stripe_call[0] == f"refund-{refund.pk}"
    assert (stripe_call[1]["amount"], stripe_call[1]["payment_intent"]) == (Decimal("30.00"), "pi_test_1")
    assert (refund.status, refund.stripe_refund_id, refund.created_by) == ("succeeded", stripe_call[1]["id"], refunder)
    note = refund.credit_note
    assert (note.number, note.credited_invoice.number) == ("CN-000001", "INV-000001")
    assert (note.net_total, note.vat_total, note.gross_total) == (
        Decimal("-25.00"),
        Decimal("-5.00"),
        Decimal("-30.00"),
    )
    assert [(line.quantity, line.net_amount, line.vat_amount) for line in note.lines.all()] == [
        (-1, Decimal("-25.00"), Decimal("-5.00"))
    ]
    invoiced.refresh_from_db()
    assert invoiced.status == Order.Status.PAID
    assert invoiced.events.last().note == "Refunded £30.00: Two posts were late, credit note CN-000001"
    assert [m.to for m in mailoutbox] == [[invoiced.email]]
    assert "CN-000001" in mailoutbox[0].body


def test_a_full_refund_repeats_the_invoice_lines_negated_and_refunds_the_order(client, refunder, invoiced):
    client.post(refund_url(invoiced), {"amount": "120.00", "reason": "Cancelled before work started"})

    note = TaxInvoice.objects.get(kind="credit_note")
    invoice = note.credited_invoice
    assert [(-line.quantity, -line.net_amount, -line.vat_amount) for line in note.lines.all()] == [
        (line.quantity, line.net_amount, line.vat_amount) for line in invoice.lines.all()
    ]
    invoiced.refresh_from_db()
    assert invoiced.status == Order.Status.REFUNDED


def test_an_over_refund_is_refused_with_what_is_left_and_nothing_changes(client, refunder, invoiced, fake_gateway):
    client.post(refund_url(invoiced), {"amount": "100.00", "reason": "Most of it"})

    response = client.post(refund_url(invoiced), {"amount": "20.01", "reason": "A bit more"})

    assert response.status_code == 400
    assert "You can refund at most £20.00 on order" in response.content.decode()
    assert Refund.objects.count() == 1 and len(fake_gateway.refunds) == 1
    assert TaxInvoice.objects.filter(kind="credit_note").count() == 1


def test_the_reason_is_required_and_the_permission_too(client, invoiced):
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "change_order"]))
    staff_login(client, staff)
    assert client.get(refund_url(invoiced)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="refund_order"))
    response = client.post(refund_url(invoiced), {"amount": "10.00", "reason": ""})
    assert response.status_code == 400
    assert Refund.objects.count() == 0


def stripe_refund(order, *, refund_id="re_dash_1", amount=1200, refund_pk=None):
    metadata = {"order_number": order.number}
    if refund_pk:
        metadata["refund_id"] = str(refund_pk)
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "status": "succeeded",
        "payment_intent": "pi_test_1",
        "metadata": metadata,
    }


def test_a_refund_made_in_stripes_dashboard_ends_in_the_same_state_once_however_often_it_arrives(
    invoiced, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            shop_services.refund_created(shop_services.stripe_object_minimise(stripe_refund(invoiced)))
        charge = {
            "id": "ch_1",
            "object": "charge",
            "refunded": False,
            "payment_intent": "pi_test_1",
            "metadata": {"order_number": invoiced.number},
            "refunds": {"data": [stripe_refund(invoiced)]},
        }
        shop_services.charge_refunded(shop_services.stripe_object_minimise(charge))

    refund = Refund.objects.get()
    assert (refund.origin, refund.amount, refund.credit_note.gross_total) == (
        "provider",
        Decimal("12.00"),
        Decimal("-12.00"),
    )
    assert TaxInvoice.objects.filter(kind="credit_note").count() == 1
    assert invoiced.events.filter(note__startswith="Refunded £12.00").count() == 1
    assert len(mailoutbox) == 1


def test_a_staff_refund_whose_webhook_arrives_first_is_completed_once(invoiced, fake_gateway):
    staff = StaffFactory()
    refund = services.refund_open(order=invoiced, amount=Decimal("12.00"), reason="Late", user=staff)
    # Stripe's webhook overtakes the admin's own completion.
    shop_services.refund_created(stripe_refund(invoiced, refund_id="re_1", refund_pk=refund.pk))
    _, completed_now = services.refund_complete(refund=refund, stripe_refund_id="re_1")

    assert completed_now is False
    assert Refund.objects.get().stripe_refund_id == "re_1"
    assert TaxInvoice.objects.filter(kind="credit_note").count() == 1


def test_refunds_never_credit_more_vat_than_was_charged(invoiced):
    for amount in ("33.33", "33.33", "53.34"):
        refund = services.refund_open(order=invoiced, amount=Decimal(amount), reason="part", origin="demo")
        services.refund_complete(refund=refund, notify=False)

    notes = TaxInvoice.objects.filter(kind="credit_note")
    assert sum(n.vat_total for n in notes) == Decimal("-20.00")
    assert sum(n.gross_total for n in notes) == Decimal("-120.00")
    with pytest.raises(RefundRefused):
        services.refund_open(order=invoiced, amount=Decimal("0.01"), reason="more")


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_webhook_finishing_one_refund_at_once_issue_one_credit_note(fake_gateway):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    order = paid_order()
    services.invoice_issue_for_order(order=order)
    refund = services.refund_open(order=order, amount=Decimal("12.00"), reason="Late", origin="staff")
    barrier = threading.Barrier(2)
    errors = []

    def admin():
        try:
            barrier.wait(timeout=10)
            services.refund_complete(refund=refund, stripe_refund_id="re_race")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    def webhook():
        try:
            barrier.wait(timeout=10)
            shop_refunds.refund_created(stripe_refund(order, refund_id="re_race", refund_pk=refund.pk))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=admin), threading.Thread(target=webhook)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Refund.objects.count() == 1
    assert TaxInvoice.objects.filter(kind="credit_note").count() == 1
