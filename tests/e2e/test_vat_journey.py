"""VAT journeys in Chromium: a UK business buys with its VAT number and downloads its VAT
invoice; an overseas business pays no VAT and sees the reverse-charge note; staff refund
part of an order and the customer finds the credit note."""

import os
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from billing.models import TaxInvoice
from shop.models import Order, Plan
from tests.accounts.factories import AddressFactory, StaffFactory, UserFactory
from tests.e2e.test_checkout_journey import sign_in
from tests.shop.factories import CategoryFactory, PlanFactory, ServiceFactory
from tests.shop.factories_payments import cart_with

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/c_tax/shots"  # noqa: S108 - screenshots for a human to look at, nothing secret


@pytest.fixture(autouse=True)
def demo_payments(settings):
    os.makedirs(SHOTS, exist_ok=True)
    settings.SHOP_PAYMENT_GATEWAY = "demo"


@pytest.fixture
def audit():
    service = ServiceFactory(category=CategoryFactory(), name="Brand Audit", slug="brand-audit")
    return PlanFactory(service=service, name="Full audit", billing=Plan.Billing.ONE_OFF, price=Decimal("350.00"))


def shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def buy(page, live_server, *, user, country, vat_number):
    page.goto(f"{live_server.url}/checkout/")
    page.get_by_label("Country").select_option(country)
    page.get_by_label("VAT number (businesses, optional)").fill(vat_number)
    page.get_by_label("VAT number (businesses, optional)").blur()
    page.get_by_label("Purchase order reference (optional)").fill("PO-4471")


def test_a_uk_business_buys_with_its_vat_number_and_downloads_its_vat_invoice(page, live_server, audit):
    user = UserFactory(full_name="Ada Lovelace")
    AddressFactory(user=user, full_name="Ada Lovelace", company="Analytical Ltd", is_default=True)
    cart_with(user, audit)
    sign_in(page, live_server, user)

    buy(page, live_server, user=user, country="GB", vat_number="GB 980 7806 84")
    expect(page.get_by_test_id("summary-vat")).to_have_text("£70.00")
    expect(page.get_by_test_id("summary-gross")).to_have_text("£420.00")
    shot(page, "uk_checkout")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name="Pay").first.click()

    order = Order.objects.get()
    page.goto(f"{live_server.url}/orders/{order.number}/")
    invoice = TaxInvoice.objects.get()
    expect(page.get_by_role("heading", name="VAT invoices and credit notes")).to_be_visible()
    shot(page, "uk_order")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"kinetogram-invoice-{invoice.number}.pdf"
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert (invoice.customer_vat_number, invoice.purchase_order, invoice.gross_total) == (
        "GB980780684",
        "PO-4471",
        Decimal("420.00"),
    )


def test_an_overseas_business_pays_no_vat_and_sees_the_reverse_charge_note(page, live_server, audit):
    user = UserFactory(full_name="Chloé Martin")
    AddressFactory(user=user, full_name="Chloé Martin", country="FR", city="Lyon", is_default=True)
    cart_with(user, audit)
    sign_in(page, live_server, user)

    buy(page, live_server, user=user, country="FR", vat_number="FR40303265045")
    expect(page.get_by_test_id("summary-vat")).to_have_text("£0.00")
    expect(page.get_by_test_id("reverse-charge-note")).to_contain_text("Customer to account for any VAT due")
    shot(page, "overseas_checkout")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name="Pay").first.click()

    order = Order.objects.get()
    assert (order.total, order.vat_treatment) == (Decimal("350.00"), "reverse_charge")
    document = TaxInvoice.objects.get()
    page.goto(f"{live_server.url}/invoices/{document.number}/")
    expect(page.get_by_test_id("reverse-charge")).to_contain_text("Customer to account for any VAT due")
    expect(page.get_by_test_id("vat-total")).to_have_text("£0.00")
    shot(page, "overseas_invoice")


def test_staff_refund_in_part_and_the_customer_sees_the_credit_note(page, live_server, audit, browser):
    user = UserFactory(full_name="Ben Okafor")
    AddressFactory(user=user, full_name="Ben Okafor", is_default=True)
    cart_with(user, audit)
    sign_in(page, live_server, user)
    buy(page, live_server, user=user, country="GB", vat_number="")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name="Pay").first.click()
    order = Order.objects.get()

    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_order", "change_order", "refund_order", "view_taxinvoice"])
    )
    staff_page = browser.new_context().new_page()
    sign_in(staff_page, live_server, staff)
    staff_page.goto(f"{live_server.url}/admin/shop/order/{order.pk}/refund/")
    expect(staff_page.get_by_test_id("refundable")).to_have_text("£420.00")
    staff_page.get_by_label("Amount to refund (£, VAT included)").fill("500")
    staff_page.get_by_label("Reason").fill("Two posts were late")
    staff_page.get_by_role("button", name="Refund").click()
    expect(staff_page.get_by_role("alert")).to_contain_text("You can refund at most £420.00")
    staff_page.get_by_label("Amount to refund (£, VAT included)").fill("60.00")
    staff_page.get_by_role("button", name="Refund").click()
    expect(staff_page.get_by_text("Refunded £60.00; credit note CN-")).to_be_visible()
    staff_page.screenshot(path=f"{SHOTS}/staff_refunded.png", full_page=True)

    page.goto(f"{live_server.url}/orders/{order.number}/")
    credit = TaxInvoice.objects.get(kind="credit_note")
    expect(page.get_by_role("link", name=f"Credit note {credit.number}")).to_be_visible()
    expect(page.get_by_text("Refunded £60.00: Two posts were late")).to_be_visible()
    shot(page, "customer_credit_note")
    page.get_by_role("link", name=f"Credit note {credit.number}").click()
    expect(page.get_by_test_id("gross-total")).to_have_text("−£60.00")
    shot(page, "credit_note_page")
