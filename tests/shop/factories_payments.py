"""Test doubles at the payment edge: an in-memory gateway, signed webhook payloads and
Stripe-shaped event builders."""

import hashlib
import hmac
import itertools
import json
import time

from django.conf import settings

from shop.models import Cart, CartLine
from shop.payments import Gateway, PaymentError, TransientPaymentError

_ids = itertools.count(1)


class FakeGateway(Gateway):
    """Records every call; behaves like Stripe for idempotency keys."""

    name = "fake"

    def __init__(self):
        self.sessions = {}  # idempotency key -> session dict
        self.cancel_calls = []
        self.events = []
        self.subscriptions = {}
        self.cards = {}
        self.listed = []
        self.deleted_customers = []
        self.updated_customers = []
        self.refunds = {}  # idempotency key -> refund dict
        self.tax_rates = {}  # idempotency key -> tax rate dict
        #: How many customer calls fail (as Stripe being unreachable) before they succeed.
        self.customer_failures = 0
        self.price_changes = []
        self.scheduled_prices = []
        self.cancel_now_calls = []
        self.resume_calls = []
        self.portal_sessions = []
        self.coupons = {}
        #: When true, the card is declined for a prorated charge.
        self.decline_changes = False

    def create_checkout_session(
        self, *, order, lines, success_url, cancel_url, idempotency_key=None, customer_id="", coupon_id=""
    ):
        if idempotency_key not in self.sessions:
            session_id = f"cs_test_{next(_ids):06d}"
            self.sessions[idempotency_key] = {
                "id": session_id,
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "status": "open",
                "order_number": order.number,
                "lines": list(lines),
                "success_url": success_url,
                "cancel_url": cancel_url,
                "customer_id": customer_id,
                "coupon_id": coupon_id,
            }
        session = self.sessions[idempotency_key]
        return session["id"], session["url"]

    def checkout_session_url(self, *, session_id):
        for session in self.sessions.values():
            if session["id"] == session_id:
                return session["url"] if session["status"] == "open" else ""
        return ""

    def cancel_subscription_at_period_end(self, *, stripe_subscription_id, idempotency_key):
        self.cancel_calls.append((stripe_subscription_id, idempotency_key))
        return {"id": stripe_subscription_id, "cancel_at_period_end": True}

    def retrieve_subscription(self, *, stripe_subscription_id):
        return self.subscriptions.get(stripe_subscription_id, {})

    def change_subscription_price(
        self, *, stripe_subscription_id, unit_price, interval, currency, proration_date, idempotency_key
    ):
        if self.decline_changes:
            raise PaymentError("card_declined")
        self.price_changes.append((stripe_subscription_id, unit_price, interval, proration_date, idempotency_key))
        return {"id": stripe_subscription_id}

    def schedule_subscription_price(self, *, stripe_subscription_id, unit_price, interval, currency, idempotency_key):
        self.scheduled_prices.append((stripe_subscription_id, unit_price, interval, idempotency_key))
        return {"id": stripe_subscription_id}

    def cancel_subscription_now(self, *, stripe_subscription_id, idempotency_key):
        self.cancel_now_calls.append((stripe_subscription_id, idempotency_key))
        return {"id": stripe_subscription_id, "status": "canceled"}

    def resume_subscription(self, *, stripe_subscription_id, idempotency_key):
        self.resume_calls.append(stripe_subscription_id)
        return {"id": stripe_subscription_id, "cancel_at_period_end": False}

    def billing_portal_url(self, *, customer_id, return_url):
        self.portal_sessions.append((customer_id, return_url))
        return f"https://billing.stripe.test/p/session/{customer_id}"

    def create_coupon(self, *, amount_off, currency, duration, duration_in_months, name, idempotency_key):
        if idempotency_key not in self.coupons:
            self.coupons[idempotency_key] = {
                "id": f"coupon_test_{next(_ids):06d}",
                "amount_off": amount_off,
                "duration": duration,
                "duration_in_months": duration_in_months,
            }
        return self.coupons[idempotency_key]["id"]

    def payment_card(self, *, payment_intent_id):
        return self.cards.get(payment_intent_id, ("", ""))

    def list_events(self, *, since, types):
        self.listed.append((since, tuple(types)))
        return [e for e in self.events if e["type"] in types and e["created"] >= int(since.timestamp())]

    def retrieve_event(self, *, event_id):
        return next((e for e in self.events if e["id"] == event_id), None)

    def _customer_call(self):
        if self.customer_failures:
            self.customer_failures -= 1
            raise TransientPaymentError("APIConnectionError")

    def create_refund(self, *, payment_intent_id, amount, idempotency_key, metadata):
        if idempotency_key not in self.refunds:
            self.refunds[idempotency_key] = {
                "id": f"re_test_{next(_ids):06d}",
                "payment_intent": payment_intent_id,
                "amount": amount,
                "metadata": dict(metadata),
            }
        return self.refunds[idempotency_key]["id"]

    def create_tax_rate(self, *, percentage, display_name, description, jurisdiction, idempotency_key):
        if idempotency_key not in self.tax_rates:
            self.tax_rates[idempotency_key] = {"id": f"txr_test_{next(_ids):06d}", "percentage": percentage}
        return self.tax_rates[idempotency_key]["id"]

    def delete_customer(self, *, customer_id):
        self._customer_call()
        self.deleted_customers.append(customer_id)

    def update_customer(self, *, customer_id, fields):
        self._customer_call()
        self.updated_customers.append((customer_id, fields))


