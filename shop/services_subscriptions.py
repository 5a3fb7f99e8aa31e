"""Changing a subscription after it started: change of plan (with proration), cancel now,
resume, failed renewals (dunning) and the payment provider's customer portal.

The same code runs with Stripe and with the demo gateway; only the gateway call differs.
Amounts come from shop.proration, computed on the server at the moment of the change.

Terms (templates/shop/checkout_summary.html, cart_detail.html, home.html): "Cancelling keeps
the plan until the end of the period you paid for"; they promise no refund for the rest
of a period, so ending a plan at once refunds nothing, and the page says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.mail import send_templated_email
from shop import conf, payments
from shop.models import Invoice, Order, OrderEvent, Plan, Subscription
from shop.proration import Proration, period_end_after, period_start, proration
from shop.services import CheckoutRefused, order_set_status

logger = logging.getLogger(__name__)

UPGRADE = "upgrade"
DOWNGRADE = "downgrade"


class PlanChangeRefused(CheckoutRefused):
    """The change cannot be made; the message is for the customer. Nothing changed."""


@dataclass(frozen=True)
class PlanChange:
    """What changing `subscription` to `plan` does, computed at `now`."""

    subscription: Subscription
    plan: Plan
    kind: str  # UPGRADE (at once, prorated) or DOWNGRADE (at period end)
    now: datetime
    #: The prorated amounts of an upgrade; None for a downgrade, which costs nothing now.
    proration: Proration | None
    #: When the new plan starts: now for an upgrade, the period's end for a downgrade.
    starts_at: datetime
    #: The end of the period the new plan is paid up to after an upgrade.
    new_period_end: datetime

    @property
    def is_upgrade(self):
        return self.kind == UPGRADE


# --- reads -----------------------------------------------------------------------------
def plan_change_kind(*, subscription, plan) -> str:
    """UPGRADE when the change happens at once and is charged now, DOWNGRADE when it waits
    for the period's end.

    Same cycle: a dearer plan is an upgrade, a cheaper (or equal) one a downgrade.
    Monthly to yearly is an upgrade (the year starts now, less the unused month) unless the
    year costs less than the month; yearly to monthly waits for the year's end.
    """
    if plan.billing == subscription.billing:
        return UPGRADE if plan.price > subscription.unit_price else DOWNGRADE
    if subscription.billing == Plan.Billing.MONTHLY and plan.billing == Plan.Billing.YEARLY:
        return UPGRADE if plan.price >= subscription.unit_price else DOWNGRADE
    return DOWNGRADE


def plan_change_options(*, subscription) -> list[Plan]:
    """The other active monthly and yearly plans of the subscription's service."""
    if subscription.plan_id is None:
        return []
    return list(
        Plan.objects.active()
        .recurring()
        .filter(service_id=subscription.plan.service_id)
        .exclude(pk=subscription.plan_id)
        .select_related("service")
        .order_by("billing", "price", "pk")
    )


def _refusal(subscription, plan, *, user) -> str:
    if subscription.user_id != user.pk:
        raise PermissionError("not your subscription")
    if subscription.status not in (Subscription.Status.ACTIVE, Subscription.Status.TRIALING):
        if subscription.status == Subscription.Status.PAST_DUE:
            return "The last payment for this plan failed: update your card first, then change the plan."
        return "This plan has ended, so it cannot be changed. You can buy a new plan at any time."
    if subscription.cancel_at_period_end:
        return "This plan is set to end at the end of the period: resume it first, then change it."
    if not subscription.current_period_end:
        return "This plan has no current period yet, so it cannot be changed now."
    if plan is None or plan.pk == subscription.plan_id:
        return "Choose a different plan."
    if plan.pk not in {option.pk for option in plan_change_options(subscription=subscription)}:
        return "That plan is not available for this service."
    if subscription.stripe_subscription_id and (
        Subscription.objects.filter(stripe_subscription_id=subscription.stripe_subscription_id)
        .exclude(pk=subscription.pk)
        .exists()
    ):
        return (
            "This plan is billed together with other plans bought in the same order, so it cannot be changed "
            "on its own here. Please contact us and we will change it for you."
        )
    return ""


