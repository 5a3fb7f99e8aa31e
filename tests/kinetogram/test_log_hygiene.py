"""No secret, session id or personal data in the logs (LG-04); error pages show no
internals (LG-06). Every log record of a visit through sign-up, sign-in, checkout, a privacy
request and a server error is captured at DEBUG, from every logger."""

import base64
import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_signup import SIGNUP_URL, signup_data
from tests.shop.factories import PlanFactory
from tests.shop.factories_payments import BILLING, cart_with

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.kinetogram.error_urls")]

CANARY_EMAIL = "zq-canary-log@example.com"
CANARY_PHONE = "+44 7700 900555"
SECRET_KEY = "lg04-secret-key-" + "k" * 40
STRIPE_KEY = "sk_test_lg04canarykey000000000000"
WEBHOOK_SECRET = "whsec_lg04canarysecret0000000000"
FIELD_KEY = base64.b64encode(b"L" * 32).decode()


@pytest.fixture
def secrets(settings):
    settings.SECRET_KEY = SECRET_KEY
    settings.STRIPE_SECRET_KEY = STRIPE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PRIVACY_FIELD_ENCRYPTION_KEYS = f"lg04:{FIELD_KEY}"
    settings.DEBUG = False


def test_lg04_no_secret_session_id_or_canary_in_any_log_record(secrets, caplog, client, mailoutbox):
    client = Client(raise_request_exception=False)
    session_ids = set()
    # Test data first: factory_boy's own debug lines would name it.
    user = UserFactory(email="zq-canary-buyer@example.com")
    cart_with(user, PlanFactory(), quantity=1)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger().setLevel(logging.DEBUG)
        # sign-up with the canary address, and a failed then a good sign-in
        client.post(SIGNUP_URL, signup_data(email=CANARY_EMAIL))
        session_ids.add(client.cookies["sessionid"].value)
        client.post("/accounts/logout/")
        client.post("/accounts/login/", {"login": user.email, "password": "Wrong-guess-99"})
        client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        session_ids.add(client.cookies["sessionid"].value)
        # checkout with a canary address and a consultation request with a canary phone
        client.post("/checkout/", {**BILLING, "billing_line1": "1 Zqcanary Street"})
        client.post(
            "/consultation/",
            {
                "name": "Zq Canary",
                "email": CANARY_EMAIL,
                "phone": CANARY_PHONE,
                "company": "",
                "message": "We would like more sign-ups from our newsletter, please.",
            },
        )
        # a privacy request by someone without an account, and a server error
        anonymous = Client(raise_request_exception=False)
        anonymous.post(reverse("privacy:request"), {"kind": "access", "email": CANARY_EMAIL})
        client.get("/test-errors/boom/")
        session_ids.add(client.cookies["sessionid"].value)
    records = [r for r in caplog.records if not r.name.startswith(("factory", "faker"))]
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''} {getattr(r, 'request', '')}" for r in records)
    # the journey happened: an account, an order, a consultation, a request, an error logged
    from accounts.models import User
    from privacy.models import SubjectRequest
    from shop.models import ConsultationRequest, Order

    assert User.objects.filter(email=CANARY_EMAIL).count() == 1
    assert Order.objects.filter(user=user).count() == 1
    assert ConsultationRequest.objects.filter(email=CANARY_EMAIL).count() == 1
    assert SubjectRequest.objects.count() == 1
    assert len(records) >= 1
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in records)
    for needle in [
        CANARY_EMAIL,
        "zq-canary-buyer",
        "Zqcanary",
        "900555",
        PASSWORD,
        SECRET_KEY,
        STRIPE_KEY,
        WEBHOOK_SECRET,
        FIELD_KEY,
        *session_ids,
    ]:
        assert needle not in text, needle


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/test-errors/boom/", 500),
        ("/no-such-page/", 404),
        ("/test-errors/forbidden/", 403),
        ("/test-errors/bad/", 400),
    ],
)
def test_lg06_error_pages_show_no_trace_setting_or_secret(secrets, path, status):
    client = Client(raise_request_exception=False)
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == status
    for leak in [
        "Traceback",
        "RuntimeError",
        "hunter2",
        "SECRET_KEY",
        "DATABASES",
        "INSTALLED_APPS",
        "settings.py",
        SECRET_KEY,
        STRIPE_KEY,
        FIELD_KEY,
        "/work/",
        "tampered input",
    ]:
        assert leak not in html, leak
