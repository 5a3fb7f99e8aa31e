"""The Stripe event handlers: the same code behind the webhook, the demo page and the
nightly reconciliation."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop import services
from shop.models import Invoice, Order, Plan, StripeEvent, Subscription
from tests.accounts.factories import UserFactory
from tests.shop.factories import MonthlyPlanFactory, OrderFactory, OrderLineFactory, PlanFactory, SubscriptionFactory
from tests.shop.factories_payments import charge_refunded, event, invoice, session_completed

pytestmark = pytest.mark.django_db


def process(evt):
    """Record and process an event the way the webhook's task does."""
    row, _ = StripeEvent.objects.get_or_create(event_id=evt["id"], defaults={"type": evt["type"]})
    return services.stripe_event_process(
        event_pk=row.pk, payload=services.stripe_object_minimise(evt["data"]["object"])
    )


@pytest.fixture
def order():
    order = OrderFactory(total=Decimal("100.00"))
    OrderLineFactory(order=order, plan__price=Decimal("100.00"))
    return order


@pytest.fixture
def subscription_order():
    user = UserFactory()
    order = OrderFactory(user=user, total=Decimal("349.00"), mode=Order.Mode.SUBSCRIPTION)
    OrderLineFactory(order=order, plan=MonthlyPlanFactory(price=Decimal("49.00")))
    OrderLineFactory(order=order, plan=PlanFactory(price=Decimal("300.00")))
    return order