def plan_change_preview(*, subscription, plan, user, now=None) -> PlanChange:
    """What changing to `plan` would do and cost, without changing anything.

    Raises PlanChangeRefused (with the customer's message) when the change is not possible,
    PermissionError for someone else's subscription.
    """
    now = now or timezone.now()
    problem = _refusal(subscription, plan, user=user)
    if problem:
        raise PlanChangeRefused(problem)
    kind = plan_change_kind(subscription=subscription, plan=plan)
    end = subscription.current_period_end
    restarts = plan.billing != subscription.billing
    if kind == DOWNGRADE:
        return PlanChange(subscription, plan, kind, now, None, end, period_end_after(start=end, billing=plan.billing))
    amounts = proration(
        old_price=subscription.unit_price,
        new_price=plan.price,
        quantity=subscription.quantity,
        period_start=period_start(period_end=end, billing=subscription.billing),
        period_end=end,
        now=now,
        restarts_period=restarts,
    )
    new_end = period_end_after(start=now, billing=plan.billing) if restarts else end
    return PlanChange(subscription, plan, kind, now, amounts, now, new_end)


# --- writes ----------------------------------------------------------------------------
def _timeline(order, note):
    OrderEvent.objects.create(order=order, status=order.status, note=note[:255])


def _money(amount, currency):
    return f"£{amount:,.2f}" if currency.lower() == "gbp" else f"{amount:,.2f} {currency.upper()}"


def _switch_plan(row, plan):
    row.plan = plan
    row.service_name = plan.service.name
    row.plan_name = plan.name
    row.billing = plan.billing
    row.unit_price = plan.price
    row.scheduled_plan = None


def subscription_change_plan(*, subscription, plan, user, now=None) -> PlanChange:
    """Change a customer's plan: an upgrade at once with the prorated charge, a downgrade
    at the end of the paid period.

    Upgrade: the gateway moves the Stripe subscription to the new price, prorated to the
    second at `now` and invoiced at once (a declined card changes nothing); the row takes
    the new plan and price (and, for monthly to yearly, a period that starts now); the demo
    gateway records the prorated charge as a paid invoice, Stripe's arrives by webhook.
    Downgrade: Stripe bills the new price from the next period (a subscription schedule);
    the row keeps its plan and names the next one in scheduled_plan until the renewal.
    Writes one OrderEvent on the order's timeline either way. Network calls happen before
    the row lock, with idempotency keys derived from our ids and the moment.

    Raises PlanChangeRefused (customer's message), PermissionError for someone else's
    subscription, payments.PaymentError when the provider refuses (card declined).
    """
    change = plan_change_preview(subscription=subscription, plan=plan, user=user, now=now)
    gateway = payments.get_gateway()
    stamp = int(change.now.timestamp())
    key = f"subscription-{subscription.pk}-plan-{plan.pk}-{stamp}"
    currency = subscription.order.currency
    if subscription.stripe_subscription_id and not gateway.is_demo:
        if change.is_upgrade:
            gateway.change_subscription_price(
                stripe_subscription_id=subscription.stripe_subscription_id,
                unit_price=plan.price,
                interval=plan.billing,
                currency=currency,
                proration_date=change.now,
                idempotency_key=key,
            )
        else:
            gateway.schedule_subscription_price(
                stripe_subscription_id=subscription.stripe_subscription_id,
                unit_price=plan.price,
                interval=plan.billing,
                currency=currency,
                idempotency_key=key,
            )
    with transaction.atomic():
        row = Subscription.objects.select_for_update(of=("self",)).select_related("order").get(pk=subscription.pk)
        if row.status != subscription.status or row.plan_id != subscription.plan_id:
            raise PlanChangeRefused("This plan changed while you were looking at it. Please check it again.")
        old_name = f"{row.service_name} ({row.plan_name})"
        if change.is_upgrade:
            _switch_plan(row, plan)
            row.current_period_end = change.new_period_end
            row.save()
            amounts = change.proration
            if gateway.is_demo and amounts.total > 0:
                Invoice.objects.create(
                    subscription=row,
                    stripe_invoice_id=f"demo_in_{row.pk}_change_{stamp}",
                    number=f"DEMO-{row.order.number[3:]}-C{stamp % 100000:05d}",
                    amount=amounts.total,
                    currency=currency,
                    status=Invoice.Status.PAID,
                    period_start=change.now,
                    period_end=row.current_period_end,
                    created_at=change.now,
                )
            _timeline(
                row.order,
                f"Plan changed by the customer: {old_name} → {plan.name}; prorated charge "
                f"{_money(amounts.total, currency)} ({_money(amounts.charge, currency)} less "
                f"{_money(amounts.credit, currency)} unused)",
            )
        else:
            row.scheduled_plan = plan
            row.save(update_fields=["scheduled_plan"])
            _timeline(
                row.order,
                f"Plan change scheduled by the customer: {old_name} → {plan.name} "
                f"from {row.current_period_end:%d %b %Y}",
            )
    subscription.refresh_from_db()
    return change


