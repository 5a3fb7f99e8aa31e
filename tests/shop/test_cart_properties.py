"""IN-01: quantities are validated on the server and totals come from database prices only."""

from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from shop.cart import SESSION_KEY, CartItem, cart_totals
from shop.models import Plan
from tests.shop.factories import PlanFactory, ServiceFactory

MAX = 10

quantities = st.one_of(
    st.integers(min_value=-1000, max_value=1000).map(str),
    st.sampled_from(["0", "-1", "11", "abc", "1e3", "2.5", "", " 3 ", "+3", "٣", "0x5", "1_0", "10", "1"]),
    st.text(max_size=8),
)


def expected_quantity(raw: str):
    text = raw.strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX:
        return int(text)
    return None


@pytest.mark.django_db
@given(raw=quantities, price=st.decimals(min_value=-100, max_value=10_000, places=2, allow_nan=False))
def test_in01_cart_update_accepts_exactly_1_to_max_and_ignores_posted_prices(raw, price):
    # given: a cart with one plan at 2 (a fresh visitor each example)
    plan = Plan.objects.first() or PlanFactory(service=ServiceFactory(name="Ads"), price=Decimal("19.99"))
    client = Client()
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "2"})
    # when: the visitor posts any quantity, with a price of their own choosing
    response = client.post("/cart/update/", {"plan": plan.pk, "quantity": raw, "price": str(price)})
    # then
    wanted = expected_quantity(raw)
    stored = client.session[SESSION_KEY][str(plan.pk)]
    if wanted is None:
        assert response.status_code == 400
        assert stored == 2
    else:
        assert response.status_code == 302
        assert stored == wanted
    totals = client.get("/cart/").context["totals"]
    assert totals.due_today == plan.price * stored


plans = st.builds(
    lambda price, billing: Plan(price=price, billing=billing, name="p"),
    price=st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False),
    billing=st.sampled_from(Plan.Billing.values),
)
items = st.lists(
    st.builds(CartItem, plan=plans, quantity=st.integers(min_value=1, max_value=MAX)),
    max_size=12,
)


@given(cart=items)
def test_in01_totals_are_the_sum_of_lines_never_negative_with_two_decimal_places(cart):
    totals = cart_totals(cart)

    assert totals.due_today == sum((item.plan.price * item.quantity for item in cart), Decimal("0"))
    recurring = [item for item in cart if item.plan.billing != Plan.Billing.ONE_OFF]
    assert totals.monthly + totals.yearly == sum((item.line_total for item in recurring), Decimal("0"))
    for amount in (totals.due_today, totals.monthly, totals.yearly, *(i.line_total for i in cart)):
        assert amount >= 0
        assert amount.as_tuple().exponent == -2
    assert totals.due_today >= totals.monthly + totals.yearly


@pytest.mark.django_db
@given(raw=quantities, price=st.text(max_size=12))
def test_in01_signed_in_add_validates_quantity_and_never_reads_a_posted_price(customer_client, customer, raw, price):
    # given: an empty saved cart (examples share the test's database)
    from shop.models import CartLine

    CartLine.objects.filter(cart__user=customer).delete()
    plan = Plan.objects.first() or PlanFactory(service=ServiceFactory(name="Ads"), price=Decimal("19.99"))
    # when
    response = customer_client.post("/cart/add/", {"plan": plan.pk, "quantity": raw, "price": price})
    # then
    wanted = expected_quantity(raw)
    lines = dict(CartLine.objects.filter(cart__user=customer).values_list("plan_id", "quantity"))
    if wanted is None:
        assert response.status_code == 400
        assert lines == {}
    else:
        assert response.status_code == 302
        assert lines == {plan.pk: wanted}
