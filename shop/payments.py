"""The payment gateway: the only module that talks to Stripe.

Everything the shop needs from Stripe goes through the small interface below, so the
rest of the code never imports `stripe`. `get_gateway()` picks the implementation from
settings.SHOP_PAYMENT_GATEWAY:

- "stripe": Stripe Checkout over HTTPS, with the API version pinned below;
- "demo": no network at all; checkout goes to our own clearly labelled demo payment page,
  which runs the same fulfilment code as the Stripe webhook.

Tests register an in-memory fake under another name (see tests/shop/conftest.py).

Privacy: Stripe receives our ids only (order number in metadata and client_reference_id),
the amounts and the names of the services. The customer's email is passed as
`customer_email` so that Stripe can send the receipt of the customer's own payment.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from shop import conf

logger = logging.getLogger(__name__)

# Every request states this version, so a change of the account's default version in the
# Stripe dashboard cannot change the shapes our handlers read.
STRIPE_API_VERSION = "2026-10-28.endive"
stripe.api_version = STRIPE_API_VERSION
# Stripe refuses signatures older than this (seconds); the library's default, stated here.
WEBHOOK_TOLERANCE = 300
# Stripe retries a request that failed on the network with the same idempotency key.
NETWORK_RETRIES = 2

INTERVALS = {"month": "month", "year": "year"}


class PaymentError(Exception):
    """Stripe refused the request (bad parameters, card declined...): retrying will not help."""


class TransientPaymentError(PaymentError):
    """Network trouble, rate limit or a Stripe 5xx: the same request may succeed later."""


class InvalidWebhook(Exception):
    """The webhook body or its signature cannot be trusted."""


@dataclass(frozen=True)
class CheckoutLine:
    """One line of a checkout as Stripe will show it; built from our database only.
    `unit_price` excludes VAT; `tax_rate_id` is the Stripe tax rate adding our VAT."""

    name: str
    unit_price: Decimal
    quantity: int
    interval: str = ""  # "", "month" or "year"
    tax_rate_id: str = ""
    # Shown under the name on Stripe's page: whether the line is charged once or renews.
    description: str = ""


def to_minor_units(amount: Decimal) -> int:
    """Pounds to pence with Decimal arithmetic (never floats)."""
    return int((Decimal(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_minor_units(amount) -> Decimal:
    return (Decimal(int(amount or 0)) / 100).quantize(Decimal("0.01"))


def checkout_idempotency_key(order, attempt: str = "") -> str:
    """Derived from our ids: a retried request (network timeout, double click, task retry)
    reuses it, so Stripe creates one session."""
    return f"order-{order.number}-checkout" + (f"-{attempt}" if attempt else "")


class Gateway:
    """The interface every gateway implements."""

    name = ""
    #: True when the customer pays on our own demo page instead of a payment provider.
    is_demo = False

    def create_checkout_session(
        self, *, order, lines, success_url, cancel_url, idempotency_key=None, customer_id="", coupon_id=""
    ):
        """Start a hosted payment for `order`; return (session_id, url). `customer_id` is
        the Stripe customer of the buyer's earlier orders, so their plans stay together; `coupon_id` a coupon made
        for this order's promotion code (shop.promotions)."""
        raise NotImplementedError

    def checkout_session_url(self, *, session_id):
        """The URL of a session the customer can still pay on, or "" if it is over."""
        raise NotImplementedError

    def cancel_subscription_at_period_end(self, *, stripe_subscription_id, idempotency_key):
        """Ask for the subscription to end at its current period end; return its current state."""
        raise NotImplementedError

    def retrieve_subscription(self, *, stripe_subscription_id):
        """The subscription's state: {"id", "status", "cancel_at_period_end", "current_period_end"}."""
        raise NotImplementedError

    def change_subscription_price(
        self, *, stripe_subscription_id, unit_price, interval, currency, proration_date, idempotency_key
    ):
        """Move a one-plan subscription to a new price now, prorated to the second at
        `proration_date` and invoiced at once; a card that fails leaves it unchanged
        (PaymentError). Returns the subscription's state."""
        raise NotImplementedError

    def schedule_subscription_price(self, *, stripe_subscription_id, unit_price, interval, currency, idempotency_key):
        """Bill a one-plan subscription at a new price from the end of its current period,
        with no proration. Returns the subscription's state."""
        raise NotImplementedError

    def cancel_subscription_now(self, *, stripe_subscription_id, idempotency_key):
        """End the subscription at once, with no proration credit or refund; return its state."""
        raise NotImplementedError

    def resume_subscription(self, *, stripe_subscription_id, idempotency_key):
        """Undo a cancellation at period end; return the subscription's state."""
        raise NotImplementedError

    def billing_portal_url(self, *, customer_id, return_url):
        """A short-lived link to the provider's customer portal (cards, invoices, cancel)."""
        raise NotImplementedError

    def create_coupon(self, *, amount_off, currency, duration, duration_in_months, name, idempotency_key):
        """A single-use coupon for an exact amount off per invoice; return its id."""
        raise NotImplementedError

    def payment_card(self, *, payment_intent_id):
        """(brand, last4) of the card that paid, or ("", "")."""
        raise NotImplementedError

    def list_events(self, *, since, types):
        """Events created since `since` (an aware datetime) of the given types, oldest first."""
        raise NotImplementedError

    def retrieve_event(self, *, event_id):
        """One event as a dict, or None when it cannot be fetched."""
        raise NotImplementedError

    def create_refund(self, *, payment_intent_id, amount, idempotency_key, metadata):
        """Refund `amount` (Decimal pounds) of a payment; return the provider's refund id.
        The key makes a retried request one refund."""
        raise NotImplementedError

    def create_tax_rate(self, *, percentage, display_name, description, jurisdiction, idempotency_key):
        """Make an exclusive tax rate (percentage a Decimal, 20 for 20%); return its id."""
        raise NotImplementedError

    def delete_customer(self, *, customer_id):
        """Delete a customer and what the provider keeps with it (saved cards, details), for an
        erasure (GDPR Art. 17(2)). A customer already gone counts as deleted."""
        raise NotImplementedError

    def update_customer(self, *, customer_id, fields):
        """Correct a customer's details (``{"name", "email", "address": {...}}``, Stripe's
        names) after a rectification (GDPR Art. 19). A customer already gone is left alone."""
        raise NotImplementedError

    def construct_event(self, *, payload: bytes, sig_header):
        """Verify a webhook's signature on the raw body and return the event as a dict.

        Raises InvalidWebhook for a missing, wrong or expired signature or a body that is
        not a Stripe event.
        """
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not sig_header or not secret:
            raise InvalidWebhook("missing signature")
        try:
            stripe.WebhookSignature.verify_header(payload, sig_header, secret, WEBHOOK_TOLERANCE)
            # Parsed here rather than by stripe.Webhook.construct_event, which fails with an
            # AttributeError on a body that is valid JSON but not an object.
            event = json.loads(payload)
        except stripe.SignatureVerificationError:
            raise InvalidWebhook("bad signature") from None
        except (ValueError, KeyError, IndexError):
            raise InvalidWebhook("malformed body or header") from None
        problem = event_shape_problem(event)
        if problem:
            logger.warning("Refused a signed Stripe webhook: %s.", problem)
            raise InvalidWebhook(f"not an event: {problem}")
        return event


