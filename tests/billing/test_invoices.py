import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from billing import services
from billing.models import DocumentIsIssued, TaxInvoice
from shop import services as shop_services
from shop.models import Invoice, Order
from tests.billing.factories import paid_order
from tests.shop.factories import OrderFactory, OrderLineFactory
from tests.shop.factories_payments import session_completed

pytestmark = pytest.mark.django_db


def test_a_paid_order_gets_a_full_vat_invoice_with_what_hmrc_requires(settings):
    settings.BILLING_SELLER_NAME = "Kinetogram Marketing Ltd"
    settings.BILLING_VAT_NUMBER = "GB980780684"
    order = paid_order(lines=[(Decimal("49.99"), 2, "one_off"), (Decimal("150.00"), 1, "one_off")])

    invoice, created = services.invoice_issue_for_order(order=order)

    assert created and invoice.number == "INV-000001"
    assert (invoice.seller_name, invoice.seller_vat_number) == ("Kinetogram Marketing Ltd", "GB980780684")
    assert "London" in invoice.seller_address or invoice.seller_address
    assert (invoice.customer_name, invoice.customer_company, invoice.purchase_order) == (
        "Ada Lovelace",
        "Analytical Engines Ltd",
        "PO-77",
    )
    assert "EC1A 1BB London" in invoice.customer_address
    assert invoice.supply_date == timezone.localdate(order.paid_at)
    # VAT once on the net total £249.98, rounded down: 49.996 → 49.99
    assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
        Decimal("249.98"),
        Decimal("49.99"),
        Decimal("299.97"),
    )
    assert (order.total, order.vat_total) == (invoice.gross_total, invoice.vat_total)
    lines = list(invoice.lines.all())
    assert [(line.description, line.quantity, line.unit_price, line.vat_percent) for line in lines] == [
        ("Service 1 — Set-up (one-off)", 2, Decimal("49.99"), Decimal("20")),
        ("Service 2 — Set-up (one-off)", 1, Decimal("150.00"), Decimal("20")),
    ]
    assert sum(line.vat_amount for line in lines) == invoice.vat_total


def test_issuing_twice_for_the_same_payment_issues_one_invoice_and_takes_one_number():
    order = paid_order()

    first, created = services.invoice_issue_for_order(order=order)
    again, created_again = services.invoice_issue_for_order(order=order)
    other, _ = services.invoice_issue_for_order(order=paid_order())

    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert other.number == "INV-000002"


def test_an_issued_invoice_never_changes_nor_goes():
    invoice, _ = services.invoice_issue_for_order(order=paid_order())

    invoice.customer_name = "Someone else"
    with pytest.raises(DocumentIsIssued):
        invoice.save()
    with pytest.raises(DocumentIsIssued):
        invoice.delete()
    line = invoice.lines.get()
    line.unit_price = Decimal("1.00")
    with pytest.raises(DocumentIsIssued):
        line.save()
    invoice.refresh_from_db()
    assert invoice.customer_name == "Ada Lovelace"


def test_an_overseas_business_pays_no_vat_and_its_invoice_carries_the_reverse_charge_note():
    order = paid_order(country="FR", vat_number="FR 40 303 265 045")

    invoice, _ = services.invoice_issue_for_order(order=order)

    assert (invoice.vat_total, invoice.gross_total, invoice.vat_treatment) == (
        Decimal("0.00"),
        Decimal("100.00"),
        "reverse_charge",
    )
    assert invoice.customer_vat_number == "FR40303265045"
    assert "Customer to account for any VAT due" in invoice.note


def test_the_checkout_webhook_issues_the_invoice_of_a_one_off_order(django_capture_on_commit_callbacks):
    order = paid_order(status=Order.Status.PENDING, paid_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        shop_services.checkout_session_completed(session_completed(order))
        shop_services.checkout_session_completed(session_completed(order))

    invoice = TaxInvoice.objects.get()
    assert (invoice.order, invoice.gross_total, invoice.provider_figures_agree) == (order, order.total, None)


def test_a_plans_first_invoice_itemises_every_line_and_a_renewal_only_the_plan():
    order = paid_order(lines=[(Decimal("49.00"), 1, "month"), (Decimal("200.00"), 1, "one_off")])
    from tests.shop.factories import SubscriptionFactory

    subscription = SubscriptionFactory(order=order, user=order.user, stripe_subscription_id="sub_1")
    first = Invoice.objects.create(
        subscription=subscription, stripe_invoice_id="in_1", amount=Decimal("298.80"), currency="gbp", status="paid"
    )
    renewal = Invoice.objects.create(
        subscription=subscription, stripe_invoice_id="in_2", amount=Decimal("58.80"), currency="gbp", status="paid"
    )

    one, _ = services.invoice_issue_for_period(order=order, subscription_invoice=first)
    two, _ = services.invoice_issue_for_period(order=order, subscription_invoice=renewal)

    assert [line.description for line in one.lines.all()] == [
        "Service 1 — Monthly (monthly)",
        "Service 2 — Set-up (one-off)",
    ]
    assert (one.net_total, one.vat_total, one.gross_total) == (Decimal("249.00"), Decimal("49.80"), Decimal("298.80"))
    assert [line.description for line in two.lines.all()] == ["Service 1 — Monthly (monthly)"]
    assert (two.gross_total, two.subscription_invoice) == (Decimal("58.80"), renewal)


def test_stripe_figures_that_differ_by_a_penny_flag_the_invoice_and_log(caplog):
    order = paid_order(lines=[(Decimal("49.99"), 1, "one_off")])  # ours: VAT 9.99

    invoice, _ = services.invoice_issue_for_order(order=order, provider_figures=(Decimal("10.00"), Decimal("59.99")))

    assert invoice.provider_figures_agree is False
    assert (invoice.provider_vat, invoice.vat_total) == (Decimal("10.00"), Decimal("9.99"))
    assert f"Invoice {invoice.number}: the payment provider charged VAT 10.00" in caplog.text


def test_invoice_paid_webhook_checks_stripes_vat_against_ours():
    order = paid_order(lines=[(Decimal("49.00"), 1, "month")])
    from tests.shop.factories import SubscriptionFactory
    from tests.shop.factories_payments import invoice

    SubscriptionFactory(order=order, user=order.user, stripe_subscription_id="sub_9")
    payload = invoice("sub_9", amount=5880)
    payload["total_taxes"] = [{"amount": 980}]
    shop_services.invoice_paid(shop_services.stripe_object_minimise(payload))

    document = TaxInvoice.objects.get()
    assert (document.gross_total, document.vat_total, document.provider_figures_agree) == (
        Decimal("58.80"),
        Decimal("9.80"),
        True,
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_payments_at_once_take_numbers_without_gap_or_duplicate():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL); SQLite serialises whole transactions")
    orders = []
    for _ in range(20):
        order = OrderFactory(status=Order.Status.PAID, paid_at=timezone.now())
        OrderLineFactory(order=order)
        orders.append(order)
    barrier = threading.Barrier(20)
    errors = []

    def pay(order):
        try:
            barrier.wait(timeout=10)
            services.invoice_issue_for_order(order=order)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    numbers = sorted(TaxInvoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 21)]
