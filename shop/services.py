"""Writes of the shop that span models, send email or call an API."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.mail import send_templated_email
from accounts.models import Address
from billing import selectors as billing_selectors
from billing import services as billing_services
from billing import vat
from shop import payments
from shop.cart import clean_quantity, user_cart_items
from shop.models import (
    Cart,
    CartLine,
    ConsultationRequest,
    Invoice,
    Order,
    OrderEvent,
    OrderLine,
    Plan,
    Review,
    SavedSearch,
    Service,
    StripeEvent,
    Subscription,
)
from shop.selectors import checkout_problems, order_charges, review_eligibility
from shop.signals import order_placed

logger = logging.getLogger(__name__)


# --- consultation (P37) ------------------------------------------------------------
@transaction.atomic
def consultation_request_create(*, name, email, phone, company, message, user=None):
    """Store a free consultation request (P37) and confirm it to the requester.

    Writes: one ConsultationRequest. Sends (after commit): the "consultation received"
    email to `email`, which repeats neither the message nor anything but the name; a
    failure to send is logged, never raised.
    """
    consultation = ConsultationRequest.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        name=name,
        email=email,
        phone=phone,
        company=company,
        message=message,
    )

    def send_consultation_received():
        # The request is saved before the mail goes out, so a mail server failure is
        # logged for staff rather than shown to the visitor as an error. The log names
        # the request id and the error type only: mail errors can quote the address.
        try:
            send_templated_email(
                to=[consultation.email], template="shop/consultation_received", context={"name": consultation.name}
            )
        except Exception as error:
            logger.error(
                "Consultation request %s: confirmation email not sent (%s)", consultation.pk, type(error).__name__
            )

    transaction.on_commit(send_consultation_received)
    return consultation


@transaction.atomic
def consultation_request_set_status(*, consultation_requests, status):
    """Move consultation requests to `status` (contacted or closed) in one statement.

    Writes: the status of the requests not already there. Returns how many changed.
    Raises ValueError for a status that does not exist.
    """
    status = ConsultationRequest.Status(status)
    return consultation_requests.exclude(status=status).update(status=status)


SAVED_SEARCH_LIMIT = 50


@transaction.atomic
def review_create(*, user, service: Service, rating: int, title: str, body: str) -> Review:
    """Create a customer's review of a service they bought, awaiting moderation (P02).

    Writes one Review (status pending). Raises ValidationError when the user has not bought
    the service, has already reviewed it, or the fields are out of range; nothing is written.
    """
    eligibility = review_eligibility(user=user, service=service)
    if not eligibility.can_review:
        raise ValidationError(eligibility.reason, code="not_eligible")
    review = Review(service=service, user=user, rating=rating, title=title, body=body)
    # Field validators check the rating; uniqueness is left to the database constraint below.
    review.full_clean(
        exclude=["status", "moderated_at", "moderated_by"], validate_unique=False, validate_constraints=False
    )
    try:
        # A second tab posting at the same moment meets the unique constraint, not a 500.
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ValidationError("You have already reviewed this service.", code="duplicate") from None
    return review


@transaction.atomic
def review_moderate(*, review: Review, status: str, moderator) -> Review:
    """Publish or reject a review (or put it back to pending), recording who and when.

    Writes the review's status, moderated_at and moderated_by. Raises ValidationError for
    an unknown status.
    """
    if status not in Review.Status.values:
        raise ValidationError(f"Unknown review status: {status}.", code="invalid_status")
    review.status = status
    review.moderated_at = timezone.now()
    review.moderated_by = moderator
    review.save(update_fields=["status", "moderated_at", "moderated_by"])
    return review


@transaction.atomic
def saved_search_create(*, user, name: str, query: str) -> SavedSearch:
    """Save a catalogue search for a customer (P03). `query` must already be normalised
    (ServiceFilterForm.query_string).

    Writes one SavedSearch. Raises ValidationError when the customer already has
    SAVED_SEARCH_LIMIT saved searches.
    """
    # Lock the customer's row so two saves at once cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    if SavedSearch.objects.filter(user=user).count() >= SAVED_SEARCH_LIMIT:
        raise ValidationError(
            f"You can keep up to {SAVED_SEARCH_LIMIT} saved searches. Delete one to save another.",
            code="limit",
        )
    saved = SavedSearch(user=user, name=name.strip(), query=query)
    saved.full_clean(exclude=["user"])
    saved.save()
    return saved


def saved_search_delete(*, saved_search: SavedSearch) -> None:
    """Delete a saved search. Writes: removes the row."""
    saved_search.delete()


logger = logging.getLogger(__name__)

ORDER_LINK_SALT = "shop.order_lookup"
ORDER_LINK_MAX_AGE = timedelta(days=3)
# The handled event types; anything else is recorded as ignored.
HANDLED_EVENT_TYPES = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.expired",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "charge.refunded",
    "refund.created",
    "refund.updated",
)


class CheckoutRefused(Exception):
    """The cart cannot become an order; the message is for the customer."""


class SoldOut(CheckoutRefused):
    pass


class OrderAlreadyPlaced(Exception):
    """The cart has already become an order: the checkout was submitted again (a double
    click, a retry). `order` is the order the first submit placed."""

    def __init__(self, order):
        super().__init__(order.number)
        self.order = order


class IllegalTransition(Exception):
    """The order's state machine does not allow this move."""


class NotYetKnown(Exception):
    """An event is about an object whose creating event has not been processed yet; the
    task retries it later (Stripe does not guarantee delivery order)."""


class EventPayloadMismatch(Exception):
    """A payment event disagrees with the order (amount or currency)."""


# --- orders -------------------------------------------------------------------------
def order_set_status(*, order, status, note=""):
    """Move an order to `status` and add a timeline entry.

    Writes: Order.status, one OrderEvent. Raises IllegalTransition for a move the state
    machine (Order.TRANSITIONS) does not allow. Call it with the order row locked when
    events may race (the Stripe handlers do).
    """
    if not order.can_move_to(status):
        raise IllegalTransition(f"{order.number}: {order.status} → {status} is not allowed")
    with transaction.atomic():
        order.status = status
        order.save(update_fields=["status", "updated_at"])
        OrderEvent.objects.create(order=order, status=status, note=note[:255])
    return order