def sign(body: bytes, *, secret=None, timestamp=None) -> str:
    """The Stripe-Signature header Stripe would send for `body`."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    secret = settings.STRIPE_WEBHOOK_SECRET if secret is None else secret
    signed = f"{timestamp}.{body.decode()}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(type_, obj, *, event_id=None, created=None):
    return {
        "id": event_id or f"evt_test_{next(_ids):06d}",
        "object": "event",
        "type": type_,
        "api_version": "2026-10-28.endive",
        "created": int(time.time()) if created is None else int(created),
        "livemode": False,
        "data": {"object": obj},
    }


def session_completed(order, *, subscription=None, payment_intent="pi_test_1", amount=None):
    from shop.payments import to_minor_units

    return {
        "id": f"cs_test_for_{order.number}",
        "object": "checkout.session",
        "mode": "subscription" if subscription else "payment",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number},
        "amount_total": to_minor_units(order.total) if amount is None else amount,
        "currency": order.currency,
        "customer": "cus_test_1",
        "customer_email": order.email,
        "customer_details": {"email": order.email, "name": "Ada Lovelace", "address": {"line1": "1 Market Street"}},
        "payment_intent": None if subscription else payment_intent,
        "subscription": subscription,
    }


def charge_refunded(order, *, payment_intent="pi_test_1", refunded=True):
    return {
        "id": "ch_test_1",
        "object": "charge",
        "amount": 10000,
        "amount_refunded": 10000 if refunded else 100,
        "refunded": refunded,
        "payment_intent": payment_intent,
        "metadata": {"order_number": order.number},
        "billing_details": {"email": order.email, "name": "Ada Lovelace"},
    }


def invoice(subscription_id, *, invoice_id="in_test_1", amount=4900, period_end=1798243200, status="paid"):
    return {
        "id": invoice_id,
        "object": "invoice",
        "number": "KG-INV-0001",
        "status": status,
        "amount_paid": amount if status == "paid" else 0,
        "amount_due": amount,
        "currency": "gbp",
        "hosted_invoice_url": f"https://invoice.stripe.test/{invoice_id}",
        "customer_email": "someone@example.com",
        "created": 1795651200,
        "parent": {
            "subscription_details": {"subscription": subscription_id, "metadata": {}},
            "type": "subscription_details",
        },
        "lines": {"data": [{"period": {"start": 1795651200, "end": period_end}}]},
    }


def post_event(client, evt, **kwargs):
    body = json.dumps(evt).encode()
    return client.post(
        "/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body, **kwargs)
    )


def cart_with(user, *plans, quantity=1):
    cart, _ = Cart.objects.get_or_create(user=user)
    for plan in plans:
        CartLine.objects.create(cart=cart, plan=plan, quantity=quantity)
    return cart


def guest_cart(client, *plans, quantity=1):
    session = client.session
    session["cart"] = {str(plan.pk): quantity for plan in plans}
    session.save()


BILLING = {
    "billing_name": "Ada Lovelace",
    "billing_company": "Analytical Ltd",
    "billing_line1": "1 Market Street",
    "billing_line2": "",
    "billing_city": "London",
    "billing_postcode": "EC1A 1BB",
    "billing_country": "gb",
}
