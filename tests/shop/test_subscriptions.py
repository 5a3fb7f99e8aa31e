from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shop import services
from shop.models import Invoice, Subscription
from tests.accounts.factories import UserFactory
from tests.shop.factories import MonthlyPlanFactory, ServiceFactory, SubscriptionFactory
from tests.shop.test_orders import count_queries

pytestmark = pytest.mark.django_db

PERIOD_END = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)


def starter(user, **kwargs):
    plan = MonthlyPlanFactory(service=ServiceFactory(name="Social Media"), name="Starter", price=Decimal("49.00"))
    return SubscriptionFactory(user=user, plan=plan, current_period_end=PERIOD_END, **kwargs)


def with_invoice(subscription, n=0):
    return Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id=f"in_{subscription.pk}_{n}",
        number=f"INV-{subscription.pk}-{n}",
        amount=Decimal("49.00"),
        currency="gbp",
        status=Invoice.Status.PAID,
        hosted_invoice_url=f"https://invoice.stripe.test/in_{subscription.pk}_{n}",
    )


def test_my_services_lists_plans_renewal_dates_and_invoices(client):
    user = UserFactory()
    subscription = starter(user)
    with_invoice(subscription)
    SubscriptionFactory()  # someone else's
    client.force_login(user)

    response = client.get("/account/services/")

    assert response.status_code == 200
    assert len(response.context["subscriptions"]) == 1
    for text in ["Social Media", "Starter", "Renews on", "24 December 2026", f"INV-{subscription.pk}-0", "£49.00"]:
        assert text in response.text
    assert f"https://invoice.stripe.test/in_{subscription.pk}_0" in response.text
    assert "Your last payment failed" not in response.text


def test_my_services_query_count_is_the_same_for_1_and_10_subscriptions(client):
    user = UserFactory()
    with_invoice(starter(user))
    client.force_login(user)
    client.get("/account/services/")
    one = count_queries(client, "/account/services/")

    for n in range(9):
        subscription = SubscriptionFactory(user=user)
        with_invoice(subscription, n)
        with_invoice(subscription, n + 100)
    ten = count_queries(client, "/account/services/")

    assert one == ten
    assert ten <= 13  # the page, the subscriptions with their plans, invoices and VAT documents


def test_past_due_subscription_shows_a_banner(client):
    user = UserFactory()
    starter(user, status=Subscription.Status.PAST_DUE)
    client.force_login(user)

    response = client.get("/account/services/")

    assert "Your last payment failed" in response.text
    assert "Payment failed" in response.text


def test_cancel_confirmation_says_exactly_what_ends_when(client):
    user = UserFactory()
    subscription = starter(user)
    client.force_login(user)

    response = client.get(f"/account/services/{subscription.pk}/cancel/")

    text = " ".join(response.text.replace("<strong>", "").replace("</strong>", "").split())
    assert "Your Social Media Starter plan stays active until 24 December 2026; you will not be charged again" in text
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False


def test_cancel_at_period_end_calls_stripe_once_and_emails(
    client, fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    subscription = starter(user, stripe_subscription_id="sub_42")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/account/services/{subscription.pk}/cancel/", follow=True)
        client.post(f"/account/services/{subscription.pk}/cancel/")

    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert subscription.status == Subscription.Status.ACTIVE
    assert fake_gateway.cancel_calls == [("sub_42", "subscription-sub_42-cancel-at-period-end")]
    assert "Active until" in response.text and "you will not be charged again" in response.text
    assert len(mailoutbox) == 1
    assert "24 December 2026" in mailoutbox[0].body


def test_cancelling_someone_elses_subscription_is_404(client, fake_gateway):
    subscription = starter(UserFactory())
    client.force_login(UserFactory())

    assert client.get(f"/account/services/{subscription.pk}/cancel/").status_code == 404
    assert client.post(f"/account/services/{subscription.pk}/cancel/").status_code == 404
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False
    assert fake_gateway.cancel_calls == []


def test_plans_billed_together_end_together(client, fake_gateway):
    user = UserFactory()
    first = starter(user, stripe_subscription_id="sub_7")
    second = SubscriptionFactory(
        user=user, order=first.order, stripe_subscription_id="sub_7", current_period_end=PERIOD_END
    )
    client.force_login(user)

    page = client.get(f"/account/services/{first.pk}/cancel/")
    services.subscription_cancel(subscription=first, user=user)

    second.refresh_from_db()
    assert "are billed together and stay" in page.text
    assert second.cancel_at_period_end is True
    assert len(fake_gateway.cancel_calls) == 1


def test_an_ended_subscription_cannot_be_cancelled(client, fake_gateway):
    user = UserFactory()
    subscription = starter(user, status=Subscription.Status.CANCELED)

    with pytest.raises(services.CheckoutRefused):
        services.subscription_cancel(subscription=subscription, user=user)
    assert fake_gateway.cancel_calls == []


def test_my_services_needs_sign_in(client):
    assert client.get("/account/services/").status_code == 302
