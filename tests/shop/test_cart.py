from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.cart import SESSION_KEY, cart_merge_session_into_user
from shop.models import Cart, CartLine, Plan
from tests.accounts.factories import PASSWORD, UserFactory
from tests.shop.factories import CategoryFactory, MonthlyPlanFactory, PlanFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def session_cart(client):
    return dict(client.session.get(SESSION_KEY, {}))


def db_cart(user):
    return dict(CartLine.objects.filter(cart__user=user).values_list("plan_id", "quantity"))


@pytest.fixture
def plan():
    return PlanFactory(service=ServiceFactory(name="Logo design"), name="Standard", price=Decimal("120.00"))


@pytest.fixture
def monthly():
    return MonthlyPlanFactory(service=ServiceFactory(name="Social posts"), name="Monthly", price=Decimal("49.50"))


# --- add ------------------------------------------------------------------------------
def test_add_to_an_anonymous_cart_redirects_to_the_cart_with_a_message(client, plan):
    response = client.post("/cart/add/", {"plan": plan.pk, "quantity": "2"}, follow=True)

    assert response.redirect_chain == [("/cart/", 302)]
    assert "Added Logo design (Standard) to your cart." in response.content.decode()
    assert session_cart(client) == {str(plan.pk): 2}


def test_add_to_a_signed_in_cart_writes_the_database(customer_client, customer, plan):
    customer_client.post("/cart/add/", {"plan": plan.pk, "quantity": "3"})
    customer_client.post("/cart/add/", {"plan": plan.pk, "quantity": "1"})

    assert db_cart(customer) == {plan.pk: 4}


def test_add_without_a_quantity_adds_one(client, plan):
    client.post("/cart/add/", {"plan": plan.pk})

    assert session_cart(client) == {str(plan.pk): 1}


def test_in01_a_posted_price_is_ignored(client, plan):
    # given: a tampered form that carries its own price and total
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "2", "price": "0.01", "total": "0.02"})
    # when
    response = client.get("/cart/")
    # then
    assert response.context["totals"].due_today == Decimal("240.00")
    assert "£240.00" in response.content.decode()
    assert "0.01" not in response.content.decode()


@pytest.mark.parametrize("quantity", ["0", "-1", "11", "abc", "1e3", "2.5", "", " ", "+3", "٣", "9" * 50])
def test_in01_bad_quantities_are_refused_with_a_message_and_nothing_changes(client, plan, quantity):
    # given
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "2"})
    # when
    added = client.post("/cart/add/", {"plan": plan.pk, "quantity": quantity})
    updated = client.post("/cart/update/", {"plan": plan.pk, "quantity": quantity})
    # then
    for response in (added, updated):
        assert response.status_code == 400
        html = response.content.decode()
        assert "Enter a whole number for the quantity." in html or "Choose a quantity from 1 to 10." in html
    assert session_cart(client) == {str(plan.pk): 2}


def test_in01_adding_beyond_the_maximum_is_refused(customer_client, customer, plan):
    customer_client.post("/cart/add/", {"plan": plan.pk, "quantity": "8"})

    response = customer_client.post("/cart/add/", {"plan": plan.pk, "quantity": "3"})

    assert response.status_code == 400
    assert "You already have 8 of this plan in your cart; the most you can have is 10." in response.content.decode()
    assert db_cart(customer) == {plan.pk: 8}


def test_adding_more_than_the_places_left_is_refused(client):
    workshop = PlanFactory(service=ServiceFactory(name="Workshop"), name="Seat", stock=2)

    response = client.post("/cart/add/", {"plan": workshop.pk, "quantity": "3"})

    assert response.status_code == 400
    assert "Only 2 places left for Workshop (Seat)." in response.content.decode()
    assert session_cart(client) == {}


@pytest.mark.parametrize(
    "make_plan",
    [
        lambda: PlanFactory(is_active=False),
        lambda: PlanFactory(service=ServiceFactory(is_active=False)),
        lambda: PlanFactory(service=ServiceFactory(category=CategoryFactory(is_active=False))),
    ],
)
def test_an_inactive_plan_cannot_be_added(client, make_plan):
    plan = make_plan()

    assert client.post("/cart/add/", {"plan": plan.pk, "quantity": "1"}).status_code == 404
    assert session_cart(client) == {}


@pytest.mark.parametrize("plan_id", ["999999", "abc", "", "-1"])
def test_an_unknown_or_malformed_plan_id_is_refused(client, plan_id):
    response = client.post("/cart/add/", {"plan": plan_id, "quantity": "1"})

    assert response.status_code in (400, 404)
    assert session_cart(client) == {}