def subscription_scheduled_plan_cancel(*, subscription, user):
    """Keep the current plan after all: drop a downgrade scheduled for the period's end.

    Writes scheduled_plan and one OrderEvent. In live mode Stripe's schedule is released by
    setting the current price again for the next period. Raises PermissionError.
    """
    if subscription.user_id != user.pk:
        raise PermissionError("not your subscription")
    if subscription.scheduled_plan_id is None:
        return subscription
    gateway = payments.get_gateway()
    if subscription.stripe_subscription_id and not gateway.is_demo:
        gateway.schedule_subscription_price(
            stripe_subscription_id=subscription.stripe_subscription_id,
            unit_price=subscription.unit_price,
            interval=subscription.billing,
            currency=subscription.order.currency,
            idempotency_key=f"subscription-{subscription.pk}-keep-{subscription.scheduled_plan_id}",
        )
    with transaction.atomic():
        row = Subscription.objects.select_for_update(of=("self",)).select_related("order").get(pk=subscription.pk)
        if row.scheduled_plan_id is not None:
            row.scheduled_plan = None
            row.save(update_fields=["scheduled_plan"])
            _timeline(row.order, f"Scheduled plan change withdrawn by the customer: stays on {row.plan_name}")
    subscription.refresh_from_db()
    return subscription


def _end_rows(rows, *, reason, ended_at, note):
    order_ids = set()
    for row in rows:
        order_ids.add(row.order_id)
        if row.status != Subscription.Status.CANCELED:
            row.status = Subscription.Status.CANCELED
            row.canceled_at = ended_at
            row.ended_reason = reason
            row.scheduled_plan = None
            row.save(update_fields=["status", "canceled_at", "ended_reason", "scheduled_plan"])
    for order in Order.objects.select_for_update().filter(pk__in=order_ids):
        still_live = order.subscriptions.exclude(status=Subscription.Status.CANCELED).exists()
        if not still_live and order.can_move_to(Order.Status.CANCELLED):
            order_set_status(order=order, status=Order.Status.CANCELLED, note=note)
        else:
            _timeline(order, note)


def _billed_together(subscription):
    rows = Subscription.objects.select_for_update()
    if subscription.stripe_subscription_id:
        return list(rows.filter(stripe_subscription_id=subscription.stripe_subscription_id).order_by("pk"))
    return list(rows.filter(pk=subscription.pk))


def subscription_cancel_now(*, subscription, user, now=None):
    """End a customer's plan at once, with no refund (the terms promise none).

    Calls the gateway (no proration, no refund), then ends every plan billed by the same
    Stripe subscription: status ended, canceled_at, ended_reason "customer", and the order
    cancelled once nothing of it runs (OrderEvent). Sends the cancellation email once.
    Raises PermissionError for someone else's subscription, CheckoutRefused when it has
    already ended, payments.PaymentError from the provider.
    """
    if subscription.user_id != user.pk:
        raise PermissionError("not your subscription")
    if subscription.status == Subscription.Status.CANCELED:
        raise CheckoutRefused("This plan has already ended.")
    now = now or timezone.now()
    gateway = payments.get_gateway()
    if subscription.stripe_subscription_id and not gateway.is_demo:
        gateway.cancel_subscription_now(
            stripe_subscription_id=subscription.stripe_subscription_id,
            idempotency_key=f"subscription-{subscription.stripe_subscription_id}-cancel-now",
        )
    with transaction.atomic():
        rows = [row for row in _billed_together(subscription) if row.status != Subscription.Status.CANCELED]
        if rows:
            _end_rows(
                rows,
                reason=Subscription.EndedReason.CUSTOMER,
                ended_at=now,
                note="Subscription ended at once by the customer (no refund)",
            )
            transaction.on_commit(
                lambda: send_templated_email(
                    to=[user.email],
                    template="shop/subscription_ended",
                    context={"subscriptions": rows, "user": user, "ended_at": now},
                )
            )
    subscription.refresh_from_db()
    return subscription


