"""One email-address rule everywhere: international addresses (RFC 6531 local parts, IDNA
domains) are accepted by every form that asks for an address, garbage by none."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from privacy.email_address import validate_email_address

INTERNATIONAL = "zoë.ñandú@example.com"
GARBAGE = "zoë..ñandú@@example"

GOOD = [
    INTERNATIONAL,
    "用户@例子.广告",
    "ada@bücher.example",
    "ada+orders@sub.example.co.uk",
    '"ada lovelace"@example.com',
    "o'brien@example.ie",
]
BAD = [
    "plainaddress",
    "@example.com",
    "ada@",
    "ada@@example.com",
    "ada..lovelace@example.com",
    ".ada@example.com",
    "ada.@example.com",
    "ada lovelace@example.com",
    "ada@example",
    "ada@-example.com",
    "ada@exa mple.com",
    "<script>@example.com",
    "a" * 65 + "@example.com",
    "ada@" + "b" * 250 + ".com",
]


@pytest.mark.parametrize("address", GOOD)
def test_the_rule_accepts_what_the_standards_allow(address):
    validate_email_address(address)


@pytest.mark.parametrize("address", BAD)
def test_the_rule_refuses_what_is_not_an_address(address):
    with pytest.raises(ValidationError) as raised:
        validate_email_address(address)
    assert raised.value.messages == ["Enter a valid email address, like name@example.com."]


@pytest.mark.parametrize("address", GOOD + BAD)
def test_every_form_field_follows_the_one_rule(address):
    from privacy.email_address import EmailAddressField
    from privacy.forms import SubjectRequestForm
    from shop.forms import CheckoutForm, ConsultationRequestForm, OrderLookupForm

    expected = address in GOOD
    fields = [
        EmailAddressField(),
        SubjectRequestForm().fields["email"],
        CheckoutForm().fields["email"],
        CheckoutForm().fields["recipient_email"],
        ConsultationRequestForm().fields["email"],
        OrderLookupForm().fields["email"],
    ]
    for field in fields:
        try:
            field.clean(address)
        except ValidationError:
            accepted = False
        else:
            accepted = True
        assert accepted is expected, (field, address)


def test_the_email_input_is_not_type_email_so_browsers_let_international_addresses_through():
    from shop.forms import CheckoutForm

    html = str(CheckoutForm()["email"])

    assert 'type="text"' in html and 'inputmode="email"' in html and 'autocomplete="email"' in html


@pytest.mark.django_db
def test_checkout_accepts_an_international_address_and_refuses_garbage(client):
    from shop.models import Order
    from tests.shop.factories import PlanFactory
    from tests.shop.factories_payments import BILLING, guest_cart

    plan = PlanFactory(price=Decimal("190.00"))
    guest_cart(client, plan)

    refused = client.post("/checkout/", {**BILLING, "email": GARBAGE})
    placed = client.post("/checkout/", {**BILLING, "email": INTERNATIONAL})

    assert refused.status_code == 400
    assert "Enter a valid email address, like name@example.com." in refused.content.decode()
    assert placed.status_code == 302
    assert Order.objects.get().email == INTERNATIONAL


@pytest.mark.django_db
def test_signup_and_sign_in_accept_an_international_address_and_refuse_garbage(client, mailoutbox):
    from accounts.models import User
    from tests.accounts.test_signup import SIGNUP_URL, signup_data

    refused = client.post(SIGNUP_URL, signup_data(email=GARBAGE))
    signed_up = client.post(SIGNUP_URL, signup_data(email=INTERNATIONAL))

    assert refused.status_code == 200
    assert "Enter a valid email address, like name@example.com." in refused.content.decode()
    assert signed_up.status_code == 302
    user = User.objects.get()
    assert user.email == INTERNATIONAL
    assert mailoutbox[0].to == [INTERNATIONAL]

    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).update(verified=True)
    client.cookies.clear()
    signed_in = client.post("/accounts/login/", {"login": INTERNATIONAL, "password": signup_data()["password1"]})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_profile_email_change_accepts_an_international_address_and_refuses_garbage():
    from allauth.account.models import EmailAddress

    from accounts.signup_form import AddEmailForm
    from tests.accounts.factories import UserFactory

    user = UserFactory()

    assert AddEmailForm(user=user, data={"email": INTERNATIONAL}).is_valid()
    bad = AddEmailForm(user=user, data={"email": GARBAGE})
    assert not bad.is_valid()
    assert bad.errors["email"] == ["Enter a valid email address, like name@example.com."]
    assert not EmailAddress.objects.filter(email=INTERNATIONAL).exists()


@pytest.mark.django_db
def test_privacy_request_form_accepts_an_international_address_and_refuses_garbage(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    from privacy.models import SubjectRequest

    refused = client.post(reverse("privacy:request"), {"kind": "access", "email": GARBAGE})
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(reverse("privacy:request"), {"kind": "access", "email": INTERNATIONAL})

    assert refused.status_code == 400
    assert "Enter a valid email address, like name@example.com." in refused.content.decode()
    assert accepted.status_code == 200
    assert SubjectRequest.objects.get().email == INTERNATIONAL
    assert mailoutbox[0].to == [INTERNATIONAL]


@pytest.mark.django_db
def test_consultation_form_and_the_admin_model_field_take_the_same_rule(client):
    from shop.models import ConsultationRequest

    data = {"name": "Zoë Ñandú", "message": "We would like help with our newsletter, please."}
    refused = client.post("/consultation/", {**data, "email": GARBAGE})
    accepted = client.post("/consultation/", {**data, "email": INTERNATIONAL})

    assert "Enter a valid email address, like name@example.com." in refused.content.decode()
    assert accepted.status_code == 302
    assert ConsultationRequest.objects.get().email == INTERNATIONAL
    ConsultationRequest.objects.get().full_clean()
