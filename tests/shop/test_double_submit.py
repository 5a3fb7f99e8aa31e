"""One cart becomes one order, however often and however fast the checkout form is
submitted (Q-12): the other submits are shown the order the first one placed."""

import re
import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from shop import services
from shop.cart import CartItem
from shop.models import Cart, CartLine, Order, OrderLine
from tests.accounts.factories import UserFactory
from tests.shop.factories import PlanFactory
from tests.shop.factories_payments import BILLING, cart_with

pytestmark = pytest.mark.django_db

GUEST = {**BILLING, "email": "guest@example.com"}
ADDRESS = {k.removeprefix("billing_"): v for k, v in BILLING.items()}
ADDRESS_FIELDS = dict(BILLING)
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def shown_cart_key(client):
    """The cart key the checkout form carries, as the browser would post it back."""
    response = client.get("/checkout/")
    assert response.status_code == 200
    return re.search(r'name="cart_key" value="([^"]*)"', response.text).group(1)


def guest_with_cart(client, plan):
    response = client.post("/cart/add/", {"plan": plan.pk, "quantity": 1})
    assert response.status_code == 302
    return {**GUEST, "cart_key": shown_cart_key(client)}


def submit_at_once(clients, data):
    """POST the checkout form from every client at the same moment; returns the responses."""
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def submit(index, client):
        barrier.wait()
        try:
            responses[index] = client.post("/checkout/", data)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def order_page_of(order):
    if order.user_id:
        return order.get_absolute_url()
    return f"/orders/lookup/{services.order_link_token(order=order)}/"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_q12_five_simultaneous_submits_of_a_signed_in_cart_make_one_order(fake_gateway):
    # given a customer whose cart holds 2 of a plan with 10 places
    user = UserFactory()
    plan = PlanFactory(price=Decimal("40.00"), stock=10)
    cart_with(user, plan, quantity=2)
    clients = [Client() for _ in range(5)]
    for client in clients:
        client.force_login(user)
    data = {**BILLING, "cart_key": shown_cart_key(clients[0])}
    # when the form is posted five times at once
    responses = submit_at_once(clients, data)
    # then one order holds the stock once, one payment is started, and every other submit
    # is sent to that order
    order = Order.objects.get()
    plan.refresh_from_db()
    payment_url = next(iter(fake_gateway.sessions.values()))["url"]
    assert [r.status_code for r in responses] == [302] * 5
    assert sorted(r["Location"] for r in responses) == sorted([payment_url] + [order.get_absolute_url()] * 4)
    assert len(fake_gateway.sessions) == 1
    assert (order.user, order.net_total) == (user, Decimal("80.00"))
    assert list(OrderLine.objects.values_list("quantity", flat=True)) == [2]
    assert plan.stock == 8
    assert CartLine.objects.count() == 0
    assert Cart.objects.get(user=user).orders_placed == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_q12_five_simultaneous_submits_of_a_guest_cart_make_one_order(fake_gateway):
    # given a visitor's cart, and five requests carrying the visitor's session cookie
    plan = PlanFactory(price=Decimal("40.00"), stock=10)
    browser = Client()
    data = guest_with_cart(browser, plan)
    clients = [Client() for _ in range(5)]
    for client in clients:
        client.cookies = browser.cookies
    # when the form is posted five times at once
    responses = submit_at_once(clients, data)
    # then
    order = Order.objects.get()
    plan.refresh_from_db()
    payment_url = next(iter(fake_gateway.sessions.values()))["url"]
    assert [r.status_code for r in responses] == [302] * 5
    assert sorted(r["Location"] for r in responses) == sorted([payment_url] + [order_page_of(order)] * 4)
    assert (order.user, order.email, order.net_total) == (None, "guest@example.com", Decimal("40.00"))
    assert plan.stock == 9
    assert "cart" not in browser.session
    assert browser.session["checkout_orders"] == [order.number]


def test_q12_a_signed_in_customer_submitting_twice_is_shown_the_first_order(client, fake_gateway):
    user = UserFactory()
    plan = PlanFactory(stock=5)
    cart_with(user, plan)
    client.force_login(user)
    data = {**BILLING, "cart_key": shown_cart_key(client)}

    first = client.post("/checkout/", data)
    again = client.post("/checkout/", data)

    order = Order.objects.get()
    plan.refresh_from_db()
    assert first.status_code == 302 and first["Location"].startswith("https://checkout.stripe.test/")
    assert (again.status_code, again["Location"]) == (302, order.get_absolute_url())
    assert [str(m) for m in get_messages(again.wsgi_request)] == [
        f"Your order {order.number} is already placed: you can pay for it here."
    ]
    assert len(fake_gateway.sessions) == 1
    assert plan.stock == 4


