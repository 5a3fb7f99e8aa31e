"""Failed renewals (dunning): a link to update the card each try, and the end after
SHOP_DUNNING_MAX_ATTEMPTS tries; the "Manage billing" link to Stripe's customer portal."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shop import services_subscriptions as subs
from shop.models import Order, StripeEvent, Subscription
from tests.accounts.factories import UserFactory
from tests.shop.factories import MonthlyPlanFactory, SubscriptionFactory
from tests.shop.factories_payments import event, post_event

pytestmark = pytest.mark.django_db

PERIOD_END = datetime(2099, 1, 1, tzinfo=UTC)


def subscribed(user=None, **kwargs):
    user = user or UserFactory()
    return SubscriptionFactory(
        user=user,
        plan=MonthlyPlanFactory(name="Starter", price=Decimal("49.00")),
        current_period_end=PERIOD_END,
        order__status=Order.Status.ACTIVE,
        order__stripe_customer_id="cus_9",
        **kwargs,
    )


def failed_invoice(subscription, attempt):
    return {
        "id": "in_renewal_1",
        "object": "invoice",
        "status": "open",
        "amount_due": 4900,
        "currency": "gbp",
        "attempt_count": attempt,
        "customer_email": "someone@example.com",
        "parent": {"subscription_details": {"subscription": subscription.stripe_subscription_id}},
    }


def test_demo_renewal_failing_three_times_ends_the_subscription_and_staff_see_why(
    settings, mailoutbox, django_capture_on_commit_callbacks, admin_client
):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    subscription = subscribed()

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            subs.subscription_renew_demo(subscription=subscription, paid=False)

    subscription.refresh_from_db()
    assert (subscription.status, subscription.ended_reason, subscription.failed_payment_attempts) == (
        Subscription.Status.CANCELED,
        Subscription.EndedReason.PAYMENT_FAILED,
        3,
    )
    order = subscription.order
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.events.last().note == "Subscription ended: the renewal payment failed 3 times"
    # Two emails with the link to update the card, then the one saying the plan ended.
    assert [message.subject for message in mailoutbox] == [
        "Your last Kinetogram payment failed",
        "Your last Kinetogram payment failed",
        "Your Kinetogram plan has ended: the payment failed",
    ]
    assert f"{settings.SITE_URL}/account/services/" in mailoutbox[0].body
    assert "After 2 more failed tries the plan ends." in mailoutbox[0].body
    assert "If the next try fails too, the plan ends." in mailoutbox[1].body
    # Staff: a list filter for subscriptions ended by failed payments.
    listing = admin_client.get("/admin/shop/subscription/?ended_reason__exact=payment_failed")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1


def test_the_number_of_tries_comes_from_settings(settings, django_capture_on_commit_callbacks):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    settings.SHOP_DUNNING_MAX_ATTEMPTS = 2
    subscription = subscribed()

    subs.subscription_renew_demo(subscription=subscription, paid=False)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAST_DUE
    subs.subscription_renew_demo(subscription=subscription, paid=False)

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELED


def test_a_paid_renewal_after_a_failure_forgets_the_failed_tries(settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    subscription = subscribed()

    subs.subscription_renew_demo(subscription=subscription, paid=False)
    subs.subscription_renew_demo(subscription=subscription, paid=True)

    subscription.refresh_from_db()
    assert (subscription.status, subscription.failed_payment_attempts) == (Subscription.Status.ACTIVE, 0)


def test_pay02_payment_failed_event_delivered_twice_emails_once_with_the_portal_link(
    client, fake_gateway, mailoutbox, django_capture_on_commit_callbacks, settings
):
    subscription = subscribed(stripe_subscription_id="sub_dun")
    evt = event("invoice.payment_failed", failed_invoice(subscription, 1), event_id="evt_failed_1")

    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, evt).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, evt).status_code == 200

    subscription.refresh_from_db()
    assert (subscription.status, subscription.failed_payment_attempts) == (Subscription.Status.PAST_DUE, 1)
    assert StripeEvent.objects.get().status == StripeEvent.Status.PROCESSED
    assert len(mailoutbox) == 1
    # With Stripe, the link opens a fresh customer-portal session (sessions last minutes).
    assert f"{settings.SITE_URL}/account/services/billing/" in mailoutbox[0].body


def test_stripe_retries_count_by_attempt_and_the_last_one_cancels_at_stripe(
    client, fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = subscribed(stripe_subscription_id="sub_dun3")

    for attempt in (1, 2, 2, 3):  # Stripe's attempt_count; the repeated 2 is another event of the same try
        with django_capture_on_commit_callbacks(execute=True):
            post_event(client, event("invoice.payment_failed", failed_invoice(subscription, attempt)))

    subscription.refresh_from_db()
    assert (subscription.status, subscription.ended_reason) == (
        Subscription.Status.CANCELED,
        Subscription.EndedReason.PAYMENT_FAILED,
    )
    assert fake_gateway.cancel_now_calls == [("sub_dun3", "subscription-sub_dun3-dunning-end")]
    assert len(mailoutbox) == 3


def test_a_subscription_deleted_by_stripe_for_failed_payments_says_so(
    client, fake_gateway, django_capture_on_commit_callbacks
):
    subscription = subscribed(stripe_subscription_id="sub_gone")

    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            event(
                "customer.subscription.deleted",
                {
                    "id": "sub_gone",
                    "object": "subscription",
                    "status": "canceled",
                    "cancellation_details": {"reason": "payment_failed", "comment": "free text we do not keep"},
                },
            ),
        )

    subscription.refresh_from_db()
    assert (subscription.status, subscription.ended_reason) == (
        Subscription.Status.CANCELED,
        Subscription.EndedReason.PAYMENT_FAILED,
    )


def test_manage_billing_opens_stripes_customer_portal_for_the_customer(client, fake_gateway):
    subscription = subscribed()
    client.force_login(subscription.user)

    listing = client.get("/account/services/")
    response = client.get("/account/services/billing/")

    assert "Manage billing" in listing.text
    assert response.status_code == 302
    assert response["Location"] == "https://billing.stripe.test/p/session/cus_9"
    assert fake_gateway.portal_sessions == [("cus_9", "http://testserver/account/services/")]


def test_manage_billing_is_hidden_without_stripe_and_leads_to_my_services(client, settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    subscription = subscribed()
    client.force_login(subscription.user)

    listing = client.get("/account/services/")
    response = client.get("/account/services/billing/")

    assert "Manage billing" not in listing.text
    assert response["Location"] == "/account/services/"


def test_manage_billing_needs_sign_in(client):
    assert client.get("/account/services/billing/").status_code == 302