def subscription_resume(*, subscription, user, now=None):
    """Undo a cancellation at period end, before that end comes.

    Calls the gateway, then writes cancel_at_period_end off on every plan billed together
    and one OrderEvent. Raises PermissionError, CheckoutRefused when the plan has ended or
    is not set to end, payments.PaymentError from the provider.
    """
    if subscription.user_id != user.pk:
        raise PermissionError("not your subscription")
    now = now or timezone.now()
    if subscription.status == Subscription.Status.CANCELED or (
        subscription.current_period_end and subscription.current_period_end <= now
    ):
        raise CheckoutRefused("This plan has already ended: you can buy it again from the catalogue.")
    if not subscription.cancel_at_period_end:
        return subscription
    gateway = payments.get_gateway()
    if subscription.stripe_subscription_id and not gateway.is_demo:
        gateway.resume_subscription(
            stripe_subscription_id=subscription.stripe_subscription_id,
            idempotency_key=f"subscription-{subscription.stripe_subscription_id}-resume-{int(now.timestamp())}",
        )
    with transaction.atomic():
        rows = [row for row in _billed_together(subscription) if row.cancel_at_period_end]
        for row in rows:
            row.cancel_at_period_end = False
            row.save(update_fields=["cancel_at_period_end"])
        if rows:
            _timeline(subscription.order, "Subscription resumed by the customer: it renews again")
    subscription.refresh_from_db()
    return subscription


# --- renewals and failed payments (dunning) ---------------------------------------------
def billing_update_url(*, user) -> str:
    """Where a customer updates their card: our billing-portal link when Stripe runs the
    payments (it opens a fresh portal session), else the "My services" page."""
    gateway = payments.get_gateway()
    if not gateway.is_demo and stripe_customer_for(user=user):
        return reverse("shop:billing_portal")
    return reverse("shop:subscription_list")


def stripe_customer_for(*, user) -> str:
    """The Stripe customer of the user's latest order that has one, or ""."""
    if user is None or not user.pk:
        return ""
    orders = Order.objects.filter(user_id=user.pk).exclude(stripe_customer_id="").order_by("-created_at", "-pk")
    return orders.values_list("stripe_customer_id", flat=True).first() or ""


def billing_portal_session_url(*, user, return_url) -> str:
    """A fresh link to Stripe's customer portal for this customer, or "" when there is none
    (demo payments, or no Stripe customer yet). Raises payments.PaymentError."""
    gateway = payments.get_gateway()
    customer = stripe_customer_for(user=user)
    if gateway.is_demo or not customer:
        return ""
    return gateway.billing_portal_url(customer_id=customer, return_url=return_url)


def subscriptions_payment_failed(*, subscriptions, invoice: dict, first_failure: bool):
    """Count a failed renewal try and end the subscription after SHOP_DUNNING_MAX_ATTEMPTS.

    Called by the invoice.payment_failed handler inside its transaction, with the rows of
    one Stripe subscription. The try number is Stripe's invoice.attempt_count (without it,
    one more than recorded on the invoice's first failure), so a redelivered event counts
    nothing twice. Writes failed_payment_attempts; at the maximum, ends the rows (reason
    "payment_failed"), cancels at Stripe and notes it on the order's timeline. Sends, after
    commit and once per new try, the payment-failed email with the link to update the card
    (or, at the maximum, the subscription-ended email).
    """
    recorded = max(row.failed_payment_attempts for row in subscriptions)
    attempt = invoice.get("attempt_count")
    if not isinstance(attempt, int) or attempt < 1:
        attempt = recorded + 1 if first_failure else recorded
    if attempt <= recorded:
        return False
    maximum = conf.dunning_max_attempts()
    for row in subscriptions:
        row.failed_payment_attempts = attempt
        row.save(update_fields=["failed_payment_attempts"])
    user = subscriptions[0].user
    ended = attempt >= maximum
    if ended:
        live = [row for row in subscriptions if row.status != Subscription.Status.CANCELED]
        stripe_id = subscriptions[0].stripe_subscription_id
        gateway = payments.get_gateway()
        if stripe_id and not gateway.is_demo:
            # Inside the event's transaction: if it rolls back, the retried event repeats
            # this call with the same key, and Stripe answers it once.
            gateway.cancel_subscription_now(
                stripe_subscription_id=stripe_id, idempotency_key=f"subscription-{stripe_id}-dunning-end"
            )
        _end_rows(
            live,
            reason=Subscription.EndedReason.PAYMENT_FAILED,
            ended_at=timezone.now(),
            note=f"Subscription ended: the renewal payment failed {attempt} times",
        )
    if user is None:
        return True  # an erased customer's kept subscription has nobody left to tell
    context = {
        "subscriptions": list(subscriptions),
        "user": user,
        "attempt": attempt,
        "attempts_left": max(0, maximum - attempt),
        "update_url": billing_update_url(user=user),
    }
    template = "shop/subscription_ended_unpaid" if ended else "shop/payment_failed"
    transaction.on_commit(lambda: send_templated_email(to=[user.email], template=template, context=context))
    return True