def test_q12_a_guest_submitting_twice_is_shown_the_first_order(client, fake_gateway):
    plan = PlanFactory(stock=5)
    data = guest_with_cart(client, plan)

    first = client.post("/checkout/", data)
    again = client.post("/checkout/", data)

    order = Order.objects.get()
    plan.refresh_from_db()
    assert first.status_code == 302
    assert (again.status_code, again["Location"]) == (302, order_page_of(order))
    assert client.get(again["Location"]).status_code == 200
    assert client.session["checkout_orders"] == [order.number]
    assert plan.stock == 4


def test_q12_a_stale_tab_submitted_after_a_new_cart_shows_the_old_order_and_keeps_the_cart(client, fake_gateway):
    # given a checkout form shown for a cart that has since become an order
    user = UserFactory()
    first_plan, second_plan = PlanFactory(), PlanFactory()
    cart_with(user, first_plan)
    client.force_login(user)
    stale = {**BILLING, "cart_key": shown_cart_key(client)}
    assert client.post("/checkout/", stale).status_code == 302
    # and a new cart filled afterwards
    cart_with(user, second_plan)
    # when the old form is submitted again
    response = client.post("/checkout/", stale)
    # then the old order is shown and the new cart waits for its own checkout
    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert list(CartLine.objects.values_list("plan", flat=True)) == [second_plan.pk]
    assert client.post("/checkout/", {**BILLING, "cart_key": shown_cart_key(client)}).status_code == 302
    assert Order.objects.count() == 2


def test_q12_another_customers_cart_key_reveals_nothing(client, fake_gateway):
    owner, other = UserFactory(), UserFactory()
    cart_with(owner, PlanFactory())
    owner_client = Client()
    owner_client.force_login(owner)
    key = shown_cart_key(owner_client)
    owner_client.post("/checkout/", {**BILLING, "cart_key": key})
    client.force_login(other)

    response = client.post("/checkout/", {**BILLING, "cart_key": key})

    assert response.status_code == 409
    assert Order.objects.get().number not in response.text
    assert Order.objects.get().user == owner


def test_q12_a_guest_cannot_open_an_order_by_posting_its_cart_key(client, fake_gateway):
    buyer = Client()
    data = guest_with_cart(buyer, PlanFactory())
    buyer.post("/checkout/", data)

    response = client.post("/checkout/", data)

    assert response.status_code == 409
    assert "checkout_orders" not in client.session


def test_q12_the_service_places_one_order_per_cart_key():
    user = UserFactory()
    plan = PlanFactory(stock=3)
    cart = cart_with(user, plan)
    key = cart.checkout_key

    order = services.order_place(cart_items=[], user=user, email="", billing=ADDRESS, cart_key=key)
    cart_with(user, plan)
    with pytest.raises(services.OrderAlreadyPlaced) as again:
        services.order_place(cart_items=[], user=user, email="", billing=ADDRESS, cart_key=key)

    plan.refresh_from_db()
    assert again.value.order == order
    assert order.cart_key == key == f"cart:{cart.pk}:0"
    assert Cart.objects.get().checkout_key == f"cart:{cart.pk}:1"
    assert plan.stock == 2
    assert CartLine.objects.count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_q12_guest_submits_that_race_past_the_check_meet_at_the_unique_key(monkeypatch):
    # given a guest submit that another submit of the same cart overtakes after the check,
    # between the stock being taken and the order being written
    plan = PlanFactory(stock=3)
    key = "session:race"
    real_currency = services._currency
    overtaken = []

    def overtake():
        def place_first():
            try:
                Order.objects.create(cart_key=key, email="guest@example.com", total=Decimal("1.00"), **ADDRESS_FIELDS)
            finally:
                connection.close()

        if not overtaken:
            overtaken.append(True)
            thread = threading.Thread(target=place_first)
            thread.start()
            thread.join()
        return real_currency()

    monkeypatch.setattr(services, "_currency", overtake)
    # when it writes its order
    with pytest.raises(services.OrderAlreadyPlaced) as raised:
        services.order_place(
            cart_items=[CartItem(plan=plan, quantity=1)],
            user=None,
            email="guest@example.com",
            billing=ADDRESS,
            cart_key=key,
        )
    # then it gives way to the order already there, and its stock is given back
    plan.refresh_from_db()
    assert raised.value.order == Order.objects.get()
    assert plan.stock == 3