# The latest time a datetime can hold (9999-12-31T23:59:59Z): anything later cannot be stored.
MAX_TIMESTAMP = 253_402_300_799
# Stripe's list objects and sub-objects in the fields our handlers read (see
# shop.services.stripe_object_minimise), and the ids that Stripe may expand into objects.
EVENT_OBJECT_CONTAINERS = ("metadata", "parent", "lines", "items", "refunds", "total_details", "cancellation_details")
EVENT_OBJECT_EXPANDABLE = ("customer", "subscription", "payment_intent", "invoice", "charge")
# Amounts in minor units the handlers add up (a refund's amount, the taxes of an invoice).
EVENT_OBJECT_AMOUNTS = ("amount", "amount_total", "amount_paid", "amount_refunded", "tax")


def _is_stripe_string(value, *, max_length=255):
    return isinstance(value, str) and 0 < len(value) <= max_length and "\x00" not in value


def _is_amount(value):
    return type(value) is int and 0 <= value <= 10**12


def event_shape_problem(event) -> str:
    """What makes a verified webhook body unusable as a Stripe event, or "" when it is usable.

    The signature proves who sent a body, not its shape: a field of the wrong type would
    fail while the event is stored, a 500 that Stripe retries for days, instead of a 400.
    Checks the envelope we store (id, type, created, livemode) and the types of the parts
    of `data.object` that the handlers read; the values themselves are the handlers' job.
    """
    if not isinstance(event, dict):
        return "the body is not a JSON object"
    if not _is_stripe_string(event.get("id")):
        return "'id' is not an id"
    if not _is_stripe_string(event.get("type"), max_length=100):
        return "'type' is not an event type"
    created = event.get("created")
    if created is not None and (type(created) is not int or not 0 <= created <= MAX_TIMESTAMP):
        return "'created' is not a Unix time"
    if not isinstance(event.get("livemode", False), bool):
        return "'livemode' is not true or false"
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        return "'data.object' is not an object"
    if "id" in obj and not (obj["id"] is None or _is_stripe_string(obj["id"])):
        return "'data.object.id' is not an id"
    for key in EVENT_OBJECT_CONTAINERS:
        if obj.get(key) is not None and not isinstance(obj[key], dict):
            return f"'data.object.{key}' is not an object"
    for key in EVENT_OBJECT_EXPANDABLE:
        value = obj.get(key)
        if value is not None and not (_is_stripe_string(value) or isinstance(value, dict)):
            return f"'data.object.{key}' is neither an id nor an object"
    attempts = obj.get("attempt_count")
    if attempts is not None and (type(attempts) is not int or attempts < 0):
        return "'data.object.attempt_count' is not a count"
    parent = obj.get("parent") or {}
    if parent.get("subscription_details") is not None and not isinstance(parent["subscription_details"], dict):
        return "'data.object.parent.subscription_details' is not an object"
    for key in EVENT_OBJECT_AMOUNTS:
        if obj.get(key) is not None and not _is_amount(obj[key]):
            return f"'data.object.{key}' is not an amount"
    taxes = obj.get("total_taxes")
    if taxes is not None and not (
        isinstance(taxes, list) and all(isinstance(t, dict) and _is_amount(t.get("amount", 0)) for t in taxes)
    ):
        return "'data.object.total_taxes' is not a list of amounts"
    for refund in (obj.get("refunds") or {}).get("data") or []:
        if (
            not isinstance(refund, dict)
            or not _is_stripe_string(refund.get("id"))
            or not _is_amount(refund.get("amount"))
        ):
            return "'data.object.refunds.data' is not a list of refunds"
    for key in ("lines", "items"):
        rows = (obj.get(key) or {}).get("data")
        if rows is not None and not (isinstance(rows, list) and all(isinstance(row, dict) for row in rows)):
            return f"'data.object.{key}.data' is not a list of objects"
        if key == "lines" and any(not isinstance(row.get("period") or {}, dict) for row in rows or []):
            return "'data.object.lines.data.period' is not an object"
    return ""


