"""Staff without privacy.unmask_personal_data see phones and addresses masked; unmasking is
one audited POST (P15, LG-01)."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.staff_groups import STAFF_GROUPS
from privacy.admin_mixins import mask_value
from privacy.models import AuditEvent
from shop.models import ConsultationRequest
from tests.accounts.factories import AddressFactory, ProfileFactory, StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.shop.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _staff_with(*codenames):
    staff = UserFactory(is_staff=True)
    for label in codenames:
        app_label, codename = label.split(".")
        staff.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return staff


def test_p15_mask_value_keeps_only_a_hint():
    assert mask_value("+44 7700 900123") == "+44 77•• ••••23"
    assert mask_value("12 Market Street") == "•• •••••• Street"
    assert mask_value("London") == "L•••••"
    assert mask_value("") == ""


def test_p15_staff_without_the_permission_see_the_customer_masked(client):
    # given a customer with a phone and an address, and a clerk who may view users
    customer = UserFactory()
    ProfileFactory(user=customer, phone="+44 7700 900123")
    AddressFactory(user=customer, line1="12 Market Street", postcode="EC1A 1BB")
    clerk = _staff_with("accounts.view_user", "accounts.change_user", "accounts.view_profile", "accounts.view_address")
    # when the clerk opens the customer
    response = staff_login(client, clerk).get(f"/admin/accounts/user/{customer.pk}/change/")
    # then the values are masked, and an unmask button is offered
    assert response.status_code == 200
    assert "+44 77•• ••••23" in response.text and "900123" not in response.text
    assert "•• •••••• Street" in response.text and "12 Market Street" not in response.text
    assert "Unmask personal data" in response.text


def test_p15_unmasking_is_one_audited_post_and_shows_the_values(client):
    customer = UserFactory()
    ProfileFactory(user=customer, phone="+44 7700 900123")
    clerk = _staff_with("accounts.view_user", "accounts.view_profile", "accounts.view_address")
    staff_login(client, clerk)
    assert "+44 77•• ••••23" in client.get(f"/admin/accounts/user/{customer.pk}/change/").text
    url = f"/admin/accounts/user/{customer.pk}/"
    assert client.get(url + "unmask/").status_code == 405
    # when the clerk presses "Unmask personal data"
    response = client.post(url + "unmask/")
    # then one audit row names the fields, the page shows the values
    assert response["Location"] == url + "change/"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNMASK)
    assert (event.actor_id, event.model, event.object_id, event.subject_id) == (
        clerk.pk,
        "accounts.User",
        str(customer.pk),
        str(customer.pk),
    )
    assert "profile.phone" in event.fields and "address.line1" in event.fields
    assert "900123" not in str(event.fields) + event.detail
    assert "+44 7700 900123" in client.get(url + "change/").text


def test_p15_staff_with_the_permission_see_values_and_no_unmask_button(client):
    customer = UserFactory()
    ProfileFactory(user=customer, phone="+44 7700 900123")
    staff_login(client, StaffFactory())
    response = client.get(f"/admin/accounts/user/{customer.pk}/change/")
    assert "+44 7700 900123" in response.text
    assert "Unmask personal data" not in response.text


def test_p15_a_masked_save_keeps_the_stored_address(client):
    order = OrderFactory(billing_line1="7 Canal Side", billing_city="Leeds")
    clerk = _staff_with("shop.view_order", "shop.change_order")
    staff_login(client, clerk)
    page = client.get(f"/admin/shop/order/{order.pk}/change/")
    assert "• ••••• Side" in page.text and "7 Canal Side" not in page.text
    response = client.post(
        f"/admin/shop/order/{order.pk}/change/",
        {
            "billing_name": "New Name",
            "billing_company": "",
            "billing_line1": "tampered",
            "billing_country": "GB",
            "recipient_name": "",
            "recipient_email": "",
            "orderline_set-TOTAL_FORMS": "0",
            "orderline_set-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    order.refresh_from_db()
    assert response.status_code in (200, 302)
    assert (order.billing_line1, order.billing_city) == ("7 Canal Side", "Leeds")


def test_p15_a_read_only_masked_phone_on_a_consultation_request(client):
    request = ConsultationRequest.objects.create(
        name="Ada", email="ada@example.com", phone="+44 7700 900999", message="m"
    )
    clerk = _staff_with("shop.view_consultationrequest")
    response = staff_login(client, clerk).get(f"/admin/shop/consultationrequest/{request.pk}/change/")
    assert "+44 77•• ••••99" in response.text and "900999" not in response.text


def test_p15_staff_groups_exist_with_least_privilege():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions__content_type")}
    assert set(STAFF_GROUPS) <= set(groups)
    perms = {
        name: {f"{p.content_type.app_label}.{p.codename}" for p in g.permissions.all()} for name, g in groups.items()
    }
    assert "shop.change_service" in perms["Catalogue"] and "shop.view_order" not in perms["Catalogue"]
    assert "shop.change_order" in perms["Orders"] and "shop.delete_order" not in perms["Orders"]
    assert {"privacy.handle_request", "privacy.unmask_personal_data"} <= perms["Privacy requests"]
    assert "privacy.unmask_personal_data" not in perms["Orders"] | perms["Catalogue"] | perms["Marketing"]
    assert not any(p.endswith(("delete_user", "change_user")) for p in set().union(*perms.values()))
    assert "privacy.view_consentevent" in perms["Marketing"]
