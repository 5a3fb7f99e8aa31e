"""Web-facing reliability rows: HSTS (FE-01), cookie attributes (SE-05), open redirects
(FE-06), body limits (DJ-05), password reset with MFA (AU-09), the client IP (IN-06) and the
classification of every model (PR-02).

The production values come from the production settings module itself, read in a child
process (it refuses to start without its secrets), then applied to this process's settings,
so the tests prove what production sends rather than what a test chose.
"""

import json
import re
import subprocess
import sys
import time
from http.cookies import SimpleCookie

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from privacy import cookies
from privacy.ratelimit import client_ip
from privacy.registry import site
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.utils import sign_in
from tests.kinetogram.test_settings import PROD_ENV, ROOT

PROD_NAMES = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
]


@pytest.fixture(scope="module")
def production():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {PROD_NAMES!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=PROD_ENV, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_fe01_production_sends_hsts_for_a_year_with_subdomains_and_preload(client, settings, production):
    for name, value in production.items():
        setattr(settings, name, value)
    response = client.get("/privacy/", secure=True)
    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 31_536_000
    assert "includeSubDomains" in hsts and "preload" in hsts


@pytest.mark.django_db
def test_se05_production_cookies_are_host_prefixed_secure_and_lax(client, settings, production, monkeypatch):
    # Production declares its cookies under the production names when it starts; here the
    # names change after start-up, so the declarations follow them.
    for setting in ("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME"):
        monkeypatch.setitem(
            cookies.registry._cookies, production[setting], cookies.registry.get(getattr(settings, setting))
        )
    for name, value in production.items():
        setattr(settings, name, value)
    user = UserFactory()
    page = client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        secure=True,
        HTTP_X_CSRFTOKEN=page.cookies[production["CSRF_COOKIE_NAME"]].value,
    )
    assert response.status_code == 302
    sent = SimpleCookie()
    for header in [page, response]:
        for morsel in header.cookies.values():
            sent[morsel.key] = morsel
    session, csrf = sent["__Host-sessionid"], sent["__Host-csrftoken"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""  # a __Host- cookie names no domain
    assert session["httponly"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/logout/"])
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_fe06_next_never_leaves_the_site(client, url, target):
    user = UserFactory()
    if url.endswith("logout/"):
        sign_in(client, user)
        response = client.post(f"{url}?next={target}")
    else:
        response = client.post(f"{url}?next={target}", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


@pytest.mark.django_db
def test_dj05_a_body_over_the_limit_is_refused_with_400(client):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)  # 2.5 MiB limit; this is over it
    response = client.post("/privacy/request/", {"details": big, "email": "a@example.com"})
    assert response.status_code in (400, 413)
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_dj05_too_many_fields_are_refused_with_400(client):
    fields = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/privacy/request/", fields)
    assert response.status_code == 400


@pytest.mark.django_db
def test_dj05_too_many_files_are_refused_with_400(client):
    files = {f"file{i}": SimpleUploadedFile(f"{i}.txt", b"x") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
    response = client.post("/privacy/request/", files)
    assert response.status_code == 400


def test_au09_password_reset_links_expire_within_an_hour():
    assert settings.PASSWORD_RESET_TIMEOUT <= 3600


@pytest.mark.django_db
def test_au09_a_password_reset_neither_skips_mfa_nor_works_twice(client):
    user = UserFactory()
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "a-New-long-passphrase-42"
    done = client.post(form.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    assert "_auth_user_id" not in client.session  # a reset does not sign anyone in

    login = client.post("/accounts/login/", {"login": user.email, "password": new_password})
    assert login["Location"] == "/accounts/2fa/authenticate/"  # the second factor is still asked
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post("/accounts/logout/")
    again = client.get(link, follow=True)
    assert "_auth_user_id" not in client.session
    assert b"password1" not in again.content  # the used link offers no form


def test_in06_a_forged_forwarded_for_does_not_name_the_client(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0  # the app is reached directly
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_in06_behind_one_proxy_only_the_hop_it_adds_counts(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our proxy appended the address it really saw.
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "198.51.100.7"


#: Field names that hold personal data wherever they appear.
PII_NAMES = re.compile(
    r"(^|_)(email|phone|full_name|first_name|last_name|billing_name|recipient_name|address|line1|line2|postcode"
    r"|ip|ip_address|user_agent)$"
)


def test_pr02_every_model_with_a_person_or_a_personal_field_is_classified():
    user_model = settings.AUTH_USER_MODEL
    unclassified = []
    for model in apps.get_models():
        if site.get(model) is not None or site.is_exempt(model):
            continue
        fields = model._meta.concrete_fields
        points_at_person = any(f.is_relation and f.related_model._meta.label == user_model for f in fields)
        personal_name = any(PII_NAMES.search(f.name) for f in fields if not f.is_relation)
        if points_at_person or personal_name:
            unclassified.append(model._meta.label)
    assert unclassified == []
