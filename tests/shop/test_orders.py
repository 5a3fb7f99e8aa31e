import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from shop import services
from shop.models import Order
from tests.accounts.factories import UserFactory
from tests.shop.factories import OrderFactory, OrderLineFactory, PlanFactory
from tests.shop.factories_payments import BILLING, guest_cart

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def orders_for(user, count):
    for _ in range(count):
        OrderLineFactory(order=OrderFactory(user=user))


def test_order_list_shows_the_customers_orders_only(client):
    user = UserFactory()
    mine = OrderFactory(user=user)
    other = OrderFactory()
    client.force_login(user)

    response = client.get("/orders/")

    assert mine.number in response.text
    assert other.number not in response.text
    assert "Awaiting payment" in response.text


def test_order_list_needs_sign_in(client):
    response = client.get("/orders/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_order_list_query_count_is_the_same_for_1_and_50_orders(client):
    user = UserFactory()
    orders_for(user, 1)
    client.force_login(user)
    client.get("/orders/")  # the first request of a session records it (usersessions)
    one = count_queries(client, "/orders/")

    orders_for(user, 49)
    fifty = count_queries(client, "/orders/")

    assert one == fifty
    assert fifty <= 12


def test_order_list_paginates_by_twenty(client):
    user = UserFactory()
    orders_for(user, 21)
    client.force_login(user)

    first, second = client.get("/orders/"), client.get("/orders/?page=2")

    assert len(first.context["orders"]) == 20
    assert len(second.context["orders"]) == 1
    assert "Page 1 of 2" in first.text


def test_order_detail_shows_lines_billing_recipient_and_timeline(client):
    user = UserFactory()
    order = OrderFactory(user=user, recipient_name="Alan Turing", recipient_email="alan@example.com")
    OrderLineFactory(order=order)
    services.order_set_status(order=order, status=Order.Status.PAID, note="Payment received")
    client.force_login(user)

    response = client.get(f"/orders/{order.number}/")

    assert response.status_code == 200
    for text in ["1 Market Street", "Alan Turing", "Payment received", order.lines.get().service_name, "£100.00"]:
        assert text in response.text
    assert "Pay now" not in response.text


def test_ac01_another_customers_order_is_404(client):
    owner = UserFactory()
    order = OrderFactory(user=owner)
    client.force_login(UserFactory())

    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert client.post(f"/orders/{order.number}/pay/").status_code == 404
    assert client.get(f"/checkout/{order.number}/success/").status_code == 404
    assert order.billing_name not in client.get(f"/orders/{order.number}/").text


def test_ac01_a_guest_order_is_not_visible_without_the_link(client):
    order = OrderFactory(user=None, email="guest@example.com")
    client.force_login(UserFactory(email="guest@example.com"))

    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert client.get(f"/checkout/{order.number}/success/").status_code == 404


def test_fe07_order_pages_are_not_cached(client):
    user = UserFactory()
    order = OrderFactory(user=user)
    client.force_login(user)

    for url in ["/orders/", f"/orders/{order.number}/", "/orders/lookup/", "/checkout/", "/account/services/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_pay_now_on_a_pending_order_goes_back_to_payment(client, fake_gateway):
    user = UserFactory()
    order = OrderFactory(user=user)
    OrderLineFactory(order=order)
    client.force_login(user)

    detail = client.get(f"/orders/{order.number}/")
    first = client.post(f"/orders/{order.number}/pay/")
    second = client.post(f"/orders/{order.number}/pay/")

    assert "Pay now" in detail.text
    assert first.status_code == 302 and first["Location"].startswith("https://checkout.stripe.test/")
    assert second["Location"] == first["Location"]
    assert len(fake_gateway.sessions) == 1


def test_pay_now_on_a_paid_order_is_refused(client, fake_gateway):
    user = UserFactory()
    order = OrderFactory(user=user, status=Order.Status.PAID)
    client.force_login(user)

    response = client.post(f"/orders/{order.number}/pay/", follow=True)

    assert "This order is not awaiting payment." in response.text
    assert fake_gateway.sessions == {}


def test_fe05_get_on_pay_now_changes_nothing(client, fake_gateway):
    user = UserFactory()
    order = OrderFactory(user=user)
    client.force_login(user)

    assert client.get(f"/orders/{order.number}/pay/").status_code == 405
    assert fake_gateway.sessions == {}


def lookup(client, number, email):
    return client.post("/orders/lookup/", {"number": number, "email": email}, follow=True)


def test_p02_lookup_answers_the_same_whether_or_not_an_order_matches(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory(user=None, email="guest@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        match = lookup(client, order.number, "Guest@Example.com")
        wrong_email = lookup(client, order.number, "other@example.com")
        unknown = lookup(client, "KG-AAAAAAAAAAAA", "guest@example.com")

    answer = "If an order matches, we have emailed a link to it."
    assert all(answer in r.text for r in (match, wrong_email, unknown))
    assert {r.status_code for r in (match, wrong_email, unknown)} == {200}
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["guest@example.com"]


def test_p02_the_emailed_link_shows_the_order_read_only(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://shop.kinetogram.example"
    order = OrderFactory(user=None, email="guest@example.com", status=Order.Status.PAID)
    OrderLineFactory(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        lookup(client, order.number, "guest@example.com")
    link = re.search(r"https://shop\.kinetogram\.example(/orders/lookup/\S+/)", mailoutbox[0].body).group(1)

    response = client.get(link)

    assert response.status_code == 200
    assert order.number in response.text
    assert "1 Market Street" in response.text
    assert "<form" not in response.text.split('<main id="main"')[1].split("</main>")[0]


def test_tampered_order_link_is_refused(client):
    order = OrderFactory(user=None)
    token = services.order_link_token(order=order)

    response = client.get(f"/orders/lookup/{token[:-2]}xx/")

    assert response.status_code == 400
    assert "This link is not valid" in response.text
    assert order.number not in response.text


def test_order_link_expires_after_three_days(client):
    order = OrderFactory(user=None)
    token = services.order_link_token(order=order)

    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.get(f"/orders/lookup/{token}/")

    assert response.status_code == 400
    assert "This link has expired" in response.text


def test_lookup_is_rate_limited_per_ip(client, mailoutbox, django_capture_on_commit_callbacks):
    order = OrderFactory(user=None, email="guest@example.com")
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            statuses.append(
                client.post("/orders/lookup/", {"number": order.number, "email": "guest@example.com"}).status_code
            )
    other_ip = client.post(
        "/orders/lookup/", {"number": order.number, "email": "x@example.com"}, REMOTE_ADDR="10.0.0.9"
    )

    assert statuses == [302] * 5 + [429]
    assert len(mailoutbox) == 5
    assert other_ip.status_code == 302


def test_guest_pays_later_from_the_link(client, fake_gateway):
    guest_cart(client, PlanFactory())
    client.post("/checkout/", {**BILLING, "email": "guest@example.com"})
    order = Order.objects.get()
    cancel_url = next(iter(fake_gateway.sessions.values()))["cancel_url"]
    path = cancel_url.removeprefix("http://testserver")

    page = client.get(path)
    again = client.post(path)

    assert "Pay now" in page.text
    assert again.status_code == 302
    assert again["Location"].startswith("https://checkout.stripe.test/")
    assert order.status == Order.Status.PENDING
