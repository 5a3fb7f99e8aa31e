"""The figures staff run the business on: net sales, refunds, subscriptions started and ended
per month, and the monthly recurring revenue, in queries that do not grow with the orders."""

from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services as billing_services
from billing.models import Refund
from shop.models import Plan, Subscription
from shop.selectors import business_figures
from tests.accounts.factories import StaffFactory
from tests.accounts.utils import staff_login
from tests.billing.factories import paid_order
from tests.shop.factories import PlanFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = "/admin/shop/order/figures/"


def _sales(n):
    for _ in range(n):
        order = paid_order(lines=[(Decimal("100.00"), 1, "one_off")])
        billing_services.invoice_issue_for_order(order=order)


def test_this_months_net_sales_refunds_and_subscriptions_and_the_mrr():
    _sales(2)  # £200 net, £240 with VAT
    order = paid_order(lines=[(Decimal("50.00"), 1, "one_off")])
    billing_services.invoice_issue_for_order(order=order)
    Refund.objects.create(order=order, amount=Decimal("12.00"), reason="Goodwill", origin="demo", status="succeeded")
    SubscriptionFactory(unit_price=Decimal("30.00"), quantity=2)  # £60 a month
    yearly = PlanFactory(billing=Plan.Billing.YEARLY, price=Decimal("1200.00"))
    SubscriptionFactory(plan=yearly, unit_price=Decimal("1200.00"))  # £100 a month
    SubscriptionFactory(status=Subscription.Status.CANCELED, canceled_at=timezone.now())

    figures = business_figures(today=timezone.localdate())

    now = figures.months[-1]
    assert len(figures.months) == 12 and now.month == timezone.localdate().replace(day=1)
    assert (now.net_sales, now.refunds) == (Decimal("250.00"), Decimal("12.00"))
    assert (now.new_subscriptions, now.ended_subscriptions) == (3, 1)
    assert (figures.monthly_recurring_revenue, figures.active_subscriptions) == (Decimal("160.00"), 2)
    assert all(row.net_sales == 0 for row in figures.months[:-1])


def test_staff_see_the_page_and_its_csv_in_the_same_queries_for_1_and_10_orders(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    staff_login(client, StaffFactory(is_superuser=True))
    _sales(1)
    client.get(URL)
    with django_assert_max_num_queries(30) as one:
        first = client.get(URL)
    _sales(9)
    with django_assert_num_queries(len(one.captured_queries)):
        ten = client.get(URL)
    assert first.status_code == ten.status_code == 200
    assert "Monthly recurring revenue" in ten.text and "£1000.00" in ten.text
    assert "<svg" in ten.text and "Net sales per month" in ten.text
    csv = client.get(URL + "?format=csv")
    assert csv["Content-Type"] == "text/csv"
    assert csv.text.splitlines()[0] == "month,net_sales,refunds,new_subscriptions,ended_subscriptions"
    assert csv.text.splitlines()[-1].endswith(",1000.00,0.00,0,0")


def test_staff_without_the_order_permission_get_403(client):
    staff_login(client, StaffFactory(is_superuser=False))
    assert client.get(URL).status_code == 403
