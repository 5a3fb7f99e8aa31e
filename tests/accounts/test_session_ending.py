"""Sessions end when an account is disabled, its password changes, or staff sign it out (SE-04)."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client

from privacy.models import AuditEvent
from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory
from tests.accounts.utils import reauthenticate, sign_in, staff_login

pytestmark = pytest.mark.django_db


def _two_devices(user):
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        assert sign_in(device, user).status_code == 302
    assert UserSession.objects.filter(user=user).count() == 2
    return phone, laptop


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_se04_disabling_an_account_leaves_it_no_live_session():
    user = UserFactory()
    phone, laptop = _two_devices(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert UserSession.objects.filter(user=user).count() == 0
    assert Session.objects.count() == 0
    assert not _signed_in(phone) and not _signed_in(laptop)


def test_se04_changing_the_password_signs_every_other_device_out():
    user = UserFactory()
    phone, laptop = _two_devices(user)
    reauthenticate(laptop)
    new = "another-Long-passphrase-77"
    changed = laptop.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert changed.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_se04_staff_sign_an_account_out_everywhere_with_an_audit_row():
    user = UserFactory()
    phone, laptop = _two_devices(user)
    staff = StaffFactory(is_superuser=True)
    admin = Client()
    staff_login(admin, staff)
    response = admin.post(
        "/admin/accounts/user/", {"action": "end_sessions", "_selected_action": [user.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Ended 2 session(s)." in response.content.decode()
    assert UserSession.objects.filter(user=user).count() == 0
    assert not _signed_in(phone) and not _signed_in(laptop)
    assert AuditEvent.objects.filter(actor=staff, subject_id=str(user.pk), detail__contains="signed out").count() == 1
