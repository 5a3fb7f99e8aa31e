"""The cart: the session holds an anonymous visitor's lines, the Cart model a signed-in
customer's. The cart stores plan ids and quantities only; prices are read from the
database every time a cart is shown or checked out (IN-01)."""

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Least
from django.utils.crypto import salted_hmac

from shop.models import Cart, CartLine, Plan

SESSION_KEY = "cart"
# A random key for each filling of an anonymous cart, dropped with the cart: it lets the
# checkout tell a second submit of the same cart from a new cart.
CART_KEY_SESSION_KEY = "cart_key"
# ASCII digits only: int() would also take "+3", "٣" or "1_0", none of which a person types
# into a quantity box on purpose. A minus sign passes here so "-1" gets the range message.
_QUANTITY_RE = re.compile(r"-?[0-9]{1,6}")


@dataclass(frozen=True)
class CartItem:
    plan: Plan
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return (self.plan.price * self.quantity).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class CartTotals:
    """What the customer pays today, and what recurs after the first period."""

    due_today: Decimal
    monthly: Decimal
    yearly: Decimal

    @property
    def is_recurring(self) -> bool:
        return bool(self.monthly or self.yearly)


def _max_quantity():
    return settings.SHOP_MAX_QUANTITY


def clean_quantity(value) -> int:
    """Parse a quantity from user input: a whole number from 1 to SHOP_MAX_QUANTITY."""
    if isinstance(value, bool) or value is None:
        raise ValidationError("Enter a whole number for the quantity.", code="invalid")
    text = str(value).strip()
    if not _QUANTITY_RE.fullmatch(text):
        raise ValidationError("Enter a whole number for the quantity.", code="invalid")
    quantity = int(text)
    if not 1 <= quantity <= _max_quantity():
        raise ValidationError(f"Choose a quantity from 1 to {_max_quantity()}.", code="out_of_range")
    return quantity


