"""Promotion codes: the rules, the price with a code, and taking a code with an order.

Entry points for the rest of the shop:

- ``promotion_price(...)``: what a code would take off a cart, or the refusal (read only;
  the checkout page shows it before the order is placed);
- ``promotion_apply(...)``: the code taken by an order, inside ``order_place``'s transaction,
  under the code's row lock, so the maximum holds however many checkouts run at once;
- ``discounted_net(...)``: an order's net price after its discount, before VAT: the one
  amount VAT is computed on;
- ``promotion_stripe_coupon(...)``: with Stripe, a single-use coupon for the order's exact
  discount, passed to Checkout, so Stripe charges to the penny what we showed.

The discount applies to the net price of the lines the code is for (all, or the plans and
services it names; a code "for N months" only to monthly and yearly plans), rounded half up
to the penny, and never more than those lines cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format

from shop.models import Order, Plan, PromotionCode, PromotionRedemption
from shop.services import CheckoutRefused

PENNY = Decimal("0.01")
USED_UP = "The code {code} has been used as many times as it can be, so it has run out."
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")


class PromotionRefused(CheckoutRefused):
    """The code cannot be used here; `code` names the rule, the message is for the customer."""

    def __init__(self, message, *, code):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PromotionLine:
    plan_id: int | None
    service_id: int | None
    billing: str
    amount: Decimal  # the line's net total


@dataclass(frozen=True)
class PromotionQuote:
    promotion: PromotionCode
    subtotal: Decimal
    discount: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount

    @property
    def description(self) -> str:
        return promotion_describe(self.promotion)


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


def promotion_describe(promotion: PromotionCode) -> str:
    """The discount in words, for the customer: "20% off for 3 months", "£10.00 off"."""
    off = (
        f"{promotion.percent_off.normalize():f}% off"
        if promotion.kind == PromotionCode.Kind.PERCENT
        else f"£{promotion.amount_off:,.2f} off"
    )
    if promotion.duration == PromotionCode.Duration.REPEATING:
        months = promotion.duration_in_months
        return f"{off} each payment for {months} month{'s' if months != 1 else ''}"
    return off


def _refuse(code, message):
    raise PromotionRefused(message, code=code)


def _lines_from_cart(items) -> list[PromotionLine]:
    return [
        PromotionLine(item.plan.pk, item.plan.service_id, item.plan.billing, Decimal(item.line_total)) for item in items
    ]


def _lines_from_order(order) -> list[PromotionLine]:
    return [
        PromotionLine(line.plan_id, line.plan.service_id if line.plan else None, line.billing, line.line_total)
        for line in order.lines.select_related("plan")
    ]


def _eligible(promotion, lines) -> list[PromotionLine]:
    plan_ids = set(promotion.plans.values_list("pk", flat=True))
    service_ids = set(promotion.services.values_list("pk", flat=True))
    eligible = []
    for line in lines:
        if promotion.duration == PromotionCode.Duration.REPEATING and line.billing == Plan.Billing.ONE_OFF:
            continue
        if (plan_ids or service_ids) and line.plan_id not in plan_ids and line.service_id not in service_ids:
            continue
        eligible.append(line)
    return eligible


def _has_bought_before(*, user, email, exclude_order=None) -> bool:
    who = Q(user=user) if user is not None else Q(user=None, email__iexact=email)
    orders = Order.objects.filter(who).exclude(status__in=[Order.Status.PENDING, Order.Status.CANCELLED])
    if exclude_order is not None:
        orders = orders.exclude(pk=exclude_order.pk)
    return orders.exists()


def _has_used(*, promotion, user, email, exclude_order=None) -> bool:
    who = Q(user=user) if user is not None else Q(email__iexact=email)
    # A redemption counts while its order stands: a cancelled, never-paid order gives the code back.
    used = promotion.redemptions.filter(who).exclude(order__status=Order.Status.CANCELLED)
    if exclude_order is not None:
        used = used.exclude(order=exclude_order)
    return used.exists()


def _discount(promotion, eligible_amount: Decimal) -> Decimal:
    if promotion.kind == PromotionCode.Kind.PERCENT:
        discount = (eligible_amount * promotion.percent_off / 100).quantize(PENNY, rounding=ROUND_HALF_UP)
    else:
        discount = promotion.amount_off
    return min(discount, eligible_amount)


def _check(promotion, *, code, user, email, lines, now, exclude_order=None) -> PromotionQuote:
    """Every rule, in the order a customer can best act on; raises PromotionRefused."""
    if promotion is None or not promotion.is_active:
        _refuse("unknown", f"We do not recognise the code “{code}”. Check it and try again.")
    if promotion.starts_at > now:
        _refuse(
            "not_started",
            f"The code {promotion.code} is not valid yet: it starts on {date_format(timezone.localtime(promotion.starts_at), 'j F Y')}.",  # noqa: E501
        )
    if promotion.ends_at is not None and promotion.ends_at <= now:
        _refuse(
            "expired",
            f"The code {promotion.code} expired on {date_format(timezone.localtime(promotion.ends_at), 'j F Y')}.",
        )
    if promotion.max_redemptions is not None and promotion.times_redeemed >= promotion.max_redemptions:
        _refuse("used_up", USED_UP.format(code=promotion.code))
    if user is None and not email and (promotion.once_per_customer or promotion.first_order_only):
        _refuse("email_needed", f"Enter your email address first: the code {promotion.code} is once per customer.")
    if promotion.once_per_customer and _has_used(
        promotion=promotion, user=user, email=email, exclude_order=exclude_order
    ):
        _refuse("already_used", f"You have already used the code {promotion.code}: it is once per customer.")
    if promotion.first_order_only and _has_bought_before(user=user, email=email, exclude_order=exclude_order):
        _refuse("first_order_only", f"The code {promotion.code} is for a first order only; you have ordered before.")
    eligible = _eligible(promotion, lines)
    if not eligible:
        names = [str(plan) for plan in promotion.plans.select_related("service")]
        names += [service.name for service in promotion.services.all()]
        which = f" It is for: {', '.join(names)}." if names else ""
        if promotion.duration == PromotionCode.Duration.REPEATING and not names:
            which = " It is for monthly and yearly plans."
        _refuse("not_for_cart", f"The code {promotion.code} is not for the services in your cart.{which}")
    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    discount = _discount(promotion, sum((line.amount for line in eligible), Decimal("0.00")))
    return PromotionQuote(promotion=promotion, subtotal=subtotal, discount=discount)


def promotion_price(*, code, items, user=None, email="", now=None) -> PromotionQuote:
    """What `code` takes off the cart `items` (shop.cart items), for `user` (or a guest's
    `email`), without taking it. Reads only. Raises PromotionRefused with the customer's
    message: unknown, not_started, expired, used_up, email_needed, already_used,
    first_order_only, not_for_cart."""
    code = normalise_code(code)
    user = user if user is not None and user.is_authenticated else None
    promotion = PromotionCode.objects.filter(code=code).first() if CODE_PATTERN.match(code) else None
    lines = _lines_from_cart(items)
    return _check(promotion, code=code, user=user, email=email, lines=lines, now=now or timezone.now())


def promotion_apply(*, order, code, user=None, now=None) -> PromotionRedemption:
    """Take `code` for a pending order placed in the current transaction (order_place).

    Locks the code's row, checks every rule again under the lock, then counts the use with
    a conditional UPDATE (times_redeemed below max_redemptions) and writes the redemption;
    order_place then computes the order's VAT on its net after the discount. Two checkouts that want the last
    use of a code queue on the row: one gets it, the other is refused "used up".

    Writes: PromotionCode.times_redeemed, one PromotionRedemption and an OrderEvent.
    Raises PromotionRefused (the caller's transaction rolls back with it).
    """
    code = normalise_code(code)
    user = user if user is not None and user.is_authenticated else None
    now = now or timezone.now()
    with transaction.atomic():
        promotion = (
            PromotionCode.objects.select_for_update().filter(code=code).first() if CODE_PATTERN.match(code) else None
        )
        quote = _check(
            promotion,
            code=code,
            user=user,
            email=order.email,
            lines=_lines_from_order(order),
            now=now,
            exclude_order=order,
        )
        counted = PromotionCode.objects.filter(pk=promotion.pk)
        if promotion.max_redemptions is not None:
            counted = counted.filter(times_redeemed__lt=F("max_redemptions"))
        if not counted.update(times_redeemed=F("times_redeemed") + 1):
            _refuse("used_up", USED_UP.format(code=promotion.code))
        redemption = PromotionRedemption.objects.create(
            promotion=promotion,
            order=order,
            user=user,
            email=order.email,
            subtotal=quote.subtotal,
            discount=quote.discount,
            created_at=now,
        )
        order.events.create(
            status=order.status, note=f"Promotion code {promotion.code}: {quote.description}, −£{quote.discount:,.2f}"
        )
    return redemption


def discounted_net(*, order) -> Decimal:
    """The order's net price after its promotion discount and before VAT: what VAT is
    computed on. Equal to the sum of its lines when no code was used."""
    subtotal = sum((line.line_total for line in order.lines.all()), Decimal("0.00"))
    redemption = PromotionRedemption.objects.filter(order=order).only("discount").first()
    return subtotal - (redemption.discount if redemption else Decimal("0.00"))


def promotion_renewal_discount(*, subscription, renewal_number: int) -> Decimal:
    """The discount on the `renewal_number`-th payment after the first (1, 2, ...) of a
    subscription bought with a code "for N months": the first payment counts as month 1.
    Zero for other codes or once the months are over."""
    redemption = PromotionRedemption.objects.select_related("promotion").filter(order_id=subscription.order_id).first()
    if redemption is None or redemption.promotion.duration != PromotionCode.Duration.REPEATING:
        return Decimal("0.00")
    months_per_payment = 12 if subscription.billing == Plan.Billing.YEARLY else 1
    if (renewal_number * months_per_payment) >= redemption.promotion.duration_in_months:
        return Decimal("0.00")
    return redemption.discount


def promotion_stripe_coupon(*, order, gateway) -> str:
    """With Stripe: a single-use coupon for the exact discount of the order's code (once,
    or each invoice for the code's months), made with an idempotency key from the order
    number; "" without a code or with the demo gateway. Raises payments.PaymentError."""
    redemption = PromotionRedemption.objects.select_related("promotion").filter(order=order).first()
    if redemption is None or not redemption.discount or gateway.is_demo:
        return ""
    promotion = redemption.promotion
    return gateway.create_coupon(
        amount_off=redemption.discount,
        currency=order.currency,
        duration=promotion.duration,
        duration_in_months=promotion.duration_in_months,
        name=f"{promotion.code} ({order.number})",
        idempotency_key=f"order-{order.number}-coupon",
    )
