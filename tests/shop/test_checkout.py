import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Address
from shop import services
from shop.models import CartLine, Order, OrderEvent, OrderLine, Plan
from shop.selectors import ACCOUNT_NEEDED_MESSAGE
from tests.accounts.factories import AddressFactory, ProfileFactory, UserFactory
from tests.shop.factories import MonthlyPlanFactory, PlanFactory
from tests.shop.factories_payments import BILLING, cart_with, guest_cart

pytestmark = pytest.mark.django_db


def test_signed_in_checkout_places_a_pending_order_and_redirects_to_payment(client, fake_gateway):
    user = UserFactory()
    plan = PlanFactory(price=Decimal("120.00"))
    cart_with(user, plan, quantity=2)
    client.force_login(user)

    response = client.post("/checkout/", BILLING)

    order = Order.objects.get()
    session = next(iter(fake_gateway.sessions.values()))
    assert response.status_code == 302
    assert response["Location"] == session["url"]
    assert order.status == Order.Status.PENDING
    assert order.user == user and order.email == user.email
    # Prices are ex VAT; a UK customer pays 20% on top (billing.vat).
    assert (order.net_total, order.vat_total, order.total) == (Decimal("240.00"), Decimal("48.00"), Decimal("288.00"))
    assert order.billing_country == "GB"
    assert order.mode == Order.Mode.PAYMENT
    assert order.stripe_checkout_session_id == session["id"]
    assert [(line.service_name, line.unit_price, line.quantity) for line in order.lines.all()] == [
        (plan.service.name, Decimal("120.00"), 2)
    ]
    assert list(order.events.values_list("status", flat=True)) == ["pending"]
    assert CartLine.objects.filter(cart__user=user).count() == 0
    assert session["lines"][0].unit_price == Decimal("120.00")
    assert session["success_url"].endswith(f"/checkout/{order.number}/success/")
    assert session["cancel_url"].endswith(f"/orders/{order.number}/")


@pytest.mark.parametrize(
    "tampered",
    [
        {"total": "0.01"},
        {"price": "0.01", "unit_price": "0.01", "line_total": "0.01"},
        {"amount_total": "1", "currency": "xxx"},
    ],
)
def test_in01_posted_prices_and_totals_are_ignored(client, fake_gateway, tampered):
    user = UserFactory()
    cart_with(user, PlanFactory(price=Decimal("99.50")))
    client.force_login(user)

    client.post("/checkout/", {**BILLING, **tampered})

    order = Order.objects.get()
    assert (order.net_total, order.vat_total, order.total) == (Decimal("99.50"), Decimal("19.90"), Decimal("119.40"))
    assert order.currency == "gbp"
    assert OrderLine.objects.get().unit_price == Decimal("99.50")
    assert next(iter(fake_gateway.sessions.values()))["lines"][0].unit_price == Decimal("99.50")


def test_in01_price_changed_after_adding_to_cart_uses_the_database_price(client):
    user = UserFactory()
    plan = PlanFactory(price=Decimal("50.00"))
    cart_with(user, plan)
    Plan.objects.filter(pk=plan.pk).update(price=Decimal("75.00"))
    client.force_login(user)

    client.post("/checkout/", BILLING)

    assert Order.objects.get().net_total == Decimal("75.00")


def test_monthly_and_yearly_plans_together_are_refused_with_an_explanation(client):
    user = UserFactory()
    cart_with(user, MonthlyPlanFactory(), MonthlyPlanFactory(billing=Plan.Billing.YEARLY, name="Yearly"))
    client.force_login(user)

    page = client.get("/checkout/")
    response = client.post("/checkout/", BILLING)

    assert "Monthly and yearly plans are billed on different cycles: check out one cycle at a time" in page.text
    assert 'name="billing_line1"' not in page.text
    assert response.status_code == 409
    assert Order.objects.count() == 0
    assert CartLine.objects.count() == 2