def _is_signed_in(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _session_lines(request) -> dict[str, int]:
    return dict(request.session.get(SESSION_KEY, {}))


def _save_session_lines(request, lines):
    request.session[SESSION_KEY] = {str(k): int(v) for k, v in lines.items()}
    request.session.setdefault(CART_KEY_SESSION_KEY, secrets.token_hex(16))


def user_cart_items(user) -> list[CartItem]:
    """A signed-in customer's cart lines with their current plans, in one query."""
    lines = CartLine.objects.filter(cart__user=user, plan__in=Plan.objects.active()).select_related(
        "plan__service__category"
    )
    return _sorted([CartItem(plan=line.plan, quantity=line.quantity) for line in lines])


def _sorted(items):
    return sorted(items, key=lambda item: (item.plan.service.name, item.plan.position, item.plan.pk))


def cart_items(request) -> list[CartItem]:
    """The cart's lines with their current plans (plans no longer for sale are left out),
    in one query whatever the number of lines."""
    if _is_signed_in(request):
        return user_cart_items(request.user)
    quantities = {int(k): int(v) for k, v in _session_lines(request).items() if str(k).isdigit()}
    if not quantities:
        return []
    plans = Plan.objects.active().select_related("service__category").filter(pk__in=quantities)
    return _sorted([CartItem(plan=plan, quantity=quantities[plan.pk]) for plan in plans])


def cart_checkout_key(request) -> str:
    """The key of this filling of the cart: every submit of one cart's checkout carries the
    same key, and the key changes once the cart has become an order (Q-12).

    A signed-in customer's comes from their Cart row; a visitor's from the session, or,
    for a cart saved before carts had a key, from the session's own key (keyed, so the
    order never holds anything that opens the session). Empty when there is no cart.
    """
    if _is_signed_in(request):
        cart = Cart.objects.filter(user=request.user).first()
        return cart.checkout_key if cart is not None else ""
    if not _session_lines(request):
        return ""
    token = request.session.get(CART_KEY_SESSION_KEY)
    if not token:
        token = salted_hmac("shop.cart.checkout_key", request.session.session_key).hexdigest()[:32]
    return f"session:{token}"


def cart_total(items) -> Decimal:
    return sum((item.line_total for item in items), Decimal("0.00"))


def cart_totals(items) -> CartTotals:
    """Split the cart: everything is due today (one-off prices and the first period of each
    plan); recurring plans then renew at their monthly or yearly sums."""
    zero = Decimal("0.00")
    monthly = sum((i.line_total for i in items if i.plan.billing == Plan.Billing.MONTHLY), zero)
    yearly = sum((i.line_total for i in items if i.plan.billing == Plan.Billing.YEARLY), zero)
    return CartTotals(due_today=cart_total(items), monthly=monthly, yearly=yearly)


def cart_mixed_cycles(items) -> dict[str, list[CartItem]]:
    """The recurring lines by billing cycle ("month", "year") when the cart holds both, which
    one checkout cannot take (each order renews on one cycle); empty otherwise."""
    cycles: dict[str, list[CartItem]] = {}
    for item in items:
        if item.plan.is_recurring:
            cycles.setdefault(item.plan.billing, []).append(item)
    if len(cycles) < 2:
        return {}
    return {billing: cycles[billing] for billing in (Plan.Billing.MONTHLY, Plan.Billing.YEARLY) if billing in cycles}


def cart_item_count(request) -> int:
    """How many items the header badge shows: plans no longer for sale are not counted."""
    if _is_signed_in(request):
        lines = CartLine.objects.filter(cart__user=request.user, plan__in=Plan.objects.active())
        return lines.aggregate(n=Sum("quantity"))["n"] or 0
    if not hasattr(request, "session"):
        return 0
    lines = {int(k): int(v) for k, v in _session_lines(request).items() if str(k).isdigit()}
    if not lines:
        return 0
    active = Plan.objects.active().filter(pk__in=lines).values_list("pk", flat=True)
    return sum(lines[pk] for pk in active)


def _check_total(plan: Plan, existing: int, added: int) -> int:
    total = existing + added
    if total > _max_quantity():
        raise ValidationError(
            f"You already have {existing} of this plan in your cart; the most you can have is {_max_quantity()}.",
            code="over_limit",
        )
    if plan.stock is not None and total > plan.stock:
        left = "No places" if plan.stock == 0 else f"Only {plan.stock} place{'s' if plan.stock != 1 else ''}"
        raise ValidationError(f"{left} left for {plan.service.name} ({plan.name}).", code="out_of_stock")
    return total


def cart_add(request, *, plan: Plan, quantity) -> None:
    """Add a plan (or more of it). Writes the session or the customer's cart; raises
    ValidationError (nothing written) when the quantity or the new total is out of range."""
    quantity = clean_quantity(quantity)
    if _is_signed_in(request):
        with transaction.atomic():
            cart, _ = Cart.objects.get_or_create(user=request.user)
            line = CartLine.objects.select_for_update().filter(cart=cart, plan=plan).first()
            new_quantity = _check_total(plan, line.quantity if line else 0, quantity)
            CartLine.objects.update_or_create(cart=cart, plan=plan, defaults={"quantity": new_quantity})
        return
    lines = _session_lines(request)
    lines[str(plan.pk)] = _check_total(plan, int(lines.get(str(plan.pk), 0)), quantity)
    _save_session_lines(request, lines)


def cart_set_quantity(request, *, plan_id: int, quantity) -> bool:
    """Set a line's quantity. Returns False when the plan is not in the cart (nothing
    written); raises ValidationError for a quantity outside 1..SHOP_MAX_QUANTITY or above
    the places left."""
    quantity = clean_quantity(quantity)
    short = Plan.objects.filter(pk=plan_id, stock__lt=quantity).select_related("service").first()
    if short is not None:
        _check_total(short, 0, quantity)
    if _is_signed_in(request):
        return CartLine.objects.filter(cart__user=request.user, plan_id=plan_id).update(quantity=quantity) > 0
    lines = _session_lines(request)
    if str(plan_id) not in lines:
        return False
    lines[str(plan_id)] = quantity
    _save_session_lines(request, lines)
    return True


def cart_remove(request, *, plan_id: int) -> bool:
    """Remove a line. Returns False when the plan was not in the cart."""
    if _is_signed_in(request):
        deleted, _ = CartLine.objects.filter(cart__user=request.user, plan_id=plan_id).delete()
        return deleted > 0
    lines = _session_lines(request)
    if str(plan_id) not in lines:
        return False
    lines.pop(str(plan_id))
    _save_session_lines(request, lines)
    return True


def cart_clear(request) -> None:
    if _is_signed_in(request):
        CartLine.objects.filter(cart__user=request.user).delete()
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
        request.session.pop(CART_KEY_SESSION_KEY, None)


# Lines a sign-in brought back from the customer's saved cart into the cart they were
# filling as a visitor, until they keep or remove them: {plan id: [saved, visitor's]}.
RESTORED_SESSION_KEY = "cart_restored"


@dataclass(frozen=True)
class RestoredItem:
    """A line the sign-in brought back: `quantity` came from the saved cart, `kept` from the
    cart the customer was filling as a visitor (0 when the plan was only in the saved one)."""

    plan: Plan
    quantity: int
    kept: int


@transaction.atomic
def cart_merge_session_into_user(*, session, user) -> dict[int, tuple[int, int]]:
    """On sign-in, move the anonymous cart into the customer's saved cart. Quantities of a
    plan in both are added, then capped at the maximum.

    Returns what the saved cart added to the visitor's cart, {plan id: (saved quantity,
    visitor's quantity)}, empty when either cart was empty: a saved cart coming back into
    an empty cart surprises no one, one added to the cart being filled does.
    """
    lines = {int(k): int(v) for k, v in dict(session.get(SESSION_KEY, {})).items() if str(k).isdigit() and int(v) > 0}
    session.pop(CART_KEY_SESSION_KEY, None)
    session.pop(RESTORED_SESSION_KEY, None)
    if not lines:
        session.pop(SESSION_KEY, None)
        return {}
    cart, _ = Cart.objects.get_or_create(user=user)
    existing = {
        line.plan_id: line
        for line in CartLine.objects.select_for_update().filter(cart=cart, plan__in=Plan.objects.active())
    }
    valid_ids = set(Plan.objects.active().filter(pk__in=lines).values_list("pk", flat=True))
    to_create = []
    for plan_id, quantity in lines.items():
        if plan_id not in valid_ids:
            continue
        if plan_id in existing:
            CartLine.objects.filter(pk=existing[plan_id].pk).update(
                quantity=Least(F("quantity") + quantity, Value(_max_quantity()))
            )
        else:
            to_create.append(CartLine(cart=cart, plan_id=plan_id, quantity=min(quantity, _max_quantity())))
    CartLine.objects.bulk_create(to_create)
    session.pop(SESSION_KEY, None)
    if not (valid_ids & set(lines)):
        return {}
    restored = {
        plan_id: (line.quantity, min(lines[plan_id], _max_quantity()) if plan_id in valid_ids else 0)
        for plan_id, line in existing.items()
    }
    if restored:
        session[RESTORED_SESSION_KEY] = {str(k): list(v) for k, v in restored.items()}
    return restored


def cart_restored_items(request) -> list[RestoredItem]:
    """The lines that signing in brought back from the saved cart and that the customer
    has not yet kept or removed, with their current plans (one query; none when there are none)."""
    restored = _restored(request)
    if not restored or not _is_signed_in(request):
        return []
    in_cart = set(
        CartLine.objects.filter(cart__user=request.user, plan_id__in=restored).values_list("plan_id", flat=True)
    )
    plans = Plan.objects.active().select_related("service__category").filter(pk__in=in_cart)
    items = [RestoredItem(plan=p, quantity=restored[p.pk][0], kept=restored[p.pk][1]) for p in plans]
    return sorted(items, key=lambda item: (item.plan.service.name, item.plan.position, item.plan.pk))


def _restored(request) -> dict[int, tuple[int, int]]:
    session = getattr(request, "session", None)
    raw = session.get(RESTORED_SESSION_KEY, {}) if session is not None else {}
    return {int(k): (int(v[0]), int(v[1])) for k, v in dict(raw).items() if str(k).isdigit()}


def cart_restored_keep(request) -> None:
    """The customer keeps what the saved cart added: the notice goes, the cart stays."""
    request.session.pop(RESTORED_SESSION_KEY, None)


@transaction.atomic
def cart_restored_remove(request) -> int:
    """Take out what the saved cart added, leaving the cart as the visitor had filled it:
    a plan only the saved cart had is removed, one in both goes back to the visitor's
    quantity. Returns how many lines were removed or reduced."""
    restored = _restored(request)
    request.session.pop(RESTORED_SESSION_KEY, None)
    if not restored or not _is_signed_in(request):
        return 0
    lines = CartLine.objects.select_for_update().filter(cart__user=request.user, plan_id__in=restored)
    changed = 0
    for line in lines:
        kept = restored[line.plan_id][1]
        if kept <= 0:
            line.delete()
        elif line.quantity != kept:
            line.quantity = kept
            line.save(update_fields=["quantity"])
        else:
            continue
        changed += 1
    return changed
