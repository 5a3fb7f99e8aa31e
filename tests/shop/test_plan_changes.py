"""Change of plan, end now, resume (shop.services_subscriptions and the 'My services' pages)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from shop import services
from shop import services_subscriptions as subs
from shop.models import Invoice, Order, Plan, Subscription
from tests.accounts.factories import UserFactory
from tests.shop.factories import MonthlyPlanFactory, PlanFactory, ServiceFactory, SubscriptionFactory
from tests.shop.test_orders import count_queries

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
PERIOD_END = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)  # 1 to 31 March: half of it left at NOW


@pytest.fixture
def plans():
    service = ServiceFactory(name="Social Media")
    return {
        "starter": MonthlyPlanFactory(service=service, name="Starter", price=Decimal("49.00")),
        "growth": MonthlyPlanFactory(service=service, name="Growth", price=Decimal("99.00")),
        "basic": MonthlyPlanFactory(service=service, name="Basic", price=Decimal("19.00")),
        "yearly": PlanFactory(
            service=service, name="Starter yearly", billing=Plan.Billing.YEARLY, price=Decimal("490.00")
        ),
    }


@pytest.fixture
def demo(settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"


def subscribed(user, plan, **kwargs):
    kwargs.setdefault("current_period_end", PERIOD_END)
    return SubscriptionFactory(user=user, plan=plan, order__status=Order.Status.ACTIVE, **kwargs)


@time_machine.travel(NOW, tick=False)
def test_confirmation_page_shows_the_prorated_amount_computed_on_the_server(client, plans, demo):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"])
    client.force_login(user)

    choices = client.get(f"/account/services/{subscription.pk}/change/")
    page = client.get(f"/account/services/{subscription.pk}/change/", {"plan": plans["growth"].pk, "total": "0.01"})

    assert choices.status_code == 200
    assert "Growth" in choices.text and "Starts now, prorated." in choices.text
    assert "Starts on 1 April 2026." in choices.text  # Basic waits for the period's end
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "£49.50" in text and "−£24.50" in text and "Confirm and pay £25.00" in text
    subscription.refresh_from_db()
    assert subscription.plan_name == "Starter"  # a GET changes nothing


@time_machine.travel(NOW, tick=False)
def test_upgrade_charges_the_prorated_amount_and_switches_the_plan_at_once(client, plans, demo):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"])
    client.force_login(user)
    page = client.get(f"/account/services/{subscription.pk}/change/", {"plan": plans["growth"].pk})

    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        response = client.post(
            f"/account/services/{subscription.pk}/change/",
            {"plan": plans["growth"].pk, "quote": page.context["quote"]},
            follow=True,
        )

    subscription.refresh_from_db()
    assert (subscription.plan_id, subscription.plan_name, subscription.unit_price) == (
        plans["growth"].pk,
        "Growth",
        Decimal("99.00"),
    )
    assert subscription.current_period_end == PERIOD_END
    # Charged what the page showed three minutes earlier, not a re-priced amount.
    invoice = Invoice.objects.get(subscription=subscription)
    assert (invoice.amount, invoice.status) == (Decimal("25.00"), Invoice.Status.PAID)
    assert "We charged £25.00 for the rest of this period" in response.text
    note = subscription.order.events.last().note
    assert note == (
        "Plan changed by the customer: Social Media (Starter) → Growth; "
        "prorated charge £25.00 (£49.50 less £24.50 unused)"
    )


@time_machine.travel(NOW, tick=False)
def test_upgrade_with_stripe_prorates_to_the_same_second_and_a_declined_card_changes_nothing(
    client, plans, fake_gateway
):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"], stripe_subscription_id="sub_up")
    client.force_login(user)
    fake_gateway.decline_changes = True

    declined = client.post(f"/account/services/{subscription.pk}/change/", {"plan": plans["growth"].pk}, follow=True)

    subscription.refresh_from_db()
    assert subscription.plan_name == "Starter"
    assert "Your card was declined for the prorated charge" in declined.text

    fake_gateway.decline_changes = False
    client.post(f"/account/services/{subscription.pk}/change/", {"plan": plans["growth"].pk})

    subscription.refresh_from_db()
    assert subscription.plan_name == "Growth"
    assert fake_gateway.price_changes == [
        (
            "sub_up",
            Decimal("99.00"),
            "month",
            NOW,
            f"subscription-{subscription.pk}-plan-{plans['growth'].pk}-{int(NOW.timestamp())}",
        )
    ]
    # Stripe's own invoice arrives by webhook; no demo invoice is made up.
    assert not Invoice.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_monthly_to_yearly_starts_a_new_year_now_less_the_unused_month(client, plans, demo):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"])

    change = subs.subscription_change_plan(subscription=subscription, plan=plans["yearly"], user=user)

    subscription.refresh_from_db()
    assert change.proration.total == Decimal("465.50")  # £490 less £24.50 unused
    assert subscription.billing == "year"
    assert subscription.current_period_end == datetime(2027, 3, 16, 12, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_downgrade_waits_for_the_period_end_and_happens_at_renewal(client, plans, demo):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"])
    client.force_login(user)

    client.post(f"/account/services/{subscription.pk}/change/", {"plan": plans["basic"].pk})

    subscription.refresh_from_db()
    assert (subscription.plan_name, subscription.scheduled_plan_id) == ("Starter", plans["basic"].pk)
    assert not Invoice.objects.exists()
    listing = client.get("/account/services/")
    assert "Then" in listing.text and "Basic at £19.00 a month" in listing.text

    # when: the period ends and the renewal is paid
    subs.subscription_renew_demo(subscription=subscription, paid=True)

    subscription.refresh_from_db()
    assert (subscription.plan_name, subscription.unit_price, subscription.scheduled_plan_id) == (
        "Basic",
        Decimal("19.00"),
        None,
    )
    assert Invoice.objects.get(subscription=subscription).amount == Decimal("22.80")  # £19 and 20% VAT
    assert subscription.current_period_end == datetime(2026, 5, 1, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_downgrade_with_stripe_schedules_the_new_price_and_can_be_withdrawn(client, plans, fake_gateway):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"], stripe_subscription_id="sub_down")
    client.force_login(user)

    client.post(f"/account/services/{subscription.pk}/change/", {"plan": plans["basic"].pk})
    client.post(f"/account/services/{subscription.pk}/keep-plan/")

    subscription.refresh_from_db()
    assert subscription.scheduled_plan_id is None
    assert [(call[1], call[2]) for call in fake_gateway.scheduled_prices] == [
        (Decimal("19.00"), "month"),
        (Decimal("49.00"), "month"),
    ]
    assert fake_gateway.price_changes == []


def test_plan_change_refusals_change_nothing(client, plans, demo):
    user = UserFactory()
    past_due = subscribed(user, plans["starter"], status=Subscription.Status.PAST_DUE)
    ending = subscribed(user, plans["starter"], cancel_at_period_end=True)
    other_service = MonthlyPlanFactory(price=Decimal("500.00"))

    for subscription, plan, message in [
        (past_due, plans["growth"], "update your card first"),
        (ending, plans["growth"], "resume it first"),
    ]:
        with pytest.raises(subs.PlanChangeRefused, match=message):
            subs.subscription_change_plan(subscription=subscription, plan=plan, user=user)
    client.force_login(user)
    response = client.post(f"/account/services/{ending.pk}/change/", {"plan": other_service.pk})
    assert response.status_code == 400
    assert "That plan is not available for this service" in response.text
    assert Subscription.objects.filter(plan_name="Starter").count() == 2


def test_ac01_plan_actions_on_someone_elses_subscription_are_404(client, plans, fake_gateway):
    subscription = subscribed(UserFactory(), plans["starter"], cancel_at_period_end=True)
    client.force_login(UserFactory())

    for path, data in [
        ("change/", {"plan": plans["growth"].pk}),
        ("end-now/", {}),
        ("resume/", {}),
        ("keep-plan/", {}),
    ]:
        assert client.post(f"/account/services/{subscription.pk}/{path}", data).status_code == 404
    assert client.get(f"/account/services/{subscription.pk}/change/").status_code == 404
    subscription.refresh_from_db()
    assert (subscription.plan_name, subscription.status, subscription.cancel_at_period_end) == (
        "Starter",
        Subscription.Status.ACTIVE,
        True,
    )
    assert fake_gateway.price_changes == fake_gateway.cancel_now_calls == fake_gateway.resume_calls == []


def test_changes_are_post_only(client, plans):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"])
    client.force_login(user)

    for path in ("end-now/", "resume/", "keep-plan/"):
        assert client.get(f"/account/services/{subscription.pk}/{path}").status_code == 405


def test_csrf_is_required_to_end_a_plan(plans):
    from django.test import Client

    user = UserFactory()
    subscription = subscribed(user, plans["starter"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post(f"/account/services/{subscription.pk}/end-now/").status_code == 403
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


@time_machine.travel(NOW, tick=False)
def test_end_now_says_plainly_there_is_no_refund_ends_the_plan_and_emails(
    client, plans, fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    subscription = subscribed(user, plans["starter"], stripe_subscription_id="sub_now")
    client.force_login(user)

    page = client.get(f"/account/services/{subscription.pk}/cancel/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/account/services/{subscription.pk}/end-now/", follow=True)

    assert "Nothing is refunded" in page.text and "End it today, without a refund" in page.text
    subscription.refresh_from_db()
    assert (subscription.status, subscription.canceled_at, subscription.ended_reason) == (
        Subscription.Status.CANCELED,
        NOW,
        Subscription.EndedReason.CUSTOMER,
    )
    assert subscription.order.status == Order.Status.CANCELLED
    assert fake_gateway.cancel_now_calls == [("sub_now", "subscription-sub_now-cancel-now")]
    assert "Nothing was refunded" in response.text
    assert len(mailoutbox) == 1 and "Nothing was refunded" in mailoutbox[0].body
    assert not Invoice.objects.exists()


def test_resume_before_the_end_undoes_the_cancellation(client, plans, fake_gateway):
    user = UserFactory()
    subscription = subscribed(
        user, plans["starter"], stripe_subscription_id="sub_back", current_period_end=datetime(2099, 1, 1, tzinfo=UTC)
    )
    services.subscription_cancel(subscription=subscription, user=user)
    client.force_login(user)

    listing = client.get("/account/services/")
    response = client.post(f"/account/services/{subscription.pk}/resume/", follow=True)

    assert "Resume Starter" in listing.text
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False
    assert fake_gateway.resume_calls == ["sub_back"]
    assert "Resumed: your plan renews as before." in response.text
    assert "Change plan" in response.text


def test_a_plan_past_its_end_cannot_be_resumed(plans, fake_gateway):
    user = UserFactory()
    subscription = subscribed(
        user, plans["starter"], cancel_at_period_end=True, current_period_end=datetime(2020, 1, 1, tzinfo=UTC)
    )

    with pytest.raises(services.CheckoutRefused, match="already ended"):
        subs.subscription_resume(subscription=subscription, user=user)
    assert fake_gateway.resume_calls == []


def test_my_services_with_scheduled_plans_keeps_its_query_count(client, plans):
    user = UserFactory()
    subscribed(user, plans["starter"], scheduled_plan=plans["basic"])
    client.force_login(user)
    client.get("/account/services/")
    one = count_queries(client, "/account/services/")
    for _ in range(4):
        subscribed(user, plans["starter"], scheduled_plan=plans["basic"])

    five = count_queries(client, "/account/services/")

    assert one == five <= 13
    assert client.get("/account/services/").text.count("Basic at £19.00") == 5
