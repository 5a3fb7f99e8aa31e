"""P29: a partner's link is credited only with affiliate-cookie consent (never under Global
Privacy Control, P09, nor for a restricted customer, P23): the referral is recorded against
the order when it is placed, and staff see the commission due per partner per month."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from marketing.models import AffiliatePartner, AffiliateReferral
from marketing.selectors import commissions_by_month
from marketing.services import affiliate_referral_record
from shop.models import Order
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.factories import RestrictionFactory
from tests.shop.factories import OrderFactory, PlanFactory
from tests.shop.factories_payments import BILLING, cart_with, guest_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return AffiliatePartner.objects.create(
        code="northwind", name="Northwind Digital", commission_rate=Decimal("0.1250")
    )


def checkout_as_guest(client, *, price="80.00"):
    guest_cart(client, PlanFactory(price=Decimal(price)))
    response = client.post("/checkout/", {**BILLING, "email": "guest@example.com"})
    assert response.status_code == 302
    return Order.objects.get()


def test_p29_with_consent_the_link_is_kept_and_the_order_credited(client, partner):
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    landing = client.get("/?aff=northwind")
    assert landing.cookies["kg_aff"].value == "northwind"

    order = checkout_as_guest(client, price="80.00")

    referral = AffiliateReferral.objects.get()
    assert (referral.order, referral.partner, referral.code) == (order, partner, "northwind")
    assert (referral.commission_rate, referral.commission) == (Decimal("0.1250"), Decimal("10.00"))


def test_p29_the_ref_parameter_works_too(client, partner):
    client.post("/privacy/cookies/choice/", {"choice": "custom", "categories": ["affiliate"]})

    assert client.get("/services/?ref=northwind").cookies["kg_aff"].value == "northwind"
    checkout_as_guest(client)
    assert AffiliateReferral.objects.get().partner == partner


def test_p29_without_a_choice_nothing_is_kept_and_nothing_credited(client, partner):
    assert "kg_aff" not in client.get("/?aff=northwind").cookies

    checkout_as_guest(client)

    assert AffiliateReferral.objects.count() == 0


def test_p29_refusing_affiliate_cookies_while_allowing_others_credits_nobody(client, partner):
    client.post("/privacy/cookies/choice/", {"choice": "custom", "categories": ["analytics", "advertising"]})
    client.get("/?aff=northwind")
    client.cookies["kg_aff"] = "northwind"  # a cookie the browser kept from before

    checkout_as_guest(client)

    assert AffiliateReferral.objects.count() == 0


def test_p29_consent_withdrawn_after_the_visit_means_the_order_is_not_credited(client, partner):
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    client.get("/?aff=northwind")
    client.post("/privacy/cookies/choice/", {"choice": "reject"})
    client.cookies["kg_aff"] = "northwind"

    checkout_as_guest(client)

    assert AffiliateReferral.objects.count() == 0


def test_p09_global_privacy_control_credits_nobody_even_after_accepting(client, partner):
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    client.defaults["HTTP_SEC_GPC"] = "1"

    assert "kg_aff" not in client.get("/?aff=northwind").cookies
    client.cookies["kg_aff"] = "northwind"
    checkout_as_guest(client)

    assert AffiliateReferral.objects.count() == 0


def test_p23_a_customer_restricted_from_marketing_is_not_credited(client, partner):
    user = UserFactory()
    staff_login(client, user)
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    client.get("/?aff=northwind")
    RestrictionFactory(user=user, scope="marketing")
    cart_with(user, PlanFactory(price=Decimal("50.00")))

    client.post("/checkout/", BILLING)

    assert Order.objects.count() == 1
    assert AffiliateReferral.objects.count() == 0


def test_p29_a_signed_in_customer_is_credited_like_a_guest(client, partner):
    user = UserFactory()
    staff_login(client, user)
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    client.get("/services/?aff=northwind")
    cart_with(user, PlanFactory(price=Decimal("99.99")))

    client.post("/checkout/", BILLING)

    assert AffiliateReferral.objects.get().commission == Decimal("12.50")  # 12.49875 rounded half up


@pytest.mark.parametrize("code", ["unknown", "paused"])
def test_p29_an_unknown_or_inactive_partner_is_not_credited(client, partner, code):
    AffiliatePartner.objects.create(code="paused", name="Paused", commission_rate=Decimal("0.2"), is_active=False)
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    client.get(f"/?aff={code}")

    checkout_as_guest(client)

    assert AffiliateReferral.objects.count() == 0


def test_p29_an_order_placed_outside_a_request_credits_nobody(client, partner):
    from shop import services
    from shop.cart import user_cart_items

    # A request that would credit the partner has come and gone in this thread.
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    client.get("/?aff=northwind")

    user = UserFactory()
    cart_with(user, PlanFactory(price=Decimal("10.00")))
    billing = {key.removeprefix("billing_"): value for key, value in BILLING.items()}
    services.order_place(cart_items=user_cart_items(user), user=user, email=user.email, billing=billing)

    assert Order.objects.count() == 1

    assert AffiliateReferral.objects.count() == 0


def test_p29_an_order_is_credited_once(partner):
    order = OrderFactory(total=Decimal("100.00"))

    first = affiliate_referral_record(order=order, code="northwind")
    again = affiliate_referral_record(order=order, code="northwind")

    assert first == again
    assert AffiliateReferral.objects.count() == 1


# --- the commission report ------------------------------------------------------------------


def _referred(partner, *, total, paid_at, status=Order.Status.PAID):
    order = OrderFactory(total=Decimal(total), status=status, paid_at=paid_at)
    return affiliate_referral_record(order=order, code=partner.code)


@pytest.fixture
def referrals(partner):
    other = AffiliatePartner.objects.create(code="acme", name="Acme Blog", commission_rate=Decimal("0.05"))
    march = timezone.make_aware(datetime.datetime(2026, 3, 10, 12))
    april = timezone.make_aware(datetime.datetime(2026, 4, 2, 12))
    _referred(partner, total="100.00", paid_at=march)
    _referred(partner, total="60.00", paid_at=march + datetime.timedelta(days=15), status=Order.Status.ACTIVE)
    _referred(partner, total="40.00", paid_at=april)
    _referred(partner, total="500.00", paid_at=april, status=Order.Status.REFUNDED)
    _referred(partner, total="700.00", paid_at=None, status=Order.Status.PENDING)
    _referred(other, total="200.00", paid_at=april)
    return partner, other


def test_p29_commission_due_per_partner_per_month_counts_only_paid_orders(referrals, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [
            (row["month"].strftime("%Y-%m"), row["partner__code"], row["orders"], row["sales"], row["commission"])
            for row in commissions_by_month()
        ]

    assert rows == [
        ("2026-04", "acme", 1, Decimal("200.00"), Decimal("10.00")),
        ("2026-04", "northwind", 1, Decimal("40.00"), Decimal("5.00")),
        ("2026-03", "northwind", 2, Decimal("160.00"), Decimal("20.00")),
    ]


def test_p29_staff_see_the_commission_page_and_download_it_as_csv(client, referrals):
    staff_login(client, StaffFactory())
    url = "/admin/marketing/affiliatepartner/commissions/"

    page = client.get(url)
    download = client.get(url, {"format": "csv"})

    assert page.status_code == 200
    assert "Northwind Digital" in page.text and "£20.00" in page.text and "£10.00" in page.text
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="affiliate-commissions-')
    assert list(csv.reader(io.StringIO(download.content.decode()))) == [
        ["month", "partner code", "partner", "orders", "sales", "commission due"],
        ["2026-04", "acme", "Acme Blog", "1", "200.00", "10.00"],
        ["2026-04", "northwind", "Northwind Digital", "1", "40.00", "5.00"],
        ["2026-03", "northwind", "Northwind Digital", "2", "160.00", "20.00"],
    ]


def test_p29_the_commission_page_reads_the_referrals_in_one_query(client, referrals):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff_login(client, StaffFactory())
    with CaptureQueriesContext(connection) as page:
        client.get("/admin/marketing/affiliatepartner/commissions/")

    assert len([q for q in page.captured_queries if "marketing_affiliatereferral" in q["sql"]]) == 1


def test_p29_a_partner_name_cannot_run_as_a_spreadsheet_formula(client, partner):
    partner.name = "=HYPERLINK(1)"
    partner.save()
    _referred(partner, total="10.00", paid_at=timezone.now())
    staff_login(client, StaffFactory())

    download = client.get("/admin/marketing/affiliatepartner/commissions/", {"format": "csv"})

    assert "'=HYPERLINK(1)" in download.content.decode()
