"""The staff site: one login (allauth's, AU-05), the shop's name, orders kept."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, hotp_value
from django.contrib import admin
from django.core.cache import cache

from kinetogram.admin import KinetogramAdminSite
from shop.models import Order
from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory
from tests.accounts.utils import STAFF_TOTP_SECRET, staff_login
from tests.shop.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def test_the_admin_site_is_the_shops_own():
    assert isinstance(admin.site, KinetogramAdminSite)
    assert (admin.site.site_header, admin.site.site_title, admin.site.index_title) == (
        "Kinetogram staff",
        "Kinetogram staff",
        "Shop administration",
    )


def test_au05_anonymous_admin_login_redirects_to_the_allauth_login(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_au05_the_admin_login_keeps_where_staff_were_going(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/accounts/login/?next=%2Fadmin%2F", 302),
    ]
    assert response.status_code == 200
    assert response.templates[0].name == "account/login.html"


def test_au05_posting_to_the_admin_login_signs_nobody_in(client):
    staff = StaffFactory()

    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert "_auth_user_id" not in client.session


def test_au05_staff_signed_in_through_allauth_land_in_the_admin(client):
    staff = StaffFactory()
    TOTP.activate(staff, STAFF_TOTP_SECRET)

    first = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD})
    code = format(hotp_value(STAFF_TOTP_SECRET, int(time.time()) // 30), "06d")
    response = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_au05_the_sixth_bad_staff_password_is_blocked_on_the_way_to_the_admin(client):
    staff = StaffFactory()
    for _ in range(5):
        client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": "Wrong-guess-99"})

    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.text
    assert "_auth_user_id" not in client.session


def test_a_signed_in_customer_is_refused_the_admin_login(client):
    staff_login(client, UserFactory())

    response = client.get("/admin/login/")

    assert response.status_code == 403


# --- orders are tax records: never deleted ------------------------------------------
@pytest.fixture
def staff_client(client):
    staff_login(client, StaffFactory())
    return client


@pytest.fixture
def order():
    order = OrderFactory(status=Order.Status.PAID)
    OrderLineFactory(order=order)
    return order


def test_orders_cannot_be_deleted_in_the_admin(staff_client, order):
    change = staff_client.get(f"/admin/shop/order/{order.pk}/change/")
    changelist = staff_client.get("/admin/shop/order/")
    delete_page = staff_client.get(f"/admin/shop/order/{order.pk}/delete/")
    delete_post = staff_client.post(f"/admin/shop/order/{order.pk}/delete/", {"post": "yes"})

    assert change.status_code == 200
    assert f"/admin/shop/order/{order.pk}/delete/" not in change.text
    assert 'value="delete_selected"' not in changelist.text
    assert (delete_page.status_code, delete_post.status_code) == (403, 403)
    assert Order.objects.filter(pk=order.pk).exists()


def test_the_bulk_delete_action_deletes_no_order(staff_client, order):
    response = staff_client.post(
        "/admin/shop/order/",
        {"action": "delete_selected", "_selected_action": [order.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert "No action selected." in response.text
    assert Order.objects.filter(pk=order.pk).exists()
