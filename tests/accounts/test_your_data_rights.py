"""The rights on "Your data", one button each (P19-P24, AU-11)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user

from privacy.models import ConsentEvent, DataExport, Restriction, SubjectRequest
from privacy.selectors import has_objected, marketing_allowed, processing_is_restricted
from tests.accounts.factories import UserFactory
from tests.accounts.utils import reauthenticate, sign_in
from tests.shop.factories import OrderFactory

pytestmark = pytest.mark.django_db
URL = "/account/your-data/"


@pytest.fixture
def customer(client):
    user = UserFactory(email="rights@example.com")
    assert sign_in(client, user).status_code == 302
    reauthenticate(client)
    return user


def test_au11_p19_download_needs_the_password_again_after_300_seconds_then_builds_the_copy(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with time_machine.travel(dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        sign_in(client, user)
        traveller.shift(dt.timedelta(seconds=301))
        late = client.post("/account/your-data/download/")
        assert late.status_code == 302 and late["Location"].startswith("/accounts/reauthenticate/")
        assert not DataExport.objects.exists()
        reauthenticate(client)
        with django_capture_on_commit_callbacks(execute=True):
            resumed = client.post("/account/your-data/download/")
        page = client.get(URL).content.decode()
    assert resumed.status_code == 302
    export = DataExport.objects.get(user=user)
    assert export.status == "ready"
    request = SubjectRequest.objects.get(user=user)
    assert request.kind == "access" and request.status == "completed" and request.verification == "reauthentication"
    assert f"/privacy/download/{export.token}/" in page


def test_p19_a_second_download_within_a_day_points_to_the_first(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/your-data/download/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/your-data/download/")
    assert DataExport.objects.filter(user=customer).count() == 1


def test_p22_one_click_objects_to_all_marketing_and_can_be_undone(client, customer):
    ConsentEvent.objects.create(
        user=customer, purpose="email_marketing", action="given", source="account", wording="Yes"
    )
    response = client.post("/account/your-data/object/", follow=True)
    assert "no more marketing by email, text or post" in response.content.decode()
    for purpose in ("email_marketing", "sms_marketing", "postal_marketing", "tailored_offers"):
        assert not marketing_allowed(purpose, user=customer)
    assert "Withdraw my objection" in response.content.decode()
    client.post("/account/your-data/object/", {"action": "withdraw"})
    assert not has_objected("postal_marketing", user=customer)


def test_p23_a_customer_restricts_processing_and_sees_it(client, customer):
    assert client.get("/account/your-data/restrict/").status_code == 200
    bad = client.post("/account/your-data/restrict/", {"scope": "marketing"})
    assert bad.status_code == 400 and not Restriction.objects.exists()
    client.post("/account/your-data/restrict/", {"scope": "marketing", "reason": "My address is wrong"})
    assert processing_is_restricted(user=customer, scope="marketing")
    page = client.get(URL).content.decode()
    assert "Marketing</strong> restricted since" in page and "My address is wrong" in page
    assert SubjectRequest.objects.get(user=customer, kind="restriction").status == "completed"


def test_p21_a_customer_asks_staff_to_correct_an_orders_billing_name(client, customer):
    order = OrderFactory(user=customer, billing_name="Wrong Name")
    page = client.get("/account/your-data/correct/").content.decode()
    assert "Wrong Name" in page
    field = f"fix__shop.Order__{order.pk}__billing_name"
    nothing = client.post("/account/your-data/correct/", {})
    assert nothing.status_code == 400 and "Write the correct value" in nothing.content.decode()
    client.post("/account/your-data/correct/", {field: "Right Name"})
    request = SubjectRequest.objects.get(user=customer, kind="rectification")
    assert request.status == "verified"
    assert request.changes == [
        {
            "record": "shop.Order",
            "object_id": str(order.pk),
            "field": "billing_name",
            "current": "Wrong Name",
            "requested": "Right Name",
        }
    ]
    order.refresh_from_db()
    assert order.billing_name == "Wrong Name"  # staff apply it


def test_p20_a_customer_erases_their_account_after_confirming(client, customer, django_capture_on_commit_callbacks):
    page = client.get("/account/your-data/erase/").content.decode()
    assert "What happens" in page and "Your account" in page
    unconfirmed = client.post("/account/your-data/erase/")
    assert unconfirmed.status_code == 302
    customer.refresh_from_db()
    assert customer.has_usable_password()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/your-data/erase/", {"confirm": "erase"})
    assert "Your account is erased" in response.content.decode()
    customer.refresh_from_db()
    assert not customer.has_usable_password() and "rights@example.com" not in customer.email
    assert not get_user(client).is_authenticated
    assert SubjectRequest.objects.get(kind="erasure").status == "completed"


def test_ac01_rights_pages_need_sign_in(client):
    for url in ("/account/your-data/restrict/", "/account/your-data/correct/", "/account/your-data/erase/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
