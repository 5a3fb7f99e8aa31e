"""A signed Stripe webhook whose body is not shaped like an event gets a 400 and writes
nothing (PAY-01): the signature proves the sender, not the shape."""

import copy
import json

import pytest

from shop import payments
from shop.models import Order, StripeEvent
from tests.shop.factories import OrderFactory, OrderLineFactory
from tests.shop.factories_payments import event, session_completed, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def good_event():
    order = OrderFactory()
    OrderLineFactory(order=order)
    return event("checkout.session.completed", session_completed(order), event_id="evt_shape_1")


def _set(path, value):
    def change(evt):
        *parents, last = path.split(".")
        target = evt
        for key in parents:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
        return evt

    return change


_DELETE = object()

SHAPES = {
    "body is a JSON array": lambda evt: [evt],
    "body is a JSON string": lambda evt: "evt_shape_1",
    "body is JSON null": lambda evt: None,
    "id missing": _set("id", _DELETE),
    "id empty": _set("id", ""),
    "id a number": _set("id", 12),
    "id with a NUL character": _set("id", "evt_\x00"),
    "id longer than 255": _set("id", "evt_" + "x" * 252),
    "type missing": _set("type", _DELETE),
    "type an object": _set("type", {"name": "checkout.session.completed"}),
    "created a string": _set("created", "yesterday"),
    "created a float": _set("created", 1.7e9),
    "created a boolean": _set("created", True),
    "created past year 9999": _set("created", 10**12),
    "created negative": _set("created", -1),
    "livemode a string": _set("livemode", "false"),
    "data missing": _set("data", _DELETE),
    "data a list": _set("data", [{"object": {}}]),
    "data.object missing": _set("data.object", _DELETE),
    "data.object a list": _set("data.object", [{"id": "cs_1"}]),
    "data.object a string": _set("data.object", "cs_1"),
    "data.object.id a list": _set("data.object.id", ["cs_1"]),
    "data.object.metadata a list": _set("data.object.metadata", ["order_number"]),
    "data.object.customer a list": _set("data.object.customer", ["cus_1"]),
    "data.object.parent a string": _set("data.object.parent", "sub_1"),
    "data.object.lines a list": _set("data.object.lines", [{"period": {}}]),
    "data.object.lines.data strings": _set("data.object.lines", {"data": ["il_1"]}),
    "data.object.lines.data.period a list": _set("data.object.lines", {"data": [{"period": [1, 2]}]}),
    "data.object.items.data a dict": _set("data.object.items", {"data": {"current_period_end": 1}}),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_pay01_signed_event_of_the_wrong_shape_gets_400_and_writes_nothing(
    client, good_event, shape, django_assert_num_queries
):
    body = json.dumps(SHAPES[shape](copy.deepcopy(good_event))).encode()

    with django_assert_num_queries(0):
        response = client.post(
            "/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
        )

    assert response.status_code == 400
    assert response.text == "Invalid webhook signature."
    assert StripeEvent.objects.count() == 0
    assert Order.objects.get().status == Order.Status.PENDING


@pytest.mark.parametrize("shape", list(SHAPES))
def test_event_shape_problem_names_the_field(good_event, shape):
    problem = payments.event_shape_problem(SHAPES[shape](copy.deepcopy(good_event)))
    assert problem != ""


def test_event_shape_problem_accepts_stripe_shapes(good_event):
    expanded = copy.deepcopy(good_event)
    expanded["data"]["object"].update(
        {
            "customer": {"id": "cus_1", "object": "customer"},
            "lines": {"object": "list", "data": [{"period": {"start": 1, "end": 2}}]},
            "items": {"object": "list", "data": [{"current_period_end": 2}]},
            "parent": {"subscription_details": {"subscription": "sub_1"}},
        }
    )
    without_created = {key: value for key, value in good_event.items() if key != "created"}

    assert payments.event_shape_problem(good_event) == ""
    assert payments.event_shape_problem(expanded) == ""
    assert payments.event_shape_problem(without_created) == ""


def test_a_refused_shape_is_logged_without_the_body(client, good_event, caplog):
    body = json.dumps(_set("data.object", [])(copy.deepcopy(good_event))).encode()

    client.post("/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body))

    assert "Refused a signed Stripe webhook: 'data.object' is not an object." in caplog.text
    assert "evt_shape_1" not in caplog.text