def test_fe05_get_on_add_update_remove_is_405_and_writes_nothing(customer_client, customer, plan):
    # given
    customer_client.get("/cart/")  # the session's first request is recorded by allauth, not by us
    # when
    with CaptureQueriesContext(connection) as queries:
        statuses = [
            customer_client.get(url, {"plan": plan.pk, "quantity": "1"}).status_code
            for url in ("/cart/add/", "/cart/update/", "/cart/remove/")
        ]
    # then
    assert statuses == [405, 405, 405]
    assert not [q for q in queries if "shop_" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert not Cart.objects.exists()


def test_fe05_cart_forms_need_a_csrf_token(plan):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/cart/add/", {"plan": plan.pk, "quantity": "1"})

    assert response.status_code == 403
    assert SESSION_KEY not in strict.session


def test_redirect_back_only_to_this_site(client, plan):
    inside = client.post("/cart/add/", {"plan": plan.pk, "next": "/services/"})
    outside = client.post("/cart/add/", {"plan": plan.pk, "next": "https://evil.example/"})

    assert inside["Location"] == "/services/"
    assert outside["Location"] == "/cart/"


# --- update and remove ----------------------------------------------------------------
def test_update_the_quantity(client, plan):
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "1"})

    response = client.post("/cart/update/", {"plan": plan.pk, "quantity": "5"}, follow=True)

    assert "Quantity updated." in response.content.decode()
    assert session_cart(client) == {str(plan.pk): 5}


def test_updating_a_plan_that_is_not_in_the_cart_is_404(customer_client, customer, plan):
    response = customer_client.post("/cart/update/", {"plan": plan.pk, "quantity": "5"})

    assert response.status_code == 404
    assert "That plan is not in your cart." in response.content.decode()
    assert db_cart(customer) == {}


def test_remove_a_line(customer_client, customer, plan, monthly):
    customer_client.post("/cart/add/", {"plan": plan.pk})
    customer_client.post("/cart/add/", {"plan": monthly.pk})

    response = customer_client.post("/cart/remove/", {"plan": plan.pk}, follow=True)

    assert "Removed from your cart." in response.content.decode()
    assert db_cart(customer) == {monthly.pk: 1}


def test_removing_what_is_not_there_says_so(client, plan):
    response = client.post("/cart/remove/", {"plan": plan.pk}, follow=True)

    assert "That plan was no longer in your cart." in response.content.decode()


def test_one_customer_cannot_change_another_customers_cart(client, plan):
    # given
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "2"})
    client.force_login(other)
    # when
    client.post("/cart/update/", {"plan": plan.pk, "quantity": "9"})
    client.post("/cart/remove/", {"plan": plan.pk})
    # then
    assert db_cart(owner) == {plan.pk: 2}


# --- the cart page ----------------------------------------------------------------------
def test_cart_page_shows_lines_and_splits_today_from_what_recurs(client, plan, monthly):
    # given
    yearly = PlanFactory(
        service=ServiceFactory(name="Audit"), name="Yearly", billing=Plan.Billing.YEARLY, price=Decimal("900.00")
    )
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "1"})
    client.post("/cart/add/", {"plan": monthly.pk, "quantity": "2"})
    client.post("/cart/add/", {"plan": yearly.pk, "quantity": "1"})
    # when
    response = client.get("/cart/")
    # then
    html = response.content.decode()
    totals = response.context["totals"]
    assert (totals.due_today, totals.monthly, totals.yearly) == (
        Decimal("1119.00"),
        Decimal("99.00"),
        Decimal("900.00"),
    )
    assert '<dd class="num due-today">£1,119.00</dd>' in html
    assert '<dd class="num then-monthly">£99.00 / month</dd>' in html
    assert '<dd class="num then-yearly">£900.00 / year</dd>' in html
    assert '<td data-label="Line total" class="num line-total">£99.00</td>' in html
    # Monthly and yearly together: the checkout is held back and each recurring line gets a
    # second Remove button in the explanation (tests/shop/test_cart_cycles.py).
    assert 'href="/checkout/"' not in html
    assert html.count('action="/cart/remove/"') == 3 + 2


def test_one_off_only_cart_has_no_recurring_line(client, plan):
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "1"})

    html = client.get("/cart/").content.decode()

    assert "then-monthly" not in html and "then-yearly" not in html


def test_empty_cart(client):
    html = client.get("/cart/").content.decode()

    assert "Your cart is empty." in html
    assert 'href="/checkout/"' not in html


