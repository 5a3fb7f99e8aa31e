"""Orders and "My services" sit inside the "Your account" layout; guest pages do not."""

import re

import pytest
from django.core.cache import cache

from shop.models import Order
from tests.accounts.factories import UserFactory
from tests.shop.factories import OrderFactory, OrderLineFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

NAV = 'aria-label="Account pages"'


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def current_nav_item(html):
    nav = html.split(NAV, 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/orders/", [("/orders/", "Orders")]),
        ("/account/services/", [("/account/services/", "My services")]),
    ],
)
def test_orders_and_my_services_show_the_account_navigation_with_their_item_current(client, url, current):
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 200
    assert 'class="container account-layout layout-sidebar"' in response.text
    assert current_nav_item(response.text) == current


def test_order_detail_and_cancel_confirmation_keep_their_section_current(client):
    user = UserFactory()
    order = OrderFactory(user=user, status=Order.Status.PAID)
    OrderLineFactory(order=order)
    subscription = SubscriptionFactory(user=user)
    client.force_login(user)

    detail = client.get(f"/orders/{order.number}/")
    cancel = client.get(f"/account/services/{subscription.pk}/cancel/")

    assert current_nav_item(detail.text) == [("/orders/", "Orders")]
    assert current_nav_item(cancel.text) == [("/account/services/", "My services")]


def test_guest_order_lookup_and_emailed_link_work_without_an_account(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://shop.kinetogram.example"
    order = OrderFactory(user=None, email="guest@example.com", status=Order.Status.PAID)
    OrderLineFactory(order=order)

    form = client.get("/orders/lookup/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/orders/lookup/", {"number": order.number, "email": "guest@example.com"})
    link = re.search(r"https://shop\.kinetogram\.example(/orders/lookup/\S+/)", mailoutbox[0].body).group(1)
    page = client.get(link)

    assert form.status_code == 200
    assert NAV not in form.text
    assert page.status_code == 200
    assert order.number in page.text
    assert NAV not in page.text
    assert "← Your orders" not in page.text
