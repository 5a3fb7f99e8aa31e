from decimal import Decimal

import pytest

from shop.models import Order
from tests.accounts.factories import UserFactory
from tests.shop.factories import PlanFactory
from tests.shop.factories_payments import BILLING, cart_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(client):
    user = UserFactory()
    cart_with(user, PlanFactory(price=Decimal("100.00")))
    client.force_login(user)
    return user


def test_a_bad_vat_number_is_a_clear_form_error_and_no_order(client, buyer):
    response = client.post("/checkout/", {**BILLING, "vat_number": "GB980780685"})

    assert response.status_code == 400
    assert "This is not a valid VAT number: its check digits do not match." in response.content.decode()
    assert Order.objects.count() == 0


def test_an_overseas_business_with_a_valid_number_places_a_reverse_charge_order(client, buyer):
    client.post(
        "/checkout/",
        {
            **BILLING,
            "billing_country": "FR",
            "vat_number": "fr 40 303 265 045",
            "purchase_order": "PO-9",
            "invoice_email": "accounts@example.fr",
        },
    )

    order = Order.objects.get()
    assert (order.net_total, order.vat_total, order.total, order.vat_treatment) == (
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("100.00"),
        "reverse_charge",
    )
    assert (order.vat_number, order.purchase_order, order.invoice_email) == (
        "FR40303265045",
        "PO-9",
        "accounts@example.fr",
    )


def test_the_summary_is_recomputed_on_the_server_for_the_country_and_number(client, buyer):
    uk = client.post("/checkout/vat/", {"billing_country": "GB"}).content.decode()
    fr = client.post("/checkout/vat/", {"billing_country": "FR", "vat_number": "FR40303265045"}).content.decode()
    bad = client.post("/checkout/vat/", {"billing_country": "FR", "vat_number": "FR1"}).content.decode()

    assert "VAT at 20%" in uk and "£120.00" in uk
    assert "reverse charge" in fr and "Customer to account for any VAT due" in fr and "£120.00" not in fr
    assert "not a valid VAT number" in bad and "£120.00" in bad


def test_checkout_page_shows_net_vat_and_gross_per_line_and_in_total(client, buyer):
    html = client.get("/checkout/").content.decode()

    assert "Total excluding VAT" in html and "VAT at 20%" in html
    assert html.count("£20.00") >= 2 and "£120.00" in html
