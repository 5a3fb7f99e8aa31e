"""Promotion codes at checkout (shop.promotions): each refusal says why, the discount is
on the net price, and the maximum holds under concurrent checkouts."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from shop import promotions, services
from shop.models import Order, Plan, PromotionCode, PromotionRedemption
from tests.accounts.factories import UserFactory
from tests.shop.factories import MonthlyPlanFactory, OrderFactory, PlanFactory, ServiceFactory
from tests.shop.factories_payments import BILLING, cart_with

pytestmark = pytest.mark.django_db


def code(**kwargs):
    values = {"code": "SPRING20", "kind": PromotionCode.Kind.PERCENT, "percent_off": Decimal("20")}
    values.update(kwargs)
    if values["kind"] == PromotionCode.Kind.AMOUNT:
        values.pop("percent_off", None)
    plans = values.pop("plans", [])
    promotion = PromotionCode.objects.create(**values)
    promotion.plans.set(plans)
    return promotion


def checkout(client, user, *plans, promotion_code="SPRING20", **extra):
    cart_with(user, *plans)
    client.force_login(user)
    return client.post("/checkout/", {**BILLING, "promotion_code": promotion_code, **extra})


def test_a_percent_code_takes_its_share_off_the_net_price_and_is_counted(client, fake_gateway):
    plan = PlanFactory(price=Decimal("350.00"))
    promotion = code(code="SPRING20", max_redemptions=10)
    user = UserFactory()

    response = checkout(client, user, plan, promotion_code=" spring20 ")

    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.net_total, order.vat_total, order.total) == (Decimal("280.00"), Decimal("56.00"), Decimal("336.00"))
    redemption = PromotionRedemption.objects.get()
    assert (redemption.order, redemption.user, redemption.subtotal, redemption.discount) == (
        order,
        user,
        Decimal("350.00"),
        Decimal("70.00"),
    )
    promotion.refresh_from_db()
    assert promotion.times_redeemed == 1
    assert promotions.discounted_net(order=order) == Decimal("280.00")
    assert order.events.last().note == "Promotion code SPRING20: 20% off, −£70.00"


def test_with_stripe_checkout_gets_a_coupon_for_the_exact_discount(client, fake_gateway):
    plan = MonthlyPlanFactory(price=Decimal("49.99"))
    code(code="THREEMONTHS", percent_off=Decimal("15"), duration="repeating", duration_in_months=3)

    checkout(client, UserFactory(), plan, promotion_code="THREEMONTHS")

    order = Order.objects.get()
    assert order.net_total == Decimal("42.49")  # £49.99 less 15% (£7.4985, rounded half up to £7.50)
    (session,) = fake_gateway.sessions.values()
    coupon = fake_gateway.coupons[f"order-{order.number}-coupon"]
    assert session["coupon_id"] == coupon["id"]
    assert (coupon["amount_off"], coupon["duration"], coupon["duration_in_months"]) == (
        Decimal("7.50"),
        "repeating",
        3,
    )


def test_apply_shows_the_discounted_total_without_placing_an_order(client):
    plan = PlanFactory(price=Decimal("100.00"))
    code(code="TENOFF", kind=PromotionCode.Kind.AMOUNT, amount_off=Decimal("10.00"))
    user = UserFactory()

    response = checkout(client, user, plan, promotion_code="tenoff", action="apply_code")

    assert response.status_code == 200
    assert "Code TENOFF applied: £10.00 off, −£10.00." in response.text
    assert "Continue to payment · <span data-pay-total>£108.00</span>" in response.text  # £90 + 20% VAT
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"code": "OTHER"}, "We do not recognise the code “SPRING20”. Check it and try again."),
        (
            {"ends_at": datetime(2020, 1, 31, 12, tzinfo=UTC), "starts_at": datetime(2020, 1, 1, tzinfo=UTC)},
            "The code SPRING20 expired on 31 January 2020.",
        ),
        (
            {"starts_at": datetime(2099, 6, 1, 12, tzinfo=UTC)},
            "The code SPRING20 is not valid yet: it starts on 1 June 2099.",
        ),
        (
            {"max_redemptions": 2, "times_redeemed": 2},
            "The code SPRING20 has been used as many times as it can be, so it has run out.",
        ),
        ({"is_active": False}, "We do not recognise the code “SPRING20”. Check it and try again."),
    ],
)
def test_each_refusal_says_why_and_places_nothing(client, setup, message):
    code(**setup)
    plan = PlanFactory()

    response = checkout(client, UserFactory(), plan)

    assert response.status_code == 400
    assert message in response.text
    assert Order.objects.count() == PromotionRedemption.objects.count() == 0


def test_a_code_for_other_plans_names_what_it_is_for(client):
    other = MonthlyPlanFactory(service=ServiceFactory(name="Email Marketing"), name="Pro")
    code(plans=[other])

    response = checkout(client, UserFactory(), PlanFactory())

    assert response.status_code == 400
    assert "The code SPRING20 is not for the services in your cart. It is for: Email Marketing — Pro." in response.text


def test_a_code_for_one_plan_discounts_only_that_plan(client, fake_gateway):
    monthly = MonthlyPlanFactory(price=Decimal("50.00"))
    audit = PlanFactory(price=Decimal("300.00"))
    code(plans=[monthly])

    checkout(client, UserFactory(), monthly, audit)

    assert Order.objects.get().net_total == Decimal("340.00")


def test_once_per_customer_refuses_a_second_use(client, fake_gateway):
    user = UserFactory()
    code()
    checkout(client, user, PlanFactory())
    Order.objects.update(status=Order.Status.PAID)

    response = checkout(client, user, PlanFactory())

    assert "You have already used the code SPRING20: it is once per customer." in response.text
    assert PromotionRedemption.objects.count() == 1


def test_first_order_only_refuses_a_returning_customer(client):
    user = UserFactory()
    OrderFactory(user=user, status=Order.Status.DELIVERED)
    code(first_order_only=True)

    response = checkout(client, user, PlanFactory())

    assert "The code SPRING20 is for a first order only; you have ordered before." in response.text
    assert Order.objects.count() == 1


def test_a_guest_is_known_by_email_for_once_per_customer(client, fake_gateway):
    code()
    plan = PlanFactory()
    guest = Client()
    session = guest.session
    session["cart"] = {str(plan.pk): 1}
    session.save()
    guest.post("/checkout/", {**BILLING, "email": "guest@example.com", "promotion_code": "SPRING20"})
    Order.objects.update(status=Order.Status.PAID)

    quote_error = None
    try:
        from shop.cart import CartItem

        promotions.promotion_price(code="SPRING20", items=[CartItem(plan=plan, quantity=1)], email="GUEST@example.com")
    except promotions.PromotionRefused as exc:
        quote_error = exc.code

    assert quote_error == "already_used"


def test_a_cancelled_unpaid_order_gives_the_use_back(client, fake_gateway):
    user = UserFactory()
    code()
    checkout(client, user, PlanFactory())
    order = Order.objects.get()
    services.order_set_status(order=order, status=Order.Status.CANCELLED)

    response = checkout(client, user, PlanFactory())

    assert response.status_code == 302
    assert PromotionRedemption.objects.count() == 2


def test_a_fixed_amount_never_takes_the_total_below_zero(client, fake_gateway):
    code(kind=PromotionCode.Kind.AMOUNT, amount_off=Decimal("500.00"))

    checkout(client, UserFactory(), PlanFactory(price=Decimal("120.00")))

    assert Order.objects.get().total == Decimal("0.00")
    assert PromotionRedemption.objects.get().discount == Decimal("120.00")


def test_a_repeating_code_discounts_demo_renewals_for_its_months_only(settings):
    from shop.services_subscriptions import subscription_renew_demo

    settings.SHOP_PAYMENT_GATEWAY = "demo"
    settings.SHOP_DEMO_PAYMENTS = True
    user = UserFactory()
    plan = MonthlyPlanFactory(price=Decimal("40.00"))
    code(percent_off=Decimal("25"), duration="repeating", duration_in_months=2)
    cart_with(user, plan)
    from shop.cart import user_cart_items

    order = services.order_place(
        cart_items=user_cart_items(user),
        user=user,
        email="",
        billing={k.removeprefix("billing_"): v for k, v in BILLING.items()},
        cart_key="",
        promotion_code="SPRING20",
    )
    services.order_pay_demo(order=order)
    subscription = order.subscriptions.get()

    subscription_renew_demo(subscription=subscription, paid=True)
    subscription_renew_demo(subscription=subscription, paid=True)

    amounts = list(subscription.invoices.order_by("period_start").values_list("amount", flat=True))
    assert amounts == [Decimal("36.00"), Decimal("36.00"), Decimal("48.00")]  # each with 20% VAT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_in04_twenty_parallel_checkouts_never_redeem_a_code_more_than_its_maximum():
    promotion = code(max_redemptions=5, once_per_customer=False)
    plan = PlanFactory(price=Decimal("100.00"))
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
            response = client.post("/checkout/", {**BILLING, "promotion_code": "SPRING20"})
            results.append((response.status_code, response.text))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    promotion.refresh_from_db()
    assert sorted(status for status, _ in results) == [302] * 5 + [400] * 15
    assert sum("has run out" in text for status, text in results if status == 400) == 15
    assert promotion.times_redeemed == PromotionRedemption.objects.count() == 5
    assert Order.objects.count() == 5
    assert sorted(Order.objects.values_list("net_total", flat=True)) == [Decimal("80.00")] * 5


def test_staff_create_a_code_in_the_admin(admin_client):
    plan = MonthlyPlanFactory()
    now = timezone.now()
    response = admin_client.post(
        "/admin/shop/promotioncode/add/",
        {
            "code": "welcome-10",
            "description": "Launch",
            "is_active": "on",
            "kind": "amount",
            "amount_off": "10.00",
            "percent_off": "",
            "duration": "repeating",
            "duration_in_months": "3",
            "once_per_customer": "on",
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": "00:00:00",
            "ends_at_0": (now + timedelta(days=30)).strftime("%Y-%m-%d"),
            "ends_at_1": "00:00:00",
            "max_redemptions": "100",
            "plans": [plan.pk],
            "redemptions-TOTAL_FORMS": "0",
            "redemptions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    promotion = PromotionCode.objects.get()
    assert (promotion.code, promotion.amount_off, promotion.percent_off) == ("WELCOME-10", Decimal("10.00"), None)
    assert list(promotion.plans.all()) == [plan]
    assert admin_client.get("/admin/shop/promotioncode/").status_code == 200


def test_p19_redemptions_are_declared_personal_data_kept_with_the_order():
    from privacy.registry import site

    declaration = site.get(PromotionRedemption)
    assert declaration.retention.from_field == "order__created_at"
    assert declaration.retention.years == 6
    assert Plan  # the catalogue the codes point at is not personal data