def order_place(
    *, cart_items, user, email, billing, recipient=None, save_address=False, cart_key="", promotion_code=""
):
    """Turn the cart into a pending order, re-reading every price and taking the stock.

    Writes: Order, OrderLine per item, OrderEvent "pending", Plan.stock decrements, the
    customer's saved cart emptied (and its checkout key moved on), and optionally a
    billing Address; sends ``order_placed``. All in one transaction: any failure leaves the
    stock and the cart as they were (IN-03).

    The cart is emptied here rather than on payment: the order now holds the lines and
    a customer who abandons the payment pays from the order page ("Pay now"), so a
    second checkout of the same cart cannot buy the services twice.

    `cart_key` (shop.cart.cart_checkout_key) makes one cart one order however many
    submits arrive at once (Q-12): a signed-in customer's cart row is locked and its lines
    read again under the lock (`cart_items` serves only a visitor's cart, or a call
    without a key), and the order keeps the key, unique.

    Raises OrderAlreadyPlaced (with the order) when the cart's key already has an order,
    CheckoutRefused (with the customer-facing message) for an empty cart, mixed billing
    cycles, recurring plans without an account, or a plan that is gone, and SoldOut when a
    plan's stock is too low (IN-04: the plan rows are locked).

    `promotion_code` is taken in the same transaction (shop.promotions.promotion_apply):
    the order's total is then net of its discount, and a refused code (raised as
    promotions.PromotionRefused, a CheckoutRefused) leaves nothing placed.
    """
    try:
        return _order_place(
            cart_items=cart_items,
            user=user,
            email=email,
            billing=billing,
            recipient=recipient,
            save_address=save_address,
            cart_key=cart_key,
            promotion_code=promotion_code,
        )
    except IntegrityError:
        # Submits that the locks did not put in a row (carts whose plans changed between
        # them, or a database without row locks) meet at the unique key instead.
        existing = Order.objects.filter(cart_key=cart_key).first() if cart_key else None
        if existing is None:
            raise
        raise OrderAlreadyPlaced(existing) from None


def _order_already_placed(cart_key):
    existing = Order.objects.filter(cart_key=cart_key).first()
    if existing is not None:
        return OrderAlreadyPlaced(existing)
    return CheckoutRefused("Your cart changed while you were checking out. Please review it.")


@transaction.atomic
def _order_place(*, cart_items, user, email, billing, recipient, save_address, cart_key, promotion_code=""):
    signed_in = user is not None and user.is_authenticated
    if signed_in and cart_key:
        # Submits of one customer's cart queue on the cart row. The cart is read again
        # under the lock: the lines the request read first may have become an order since.
        cart = Cart.objects.select_for_update().filter(user=user).first()
        if cart is None or cart.checkout_key != cart_key:
            raise _order_already_placed(cart_key)
        cart_items = user_cart_items(user)
    problems = checkout_problems(items=cart_items, user=user if signed_in else None)
    if problems:
        raise CheckoutRefused(problems[0][1])
    quantities = {}
    for item in cart_items:
        quantities[item.plan.pk] = quantities.get(item.plan.pk, 0) + int(item.quantity)
    for quantity in quantities.values():
        try:
            clean_quantity(quantity)
        except ValidationError as exc:
            raise CheckoutRefused(exc.messages[0]) from None
    # Lock in primary-key order so two checkouts of the same plans cannot deadlock.
    plans = {
        plan.pk: plan
        for plan in Plan.objects.active()
        .select_for_update(of=("self",))
        .select_related("service")
        .filter(pk__in=quantities)
        .order_by("pk")
    }
    # A visitor's submits of one cart queue on the same plan rows, so each one after the
    # first finds the order here, before touching the stock.
    if cart_key and Order.objects.filter(cart_key=cart_key).exists():
        raise _order_already_placed(cart_key)
    if set(plans) != set(quantities):
        raise CheckoutRefused("A service in your cart is no longer available. Please review your cart.")
    for plan_id, quantity in quantities.items():
        plan = plans[plan_id]
        if plan.stock is not None and plan.stock < quantity:
            left = "none left" if plan.stock == 0 else f"only {plan.stock} left"
            raise SoldOut(f"Sorry, {plan.service.name} ({plan.name}) is sold out ({left}). Your card was not charged.")
    for plan_id, quantity in quantities.items():
        if plans[plan_id].stock is not None:
            Plan.objects.filter(pk=plan_id).update(stock=F("stock") - quantity)

    lines = []
    for plan_id, quantity in quantities.items():
        plan = plans[plan_id]
        lines.append(
            OrderLine(
                plan=plan,
                service_name=plan.service.name,
                plan_name=plan.name,
                billing=plan.billing,
                unit_price=plan.price,
                quantity=quantity,
                line_total=plan.price * quantity,
            )
        )
    recurring = any(line.billing != Plan.Billing.ONE_OFF for line in lines)
    recipient = recipient or {}
    try:
        # Prices are ex VAT; billing.vat decides the VAT once for the whole order.
        decision = vat.vat_decision(country=billing["country"], vat_number=billing.get("vat_number", ""))
    except ValidationError as exc:
        raise CheckoutRefused(exc.messages[0]) from None
    figures = vat.figures(nets=[line.line_total for line in lines], decision=decision)
    order = Order.objects.create(
        cart_key=cart_key or None,
        user=user if signed_in else None,
        email=(user.email if signed_in else email).strip(),
        mode=Order.Mode.SUBSCRIPTION if recurring else Order.Mode.PAYMENT,
        currency=_currency(),
        total=figures.gross,
        net_total=figures.net,
        vat_total=figures.vat,
        vat_rate=figures.rate,
        vat_treatment=figures.treatment,
        vat_number=vat.vat_number_clean(billing.get("vat_number", ""), country=billing["country"]),
        purchase_order=billing.get("purchase_order", ""),
        invoice_email=billing.get("invoice_email", ""),
        billing_name=billing["name"],
        billing_company=billing.get("company", ""),
        billing_line1=billing["line1"],
        billing_line2=billing.get("line2", ""),
        billing_city=billing["city"],
        billing_postcode=billing["postcode"],
        billing_country=billing["country"],
        recipient_name=recipient.get("name", ""),
        recipient_email=recipient.get("email", ""),
    )
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    OrderEvent.objects.create(order=order, status=Order.Status.PENDING, note="Order placed")
    if promotion_code:
        from shop.promotions import promotion_apply

        redemption = promotion_apply(order=order, code=promotion_code, user=user)
        # The discount is a negative line of the sale: VAT is due on the net after it.
        figures = vat.figures(nets=[*(line.line_total for line in lines), -redemption.discount], decision=decision)
        order.total, order.net_total, order.vat_total = figures.gross, figures.net, figures.vat
        order.save(update_fields=["total", "net_total", "vat_total", "updated_at"])
    if signed_in:
        CartLine.objects.filter(cart__user=user).delete()
        Cart.objects.filter(user=user).update(orders_placed=F("orders_placed") + 1)
        if save_address:
            _address_save(user=user, billing=billing)
    order_placed.send(sender=Order, order=order)
    return order


