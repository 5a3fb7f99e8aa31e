"""The real Stripe gateway against recorded response shapes (no network: `responses`)."""

import json
import time
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import requests
import responses

from shop import payments
from shop.models import Order
from tests.shop.factories import OrderFactory, OrderLineFactory
from tests.shop.factories_payments import sign

pytestmark = pytest.mark.django_db

SESSION_URL = "https://api.stripe.com/v1/checkout/sessions"
SESSION_BODY = {
    "id": "cs_test_a1B2c3",
    "object": "checkout.session",
    "mode": "payment",
    "status": "open",
    "payment_status": "unpaid",
    "url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3",
    "client_reference_id": "KG-TEST",
    "metadata": {"order_number": "KG-TEST"},
}


@pytest.fixture
def gateway(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.SHOP_PAYMENT_GATEWAY = "stripe"
    return payments.get_gateway()


@pytest.fixture(autouse=True)
def no_retry_sleep(monkeypatch):
    from stripe import _http_client

    monkeypatch.setattr(_http_client.HTTPClient, "_sleep_time_seconds", lambda self, *a, **k: 0)


def form(request):
    return parse_qs(request.body if isinstance(request.body, str) else request.body.decode())


def lines_for(order):
    return [
        payments.CheckoutLine(
            name=f"{line.service_name} — {line.plan_name}",
            unit_price=line.unit_price,
            quantity=line.quantity,
            interval="" if line.billing == "one_off" else line.billing,
        )
        for line in order.lines.all()
    ]


def test_get_gateway_follows_the_setting(settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    assert payments.get_gateway().is_demo
    settings.SHOP_PAYMENT_GATEWAY = "bogus"
    with pytest.raises(Exception, match="Unknown SHOP_PAYMENT_GATEWAY"):
        payments.get_gateway()


def test_amounts_are_converted_with_decimal():
    assert payments.to_minor_units(Decimal("19.99")) == 1999
    assert payments.to_minor_units(Decimal("0.10")) == 10
    assert payments.to_minor_units(Decimal("1234.565")) == 123457
    assert payments.from_minor_units(1999) == Decimal("19.99")


@responses.activate
def test_checkout_session_request_carries_our_prices_ids_and_no_personal_data_in_metadata(gateway):
    order = OrderFactory(total=Decimal("218.99"), email="ada@example.com")
    OrderLineFactory(order=order, plan__price=Decimal("19.99"), quantity=1)
    OrderLineFactory(order=order, plan__price=Decimal("99.50"), quantity=2)
    responses.post(SESSION_URL, json=SESSION_BODY)

    session_id, url = gateway.create_checkout_session(
        order=order, lines=lines_for(order), success_url="https://shop.test/ok", cancel_url="https://shop.test/no"
    )

    assert (session_id, url) == ("cs_test_a1B2c3", "https://checkout.stripe.com/c/pay/cs_test_a1B2c3")
    request = responses.calls[0].request
    body = form(request)
    assert body["mode"] == ["payment"]
    assert body["line_items[0][price_data][unit_amount]"] == ["1999"]
    assert body["line_items[1][price_data][unit_amount]"] == ["9950"]
    assert body["line_items[1][quantity]"] == ["2"]
    assert body["line_items[0][price_data][currency]"] == ["gbp"]
    assert "line_items[0][price_data][recurring][interval]" not in body
    assert body["client_reference_id"] == [order.number]
    assert body["metadata[order_number]"] == [order.number]
    assert body["payment_intent_data[metadata][order_number]"] == [order.number]
    assert body["customer_email"] == ["ada@example.com"]
    metadata_values = [v for k, vs in body.items() if "metadata" in k for v in vs]
    assert metadata_values == [order.number, order.number]
    assert request.headers["Idempotency-Key"] == f"order-{order.number}-checkout"
    assert request.headers["Stripe-Version"] == payments.STRIPE_API_VERSION


@responses.activate
def test_recurring_lines_make_a_subscription_session(gateway):
    order = OrderFactory(mode=Order.Mode.SUBSCRIPTION)
    OrderLineFactory(order=order, plan__billing="month", plan__price=Decimal("49.00"))
    OrderLineFactory(order=order, plan__price=Decimal("300.00"))
    responses.post(SESSION_URL, json={**SESSION_BODY, "mode": "subscription"})

    gateway.create_checkout_session(
        order=order, lines=lines_for(order), success_url="https://s/ok", cancel_url="https://s/no"
    )

    body = form(responses.calls[0].request)
    assert body["mode"] == ["subscription"]
    assert body["line_items[0][price_data][recurring][interval]"] == ["month"]
    assert "line_items[1][price_data][recurring][interval]" not in body
    assert body["subscription_data[metadata][order_number]"] == [order.number]
    assert "payment_intent_data[metadata][order_number]" not in body


@responses.activate
def test_pay06_a_timeout_is_retried_with_the_same_idempotency_key_and_one_session(gateway):
    order = OrderFactory()
    OrderLineFactory(order=order)
    responses.post(SESSION_URL, body=requests.exceptions.ConnectTimeout("timed out"))
    responses.post(SESSION_URL, json=SESSION_BODY)

    session_id, _ = gateway.create_checkout_session(
        order=order, lines=lines_for(order), success_url="https://s/ok", cancel_url="https://s/no"
    )

    keys = [call.request.headers["Idempotency-Key"] for call in responses.calls]
    assert keys == [f"order-{order.number}-checkout"] * 2
    assert session_id == "cs_test_a1B2c3"


@responses.activate
def test_pay06_a_retry_of_the_whole_checkout_reuses_the_key(gateway):
    from shop import services

    order = OrderFactory()
    OrderLineFactory(order=order)
    responses.post(SESSION_URL, body=requests.exceptions.ConnectionError("reset"))
    responses.post(SESSION_URL, body=requests.exceptions.ConnectionError("reset"))
    responses.post(SESSION_URL, body=requests.exceptions.ConnectionError("reset"))
    responses.post(SESSION_URL, json=SESSION_BODY)

    with pytest.raises(payments.TransientPaymentError):
        services.order_payment_start(order=order, success_url="https://s/ok", cancel_url="https://s/no")
    url = services.order_payment_start(order=order, success_url="https://s/ok", cancel_url="https://s/no")

    assert {call.request.headers["Idempotency-Key"] for call in responses.calls} == {f"order-{order.number}-checkout"}
    assert url == SESSION_BODY["url"]
    order.refresh_from_db()
    assert order.stripe_checkout_session_id == "cs_test_a1B2c3"


@responses.activate
def test_an_expired_session_is_replaced_with_a_new_key(gateway):
    from shop import services

    order = OrderFactory(stripe_checkout_session_id="cs_test_old000000001")
    OrderLineFactory(order=order)
    responses.get(
        f"{SESSION_URL}/cs_test_old000000001",
        json={**SESSION_BODY, "id": "cs_test_old000000001", "status": "expired", "url": None},
    )
    responses.post(SESSION_URL, json=SESSION_BODY)

    services.order_payment_start(order=order, success_url="https://s/ok", cancel_url="https://s/no")

    assert responses.calls[1].request.headers["Idempotency-Key"] == f"order-{order.number}-checkout-after-old000000001"


@responses.activate
def test_declined_request_is_not_transient(gateway):
    order = OrderFactory()
    responses.post(
        SESSION_URL,
        status=400,
        json={
            "error": {"type": "invalid_request_error", "code": "parameter_invalid", "message": "ada@example.com is bad"}
        },
    )

    with pytest.raises(payments.PaymentError) as caught:
        gateway.create_checkout_session(order=order, lines=[], success_url="https://s/ok", cancel_url="https://s/no")

    assert not isinstance(caught.value, payments.TransientPaymentError)
    assert "ada@example.com" not in str(caught.value)


@responses.activate
def test_cancel_at_period_end_sends_the_flag_and_key(gateway):
    responses.post(
        "https://api.stripe.com/v1/subscriptions/sub_123",
        json={
            "id": "sub_123",
            "object": "subscription",
            "status": "active",
            "cancel_at_period_end": True,
            "customer": "cus_1",
            "items": {
                "object": "list",
                "data": [{"id": "si_1", "object": "subscription_item", "current_period_end": 1798243200}],
            },
        },
    )

    state = gateway.cancel_subscription_at_period_end(
        stripe_subscription_id="sub_123", idempotency_key="subscription-sub_123-cancel"
    )

    request = responses.calls[0].request
    assert form(request) == {"cancel_at_period_end": ["true"]}
    assert request.headers["Idempotency-Key"] == "subscription-sub_123-cancel"
    assert state["cancel_at_period_end"] is True
    assert state["current_period_end"] == 1798243200


@responses.activate
def test_payment_card_keeps_only_brand_and_last4(gateway):
    responses.get(
        "https://api.stripe.com/v1/payment_intents/pi_1",
        json={
            "id": "pi_1",
            "object": "payment_intent",
            "latest_charge": {
                "id": "ch_1",
                "object": "charge",
                "billing_details": {"email": "ada@example.com"},
                "payment_method_details": {
                    "type": "card",
                    "card": {"brand": "visa", "last4": "4242", "exp_year": 2030},
                },
            },
        },
    )

    assert gateway.payment_card(payment_intent_id="pi_1") == ("visa", "4242")
    assert "expand%5B0%5D=latest_charge" in responses.calls[0].request.url


@responses.activate
def test_list_events_asks_for_the_window_and_types(gateway):
    responses.get(
        "https://api.stripe.com/v1/events",
        json={
            "object": "list",
            "url": "/v1/events",
            "has_more": False,
            "data": [
                {
                    "id": "evt_2",
                    "object": "event",
                    "type": "invoice.paid",
                    "created": 200,
                    "data": {"object": {"id": "in_1"}},
                },
                {
                    "id": "evt_1",
                    "object": "event",
                    "type": "charge.refunded",
                    "created": 100,
                    "data": {"object": {"id": "ch_1"}},
                },
            ],
        },
    )
    from datetime import UTC, datetime

    events = gateway.list_events(since=datetime(2026, 11, 21, tzinfo=UTC), types=["invoice.paid", "charge.refunded"])

    assert [e["id"] for e in events] == ["evt_1", "evt_2"]
    query = parse_qs(responses.calls[0].request.url.split("?", 1)[1])
    assert query["created[gte]"] == [str(int(datetime(2026, 11, 21, tzinfo=UTC).timestamp()))]
    assert query["types[0]"] == ["invoice.paid"]


def test_construct_event_accepts_a_locally_signed_payload(gateway):
    body = json.dumps(
        {"id": "evt_1", "object": "event", "type": "invoice.paid", "data": {"object": {"id": "in_1"}}}
    ).encode()

    event = gateway.construct_event(payload=body, sig_header=sign(body))

    assert event["id"] == "evt_1"
    assert event["data"]["object"]["id"] == "in_1"


@pytest.mark.parametrize("case", ["tampered", "wrong_secret", "too_old", "missing", "garbage_header", "not_json"])
def test_construct_event_refuses_untrusted_payloads(gateway, case):
    body = json.dumps({"id": "evt_1", "object": "event", "type": "invoice.paid", "data": {"object": {}}}).encode()
    header = sign(body)
    if case == "tampered":
        body = body.replace(b"evt_1", b"evt_2")
    elif case == "wrong_secret":
        header = sign(body, secret="whsec_other")
    elif case == "too_old":
        header = sign(body, timestamp=time.time() - 301)
    elif case == "missing":
        header = None
    elif case == "garbage_header":
        header = "nonsense"
    elif case == "not_json":
        body = b"not json"
        header = sign(body)

    with pytest.raises(payments.InvalidWebhook):
        gateway.construct_event(payload=body, sig_header=header)


def test_the_api_version_is_pinned():
    import stripe

    assert payments.STRIPE_API_VERSION == "2026-10-28.endive"
    assert stripe.api_version == payments.STRIPE_API_VERSION


@responses.activate
def test_a_returning_customer_is_passed_as_the_stripe_customer_not_an_email(gateway):
    from shop import services

    earlier = OrderFactory(stripe_customer_id="cus_known", status=Order.Status.PAID)
    order = OrderFactory(user=earlier.user)
    OrderLineFactory(order=order)
    responses.post(SESSION_URL, json=SESSION_BODY)

    services.order_payment_start(order=order, success_url="https://s/ok", cancel_url="https://s/no")

    body = form(responses.calls[0].request)
    assert body["customer"] == ["cus_known"]
    assert "customer_email" not in body


CUSTOMER_URL = "https://api.stripe.com/v1/customers/cus_test_42"
NO_SUCH_CUSTOMER = {
    "error": {
        "code": "resource_missing",
        "message": "No such customer: 'cus_test_42'",
        "param": "id",
        "type": "invalid_request_error",
    }
}


@responses.activate
def test_pr03_erasure_deletes_the_stripe_customer(gateway):
    responses.delete(CUSTOMER_URL, json={"id": "cus_test_42", "object": "customer", "deleted": True})

    gateway.delete_customer(customer_id="cus_test_42")

    assert [(c.request.method, c.request.url) for c in responses.calls] == [("DELETE", CUSTOMER_URL)]


@responses.activate
def test_pr03_a_customer_already_deleted_counts_as_deleted(gateway):
    responses.delete(CUSTOMER_URL, status=404, json=NO_SUCH_CUSTOMER)

    gateway.delete_customer(customer_id="cus_test_42")

    assert len(responses.calls) == 1


@responses.activate
def test_pr03_stripe_down_is_a_transient_error_to_retry(gateway):
    responses.delete(CUSTOMER_URL, status=503, json={"error": {"type": "api_error", "message": "down"}})

    with pytest.raises(payments.TransientPaymentError):
        gateway.delete_customer(customer_id="cus_test_42")


@responses.activate
def test_pr09_rectification_corrects_the_stripe_customer(gateway):
    responses.post(CUSTOMER_URL, json={"id": "cus_test_42", "object": "customer"})

    gateway.update_customer(
        customer_id="cus_test_42", fields={"name": "Ada King", "address": {"line1": "2 Market Street"}}
    )

    sent = form(responses.calls[0].request)
    assert sent == {"name": ["Ada King"], "address[line1]": ["2 Market Street"]}
