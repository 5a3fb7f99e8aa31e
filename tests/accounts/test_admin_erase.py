"""Deleting a customer in the admin erases them (P20, P12): single and bulk, through the
erasure service; a superuser is not refused, and tax records survive anonymised."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from accounts.models import User
from privacy import erasure_log
from privacy.models import AuditEvent, ConsentEvent
from privacy.services.erasure import CHILD_ACCOUNT
from shop.models import Invoice, Order, Subscription
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.privacy.people import fresh_storages  # noqa: F401
from tests.shop.factories import OrderFactory, SubscriptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_storages")]


@pytest.fixture
def superuser_client(client):
    staff_login(client, StaffFactory(email="root@kinetogram.test"))
    return client


def customer_with_tax_records(email):
    user = UserFactory(email=email, full_name="Ada Lovelace")
    ConsentEvent.objects.create(user=user, purpose="email_marketing", action="given", source="account", wording="Yes")
    subscription = SubscriptionFactory(user=user, status=Subscription.Status.CANCELED)
    Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id=f"in_{user.pk}",
        number=f"INV-{user.pk}",
        amount=Decimal("49.00"),
        currency="gbp",
        status="paid",
        hosted_invoice_url="https://invoice.stripe.test/x",
    )
    return user


def assert_erased(user):
    user.refresh_from_db()
    assert (user.email, user.full_name, user.is_active) == (f"erased-{user.pk}@erased.invalid", "", False)
    assert not ConsentEvent.objects.filter(user=user).exists()
    subscription = Subscription.objects.get(order__email="erased@erased.invalid", stripe_subscription_id="")
    invoice = Invoice.objects.get(subscription=subscription)
    assert (subscription.user, invoice.amount, invoice.number, invoice.hosted_invoice_url) == (
        None,
        Decimal("49.00"),
        f"INV-{user.pk}",
        "",
    )


def test_p20_the_delete_page_shows_what_the_erasure_does_and_a_superuser_is_not_refused(superuser_client):
    user = customer_with_tax_records("ada@example.com")

    page = superuser_client.get(f"/admin/accounts/user/{user.pk}/delete/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "erases its holder" in html
    assert "Consent records: 1 deleted" in html
    assert "Orders: 1 kept: Tax law" in html
    assert "Account found to be a child&#x27;s (P12)" in html


def test_p20_deleting_a_customer_in_the_admin_erases_them_and_keeps_tax_records_anonymised(superuser_client):
    user = customer_with_tax_records("ada@example.com")

    response = superuser_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert f"The user “#{user.pk}” was deleted successfully." in response.content.decode()
    assert_erased(user)
    assert Invoice.objects.count() == 1
    entry = erasure_log.read(erasure_log.entry_ids()[0])
    assert entry["reason"] == "Deleted by staff in the admin"
    assert not LogEntry.objects.filter(object_repr__icontains="ada@example.com").exists()


def test_p12_staff_erase_a_childs_account_from_the_delete_page_with_that_reason(superuser_client):
    child = UserFactory()

    superuser_client.post(f"/admin/accounts/user/{child.pk}/delete/", {"post": "yes", "erasure_reason": "child"})

    child.refresh_from_db()
    assert not child.is_active
    details = set(AuditEvent.objects.filter(action="erase").values_list("detail", flat=True))
    assert details and all(d.endswith(f"; {CHILD_ACCOUNT}") for d in details)


def test_p20_bulk_delete_erases_each_selected_customer(superuser_client):
    first = customer_with_tax_records("first@example.com")
    second = customer_with_tax_records("second@example.com")
    untouched = UserFactory(email="stays@example.com")
    form = {"action": "delete_selected", "_selected_action": [first.pk, second.pk]}

    confirm = superuser_client.post("/admin/accounts/user/", form)
    done = superuser_client.post("/admin/accounts/user/", {**form, "post": "yes"}, follow=True)

    assert confirm.status_code == 200
    assert "Erase selected accounts" in superuser_client.get("/admin/accounts/user/").content.decode()
    assert "erases its holder" in confirm.content.decode()
    assert "Successfully deleted 2 users." in done.content.decode()
    for user in (first, second):
        user.refresh_from_db()
        assert (user.email, user.is_active) == (f"erased-{user.pk}@erased.invalid", False)
    assert Invoice.objects.count() == 2
    assert Subscription.objects.filter(user=None).count() == 2
    assert len(erasure_log.entry_ids()) == 2
    untouched.refresh_from_db()
    assert untouched.email == "stays@example.com"


def test_p20_an_account_whose_erasure_is_refused_is_shown_why_and_kept(superuser_client):
    user = UserFactory(email="runs@example.com")
    SubscriptionFactory(user=user, status=Subscription.Status.ACTIVE)

    page = superuser_client.get(f"/admin/accounts/user/{user.pk}/delete/")
    superuser_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    bulk = superuser_client.post(
        "/admin/accounts/user/", {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"}
    )

    assert "cannot be erased now" in page.content.decode()
    assert "A subscription is still running" in page.content.decode()
    assert "cannot be erased now" in bulk.content.decode()
    user.refresh_from_db()
    assert (user.email, user.is_active) == ("runs@example.com", True)
    assert Order.objects.filter(user=user).count() == 1
    assert erasure_log.entry_ids() == []


def test_p20_staff_without_the_delete_permission_cannot_erase(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    staff_login(client, staff)
    user = OrderFactory().user

    response = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.get(pk=user.pk).is_active