def _currency():
    return settings.SHOP_CURRENCY


def _address_save(*, user, billing):
    has_default = Address.objects.filter(user=user, kind=Address.Kind.BILLING, is_default=True).exists()
    Address.objects.create(
        user=user,
        kind=Address.Kind.BILLING,
        full_name=billing["name"],
        company=billing.get("company", ""),
        line1=billing["line1"],
        line2=billing.get("line2", ""),
        city=billing["city"],
        postcode=billing["postcode"],
        country=billing["country"],
        is_default=not has_default,
    )


# What each line of a Stripe Checkout says under its name, so a set-up fee paid with a
# plan's first invoice is a line of its own that says it is charged once.
CHECKOUT_LINE_DESCRIPTIONS = {
    Plan.Billing.ONE_OFF: "One-off: charged once, with this payment.",
    Plan.Billing.MONTHLY: "Renews every month until you cancel.",
    Plan.Billing.YEARLY: "Renews every year until you cancel.",
}


def order_payment_start(*, order, success_url, cancel_url):
    """Open (or reopen) the payment of a pending order; return the URL to send the customer to.

    Calls the gateway (outside any transaction: it is a network call), then writes the
    session id on the order. A session still open is reused; after one expired, a new
    one is made with a key derived from the old one, so retries stay idempotent.
    Raises CheckoutRefused when the order is not awaiting payment, and
    payments.PaymentError / TransientPaymentError when the provider fails.
    """
    if order.status != Order.Status.PENDING:
        raise CheckoutRefused("This order is not awaiting payment.")
    gateway = payments.get_gateway()
    attempt = ""
    if order.stripe_checkout_session_id:
        url = gateway.checkout_session_url(session_id=order.stripe_checkout_session_id)
        if url:
            return url
        attempt = f"after-{order.stripe_checkout_session_id[-12:]}"
    tax_rate_id = ""
    if order.vat_treatment and not gateway.is_demo:
        # Stripe adds the same VAT through a tax rate of ours.
        decision = vat.VatDecision(rate=order.vat_rate, treatment=order.vat_treatment)
        tax_rate_id = stripe_tax_rate_ensure(decision=decision)
    lines = [
        payments.CheckoutLine(
            name=f"{line.service_name} — {line.plan_name}",
            unit_price=line.unit_price,
            quantity=line.quantity,
            interval=line.billing if line.billing != Plan.Billing.ONE_OFF else "",
            tax_rate_id=tax_rate_id,
            description=CHECKOUT_LINE_DESCRIPTIONS[line.billing],
        )
        for line in order.lines.order_by("pk")
    ]
    from shop.promotions import promotion_stripe_coupon

    session_id, url = gateway.create_checkout_session(
        order=order,
        lines=lines,
        success_url=success_url,
        cancel_url=cancel_url,
        idempotency_key=payments.checkout_idempotency_key(order, attempt),
        customer_id=_stripe_customer_of(order.user_id),
        coupon_id=promotion_stripe_coupon(order=order, gateway=gateway),
    )
    Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(stripe_checkout_session_id=session_id)
    order.stripe_checkout_session_id = session_id
    return url


TAX_RATE_NAMES = {
    vat.Treatment.STANDARD: ("VAT", "UK VAT at the standard rate"),
    vat.Treatment.REVERSE_CHARGE: ("VAT (reverse charge)", vat.REVERSE_CHARGE_NOTE),
}


def stripe_tax_rate_ensure(*, decision):
    """The Stripe tax rate for a VAT decision: the one recorded, or one made now.

    `manage.py stripe_tax_rates` makes them ahead of time; a new UK rate (a new
    billing.VatRate row) gets its Stripe rate at the first checkout that needs it. Calls the
    gateway with an idempotency key derived from the rate, so two checkouts at once make
    one rate. Writes one billing.ProviderTaxRate. Raises payments.PaymentError.
    """
    found = billing_selectors.provider_tax_rate_id(decision=decision)
    if found:
        return found
    name, description = TAX_RATE_NAMES[decision.treatment]
    provider_id = payments.get_gateway().create_tax_rate(
        percentage=decision.percent,
        display_name=name,
        description=description,
        jurisdiction="GB",
        idempotency_key=f"tax-rate-{decision.treatment}-{decision.rate}",
    )
    if provider_id:
        billing_services.provider_tax_rate_record(decision=decision, provider_id=provider_id)
    return provider_id


def _stripe_customer_of(user_id):
    if not user_id:
        return ""
    earlier = Order.objects.filter(user_id=user_id).exclude(stripe_customer_id="").order_by("-created_at")
    return earlier.values_list("stripe_customer_id", flat=True).first() or ""


def order_link_token(*, order) -> str:
    return signing.TimestampSigner(salt=ORDER_LINK_SALT).sign(order.number)


def order_from_link_token(*, token):
    """The order a signed link points to. Raises signing.SignatureExpired or
    signing.BadSignature, and Order.DoesNotExist."""
    number = signing.TimestampSigner(salt=ORDER_LINK_SALT).unsign(token, max_age=ORDER_LINK_MAX_AGE)
    return Order.objects.get(number=number)


def order_lookup_request(*, number, email, site_url):
    """Email a signed link to an order when the number and the email both match (P02).

    Queues: shop.send_order_link after commit when they match, nothing otherwise. The
    email itself goes out from the worker, so a match answers as fast as a miss and the
    caller learns nothing about which orders exist.
    """
    from shop.tasks import send_order_link

    order = Order.objects.filter(number=(number or "").strip().upper(), email__iexact=(email or "").strip()).first()
    if order is None:
        return
    transaction.on_commit(lambda: send_order_link.delay(order.pk, site_url))


def order_link_send(*, order, site_url):
    """Send the signed, 3-day link to an order to the order's own email address.

    Sends: one email. The token is made here, so it never sits in the task queue.
    """
    link = site_url + reverse("shop:order_link", args=[order_link_token(order=order)])
    send_templated_email(
        to=[order.email],
        template="shop/order_link",
        context={"order": order, "link": link, "max_age_days": ORDER_LINK_MAX_AGE.days},
    )


