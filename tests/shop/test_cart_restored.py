"""Signing in merges the saved cart into the visitor's cart: the customer is told what came
back, and keeps it or removes it."""

from decimal import Decimal

import pytest

from shop.cart import RESTORED_SESSION_KEY, SESSION_KEY
from shop.models import Cart, CartLine
from tests.accounts.factories import PASSWORD, UserFactory
from tests.shop.factories import MonthlyPlanFactory, PlanFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def db_cart(user):
    return dict(CartLine.objects.filter(cart__user=user).values_list("plan_id", "quantity"))


@pytest.fixture
def plans():
    newsletter = MonthlyPlanFactory(service=ServiceFactory(name="Newsletter"), name="Fortnightly", price=Decimal("240"))
    ads = ServiceFactory(name="Google Ads management")
    setup = PlanFactory(service=ads, name="Account set-up", price=Decimal("400"))
    audit = PlanFactory(service=ServiceFactory(name="SEO audit"), name="Standard", price=Decimal("190"))
    return newsletter, setup, audit


@pytest.fixture
def saved_customer(plans):
    """A customer whose saved cart (from an earlier visit) holds the set-up and one audit."""
    newsletter, setup, audit = plans
    user = UserFactory(email="returning@example.com")
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, plan=setup, quantity=1)
    CartLine.objects.create(cart=cart, plan=audit, quantity=1)
    return user


def sign_in_with_guest_cart(client, user, lines):
    for plan, quantity in lines:
        client.post("/cart/add/", {"plan": plan.pk, "quantity": str(quantity)})
    return client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD, "next": "/checkout/"}, follow=True
    )


def test_signing_in_names_every_line_the_saved_cart_added_with_keep_and_remove_buttons(client, plans, saved_customer):
    newsletter, setup, audit = plans

    response = sign_in_with_guest_cart(client, saved_customer, [(newsletter, 1), (audit, 2)])

    html = response.content.decode()
    assert response.redirect_chain[-1] == ("/checkout/", 302)
    assert (
        "Signing in brought back what you had saved in your cart before: Google Ads management (Account set-up) × 1, "
        "SEO audit (Standard) × 1." in html
    )
    assert "Added from the cart you saved before" in html
    assert "<strong>Google Ads management</strong> (Account set-up) × 1" in html
    assert "<strong>SEO audit</strong> (Standard) × 1" in html
    assert "(you had also chosen 2 today)" in html
    assert "Newsletter</strong> (Fortnightly) ×" not in html
    assert 'name="action" value="keep"' in html and 'name="action" value="remove"' in html
    assert db_cart(saved_customer) == {newsletter.pk: 1, setup.pk: 1, audit.pk: 3}


def test_remove_these_leaves_exactly_the_cart_the_visitor_had_filled(client, plans, saved_customer):
    newsletter, setup, audit = plans
    sign_in_with_guest_cart(client, saved_customer, [(newsletter, 1), (audit, 2)])

    response = client.post("/cart/restored/", {"action": "remove", "next": "/checkout/"})

    assert response.status_code == 302
    assert response["Location"] == "/checkout/"
    assert db_cart(saved_customer) == {newsletter.pk: 1, audit.pk: 2}
    assert RESTORED_SESSION_KEY not in client.session
    page = client.get("/checkout/").content.decode()
    assert "Added from the cart you saved before" not in page
    assert "£620.00" in page  # the newsletter's £240 and two audits at £190
    assert "£1,020.00" not in page


def test_keep_them_keeps_the_merged_cart_and_drops_the_notice(client, plans, saved_customer):
    newsletter, setup, audit = plans
    sign_in_with_guest_cart(client, saved_customer, [(newsletter, 1)])

    response = client.post("/cart/restored/", {"action": "keep"}, follow=True)

    assert response.redirect_chain == [("/cart/", 302)]
    assert "Added from the cart you saved before" not in response.content.decode()
    assert db_cart(saved_customer) == {newsletter.pk: 1, setup.pk: 1, audit.pk: 1}


def test_signing_in_with_an_empty_visitor_cart_brings_the_saved_cart_back_without_a_notice(client, saved_customer):
    response = sign_in_with_guest_cart(client, saved_customer, [])

    assert "Added from the cart you saved before" not in response.content.decode()
    assert RESTORED_SESSION_KEY not in client.session
    assert len(db_cart(saved_customer)) == 2


def test_signing_in_without_a_saved_cart_says_nothing(client, plans):
    newsletter, _, _ = plans
    user = UserFactory(email="first@example.com")

    response = sign_in_with_guest_cart(client, user, [(newsletter, 1)])

    assert "brought back" not in response.content.decode()
    assert db_cart(user) == {newsletter.pk: 1}
    assert SESSION_KEY not in client.session


def test_restored_choice_refuses_an_unknown_action_and_changes_nothing(client, plans, saved_customer):
    newsletter, setup, audit = plans
    sign_in_with_guest_cart(client, saved_customer, [(newsletter, 1)])

    response = client.post("/cart/restored/", {"action": "everything"})

    assert response.status_code == 400
    assert "Choose “Keep them” or “Remove these”." in response.content.decode()
    assert db_cart(saved_customer) == {newsletter.pk: 1, setup.pk: 1, audit.pk: 1}
    assert RESTORED_SESSION_KEY in client.session


def test_restored_choice_is_post_only(client):
    response = client.get("/cart/restored/")

    assert response.status_code == 405