def test_checkout_completed_marks_paid_keeps_card_brand_and_last4_and_emails_once(
    order, fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    fake_gateway.cards["pi_test_1"] = ("visa", "4242")

    with django_capture_on_commit_callbacks(execute=True):
        process(event("checkout.session.completed", session_completed(order)))

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.paid_at is not None
    assert (order.card_brand, order.card_last4) == ("visa", "4242")
    assert (order.stripe_payment_intent_id, order.stripe_customer_id) == ("pi_test_1", "cus_test_1")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [order.email]
    assert order.number in mailoutbox[0].subject


def test_subscription_checkout_starts_subscriptions_for_recurring_lines_only(
    subscription_order, fake_gateway, django_capture_on_commit_callbacks
):
    fake_gateway.subscriptions["sub_1"] = {
        "id": "sub_1", "status": "active", "cancel_at_period_end": False, "current_period_end": 1798243200,
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        process(event("checkout.session.completed", session_completed(subscription_order, subscription="sub_1")))

    subscription_order.refresh_from_db()
    subscription = Subscription.objects.get()
    assert subscription_order.status == Order.Status.ACTIVE
    assert list(subscription_order.events.values_list("status", flat=True)) == ["paid", "active"]
    assert (subscription.status, subscription.stripe_subscription_id, subscription.unit_price) == (
        "active", "sub_1", Decimal("49.00"),
    )  # fmt: skip
    assert subscription.current_period_end == datetime.fromtimestamp(1798243200, tz=UTC)
    assert subscription.user == subscription_order.user


def test_amount_mismatch_leaves_the_order_pending_and_the_event_failed(order, mailoutbox):
    with pytest.raises(services.EventPayloadMismatch):
        process(event("checkout.session.completed", session_completed(order, amount=1), event_id="evt_bad"))

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    row = StripeEvent.objects.get(event_id="evt_bad")
    assert row.status == StripeEvent.Status.FAILED
    assert row.error.startswith("EventPayloadMismatch")
    assert order.email not in row.error
    assert mailoutbox == []


def test_unpaid_async_checkout_waits_for_the_async_success_event(order, django_capture_on_commit_callbacks):
    session = {**session_completed(order), "payment_status": "unpaid"}
    process(event("checkout.session.completed", session))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        process(event("checkout.session.async_payment_succeeded", session_completed(order)))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.parametrize("first", ["refund", "payment"])
def test_pay03_refund_and_payment_in_either_order_end_refunded(
    order, first, mailoutbox, django_capture_on_commit_callbacks
):
    paid = event("checkout.session.completed", session_completed(order))
    refunded = event("charge.refunded", charge_refunded(order))
    sequence = [refunded, paid] if first == "refund" else [paid, refunded]

    for evt in sequence:
        with django_capture_on_commit_callbacks(execute=True):
            process(evt)

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.stripe_payment_intent_id == "pi_test_1"
    assert StripeEvent.objects.filter(status="processed").count() == 2
    if first == "refund":
        assert mailoutbox == []  # no "paid" email after the refund
    else:
        assert [m.subject for m in mailoutbox] == [f"Your Kinetogram order {order.number} is confirmed"]


def test_pay03_confirmation_queued_before_a_refund_is_not_sent(order, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.checkout_session_completed(session_completed(order))
    services.charge_refunded(charge_refunded(order))
    for callback in callbacks:
        callback()

    assert mailoutbox == []


def test_partial_refund_only_notes_the_timeline(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        process(event("checkout.session.completed", session_completed(order)))
    process(event("charge.refunded", charge_refunded(order, refunded=False)))

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.events.last().note == "Partial refund"


def test_unknown_event_type_is_recorded_as_ignored():
    assert process(event("customer.created", {"id": "cus_1", "email": "x@example.com"})) == "ignored"
    assert StripeEvent.objects.get().status == StripeEvent.Status.IGNORED


def test_invoice_paid_records_the_invoice_and_extends_the_period():
    subscription = SubscriptionFactory(stripe_subscription_id="sub_9", current_period_end=timezone.now())

    process(event("invoice.paid", invoice("sub_9", period_end=1798243200)))
    process(event("invoice.paid", invoice("sub_9", period_end=1798243200)))

    row = Invoice.objects.get()
    subscription.refresh_from_db()
    assert (row.number, row.amount, row.status, row.subscription) == (
        "KG-INV-0001",
        Decimal("49.00"),
        "paid",
        subscription,
    )
    assert row.hosted_invoice_url == "https://invoice.stripe.test/in_test_1"
    assert subscription.current_period_end == datetime.fromtimestamp(1798243200, tz=UTC)
    assert subscription.status == "active"


def test_invoice_before_its_subscription_is_known_is_retried_later():
    with pytest.raises(services.NotYetKnown):
        process(event("invoice.paid", invoice("sub_unknown"), event_id="evt_early"))
    assert StripeEvent.objects.get(event_id="evt_early").status == StripeEvent.Status.FAILED


def test_payment_failed_sets_past_due_and_emails_once(mailoutbox, django_capture_on_commit_callbacks):
    subscription = SubscriptionFactory(stripe_subscription_id="sub_9")

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.invoice_payment_failed(invoice("sub_9", status="open", invoice_id="in_failed"))

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAST_DUE
    assert Invoice.objects.get().status == Invoice.Status.FAILED
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [subscription.user.email]


def test_a_late_failure_notice_never_undoes_a_paid_invoice():
    SubscriptionFactory(stripe_subscription_id="sub_9")
    services.invoice_paid(invoice("sub_9", invoice_id="in_1"))
    services.invoice_payment_failed(invoice("sub_9", invoice_id="in_1", status="open"))
    assert Invoice.objects.get().status == Invoice.Status.PAID


def test_subscription_updated_copies_status_and_cancel_flag():
    subscription = SubscriptionFactory(stripe_subscription_id="sub_9")

    services.subscription_updated(
        {
            "id": "sub_9",
            "object": "subscription",
            "status": "past_due",
            "cancel_at_period_end": True,
            "items": {"data": [{"current_period_end": 1798243200}]},
        }  # fmt: skip
    )

    subscription.refresh_from_db()
    assert (subscription.status, subscription.cancel_at_period_end) == ("past_due", True)
    assert subscription.current_period_end == datetime.fromtimestamp(1798243200, tz=UTC)


def test_subscription_deleted_ends_it_and_cancels_the_order_when_all_ended(subscription_order):
    subscription_order.status = Order.Status.ACTIVE
    subscription_order.save()
    SubscriptionFactory(user=subscription_order.user, order=subscription_order, stripe_subscription_id="sub_9")

    process(
        event(
            "customer.subscription.deleted",
            {"id": "sub_9", "object": "subscription", "status": "canceled", "ended_at": 1798243200},
        )
    )

    subscription_order.refresh_from_db()
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.CANCELED
    assert subscription.canceled_at == datetime.fromtimestamp(1798243200, tz=UTC)
    assert subscription_order.status == Order.Status.CANCELLED
    assert subscription_order.events.last().note == "Subscription ended"


def test_checkout_expired_cancels_the_pending_order_and_returns_the_stock(order):
    plan = order.lines.get().plan
    Plan.objects.filter(pk=plan.pk).update(stock=0)
    order.stripe_checkout_session_id = f"cs_test_for_{order.number}"
    order.save()

    process(
        event("checkout.session.expired", {**session_completed(order), "status": "expired", "payment_status": "unpaid"})
    )
    process(
        event("checkout.session.expired", {**session_completed(order), "status": "expired", "payment_status": "unpaid"})
    )

    order.refresh_from_db()
    plan.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert plan.stock == 1


def test_order_set_status_refuses_illegal_moves(order):
    with pytest.raises(services.IllegalTransition):
        services.order_set_status(order=order, status=Order.Status.DELIVERED)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert order.events.count() == 0


def test_reprocess_fetches_the_event_again_and_is_idempotent(
    order, fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    evt = event("checkout.session.completed", session_completed(order), event_id="evt_again")
    fake_gateway.events.append(evt)
    with django_capture_on_commit_callbacks(execute=True):
        process(evt)
    row = StripeEvent.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.stripe_event_reprocess(event=row)

    row.refresh_from_db()
    order.refresh_from_db()
    assert row.status == StripeEvent.Status.PROCESSED
    assert row.attempts == 2
    assert order.status == Order.Status.PAID
    assert len(mailoutbox) == 1


def test_pay05_reconciliation_processes_events_we_never_received(
    fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    orders = [OrderFactory(total=Decimal("100.00")) for _ in range(3)]
    # Endpoint down for four days: Stripe's list still has the last three days.
    fake_gateway.events = [
        event(
            "checkout.session.completed",
            session_completed(o),
            created=(now - timedelta(days=days, hours=1)).timestamp(),
        )
        for o, days in zip(orders, [0, 1, 2], strict=True)
    ] + [
        event(
            "checkout.session.completed",
            session_completed(OrderFactory()),
            created=(now - timedelta(days=4)).timestamp(),
        )
    ]
    done = OrderFactory(total=Decimal("100.00"))
    processed_before = event("checkout.session.completed", session_completed(done), created=now.timestamp())
    fake_gateway.events.append(processed_before)
    with django_capture_on_commit_callbacks(execute=True):
        process(processed_before)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        processed = services.stripe_events_reconcile(now=now)

    assert processed == 3
    assert {o.number for o in Order.objects.filter(status="paid")} == {o.number for o in orders} | {done.number}
    assert len(mailoutbox) == 3
    day_ago = now - timedelta(hours=24)
    assert (
        StripeEvent.objects.exclude(status__in=["processed", "ignored"]).filter(stripe_created_at__lt=day_ago).count()
        == 0
    )
    since, types = fake_gateway.listed[0]
    assert since == now - timedelta(days=3)
    assert "checkout.session.completed" in types


def test_reconciliation_carries_on_after_a_failing_event(fake_gateway):
    good = OrderFactory(total=Decimal("100.00"))
    fake_gateway.events = [
        event("invoice.paid", invoice("sub_unknown")),
        event("checkout.session.completed", session_completed(good)),
    ]

    assert services.stripe_events_reconcile() == 1
    good.refresh_from_db()
    assert good.status == Order.Status.PAID
    assert StripeEvent.objects.filter(status="failed").count() == 1


def test_payment_for_a_cancelled_order_is_flagged_for_a_refund(order, mailoutbox, caplog):
    order.status = Order.Status.CANCELLED
    order.save()

    process(event("checkout.session.completed", session_completed(order)))
    process(event("checkout.session.completed", session_completed(order)))

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert list(order.events.values_list("note", flat=True)) == ["Payment received after cancellation: refund needed"]
    assert f"Payment received for cancelled order {order.number}: refund it" in caplog.text
    assert mailoutbox == []