def test_a_plan_withdrawn_after_it_was_added_disappears_from_the_cart_and_the_badge(customer_client, plan, monthly):
    customer_client.post("/cart/add/", {"plan": plan.pk, "quantity": "2"})
    customer_client.post("/cart/add/", {"plan": monthly.pk, "quantity": "1"})
    Plan.objects.filter(pk=plan.pk).update(is_active=False)

    response = customer_client.get("/cart/")

    assert [item.plan for item in response.context["items"]] == [monthly]
    assert response.context["cart_item_count"] == 1


def test_badge_counts_items_for_anonymous_visitors(client, plan, monthly):
    client.post("/cart/add/", {"plan": plan.pk, "quantity": "2"})
    client.post("/cart/add/", {"plan": monthly.pk, "quantity": "3"})

    html = client.get("/cart/").content.decode()

    assert '<span class="badge" aria-label="5 items">5</span>' in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_cart_query_count_is_the_same_for_1_and_10_lines(client, signed_in):
    # given
    if signed_in:
        client.force_login(UserFactory())
    plans = [PlanFactory(service=ServiceFactory(name=f"S{n}")) for n in range(10)]
    client.post("/cart/add/", {"plan": plans[0].pk})
    client.get("/cart/")
    with CaptureQueriesContext(connection) as one:
        client.get("/cart/")
    for plan in plans[1:]:
        client.post("/cart/add/", {"plan": plan.pk})
    client.get("/cart/")  # shows the "Added" notices (kept in the session), as before the first measure
    # when
    with CaptureQueriesContext(connection) as ten:
        response = client.get("/cart/")
    # then
    assert len(response.context["items"]) == 10
    assert len(one) == len(ten) <= 10


# --- merge on sign-in ---------------------------------------------------------------------
def test_signing_in_merges_the_anonymous_cart_adding_and_capping_quantities(client):
    # given: a saved cart with one line, and an anonymous cart with two (one overlapping)
    user = UserFactory(email="ada@example.com")
    a, b = PlanFactory(), PlanFactory()
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, plan=a, quantity=7)
    client.post("/cart/add/", {"plan": a.pk, "quantity": "6"})
    client.post("/cart/add/", {"plan": b.pk, "quantity": "2"})
    # when: a real sign-in through the login form
    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert db_cart(user) == {a.pk: 10, b.pk: 2}
    assert SESSION_KEY not in client.session


def test_merge_adds_quantities_skips_withdrawn_plans_and_empties_the_session(customer):
    # given
    a, b, gone = PlanFactory(), PlanFactory(), PlanFactory(is_active=False)
    CartLine.objects.create(cart=Cart.objects.create(user=customer), plan=a, quantity=2)
    session = SessionStore()
    session[SESSION_KEY] = {str(a.pk): 3, str(b.pk): 1, str(gone.pk): 4, "junk": 1}
    # when
    cart_merge_session_into_user(session=session, user=customer)
    # then
    assert db_cart(customer) == {a.pk: 5, b.pk: 1}
    assert SESSION_KEY not in session


def test_merge_of_an_empty_session_changes_nothing(customer):
    session = SessionStore()

    cart_merge_session_into_user(session=session, user=customer)

    assert not Cart.objects.exists()


def test_raising_the_quantity_above_the_places_left_is_refused(customer_client, customer):
    workshop = PlanFactory(service=ServiceFactory(name="Workshop"), name="Seat", stock=3)
    customer_client.post("/cart/add/", {"plan": workshop.pk, "quantity": "2"})

    response = customer_client.post("/cart/update/", {"plan": workshop.pk, "quantity": "4"})

    assert response.status_code == 400
    assert "Only 3 places left for Workshop (Seat)." in response.content.decode()
    assert db_cart(customer) == {workshop.pk: 2}


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Choose a quantity from 1 to 10."),
        ("-1", "Choose a quantity from 1 to 10."),
        ("11", "Choose a quantity from 1 to 10."),
        ("abc", "Enter a whole number for the quantity."),
        ("1e3", "Enter a whole number for the quantity."),
        ("2.0", "Enter a whole number for the quantity."),
    ],
)
def test_in01_each_bad_quantity_gets_the_message_that_fits(client, plan, quantity, message):
    response = client.post("/cart/add/", {"plan": plan.pk, "quantity": quantity})

    assert response.status_code == 400
    assert f'<p class="message message-error">{message}</p>' in response.content.decode()
    assert session_cart(client) == {}