class StripeGateway(Gateway):
    name = "stripe"

    def __init__(self, *, api_key=None, http_client=None):
        api_key = api_key or settings.STRIPE_SECRET_KEY
        if not api_key:
            raise ImproperlyConfigured("SHOP_PAYMENT_GATEWAY is 'stripe' but STRIPE_SECRET_KEY is empty.")
        self.client = stripe.StripeClient(
            api_key,
            stripe_version=STRIPE_API_VERSION,
            max_network_retries=NETWORK_RETRIES,
            http_client=http_client,
        )

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise TransientPaymentError(type(exc).__name__) from exc
        except stripe.APIError as exc:
            raise TransientPaymentError(f"Stripe error {exc.http_status}") from exc
        except stripe.StripeError as exc:
            # The message can name the request's values; keep only the code for our logs.
            raise PaymentError(getattr(exc, "code", None) or type(exc).__name__) from exc

    def create_checkout_session(
        self, *, order, lines, success_url, cancel_url, idempotency_key=None, customer_id="", coupon_id=""
    ):
        recurring = [line for line in lines if line.interval]
        metadata = {"order_number": order.number}
        params = {
            "mode": "subscription" if recurring else "payment",
            "line_items": [_line_item(line, order.currency) for line in lines],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": order.number,
            "metadata": metadata,
            # The customer's VAT number goes on Stripe's receipts too; ours is checked at checkout.
            "tax_id_collection": {"enabled": True},
        }
        # Stripe takes one or the other: a known customer keeps their receipts and plans together.
        if customer_id:
            params["customer"] = customer_id
        else:
            params["customer_email"] = order.email
        # The metadata follows the money, so a refund or an invoice can be tied to the
        # order even when it arrives before the checkout's own event.
        if coupon_id:
            params["discounts"] = [{"coupon": coupon_id}]
        if recurring:
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["payment_intent_data"] = {"metadata": metadata}
        session = self._call(
            self.client.v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": idempotency_key or checkout_idempotency_key(order)},
        )
        return session.id, session.url

    def checkout_session_url(self, *, session_id):
        session = self._call(self.client.v1.checkout.sessions.retrieve, session_id)
        return session.url if session.status == "open" else ""

    def cancel_subscription_at_period_end(self, *, stripe_subscription_id, idempotency_key):
        subscription = self._call(
            self.client.v1.subscriptions.update,
            stripe_subscription_id,
            params={"cancel_at_period_end": True},
            options={"idempotency_key": idempotency_key},
        )
        return subscription_state(subscription.to_dict())

    def retrieve_subscription(self, *, stripe_subscription_id):
        subscription = self._call(self.client.v1.subscriptions.retrieve, stripe_subscription_id)
        return subscription_state(subscription.to_dict())

    def _single_item(self, stripe_subscription_id):
        subscription = self._call(self.client.v1.subscriptions.retrieve, stripe_subscription_id).to_dict()
        items = (subscription.get("items") or {}).get("data") or []
        if len(items) != 1:
            # Our line items and Stripe's are not tied by id; with several plans in one
            # subscription we cannot tell which one to change.
            raise PaymentError("several_items")
        item = items[0]
        price = item.get("price") or {}
        product = price.get("product")
        return subscription, item, product.get("id") if isinstance(product, dict) else product

    def change_subscription_price(
        self, *, stripe_subscription_id, unit_price, interval, currency, proration_date, idempotency_key
    ):
        _subscription, item, product = self._single_item(stripe_subscription_id)
        updated = self._call(
            self.client.v1.subscriptions.update,
            stripe_subscription_id,
            params={
                "items": [{"id": item["id"], "price_data": _recurring_price(product, unit_price, interval, currency)}],
                # Invoice the difference now; a declined card leaves the subscription as it was.
                "proration_behavior": "always_invoice",
                "proration_date": int(proration_date.timestamp()),
                "payment_behavior": "error_if_incomplete",
            },
            options={"idempotency_key": idempotency_key},
        )
        return subscription_state(updated.to_dict())

    def schedule_subscription_price(self, *, stripe_subscription_id, unit_price, interval, currency, idempotency_key):
        subscription, item, product = self._single_item(stripe_subscription_id)
        schedule_id = subscription.get("schedule")
        if isinstance(schedule_id, dict):
            schedule_id = schedule_id.get("id")
        if not schedule_id:
            schedule_id = self._call(
                self.client.v1.subscription_schedules.create,
                params={"from_subscription": stripe_subscription_id},
                options={"idempotency_key": f"{idempotency_key}-schedule"},
            ).id
        period_end = subscription_state(subscription)["current_period_end"]
        self._call(
            self.client.v1.subscription_schedules.update,
            schedule_id,
            params={
                "end_behavior": "release",
                "proration_behavior": "none",
                "phases": [
                    {
                        "items": [{"price": (item.get("price") or {}).get("id"), "quantity": item.get("quantity", 1)}],
                        "start_date": "now",
                        "end_date": period_end,
                    },
                    {
                        "items": [
                            {
                                "price_data": _recurring_price(product, unit_price, interval, currency),
                                "quantity": item.get("quantity", 1),
                            }
                        ],
                        "duration": {"interval": INTERVALS[interval], "interval_count": 1},
                    },
                ],
            },
            options={"idempotency_key": idempotency_key},
        )
        return subscription_state(subscription)

    def cancel_subscription_now(self, *, stripe_subscription_id, idempotency_key):
        try:
            subscription = self._call(
                self.client.v1.subscriptions.cancel,
                stripe_subscription_id,
                params={"prorate": False, "invoice_now": False},
                options={"idempotency_key": idempotency_key},
            )
        except PaymentError as exc:
            if str(exc) != "resource_missing":
                raise
            return {"id": stripe_subscription_id, "status": "canceled"}
        return subscription_state(subscription.to_dict())

    def resume_subscription(self, *, stripe_subscription_id, idempotency_key):
        subscription = self._call(
            self.client.v1.subscriptions.update,
            stripe_subscription_id,
            params={"cancel_at_period_end": False},
            options={"idempotency_key": idempotency_key},
        )
        return subscription_state(subscription.to_dict())

    def billing_portal_url(self, *, customer_id, return_url):
        session = self._call(
            self.client.v1.billing_portal.sessions.create, params={"customer": customer_id, "return_url": return_url}
        )
        return session.url

    def create_coupon(self, *, amount_off, currency, duration, duration_in_months, name, idempotency_key):
        params = {
            "amount_off": to_minor_units(amount_off),
            "currency": currency,
            "duration": duration,
            "name": name[:40],
            "max_redemptions": 1,
        }
        if duration == "repeating":
            params["duration_in_months"] = duration_in_months
        coupon = self._call(self.client.v1.coupons.create, params=params, options={"idempotency_key": idempotency_key})
        return coupon.id

    def payment_card(self, *, payment_intent_id):
        intent = self._call(
            self.client.v1.payment_intents.retrieve, payment_intent_id, params={"expand": ["latest_charge"]}
        ).to_dict()
        charge = intent.get("latest_charge") or {}
        card = ((charge.get("payment_method_details") or {}).get("card") or {}) if isinstance(charge, dict) else {}
        return card.get("brand", "") or "", card.get("last4", "") or ""

    def list_events(self, *, since, types):
        events = self._call(
            self.client.v1.events.list,
            params={"created": {"gte": int(since.timestamp())}, "types": list(types), "limit": 100},
        )
        collected = [event.to_dict() for event in self._call(lambda: list(events.auto_paging_iter()))]
        return sorted(collected, key=lambda event: event.get("created", 0))

    def retrieve_event(self, *, event_id):
        return self._call(self.client.v1.events.retrieve, event_id).to_dict()

    def create_refund(self, *, payment_intent_id, amount, idempotency_key, metadata):
        refund = self._call(
            self.client.v1.refunds.create,
            params={"payment_intent": payment_intent_id, "amount": to_minor_units(amount), "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
        return refund.id

    def create_tax_rate(self, *, percentage, display_name, description, jurisdiction, idempotency_key):
        rate = self._call(
            self.client.v1.tax_rates.create,
            params={
                "percentage": str(percentage),
                "inclusive": False,
                "display_name": display_name,
                "description": description,
                "jurisdiction": jurisdiction,
                "country": "GB",
                "tax_type": "vat",
            },
            options={"idempotency_key": idempotency_key},
        )
        return rate.id

    def delete_customer(self, *, customer_id):
        try:
            self._call(self.client.v1.customers.delete, customer_id)
        except PaymentError as exc:
            if str(exc) != "resource_missing":
                raise

    def update_customer(self, *, customer_id, fields):
        try:
            self._call(self.client.v1.customers.update, customer_id, params=dict(fields))
        except PaymentError as exc:
            if str(exc) != "resource_missing":
                raise


class DemoGateway(Gateway):
    """No payment provider: the customer "pays" on our demo page. Nothing leaves the server.

    Where settings turn demo payments off (production), the gateway refuses to start a
    payment and is not a demo: the demo page answers 404 and `order_pay_demo` refuses, so
    no order is marked paid with nothing charged.
    """

    name = "demo"

    @property
    def is_demo(self):
        return conf.demo_payments_enabled()

    def create_checkout_session(
        self, *, order, lines, success_url, cancel_url, idempotency_key=None, customer_id="", coupon_id=""
    ):
        if not self.is_demo:
            logger.error("Refused a demo payment for order %s: demo payments are off (SHOP_DEMO_PAYMENTS).", order.pk)
            raise PaymentError("demo payments are off")
        return f"demo_cs_{order.number}", reverse("shop:checkout_demo", args=[order.number])

    def checkout_session_url(self, *, session_id):
        number = session_id.removeprefix("demo_cs_")
        return reverse("shop:checkout_demo", args=[number])

    def cancel_subscription_at_period_end(self, *, stripe_subscription_id, idempotency_key):
        return {"id": stripe_subscription_id, "cancel_at_period_end": True}

    def retrieve_subscription(self, *, stripe_subscription_id):
        return {}

    def change_subscription_price(
        self, *, stripe_subscription_id, unit_price, interval, currency, proration_date, idempotency_key
    ):
        return {"id": stripe_subscription_id}

    def schedule_subscription_price(self, *, stripe_subscription_id, unit_price, interval, currency, idempotency_key):
        return {"id": stripe_subscription_id}

    def cancel_subscription_now(self, *, stripe_subscription_id, idempotency_key):
        return {"id": stripe_subscription_id, "status": "canceled"}

    def resume_subscription(self, *, stripe_subscription_id, idempotency_key):
        return {"id": stripe_subscription_id, "cancel_at_period_end": False}

    def billing_portal_url(self, *, customer_id, return_url):
        return ""

    def create_coupon(self, *, amount_off, currency, duration, duration_in_months, name, idempotency_key):
        # The demo page charges the order's total, already discounted.
        return ""

    def payment_card(self, *, payment_intent_id):
        return "", ""

    def list_events(self, *, since, types):
        return []

    def retrieve_event(self, *, event_id):
        return None

    def create_refund(self, *, payment_intent_id, amount, idempotency_key, metadata):
        raise PaymentError("the demo gateway moves no money: demo refunds are recorded only")

    def create_tax_rate(self, *, percentage, display_name, description, jurisdiction, idempotency_key):
        return ""  # the demo page shows our own figures: no provider, no tax rate

    def delete_customer(self, *, customer_id):
        return None

    def update_customer(self, *, customer_id, fields):
        return None


GATEWAYS = {"stripe": StripeGateway, "demo": DemoGateway}


def get_gateway() -> Gateway:
    """The gateway named by settings.SHOP_PAYMENT_GATEWAY. Raises ImproperlyConfigured."""
    name = settings.SHOP_PAYMENT_GATEWAY
    try:
        factory = GATEWAYS[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown SHOP_PAYMENT_GATEWAY {name!r}; choose one of {sorted(GATEWAYS)}."
        ) from None
    return factory()


def _line_item(line: CheckoutLine, currency):
    price_data = {
        "currency": currency,
        "unit_amount": to_minor_units(line.unit_price),
        "product_data": {"name": line.name, **({"description": line.description} if line.description else {})},
    }
    if line.interval:
        price_data["recurring"] = {"interval": INTERVALS[line.interval]}
    item = {"price_data": price_data, "quantity": line.quantity}
    if line.tax_rate_id:
        price_data["tax_behavior"] = "exclusive"
        item["tax_rates"] = [line.tax_rate_id]
    return item


def _recurring_price(product, unit_price, interval, currency):
    return {
        "currency": currency,
        "product": product,
        "unit_amount": to_minor_units(unit_price),
        "recurring": {"interval": INTERVALS[interval]},
    }


def subscription_state(subscription: dict) -> dict:
    """The few fields we keep of a Stripe subscription. Since API version 2025-03-31 the
    period lives on each item; older payloads carry it on the subscription itself."""
    period_end = subscription.get("current_period_end")
    items = ((subscription.get("items") or {}).get("data")) or []
    item_ends = [item.get("current_period_end") for item in items if item.get("current_period_end")]
    if item_ends:
        period_end = max(item_ends)
    return {
        "id": subscription.get("id", ""),
        "status": subscription.get("status", ""),
        "cancel_at_period_end": bool(subscription.get("cancel_at_period_end")),
        "current_period_end": period_end,
        "customer": subscription.get("customer") or "",
        "metadata": dict(subscription.get("metadata") or {}),
    }