def test_one_off_plans_ride_along_with_monthly_plans(client, fake_gateway):
    user = UserFactory()
    cart_with(user, PlanFactory(price=Decimal("300.00")), MonthlyPlanFactory(price=Decimal("49.00")))
    client.force_login(user)

    client.post("/checkout/", BILLING)

    order = Order.objects.get()
    assert order.mode == Order.Mode.SUBSCRIPTION
    assert (order.net_total, order.total) == (Decimal("349.00"), Decimal("418.80"))
    assert sorted(line.interval for line in next(iter(fake_gateway.sessions.values()))["lines"]) == ["", "month"]


def test_guest_with_a_recurring_plan_is_asked_to_sign_in(client):
    guest_cart(client, MonthlyPlanFactory())

    page = client.get("/checkout/")
    response = client.post("/checkout/", {**BILLING, "email": "guest@example.com"})

    assert ACCOUNT_NEEDED_MESSAGE.split(",")[0] in page.text
    assert "/accounts/login/?next=/checkout/" in page.text
    assert response.status_code == 409
    assert Order.objects.count() == 0


def test_guest_buys_a_one_off_service_with_an_email(client, fake_gateway):
    plan = PlanFactory(price=Decimal("80.00"))
    guest_cart(client, plan)

    missing_email = client.post("/checkout/", BILLING)
    response = client.post("/checkout/", {**BILLING, "email": "guest@example.com"})

    assert missing_email.status_code == 400
    assert "This field is required." in missing_email.text
    order = Order.objects.get()
    assert response.status_code == 302
    assert order.user is None and order.email == "guest@example.com"
    assert "cart" not in client.session
    assert next(iter(fake_gateway.sessions.values()))["cancel_url"].split("/orders/lookup/")[1]


def test_checkout_prefills_the_default_billing_address(client):
    user = UserFactory(full_name="Grace Hopper")
    AddressFactory(user=user, line1="7 Harbour Road", is_default=True)
    cart_with(user, PlanFactory())
    client.force_login(user)

    page = client.get("/checkout/")

    assert 'value="7 Harbour Road"' in page.text
    assert 'name="email"' not in page.text
    assert '<option value="GB" selected>United Kingdom</option>' in page.text


def test_checkout_prefills_from_the_profile_without_an_address(client):
    user = UserFactory(full_name="Grace Hopper")
    ProfileFactory(user=user, company="Compilers Ltd", city="Arlington", country="US")
    cart_with(user, PlanFactory())
    client.force_login(user)

    page = client.get("/checkout/")

    assert 'value="Grace Hopper"' in page.text
    assert 'value="Compilers Ltd"' in page.text
    assert '<option value="US" selected>United States</option>' in page.text


def test_billing_country_is_a_list_of_countries_with_none_chosen_for_a_guest(client):
    guest_cart(client, PlanFactory())

    page = client.get("/checkout/")

    select = page.text.split('<select name="billing_country"', 1)[1].split("</select>", 1)[0]
    assert 'autocomplete="country"' in select
    assert '<option value="" selected>Choose a country</option>' in select
    assert '<option value="IE">Ireland</option>' in select
    assert select.count("<option") == 250


def test_save_address_adds_a_default_billing_address(client):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)

    client.post("/checkout/", {**BILLING, "save_address": "on"})

    address = Address.objects.get(user=user)
    assert (address.kind, address.line1, address.country, address.is_default) == (
        "billing",
        "1 Market Street",
        "GB",
        True,
    )


def test_p03_buying_for_someone_else_needs_their_name_and_email(client):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)

    refused = client.post("/checkout/", {**BILLING, "for_someone_else": "on"})
    client.post(
        "/checkout/",
        {**BILLING, "for_someone_else": "on", "recipient_name": "Alan Turing", "recipient_email": "alan@example.com"},
    )

    assert refused.status_code == 400
    assert "Enter the name of the person you are buying for." in refused.text
    order = Order.objects.get()
    assert (order.recipient_name, order.recipient_email) == ("Alan Turing", "alan@example.com")


def test_recipient_fields_are_dropped_when_the_box_is_not_ticked(client):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)

    client.post("/checkout/", {**BILLING, "recipient_name": "Alan Turing", "recipient_email": "alan@example.com"})

    assert Order.objects.get().recipient_name == ""