# --- payment fulfilment (the same code for the webhook, the demo page and reconciliation)
def checkout_session_completed(session: dict):
    """A Checkout Session finished: mark the order paid and start its subscriptions.

    Writes: Order (paid_at, Stripe ids, card brand/last4, status paid then active), an
    OrderEvent per move, a Subscription per recurring line. Sends the confirmation email
    once, after commit, only on the move from pending to paid. Idempotent: a second
    delivery finds the order no longer pending and only fills missing Stripe ids.
    Raises Order.DoesNotExist for an unknown order, EventPayloadMismatch when the amount
    paid is not the order's total.
    """
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return  # an asynchronous method: checkout.session.async_payment_succeeded follows
    number = session.get("client_reference_id") or (session.get("metadata") or {}).get("order_number")
    order = Order.objects.get(number=number)
    if session.get("amount_total") is not None and (
        int(session["amount_total"]) != payments.to_minor_units(order.total)
        or (session.get("currency") or order.currency).lower() != order.currency.lower()
    ):
        raise EventPayloadMismatch(f"{order.number}: amount paid differs from the order total")

    # Network calls before taking the row lock; a duplicate delivery may make them twice,
    # which only reads.
    gateway = payments.get_gateway()
    card = ("", "")
    subscription_state = {}
    if order.status == Order.Status.PENDING:
        if session.get("payment_intent"):
            card = gateway.payment_card(payment_intent_id=_id(session["payment_intent"]))
        if session.get("subscription"):
            subscription_state = gateway.retrieve_subscription(stripe_subscription_id=_id(session["subscription"]))

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order.stripe_checkout_session_id = order.stripe_checkout_session_id or session.get("id", "")
        order.stripe_payment_intent_id = order.stripe_payment_intent_id or _id(session.get("payment_intent"))
        order.stripe_customer_id = order.stripe_customer_id or _id(session.get("customer"))
        if order.status != Order.Status.PENDING:
            order.save(update_fields=["stripe_checkout_session_id", "stripe_payment_intent_id", "stripe_customer_id"])
            note = "Payment received after cancellation: refund needed"
            if order.status == Order.Status.CANCELLED and not order.events.filter(note=note).exists():
                # Paid on a session still open after the order was cancelled: money arrived
                # for nothing, so staff must refund it.
                logger.error("Payment received for cancelled order %s: refund it", order.number)
                OrderEvent.objects.create(order=order, status=order.status, note=note)
            return
        order.paid_at = timezone.now()
        order.card_brand, order.card_last4 = card[0][:20], card[1][-4:]
        order.save()
        order_set_status(order=order, status=Order.Status.PAID, note="Payment received")
        if not session.get("subscription"):
            # A plan's VAT invoice comes with Stripe's invoice.paid, one per period.
            billing_services.invoice_issue_for_order(order=order, provider_figures=_provider_vat(session))
        if session.get("subscription"):
            _subscriptions_start(
                order=order, stripe_subscription_id=_id(session["subscription"]), state=subscription_state
            )
            order_set_status(order=order, status=Order.Status.ACTIVE, note="Subscription started")
        transaction.on_commit(lambda: _send_order_confirmation(order.pk))


def _subscriptions_start(*, order, stripe_subscription_id, state):
    now = timezone.now()
    status = state.get("status") or Subscription.Status.ACTIVE
    if status not in Subscription.Status.values:
        status = Subscription.Status.ACTIVE
    rows = []
    for line in order.lines.exclude(billing=Plan.Billing.ONE_OFF).order_by("pk"):
        period_end = _datetime(state.get("current_period_end")) or _next_period(now, line.billing)
        rows.append(
            Subscription(
                user_id=order.user_id,
                order=order,
                plan_id=line.plan_id,
                service_name=line.service_name,
                plan_name=line.plan_name,
                billing=line.billing,
                unit_price=line.unit_price,
                quantity=line.quantity,
                status=status,
                stripe_subscription_id=stripe_subscription_id,
                current_period_end=period_end,
                cancel_at_period_end=bool(state.get("cancel_at_period_end")),
            )
        )
    Subscription.objects.bulk_create(rows)


def _send_order_confirmation(order_pk):
    order = Order.objects.prefetch_related("lines", "subscriptions").get(pk=order_pk)
    # An order refunded before this email went out must not be called paid (PAY-03).
    if order.status in (Order.Status.REFUNDED, Order.Status.CANCELLED):
        return
    send_templated_email(
        to=[order.email],
        template="shop/order_confirmation",
        context={
            "order": order,
            "lines": list(order.lines.all()),
            "subscriptions": list(order.subscriptions.all()),
            "charges": order_charges(order=order),
        },
    )


def checkout_session_expired(session: dict):
    """The customer never paid: cancel the pending order and give its stock back.

    Writes: Order status cancelled, OrderEvent, Plan.stock increments. Idempotent.
    """
    number = session.get("client_reference_id") or (session.get("metadata") or {}).get("order_number")
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None or order.status != Order.Status.PENDING:
            return
        # A newer session for the same order may still be open ("Pay now" after expiry).
        if order.stripe_checkout_session_id and order.stripe_checkout_session_id != session.get("id"):
            return
        for line in order.lines.exclude(plan=None):
            Plan.objects.filter(pk=line.plan_id, stock__isnull=False).update(stock=F("stock") + line.quantity)
        order_set_status(order=order, status=Order.Status.CANCELLED, note="Payment not completed in time")


def charge_refunded(charge: dict):
    """A charge was refunded: the order ends refunded, whatever arrived before.

    Writes: Order status (pending → paid → refunded when the refund overtook the payment
    event, so the state machine is never bypassed, with the paid order's VAT invoice),
    OrderEvents, and for each refund the charge lists, what shop.refunds.refund_created
    writes (a Refund and its credit note, once per Stripe refund). Sends nothing more: the
    confirmation email is skipped for a refunded order. Raises NotYetKnown when no order
    matches yet.
    """
    from shop.refunds import refunds_of_charge

    _charge_refunded_status(charge)
    refunds_of_charge(charge)


def refund_created(refund: dict):
    """refund.created / refund.updated: see shop.refunds.refund_created."""
    from shop.refunds import refund_created as record

    record(refund)


def _charge_refunded_status(charge):
    number = (charge.get("metadata") or {}).get("order_number")
    intent = _id(charge.get("payment_intent"))
    with transaction.atomic():
        orders = Order.objects.select_for_update()
        order = orders.filter(number=number).first() if number else None
        if order is None and intent:
            order = orders.filter(stripe_payment_intent_id=intent).first()
        if order is None:
            raise NotYetKnown("no order for this charge yet")
        if not charge.get("refunded"):
            OrderEvent.objects.create(order=order, status=order.status, note="Partial refund")
            return
        if order.status == Order.Status.REFUNDED:
            return
        if intent and not order.stripe_payment_intent_id:
            order.stripe_payment_intent_id = intent
            order.save(update_fields=["stripe_payment_intent_id", "updated_at"])
        if order.status == Order.Status.PENDING:
            order.paid_at = order.paid_at or timezone.now()
            order.save(update_fields=["paid_at", "updated_at"])
            order_set_status(order=order, status=Order.Status.PAID, note="Payment recorded with its refund")
            if order.mode == Order.Mode.PAYMENT:
                billing_services.invoice_issue_for_order(order=order)
        order_set_status(order=order, status=Order.Status.REFUNDED, note="Refunded")


