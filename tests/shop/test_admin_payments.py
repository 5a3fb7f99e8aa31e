from decimal import Decimal

import pytest

from shop.models import Order, StripeEvent
from tests.shop.factories import OrderFactory, OrderLineFactory, SubscriptionFactory
from tests.shop.factories_payments import event, session_completed

pytestmark = pytest.mark.django_db


def test_order_admin_searches_and_shows_the_timeline(admin_client):
    order = OrderFactory(email="findme@example.com")
    OrderLineFactory(order=order)

    listing = admin_client.get("/admin/shop/order/?q=findme")
    change = admin_client.get(f"/admin/shop/order/{order.pk}/change/")

    assert order.number in listing.text
    assert change.status_code == 200
    assert "Order placed" in change.text or "Awaiting payment" in change.text


def test_order_admin_actions_move_orders_through_the_state_machine_only(admin_client):
    paid = OrderFactory(status=Order.Status.PAID)
    pending = OrderFactory(status=Order.Status.PENDING)

    response = admin_client.post(
        "/admin/shop/order/",
        {"action": "mark_in_progress", "_selected_action": [paid.pk, pending.pk]},
        follow=True,
    )

    paid.refresh_from_db()
    pending.refresh_from_db()
    assert paid.status == Order.Status.IN_PROGRESS
    assert paid.events.get().note == "Marked in progress by staff"
    assert pending.status == Order.Status.PENDING
    assert f"Not allowed from their current status: {pending.number}" in response.text


def test_subscription_admin_lists_with_invoices(admin_client):
    subscription = SubscriptionFactory()
    assert admin_client.get(f"/admin/shop/subscription/{subscription.pk}/change/").status_code == 200
    assert admin_client.get("/admin/shop/subscription/?status=active").status_code == 200


def test_stripe_event_admin_is_read_only_and_processes_again(
    admin_client, fake_gateway, django_capture_on_commit_callbacks
):
    order = OrderFactory(total=Decimal("100.00"))
    evt = event("checkout.session.completed", session_completed(order), event_id="evt_admin")
    fake_gateway.events.append(evt)
    row = StripeEvent.objects.create(event_id="evt_admin", type=evt["type"], status=StripeEvent.Status.FAILED)

    listing = admin_client.get("/admin/shop/stripeevent/?status__exact=failed")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/shop/stripeevent/", {"action": "process_again", "_selected_action": [row.pk]})

    row.refresh_from_db()
    order.refresh_from_db()
    assert "evt_admin" in listing.text
    assert admin_client.get("/admin/shop/stripeevent/add/").status_code == 403
    assert row.status == StripeEvent.Status.PROCESSED
    assert order.status == Order.Status.PAID