def subscriptions_renewed(*, subscriptions, period_end):
    """A renewal was paid: the failed tries are forgotten and a downgrade scheduled for this
    renewal takes over. Called by the invoice.paid handler inside its transaction when the
    paid period ends later than the one recorded. Writes the plan fields and one OrderEvent
    per switched plan."""
    for row in subscriptions:
        fields = []
        if row.failed_payment_attempts:
            row.failed_payment_attempts = 0
            fields.append("failed_payment_attempts")
        scheduled = row.scheduled_plan
        if scheduled is not None and row.status != Subscription.Status.CANCELED:
            old = row.plan_name
            _switch_plan(row, scheduled)
            fields += ["plan", "service_name", "plan_name", "billing", "unit_price", "scheduled_plan"]
            _timeline(row.order, f"Scheduled plan change made at renewal: {old} → {row.plan_name}")
        if fields:
            row.save(update_fields=fields)


def subscription_renew_demo(*, subscription, paid: bool, now=None):
    """Demo gateway only: renew a subscription as Stripe would, through the very handlers
    of Stripe's invoice.paid and invoice.payment_failed events (staff use it from the admin
    to show a renewal or a failed card).

    A failed renewal is another try of the same invoice (its attempt_count goes up), so
    the dunning rules run as they do with Stripe. Raises CheckoutRefused outside the demo
    or for a subscription that has ended.
    """
    from shop.promotions import promotion_renewal_discount
    from shop.services import invoice_paid, invoice_payment_failed

    if not payments.get_gateway().is_demo:
        raise CheckoutRefused("Renewals are simulated only with demo payments.")
    if subscription.status == Subscription.Status.CANCELED:
        raise CheckoutRefused("This subscription has ended.")
    now = now or timezone.now()
    start = subscription.current_period_end or now
    billing = (subscription.scheduled_plan or subscription).billing
    end = period_end_after(start=start, billing=billing)
    price = subscription.scheduled_plan.price if subscription.scheduled_plan_id else subscription.unit_price
    payments_made = subscription.invoices.filter(status=Invoice.Status.PAID).exclude(
        stripe_invoice_id__contains="_change_"
    )
    # A code "for N months" lowers the renewals within its months, as Stripe's coupon does.
    discount = promotion_renewal_discount(subscription=subscription, renewal_number=payments_made.count())
    # As Stripe would charge it: the net after the discount, plus the VAT at the period's rate.
    from billing import vat
    from billing.services import order_vat_decision

    net = max(price * subscription.quantity - discount, Decimal("0.00"))
    figures = vat.figures(nets=[net], decision=order_vat_decision(subscription.order, day=start.date()))
    amount = payments.to_minor_units(figures.gross)
    stripe_id = subscription.stripe_subscription_id or f"demo_sub_{subscription.order.number}"
    if not subscription.stripe_subscription_id:
        Subscription.objects.filter(pk=subscription.pk).update(stripe_subscription_id=stripe_id)
    invoice = {
        "id": f"demo_in_{stripe_id}_{int(start.timestamp())}",
        "object": "invoice",
        "number": f"DEMO-{subscription.order.number[3:]}-R{int(start.timestamp()) % 100000:05d}",
        "amount_due": amount,
        "amount_paid": amount if paid else 0,
        "tax": payments.to_minor_units(figures.vat),
        "currency": subscription.order.currency,
        "created": int(now.timestamp()),
        "attempt_count": subscription.failed_payment_attempts + 1,
        "parent": {"subscription_details": {"subscription": stripe_id}},
        "lines": {"data": [{"period": {"start": int(start.timestamp()), "end": int(end.timestamp())}}]},
    }
    if paid:
        invoice_paid(invoice)
    else:
        invoice_payment_failed(invoice)
    subscription.refresh_from_db()
    return subscription


__all__ = [
    "DOWNGRADE",
    "UPGRADE",
    "PlanChange",
    "PlanChangeRefused",
    "billing_portal_session_url",
    "billing_update_url",
    "plan_change_kind",
    "plan_change_options",
    "plan_change_preview",
    "stripe_customer_for",
    "subscription_cancel_now",
    "subscription_change_plan",
    "subscription_renew_demo",
    "subscription_resume",
    "subscription_scheduled_plan_cancel",
    "subscriptions_payment_failed",
    "subscriptions_renewed",
]