def invoice_paid(invoice: dict):
    """A subscription invoice was paid: record it and keep the subscription active.

    Writes: Invoice (created or updated), Subscription status/period end. Raises
    NotYetKnown when the subscription is not recorded yet.
    """
    from shop.services_subscriptions import subscriptions_renewed

    subscriptions = _invoice_subscriptions(invoice)
    with transaction.atomic():
        _invoice_record(invoice, subscriptions[0], Invoice.Status.PAID)
        billing_services.invoice_issue_for_period(
            order=subscriptions[0].order,
            subscription_invoice=Invoice.objects.get(stripe_invoice_id=invoice["id"]),
            first=True if invoice.get("billing_reason") == "subscription_create" else None,
            provider_figures=_provider_vat(invoice),
        )
        period_end = _invoice_period_end(invoice)
        renewed = []
        for subscription in subscriptions:
            if subscription.status == Subscription.Status.CANCELED:
                continue
            subscription.status = Subscription.Status.ACTIVE
            if period_end and (not subscription.current_period_end or period_end > subscription.current_period_end):
                if subscription.current_period_end:
                    renewed.append(subscription)
                subscription.current_period_end = period_end
            subscription.save(update_fields=["status", "current_period_end"])
        # A renewal (not the first invoice): failed tries reset, a scheduled downgrade starts.
        subscriptions_renewed(subscriptions=renewed, period_end=period_end)


def invoice_payment_failed(invoice: dict):
    """A renewal payment failed: the invoice is failed, the subscription past due, and the
    customer is told once per try (dunning: services_subscriptions.subscriptions_payment_failed).

    Writes: Invoice, Subscription status and failed tries; ends the subscription after
    SHOP_DUNNING_MAX_ATTEMPTS tries. Sends: the payment-failed email once per new try,
    with the link to update the card. Raises NotYetKnown when the subscription is not
    recorded yet.
    """
    from shop.services_subscriptions import subscriptions_payment_failed

    subscriptions = _invoice_subscriptions(invoice)
    with transaction.atomic():
        subscriptions = list(
            Subscription.objects.select_for_update(of=("self",))
            .select_related("user", "order")
            .filter(pk__in=[row.pk for row in subscriptions])
            .order_by("pk")
        )
        first_failure = _invoice_record(invoice, subscriptions[0], Invoice.Status.FAILED)
        if Invoice.objects.filter(stripe_invoice_id=invoice["id"], status=Invoice.Status.PAID).exists():
            return  # a late failure notice never undoes a payment
        for subscription in subscriptions:
            if subscription.status in (Subscription.Status.ACTIVE, Subscription.Status.TRIALING):
                subscription.status = Subscription.Status.PAST_DUE
                subscription.save(update_fields=["status"])
        # Counts the try, emails the customer a link to update their card, and ends the
        # subscription after SHOP_DUNNING_MAX_ATTEMPTS tries.
        subscriptions_payment_failed(subscriptions=subscriptions, invoice=invoice, first_failure=first_failure)


def _provider_vat(obj):
    """(VAT, gross) Stripe charged on a Checkout Session or an invoice, or None when the
    payload does not say (billing compares them with ours to the penny)."""
    if obj.get("object") == "invoice":
        taxes = obj.get("total_taxes")
        tax = sum(int(t.get("amount") or 0) for t in taxes) if isinstance(taxes, list) else obj.get("tax")
        gross = obj.get("amount_paid")
    else:
        tax = (obj.get("total_details") or {}).get("amount_tax")
        gross = obj.get("amount_total")
    if tax is None or gross is None:
        return None
    return payments.from_minor_units(tax), payments.from_minor_units(gross)


def _invoice_subscriptions(invoice):
    stripe_id = _invoice_subscription_id(invoice)
    subscriptions = (
        list(Subscription.objects.select_related("user").filter(stripe_subscription_id=stripe_id).order_by("pk"))
        if stripe_id
        else []
    )
    if not subscriptions:
        raise NotYetKnown("subscription not recorded yet")
    return subscriptions


def _invoice_subscription_id(invoice):
    # Since API version 2025-03-31 the subscription sits under parent.subscription_details.
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(parent.get("subscription") or invoice.get("subscription"))


def _invoice_period_end(invoice):
    ends = [
        (line.get("period") or {}).get("end")
        for line in ((invoice.get("lines") or {}).get("data") or [])
        if (line.get("period") or {}).get("end")
    ]
    return _datetime(max(ends)) if ends else None


def _invoice_record(invoice, subscription, status):
    """Create or update the Invoice row; return True if it newly took `status`."""
    row = Invoice.objects.select_for_update().filter(stripe_invoice_id=invoice["id"]).first()
    amount = invoice.get("amount_paid") if status == Invoice.Status.PAID else invoice.get("amount_due")
    values = {
        "subscription": subscription,
        "number": invoice.get("number") or "",
        "amount": payments.from_minor_units(amount if amount is not None else invoice.get("total")),
        "currency": invoice.get("currency") or subscription.order.currency,
        "status": status,
        "hosted_invoice_url": invoice.get("hosted_invoice_url") or "",
        "period_start": _datetime(invoice.get("period_start")),
        "period_end": _invoice_period_end(invoice) or _datetime(invoice.get("period_end")),
    }
    if row is None:
        Invoice.objects.create(
            stripe_invoice_id=invoice["id"], created_at=_datetime(invoice.get("created")) or timezone.now(), **values
        )
        return True
    if row.status == Invoice.Status.PAID and status != Invoice.Status.PAID:
        return False  # a late failure notice never undoes a payment
    changed = row.status != status
    for field, value in values.items():
        setattr(row, field, value)
    row.save()
    return changed


def subscription_updated(subscription: dict):
    """Stripe changed a subscription (renewal, cancel at period end, status): copy its state.

    Writes: Subscription status, cancel_at_period_end, current_period_end. Before the
    checkout's own event is processed there is nothing to update; the checkout handler
    reads the subscription's fresh state itself.
    """
    state = payments.subscription_state(subscription)
    with transaction.atomic():
        rows = list(Subscription.objects.select_for_update().filter(stripe_subscription_id=state["id"]))
        for row in rows:
            if row.status == Subscription.Status.CANCELED:
                continue
            if state["status"] in Subscription.Status.values:
                row.status = state["status"]
            row.cancel_at_period_end = state["cancel_at_period_end"]
            if state["current_period_end"]:
                row.current_period_end = _datetime(state["current_period_end"])
            row.save(update_fields=["status", "cancel_at_period_end", "current_period_end"])