@pytest.mark.parametrize(
    ("country", "message"),
    [
        ("1x", "Choose the country from the list."),
        ("XX", "Choose the country from the list."),
        ("", "Choose the country of the billing address."),
    ],
)
def test_a_country_not_on_the_list_is_refused_with_a_clear_message(client, country, message):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)

    response = client.post("/checkout/", {**BILLING, "billing_country": country})

    assert response.status_code == 400
    assert message in response.text
    assert Order.objects.count() == 0


def test_empty_cart_cannot_be_checked_out(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/checkout/", BILLING)

    assert response.status_code == 409
    assert "Your cart is empty." in response.text
    assert Order.objects.count() == 0


def test_sold_out_plan_gives_a_clean_message_and_keeps_the_cart(client):
    user = UserFactory()
    plan = PlanFactory(stock=0)
    cart_with(user, plan)
    client.force_login(user)

    response = client.post("/checkout/", BILLING)

    assert response.status_code == 409
    assert f"Sorry, {plan.service.name} (Standard) is sold out" in response.text
    assert Order.objects.count() == 0
    assert CartLine.objects.count() == 1


def test_stock_is_decremented_by_the_quantity(client):
    user = UserFactory()
    plan = PlanFactory(stock=5)
    cart_with(user, plan, quantity=3)
    client.force_login(user)

    client.post("/checkout/", BILLING)

    plan.refresh_from_db()
    assert plan.stock == 2


def test_in03_failure_after_stock_decrement_rolls_everything_back(monkeypatch):
    user = UserFactory()
    plan = PlanFactory(stock=3)
    cart_with(user, plan)
    from shop.cart import CartItem

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrderLine.objects, "bulk_create", explode)

    with pytest.raises(RuntimeError):
        services.order_place(
            cart_items=[CartItem(plan=plan, quantity=2)],
            user=user,
            email="",
            billing={k.removeprefix("billing_"): v for k, v in BILLING.items()},
        )

    plan.refresh_from_db()
    assert plan.stock == 3
    assert Order.objects.count() == 0
    assert OrderEvent.objects.count() == 0
    assert CartLine.objects.filter(cart__user=user).count() == 1


