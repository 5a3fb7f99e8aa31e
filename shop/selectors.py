"""Reads that feed the checkout, order and "My services" pages."""

from django.db.models import Prefetch

from accounts.models import Address
from shop.models import Invoice, Order, OrderLine, Subscription

MIXED_INTERVALS_MESSAGE = (
    "Monthly and yearly plans are billed on different cycles: check out one cycle at a time. "
    "Remove the monthly or the yearly plans from your cart, and buy the others afterwards."
)
ACCOUNT_NEEDED_MESSAGE = (
    "Monthly and yearly plans are managed from “My services” in your account, so they need one. "
    "Sign in or create an account to continue; one-off services can be bought as a guest."
)
EMPTY_CART_MESSAGE = "Your cart is empty."


def checkout_problems(*, items, user) -> list[tuple[str, str]]:
    """Why this cart cannot be checked out as it is: a list of (code, message), empty if it can.

    Codes: "empty", "mixed_intervals", "account_needed".
    """
    if not items:
        return [("empty", EMPTY_CART_MESSAGE)]
    problems = []
    intervals = {item.plan.billing for item in items if item.plan.is_recurring}
    if len(intervals) > 1:
        problems.append(("mixed_intervals", MIXED_INTERVALS_MESSAGE))
    if intervals and not (user is not None and user.is_authenticated):
        problems.append(("account_needed", ACCOUNT_NEEDED_MESSAGE))
    return problems


def order_list_for_user(*, user):
    """The customer's orders, newest first, with their lines (two queries per page)."""
    return (
        Order.objects.for_user(user)
        .only("number", "status", "total", "currency", "created_at", "mode", "user_id")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.only("order_id", "service_name", "plan_name")))
        .order_by("-created_at", "-pk")
    )


def order_for_page(*, number):
    """One order with its lines and timeline, or None."""
    return Order.objects.filter(number=number).prefetch_related("lines", "events", "subscriptions").first()


def order_for_user(*, user, number):
    """The signed-in customer's own order, or None (AC-01: never someone else's)."""
    if not (user and user.is_authenticated):
        return None
    return Order.objects.filter(number=number, user=user).prefetch_related("lines", "events", "subscriptions").first()


def subscription_list_for_user(*, user):
    """The customer's subscriptions with their invoices, live ones first (two queries)."""
    subscriptions = list(
        Subscription.objects.for_user(user)
        .select_related("order")
        .prefetch_related(Prefetch("invoices", queryset=Invoice.objects.order_by("-created_at", "-pk")))
        .order_by("-created_at", "-pk")
    )
    live = [s for s in subscriptions if s.status != Subscription.Status.CANCELED]
    ended = [s for s in subscriptions if s.status == Subscription.Status.CANCELED]
    return live + ended


def subscription_for_user(*, user, pk):
    """The customer's own subscription, or None."""
    return Subscription.objects.for_user(user).filter(pk=pk).first()


def subscriptions_sharing_billing(*, subscription):
    """Every plan billed by the same Stripe subscription (they end together)."""
    if not subscription.stripe_subscription_id:
        return [subscription]
    return list(
        Subscription.objects.filter(
            user_id=subscription.user_id, stripe_subscription_id=subscription.stripe_subscription_id
        ).order_by("pk")
    )


def checkout_initial_billing(*, user) -> dict:
    """Billing fields to prefill: the default billing address, else the profile."""
    if not (user and user.is_authenticated):
        return {}
    address = (
        Address.objects.filter(user=user, kind=Address.Kind.BILLING).order_by("-is_default", "-created_at").first()
    )
    if address:
        return {
            "billing_name": address.full_name,
            "billing_company": address.company,
            "billing_line1": address.line1,
            "billing_line2": address.line2,
            "billing_city": address.city,
            "billing_postcode": address.postcode,
            "billing_country": address.country,
        }
    initial = {"billing_name": user.full_name}
    profile = getattr(user, "profile", None)
    if profile is not None:
        initial.update(billing_company=profile.company, billing_city=profile.city, billing_country=profile.country)
    return initial