def subscription_deleted(subscription: dict):
    """A subscription ended: mark it ended, and the order cancelled once all of its
    subscriptions have ended.

    Writes: Subscription status/canceled_at, Order status + OrderEvent. Raises NotYetKnown
    when the subscription is not recorded yet.
    """
    stripe_id = subscription.get("id")
    with transaction.atomic():
        rows = list(Subscription.objects.select_for_update().filter(stripe_subscription_id=stripe_id))
        if not rows:
            raise NotYetKnown("subscription not recorded yet")
        ended_at = _datetime(subscription.get("ended_at") or subscription.get("canceled_at")) or timezone.now()
        order_ids = set()
        for row in rows:
            order_ids.add(row.order_id)
            if row.status != Subscription.Status.CANCELED:
                row.status = Subscription.Status.CANCELED
                row.canceled_at = ended_at
                row.ended_reason = row.ended_reason or _ended_reason(subscription)
                row.save(update_fields=["status", "canceled_at", "ended_reason"])
        for order in Order.objects.select_for_update().filter(pk__in=order_ids):
            still_live = order.subscriptions.exclude(status=Subscription.Status.CANCELED).exists()
            if not still_live and order.can_move_to(Order.Status.CANCELLED):
                order_set_status(order=order, status=Order.Status.CANCELLED, note="Subscription ended")


def _ended_reason(subscription):
    reason = (subscription.get("cancellation_details") or {}).get("reason")
    if reason == "payment_failed":
        return Subscription.EndedReason.PAYMENT_FAILED
    if reason == "cancellation_requested":
        return Subscription.EndedReason.CUSTOMER  # in Stripe's customer portal
    return Subscription.EndedReason.PROVIDER


EVENT_HANDLERS = {
    "checkout.session.completed": checkout_session_completed,
    "checkout.session.async_payment_succeeded": checkout_session_completed,
    "checkout.session.expired": checkout_session_expired,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.updated": subscription_updated,
    "customer.subscription.deleted": subscription_deleted,
    "charge.refunded": charge_refunded,
    "refund.created": refund_created,
    "refund.updated": refund_created,
}


# --- Stripe events -------------------------------------------------------------------
def stripe_object_minimise(obj: dict) -> dict:
    """The fields of a Stripe object our handlers read, and nothing else: ids, amounts,
    statuses and periods. Emails, names and addresses in the payload (customer_details,
    billing details) never reach the task queue or our tables (PAY-07)."""
    keep = {
        "id", "object", "mode", "status", "payment_status", "client_reference_id", "metadata", "customer",
        "subscription", "payment_intent", "amount_total", "currency", "invoice", "number", "amount_paid",
        "amount_due", "total", "hosted_invoice_url", "period_start", "period_end", "created", "refunded",
        "amount_refunded", "amount", "cancel_at_period_end", "current_period_end", "canceled_at", "ended_at",
        "billing_reason", "tax", "charge", "reason", "attempt_count",
    }  # fmt: skip
    small = {key: obj[key] for key in keep if key in obj}
    for key in ("customer", "subscription", "payment_intent", "invoice"):
        if isinstance(small.get(key), dict):
            small[key] = small[key].get("id", "")
    details = obj.get("cancellation_details")
    if isinstance(details, dict) and details.get("reason"):
        small["cancellation_details"] = {"reason": str(details["reason"])[:40]}
    if isinstance(small.get("metadata"), dict):
        small["metadata"] = {k: v for k, v in small["metadata"].items() if k in ("order_number", "refund_id")}
    parent = (obj.get("parent") or {}).get("subscription_details") or {}
    if parent.get("subscription"):
        small["parent"] = {"subscription_details": {"subscription": _id(parent["subscription"])}}
    lines = (obj.get("lines") or {}).get("data") or []
    if lines:
        small["lines"] = {"data": [{"period": dict(line.get("period") or {})} for line in lines]}
    if isinstance(obj.get("total_details"), dict):
        small["total_details"] = {"amount_tax": obj["total_details"].get("amount_tax")}
    if isinstance(obj.get("total_taxes"), list):
        small["total_taxes"] = [{"amount": tax.get("amount")} for tax in obj["total_taxes"] if isinstance(tax, dict)]
    refunds = (obj.get("refunds") or {}).get("data") or []
    if refunds:
        small["refunds"] = {"data": [_refund_minimise(refund) for refund in refunds]}
    items = (obj.get("items") or {}).get("data") or []
    if items:
        small["items"] = {"data": [{"current_period_end": item.get("current_period_end")} for item in items]}
    return small


@transaction.atomic
def stripe_event_receive(*, event: dict):
    """Record a verified Stripe event once and queue its processing after commit.

    Writes: one StripeEvent (event id unique; a duplicate delivery finds the row).
    Queues: shop.process_stripe_event with the minimised object, unless the event was
    already finished with. Returns (stripe_event, queued). Raises DatabaseError when the
    event cannot be recorded, so the webhook answers 5xx and Stripe sends it again.

    The stored row, not the queue, is the record of work to do (Q-09): an event whose
    message is never published, or is lost with a worker, stays received and the re-drive
    job (stripe_events_redrive) processes it.

    The task receives the verified object in its message instead of fetching it again
    from Stripe: the demo and the tests have no Stripe to fetch from, and the message is
    minimised first, so neither the queue nor our table ever holds the body.
    """
    from shop.tasks import process_stripe_event

    obj = (event.get("data") or {}).get("object") or {}
    row, _created = StripeEvent.objects.get_or_create(
        event_id=event["id"],
        defaults={
            "type": event["type"][:100],
            "object_id": str(obj.get("id", ""))[:255],
            "livemode": bool(event.get("livemode")),
            "stripe_created_at": _datetime(event.get("created")),
        },
    )
    if row.status in EVENT_FINISHED:
        return row, False
    payload = stripe_object_minimise(obj)

    def queue():
        # The row is committed, so Stripe gets its 200 and a broker that is down (or an
        # eager run that fails) only delays the work until the re-drive job. Only the
        # error's class is logged: broker errors can quote the broker's URL.
        try:
            process_stripe_event.delay(row.pk, payload)
        except Exception as exc:  # noqa: BLE001 - the re-drive job is the fallback for any failure
            logger.error(
                "Stripe event %s is recorded but its processing did not start (%s); the re-drive job will run it",
                row.event_id,
                type(exc).__name__,
            )

    transaction.on_commit(queue)
    return row, True


