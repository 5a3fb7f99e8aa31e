"""Staff reach the admin only through allauth's sign-in with a second factor (AU-05, AU-07)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, hotp_value

from accounts.models import User
from tests.accounts.factories import PASSWORD, StaffFactory
from tests.accounts.utils import STAFF_TOTP_SECRET

pytestmark = pytest.mark.django_db


def _code(secret=STAFF_TOTP_SECRET):
    import time

    return format(hotp_value(secret, int(time.time()) // 30), "06d")


def test_au07_staff_without_an_authenticator_are_sent_to_set_one_up(client):
    # given staff signed in with the password only, with no authenticator
    staff = StaffFactory()
    client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD})
    # when they open an admin page
    response = client.get("/admin/shop/order/", follow=True)
    # then they are sent to the authenticator set-up (allauth asks for the password again
    # first), told why, and see no admin page
    assert response.redirect_chain[:2] == [
        ("/admin/login/?next=/admin/shop/order/", 302),
        ("/accounts/2fa/totp/activate/", 302),
    ]
    assert "Staff sign in with two-factor authentication." in response.text
    assert client.get("/admin/").status_code == 302


def test_au07_staff_with_an_authenticator_pass_the_second_step_at_sign_in(client):
    # given staff with TOTP
    staff = StaffFactory()
    TOTP.activate(staff, STAFF_TOTP_SECRET)
    # when they sign in: password, then the code
    first = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD})
    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
    second = client.post("/accounts/2fa/authenticate/", {"code": _code()})
    # then the admin opens
    assert second.status_code == 302 and second["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_au07_a_session_signed_in_before_two_factor_confirms_a_code_first(client):
    # given staff who signed in with the password, then turned on two-factor
    staff = StaffFactory()
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    TOTP.activate(staff, STAFF_TOTP_SECRET)
    # when they open the admin, they are asked for a code, which lets them in
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1] == ("/accounts/2fa/reauthenticate/?next=%2Fadmin%2F", 302)
    done = client.post("/accounts/2fa/reauthenticate/?next=%2Fadmin%2F", {"code": _code()})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_au07_force_login_alone_does_not_open_the_admin(client):
    staff = StaffFactory()
    TOTP.activate(staff, STAFF_TOTP_SECRET)
    client.force_login(staff)
    assert client.get("/admin/shop/order/")["Location"] == "/admin/login/?next=/admin/shop/order/"


def test_au07_the_test_login_marks_a_real_two_factor_session(staff_login):
    staff = StaffFactory()
    client = staff_login(staff)
    assert client.get("/admin/").status_code == 200
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).count() == 1
    methods = [r["method"] for r in client.session["account_authentication_methods"]]
    assert methods == ["password", "mfa"]


def test_au07_the_demo_staff_account_has_two_factor():
    from kinetogram.demo import demo_seed

    summary = demo_seed(images=False)
    staff = User.objects.get(email=summary.staff_email)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
