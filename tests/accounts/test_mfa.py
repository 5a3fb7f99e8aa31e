import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value

from tests.accounts.factories import UserFactory
from tests.accounts.utils import reauthenticate, sign_in

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def activate_totp(client, user):
    sign_in(client, user)
    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    return page, response, secret


@pytest.mark.django_db
def test_mfa_index_offers_an_authenticator_app_and_recovery_codes(client):
    sign_in(client, UserFactory())

    response = client.get("/accounts/2fa/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Authenticator app" in html
    assert "Recovery codes" in html
    assert 'href="/accounts/2fa/totp/activate/"' in html
    assert 'aria-current="page">Two-factor authentication</a>' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_activating_totp_shows_a_qr_code_and_then_sign_in_asks_for_the_code(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            page, response, secret = activate_totp(client, user)

        html = page.content.decode()
        assert 'class="qr-code"' in html
        assert 'src="data:image/svg+xml' in html
        assert '<label for="id_code">' in html
        assert response.status_code == 302
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).count() == 1
        assert [m.to for m in mailoutbox] == [[user.email]]  # AU-10: told about the new authenticator

        client.post("/accounts/logout/")
        traveller.shift(dt.timedelta(seconds=60))
        login = sign_in(client, user)

        assert login.status_code == 302
        assert login["Location"] == "/accounts/2fa/authenticate/"
        assert "_auth_user_id" not in client.session
        challenge = client.get(login["Location"])
        assert "Your account is protected by two-factor authentication." in challenge.content.decode()

        wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert "Incorrect code." in wrong.content.decode()
        assert "_auth_user_id" not in client.session

        right = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
        assert right.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_au08_a_totp_code_cannot_be_used_twice(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        _, _, secret = activate_totp(client, user)
        client.post("/accounts/logout/")
        traveller.shift(dt.timedelta(seconds=60))
        code = current_code(secret)
        sign_in(client, user)
        client.post("/accounts/2fa/authenticate/", {"code": code})
        client.post("/accounts/logout/")

        sign_in(client, user)
        again = client.post("/accounts/2fa/authenticate/", {"code": code})

        assert "Incorrect code." in again.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_au08_a_recovery_code_signs_in_once(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False):
        activate_totp(client, user)
        client.post("/accounts/logout/")
        codes = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
        code = codes.get_unused_codes()[0]

        sign_in(client, user)
        first = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert first.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)
        client.post("/accounts/logout/")

        sign_in(client, user)
        second = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert "Incorrect code." in second.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_au11_mfa_changes_need_reauthentication_after_300_seconds(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, user)

        before_reauth = client.get("/accounts/2fa/totp/activate/")
        reauthenticate(client)
        traveller.shift(dt.timedelta(seconds=300 - 1))
        within = client.get("/accounts/2fa/recovery-codes/generate/")
        traveller.shift(dt.timedelta(seconds=2))
        after = client.get("/accounts/2fa/totp/activate/")

    assert before_reauth.status_code == 302
    assert before_reauth["Location"].startswith("/accounts/reauthenticate/")
    assert within.status_code == 200
    assert after.status_code == 302
    assert after["Location"].startswith("/accounts/reauthenticate/")
    assert Authenticator.objects.filter(user=user).count() == 0