#: Statuses after which an event is not processed again unless staff ask for it.
EVENT_FINISHED = (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED, StripeEvent.Status.STOPPED)
#: Attempts in a row that ended without an outcome (the worker was killed, the machine
#: stopped) after which an event is stopped for staff instead of tried again: an event
#: that kills its worker would otherwise be redelivered for ever (Q-02).
EVENT_MAX_INTERRUPTED = 3
_STARTED = "Started {at}, no outcome recorded ({n} in a row)"
_STARTED_RE = re.compile(r"Started (\S+), no outcome recorded \((\d+) in a row\)")
#: An attempt that started longer ago than the task's hard time limit and left no outcome
#: died; a younger one may still be running (a second delivery of the same event racing it),
#: so it does not count as interrupted.
EVENT_ATTEMPT_SECONDS = 120


def _stripe_event_start(event_pk):
    """Count an attempt on the event before making it, in a transaction of its own.

    The note written here is replaced by the attempt's outcome, so finding an old one at the
    start of the next attempt means the last one was interrupted. Returns the status to stop
    at (the event is finished, or has just been stopped), or None to go on.
    """
    now = timezone.now()
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.status in EVENT_FINISHED:
            return event.status
        started = _STARTED_RE.fullmatch(event.error)
        interrupted = int(started.group(2)) if started else 0
        if started and (now - datetime.fromisoformat(started.group(1))).total_seconds() < EVENT_ATTEMPT_SECONDS:
            # Another delivery is at work on it right now: not an interruption.
            interrupted -= 1
        if interrupted >= EVENT_MAX_INTERRUPTED:
            event.status = StripeEvent.Status.STOPPED
            event.error = f"Stopped after {interrupted} interrupted attempts: fix the cause, then process it again"
            event.save(update_fields=["status", "error"])
            logger.error("Stripe event %s stopped after %s interrupted attempts", event.event_id, interrupted)
            return event.status
        event.attempts += 1
        event.error = _STARTED.format(at=now.isoformat(), n=interrupted + 1)
        event.save(update_fields=["attempts", "error"])
    return None


def stripe_event_process(*, event_pk, payload=None):
    """Run the handler of one recorded event, at most once to completion.

    Writes: the attempt count first (committed on its own, so an attempt that dies is
    counted), then the handler's rows and the StripeEvent status (processed, ignored,
    failed with a short error that names no person, or stopped after
    EVENT_MAX_INTERRUPTED interrupted attempts). Fetches the event from the gateway when
    no payload is given (admin "process again", the re-drive job). Returns the event's
    status. Re-raises the handler's exception after recording it, so the task can retry
    transient errors.
    """
    stopped_at = _stripe_event_start(event_pk)
    if stopped_at is not None:
        return stopped_at
    try:
        with transaction.atomic():
            # The row lock serialises concurrent deliveries of the same event (PAY-02).
            event = StripeEvent.objects.select_for_update().get(pk=event_pk)
            if event.status in EVENT_FINISHED:
                return event.status
            handler = EVENT_HANDLERS.get(event.type)
            if handler is None:
                event.status, event.error = StripeEvent.Status.IGNORED, ""
            else:
                if payload is None:
                    fetched = payments.get_gateway().retrieve_event(event_id=event.event_id)
                    if not fetched:
                        raise NotYetKnown("event cannot be fetched from the payment provider")
                    payload = stripe_object_minimise((fetched.get("data") or {}).get("object") or {})
                handler(payload)
                event.status, event.error = StripeEvent.Status.PROCESSED, ""
            event.processed_at = timezone.now()
            event.save(update_fields=["status", "error", "processed_at"])
            return event.status
    except Exception as exc:
        # Only the exception's class and our own message: Stripe's messages may quote values.
        error = (
            f"{type(exc).__name__}: {exc}"
            if isinstance(exc, NotYetKnown | IllegalTransition | EventPayloadMismatch)
            else type(exc).__name__
        )
        StripeEvent.objects.filter(pk=event_pk).exclude(status__in=EVENT_FINISHED).update(
            status=StripeEvent.Status.FAILED, error=error[:255]
        )
        if not isinstance(exc, NotYetKnown | payments.TransientPaymentError):
            logger.error("Stripe event %s failed: %s", event_pk, error)
        raise


@transaction.atomic
def stripe_event_reprocess(*, event):
    """Process an event again (admin action); safe because every handler is idempotent.

    Writes: the StripeEvent back to received. Queues: shop.process_stripe_event, which
    fetches the event from the payment provider.
    """
    from shop.tasks import process_stripe_event

    StripeEvent.objects.filter(pk=event.pk).update(status=StripeEvent.Status.RECEIVED, error="")
    transaction.on_commit(lambda: process_stripe_event.delay(event.pk))


#: Events younger than this are left to the task their webhook queued.
REDRIVE_AFTER = timedelta(minutes=1)
#: Events per run of the re-drive job; the next run, five minutes on, takes the rest.
REDRIVE_BATCH = 100
#: A failed event is re-driven until it has had this many attempts; after that it is left
#: to the nightly reconciliation and to staff ("process again").
REDRIVE_MAX_ATTEMPTS = 20


