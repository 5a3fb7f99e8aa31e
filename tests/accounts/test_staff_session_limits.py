"""Staff sessions end after 30 idle minutes and 12 hours in all; customers' do not (SE-03)."""

import datetime

import pytest
import time_machine

from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory
from tests.accounts.utils import sign_in

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_se03_staff_idle_for_31_minutes_sign_in_again(staff_login):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_login(StaffFactory())
        assert client.get("/admin/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/admin/shop/order/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/shop/order/"
    assert "_auth_user_id" not in client.session


def test_se03_staff_active_for_12_hours_and_a_minute_sign_in_again(staff_login):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_login(StaffFactory())
        # a request every 20 minutes: never idle
        for _ in range(36):
            assert client.get("/admin/").status_code == 200
            clock.shift(datetime.timedelta(minutes=20))
        clock.shift(datetime.timedelta(minutes=1))
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_se03_the_clock_starts_at_a_real_sign_in(client):
    staff = StaffFactory()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, staff)
        started = client.session["staff_signed_in_at"]
        clock.shift(datetime.timedelta(minutes=10))
        client.get("/")
        # (read inside the travel: the session's expiry date is in the travelled time)
        assert client.session["staff_last_seen_at"] == START.timestamp() + 600
    assert started == START.timestamp()


def test_se03_customers_keep_the_normal_session(client):
    customer = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, customer, password=PASSWORD, remember=True)
        clock.shift(datetime.timedelta(hours=13))
        response = client.get("/account/")
        assert client.session["_auth_user_id"] == str(customer.pk)
    assert response.status_code == 200