def test_inactive_plan_in_cart_is_not_sold(client):
    user = UserFactory()
    plan = PlanFactory()
    cart_with(user, plan)
    from shop.cart import CartItem

    Plan.objects.filter(pk=plan.pk).update(is_active=False)
    with pytest.raises(services.CheckoutRefused, match="no longer available"):
        services.order_place(
            cart_items=[CartItem(plan=plan, quantity=1)],
            user=user,
            email="",
            billing={k.removeprefix("billing_"): v for k, v in BILLING.items()},
        )
    assert Order.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_in04_twenty_parallel_checkouts_for_the_last_place_sell_it_once():
    plan = PlanFactory(stock=1)
    users = [UserFactory() for _ in range(20)]
    for user in users:
        cart_with(user, plan)
    results = []
    barrier = threading.Barrier(20)

    def buy(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post("/checkout/", BILLING)
            results.append((response.status_code, response.text))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    plan.refresh_from_db()
    assert sorted(status for status, _ in results) == [302] + [409] * 19
    assert sum("is sold out" in text for status, text in results if status == 409) == 19
    assert Order.objects.count() == 1
    assert plan.stock == 0


def test_fe05_checkout_get_writes_nothing(client):
    user = UserFactory()
    cart_with(user, PlanFactory())
    client.force_login(user)
    client.get("/checkout/")

    client.get("/checkout/")

    assert Order.objects.count() == 0
    assert CartLine.objects.count() == 1


@given(quantity=st.integers(min_value=-5, max_value=50), price=st.decimals(min_value=0, max_value=5000, places=2))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_in01_any_quantity_outside_the_range_is_refused_and_totals_are_recomputed(quantity, price):
    from django.conf import settings as django_settings

    from shop.cart import CartItem

    user = UserFactory()
    plan = PlanFactory(price=price)
    billing = {k.removeprefix("billing_"): v for k, v in BILLING.items()}
    # The item's plan object claims another price: the database's price wins.
    fake_plan = Plan.objects.get(pk=plan.pk)
    fake_plan.price = Decimal("0.01")
    item = CartItem(plan=fake_plan, quantity=quantity)

    if 1 <= quantity <= django_settings.SHOP_MAX_QUANTITY:
        order = services.order_place(cart_items=[item], user=user, email="", billing=billing)
        assert order.net_total == price * quantity
        assert order.total == order.net_total + order.vat_total
        assert order.lines.get().unit_price == price
    else:
        with pytest.raises(services.CheckoutRefused, match="Choose a quantity from 1 to"):
            services.order_place(cart_items=[item], user=user, email="", billing=billing)
        assert not Order.objects.filter(user=user).exists()


def test_fe04_checkout_post_without_csrf_token_is_refused():
    user = UserFactory()
    cart_with(user, PlanFactory())
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/checkout/", BILLING)

    assert response.status_code == 403
    assert Order.objects.count() == 0


def place_order_as(client, user, plan):
    cart_with(user, plan)
    client.force_login(user)
    client.post("/checkout/", BILLING)
    return Order.objects.get(user=user)


def test_in02_the_success_page_only_reads_and_cannot_mark_an_order_paid(client, mailoutbox):
    user = UserFactory()
    order = place_order_as(client, user, PlanFactory())

    get = client.get(f"/checkout/{order.number}/success/")
    post = client.post(f"/checkout/{order.number}/success/")

    order.refresh_from_db()
    assert get.status_code == 200
    assert "We are confirming your payment" in get.text
    assert post.status_code == 405
    assert order.status == Order.Status.PENDING
    assert order.paid_at is None
    assert mailoutbox == []


def test_demo_payment_page_is_404_unless_the_demo_gateway_is_on(client):
    user = UserFactory()
    order = place_order_as(client, user, PlanFactory())

    assert client.get(f"/checkout/{order.number}/demo/").status_code == 404
    assert client.post(f"/checkout/{order.number}/demo/", {"action": "pay"}).status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_demo_payment_runs_the_webhook_fulfilment_once(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    cart_with(user, MonthlyPlanFactory(price=Decimal("49.00")))
    client.force_login(user)
    placed = client.post("/checkout/", BILLING)
    order = Order.objects.get()

    page = client.get(placed["Location"])
    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(f"/checkout/{order.number}/demo/", {"action": "pay"})
        again = client.post(f"/checkout/{order.number}/demo/", {"action": "pay"})

    order.refresh_from_db()
    assert placed["Location"] == f"/checkout/{order.number}/demo/"
    assert "Demo payment — no card is charged" in page.text
    assert paid["Location"] == f"/checkout/{order.number}/success/"
    assert again.status_code == 200 and "there is nothing to pay" in again.text
    assert order.status == Order.Status.ACTIVE
    assert order.subscriptions.get().invoices.count() == 1
    assert len(mailoutbox) == 1


def test_demo_cancel_keeps_the_order_pending(client, settings):
    user = UserFactory()
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    order = place_order_as(client, user, PlanFactory())

    response = client.post(f"/checkout/{order.number}/demo/", {"action": "cancel"})

    order.refresh_from_db()
    assert response["Location"] == f"/orders/{order.number}/"
    assert order.status == Order.Status.PENDING


def test_demo_page_of_someone_elses_order_is_404(client, settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    order = place_order_as(client, UserFactory(), PlanFactory())
    client.force_login(UserFactory())

    assert client.get(f"/checkout/{order.number}/demo/").status_code == 404
    assert client.post(f"/checkout/{order.number}/demo/", {"action": "pay"}).status_code == 404


def test_fe05_get_on_the_demo_page_writes_nothing(client, settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    order = place_order_as(client, UserFactory(), PlanFactory())
    before = (order.status, order.events.count(), order.updated_at)

    client.get(f"/checkout/{order.number}/demo/")
    client.get(f"/checkout/{order.number}/demo/?action=pay")

    order.refresh_from_db()
    assert (order.status, order.events.count(), order.updated_at) == before