def stripe_events_redrive(*, now=None, limit=REDRIVE_BATCH):
    """Process the recorded events that no worker finished (Q-09).

    Picks, oldest first, at most `limit` events received over REDRIVE_AFTER ago that are
    still received (their message never reached a worker, or was lost with one) or failed
    with fewer than REDRIVE_MAX_ATTEMPTS attempts, and processes each in this process,
    fetching it from the payment provider. Each is processed at most once to completion
    whoever else runs it (the row lock and the handlers' state guards). Writes what
    stripe_event_process writes. Returns the number of events finished; one event failing
    does not stop the others.
    """
    now = now or timezone.now()
    left = (
        StripeEvent.objects.filter(received_at__lt=now - REDRIVE_AFTER)
        .filter(
            Q(status=StripeEvent.Status.RECEIVED)
            | Q(status=StripeEvent.Status.FAILED, attempts__lt=REDRIVE_MAX_ATTEMPTS)
        )
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    finished = 0
    for event_pk in list(left):
        try:
            status = stripe_event_process(event_pk=event_pk)
        except Exception as exc:  # noqa: BLE001 - recorded on the row; the next event still runs
            logger.warning("Re-drive could not process Stripe event %s: %s", event_pk, type(exc).__name__)
            continue
        if status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
            finished += 1
    return finished


def stripe_events_reconcile(*, now=None, days=3, limit=1000):
    """Process the events of the last `days` that never reached us or never finished (PAY-05).

    Stripe retries a failed delivery for three days; this nightly pass catches what
    still slipped through. Writes: StripeEvent rows and the handlers' rows. Returns the
    number of events processed. One event failing does not stop the others.
    """
    now = now or timezone.now()
    events = payments.get_gateway().list_events(since=now - timedelta(days=days), types=HANDLED_EVENT_TYPES)
    done = set(
        StripeEvent.objects.filter(
            event_id__in=[event["id"] for event in events],
            status__in=[StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED],
        ).values_list("event_id", flat=True)
    )
    processed = 0
    for event in events[:limit]:
        if event["id"] in done:
            continue
        obj = (event.get("data") or {}).get("object") or {}
        row, _ = StripeEvent.objects.get_or_create(
            event_id=event["id"],
            defaults={
                "type": event["type"][:100],
                "object_id": str(obj.get("id", ""))[:255],
                "livemode": bool(event.get("livemode")),
                "stripe_created_at": _datetime(event.get("created")),
            },
        )
        try:
            status = stripe_event_process(event_pk=row.pk, payload=stripe_object_minimise(obj))
        except Exception as exc:  # noqa: BLE001 - recorded on the row; the next event still runs
            logger.warning("Reconciliation could not process %s: %s", row.event_id, type(exc).__name__)
            continue
        if status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
            processed += 1
    return processed


# --- demo payment ---------------------------------------------------------------------
def order_pay_demo(*, order):
    """Pay an order on the demo page: build the events Stripe would send and run the very
    same handlers as the webhook. Only for the demo gateway.

    Writes and sends what checkout_session_completed and invoice_paid write and send.
    """
    gateway = payments.get_gateway()
    if not gateway.is_demo:
        raise CheckoutRefused("Demo payments are switched off.")
    now = timezone.now()
    subscription_id = f"demo_sub_{order.number}" if order.mode == Order.Mode.SUBSCRIPTION else None
    checkout_session_completed(
        {
            "id": order.stripe_checkout_session_id or f"demo_cs_{order.number}",
            "object": "checkout.session",
            "mode": order.mode,
            "status": "complete",
            "payment_status": "paid",
            "client_reference_id": order.number,
            "metadata": {"order_number": order.number},
            "amount_total": payments.to_minor_units(order.total),
            "total_details": {"amount_tax": payments.to_minor_units(order.vat_total)},
            "currency": order.currency,
            "customer": None,
            "payment_intent": None if subscription_id else f"demo_pi_{order.number}",
            "subscription": subscription_id,
        }
    )
    if subscription_id:
        first_line = order.lines.exclude(billing=Plan.Billing.ONE_OFF).first()
        period_end = _next_period(now, first_line.billing) if first_line else now
        invoice_paid(
            {
                "id": f"demo_in_{order.number}",
                "object": "invoice",
                "number": f"DEMO-{order.number[3:]}-0001",
                "status": "paid",
                "amount_paid": payments.to_minor_units(order.total),
                "total_taxes": [{"amount": payments.to_minor_units(order.vat_total)}],
                "billing_reason": "subscription_create",
                "currency": order.currency,
                "hosted_invoice_url": None,
                "created": int(now.timestamp()),
                "parent": {"subscription_details": {"subscription": subscription_id}},
                "lines": {"data": [{"period": {"start": int(now.timestamp()), "end": int(period_end.timestamp())}}]},
            }
        )


# --- subscriptions -------------------------------------------------------------------
def subscription_cancel(*, subscription, user):
    """Cancel a subscription at the end of its paid period (the customer keeps the service
    until then and is not charged again).

    Calls the gateway with an idempotency key derived from our ids; then writes
    cancel_at_period_end on every plan of that Stripe subscription. Sends the
    confirmation email once. Raises PermissionError for someone else's subscription,
    CheckoutRefused when it has already ended, and payments errors from the provider.
    """
    if subscription.user_id != user.pk:
        raise PermissionError("not your subscription")
    if subscription.status == Subscription.Status.CANCELED:
        raise CheckoutRefused("This plan has already ended.")
    if subscription.cancel_at_period_end:
        return subscription
    state = {}
    if subscription.stripe_subscription_id:
        state = payments.get_gateway().cancel_subscription_at_period_end(
            stripe_subscription_id=subscription.stripe_subscription_id,
            idempotency_key=f"subscription-{subscription.stripe_subscription_id}-cancel-at-period-end",
        )
    with transaction.atomic():
        rows = Subscription.objects.select_for_update().filter(user=user)
        rows = (
            rows.filter(stripe_subscription_id=subscription.stripe_subscription_id)
            if subscription.stripe_subscription_id
            else rows.filter(pk=subscription.pk)
        )
        rows = list(rows.filter(cancel_at_period_end=False))
        if not rows:
            return subscription
        period_end = _datetime(state.get("current_period_end"))
        for row in rows:
            row.cancel_at_period_end = True
            if period_end:
                row.current_period_end = period_end
            row.save(update_fields=["cancel_at_period_end", "current_period_end"])
        transaction.on_commit(
            lambda: send_templated_email(
                to=[user.email], template="shop/subscription_cancelled", context={"subscriptions": rows, "user": user}
            )
        )
    subscription.refresh_from_db()
    return subscription


# --- helpers -----------------------------------------------------------------------------
def _refund_minimise(refund: dict) -> dict:
    """A refund listed on a charge: its id, amount, status, payment and our metadata only."""
    small = {key: refund[key] for key in ("id", "object", "amount", "status", "currency") if key in refund}
    small["payment_intent"] = _id(refund.get("payment_intent"))
    metadata = refund.get("metadata") or {}
    small["metadata"] = {k: v for k, v in metadata.items() if k in ("order_number", "refund_id")}
    return small


def _id(value):
    if isinstance(value, dict):
        return value.get("id", "") or ""
    return value or ""


def _datetime(timestamp):
    if timestamp in (None, ""):
        return None
    if isinstance(timestamp, datetime):
        return timestamp
    return datetime.fromtimestamp(int(timestamp), tz=UTC)


def _next_period(start, billing):
    if billing == Plan.Billing.YEARLY:
        try:
            return start.replace(year=start.year + 1)
        except ValueError:  # 29 February
            return start.replace(year=start.year + 1, day=28)
    month = start.month % 12 + 1
    year = start.year + (1 if start.month == 12 else 0)
    for day in (start.day, 30, 29, 28):
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return start + timedelta(days=30)
