import datetime
from decimal import Decimal

import pytest

from billing import selectors, services
from billing.models import Refund
from privacy.services import subject_erase
from privacy.subjects import Subject
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.billing.factories import paid_order
from tests.privacy.people import fresh_storages  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    order = paid_order(lines=[(Decimal("100.00"), 1, "one_off")], user=UserFactory())
    return services.invoice_issue_for_order(order=order)[0]


def test_the_customer_downloads_their_own_invoice_as_a_pdf_and_sees_it_as_a_page(client, invoice):
    staff_login(client, invoice.order.user)

    pdf = client.get(f"/invoices/{invoice.number}/pdf/")
    page = client.get(f"/invoices/{invoice.number}/")

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == f'attachment; filename="kinetogram-invoice-{invoice.number}.pdf"'
    html = page.content.decode()
    for text in ("VAT invoice", invoice.number, "GB980780684", "Ada Lovelace", "PO-77", "£100.00", "£20.00", "£120.00"):
        assert text in html


def test_someone_elses_invoice_is_a_404_and_a_visitor_is_sent_to_sign_in(client, invoice):
    staff_login(client, UserFactory())
    assert client.get(f"/invoices/{invoice.number}/pdf/").status_code == 404
    assert client.get(f"/invoices/{invoice.number}/").status_code == 404
    client.logout()
    assert client.get(f"/invoices/{invoice.number}/pdf/").status_code == 302


def test_staff_download_any_document_from_the_admin(client, invoice):
    staff_login(client, StaffFactory())

    response = client.get(f"/admin/billing/taxinvoice/{invoice.pk}/pdf/")

    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_the_order_page_and_my_services_link_the_documents(client, invoice, django_assert_max_num_queries):
    staff_login(client, invoice.order.user)

    html = client.get(f"/orders/{invoice.order.number}/").content.decode()

    assert f"/invoices/{invoice.number}/pdf/" in html
    assert "Total excluding VAT" in html and "VAT at 20%" in html


def test_vat_return_adds_up_a_quarters_vat_and_net_sales_in_one_query(django_assert_num_queries):
    uk = services.invoice_issue_for_order(order=paid_order(lines=[(Decimal("100.00"), 1, "one_off")]))[0]
    services.invoice_issue_for_order(order=paid_order(country="FR", vat_number="FR40303265045"))
    refund = services.refund_open(order=uk.order, amount=Decimal("12.00"), reason="part", origin="demo")
    services.refund_complete(refund=refund, notify=False)
    quarter = selectors.Quarter.of(uk.supply_date)

    with django_assert_num_queries(1):
        figures = selectors.vat_return(quarter)

    assert (figures.vat_due_on_sales, figures.sales_ex_vat, figures.reverse_charge_sales) == (
        Decimal("18.00"),  # 20.00 less the 2.00 credited
        Decimal("190.00"),  # 100 + 100 less 10
        Decimal("100.00"),
    )
    assert selectors.vat_return(quarter.previous()).documents == 0


def test_quarters_parse_and_bound_their_days():
    quarter = selectors.Quarter.parse("2026-Q4")
    assert (quarter.start, quarter.last_day, str(quarter.previous())) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
        "2026-Q3",
    )
    with pytest.raises(ValueError):
        selectors.Quarter.parse("2026-Q5")


def test_the_vat_returns_admin_lists_quarters_and_exports_csv(client, invoice):
    staff_login(client, StaffFactory())
    quarter = selectors.Quarter.of(invoice.supply_date)

    page = client.get("/admin/billing/taxinvoice/vat-returns/")
    csv = client.get(f"/admin/billing/taxinvoice/vat-returns/{quarter}.csv")

    assert page.status_code == 200 and str(quarter) in page.content.decode()
    assert csv.content.decode().splitlines()[1].startswith(f"{quarter},")
    assert ",20.00,100.00,0" in csv.content.decode()
    assert client.get("/admin/billing/taxinvoice/vat-returns/2026-Q9.csv").status_code == 404


@pytest.mark.usefixtures("fresh_storages")
def test_p20_erasure_anonymises_invoices_and_credit_notes_and_keeps_the_figures(invoice):
    refund = services.refund_open(order=invoice.order, amount=Decimal("12.00"), reason="part", origin="demo")
    services.refund_complete(refund=refund, notify=False)

    subject_erase(subject=Subject.of(user=invoice.order.user))

    for document in invoice.order.tax_documents.all():
        assert (document.customer_name, document.customer_company, document.purchase_order) == ("[erased]", "", "")
        assert document.customer_email == ""
        assert document.gross_total in (Decimal("120.00"), Decimal("-12.00"))
        assert document.customer_country == "GB"
    assert Refund.objects.get().amount == Decimal("12.00")
