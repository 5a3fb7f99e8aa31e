"""P04: where we collect personal data (checkout, sign-up, consultation) a short notice says
how we use it, with a link to the policy's section on purposes."""

import pytest

from tests.accounts.factories import UserFactory
from tests.shop.factories import PlanFactory
from tests.shop.factories_payments import cart_with

pytestmark = pytest.mark.django_db

POLICY_LINK = '<a href="/privacy/#why">How we use your data</a>'


def test_p04_checkout_says_how_the_billing_details_are_used(client):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)

    page = client.get("/checkout/").content.decode()
    start = page.index('aria-labelledby="billing-title"')
    form = page[start : page.index("</form>", start)]

    assert "How we use this: your billing details to take payment" in form
    assert POLICY_LINK in form


def test_p04_sign_up_says_how_the_account_details_are_used(client):
    page = client.get("/accounts/signup/").content.decode()
    form = page[page.index('<form method="post" action="/accounts/signup/"') :]
    form = form[: form.index("</form>")]

    assert "How we use this: your name and email address to run your account" in form
    assert POLICY_LINK in form


def test_p04_the_policy_section_the_notices_link_to_exists(client):
    assert 'id="why"' in client.get("/privacy/").content.decode()
