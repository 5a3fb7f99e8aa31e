"""The cart: the session holds an anonymous visitor's lines, the Cart model a signed-in
customer's. The cart stores plan ids and quantities only; prices are read from the
database every time a cart is shown or checked out (IN-01)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Least

from shop.models import Cart, CartLine, Plan

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartItem:
    plan: Plan
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return self.plan.price * self.quantity


def _max_quantity():
    return settings.SHOP_MAX_QUANTITY


def clean_quantity(value) -> int:
    """Parse a quantity from user input: a whole number from 1 to SHOP_MAX_QUANTITY."""
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("Enter a whole number for the quantity.", code="invalid") from None
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


def cart_items(request) -> list[CartItem]:
    """The cart's lines with their current plans (active ones only), in one query."""
    if _is_signed_in(request):
        lines = {line.plan_id: line.quantity for line in CartLine.objects.filter(cart__user=request.user)}
    else:
        lines = {int(k): v for k, v in _session_lines(request).items() if str(k).isdigit()}
    if not lines:
        return []
    plans = Plan.objects.active().select_related("service", "service__category").filter(pk__in=lines)
    return sorted(
        (CartItem(plan=plan, quantity=lines[plan.pk]) for plan in plans),
        key=lambda item: (item.plan.service.name, item.plan.position, item.plan.pk),
    )


def cart_total(items) -> Decimal:
    return sum((item.line_total for item in items), Decimal("0.00"))


def cart_item_count(request) -> int:
    if _is_signed_in(request):
        return CartLine.objects.filter(cart__user=request.user).aggregate(n=Sum("quantity"))["n"] or 0
    if not hasattr(request, "session"):
        return 0
    return sum(int(q) for q in _session_lines(request).values())


def cart_add(request, *, plan: Plan, quantity: int) -> None:
    """Add a plan (or more of it); the total quantity is capped and validated."""
    quantity = clean_quantity(quantity)
    if _is_signed_in(request):
        with transaction.atomic():
            cart, _ = Cart.objects.get_or_create(user=request.user)
            line = CartLine.objects.select_for_update().filter(cart=cart, plan=plan).first()
            new_quantity = clean_quantity((line.quantity if line else 0) + quantity)
            CartLine.objects.update_or_create(cart=cart, plan=plan, defaults={"quantity": new_quantity})
        return
    lines = _session_lines(request)
    lines[str(plan.pk)] = clean_quantity(lines.get(str(plan.pk), 0) + quantity)
    _save_session_lines(request, lines)


def cart_set_quantity(request, *, plan_id: int, quantity) -> None:
    quantity = clean_quantity(quantity)
    if _is_signed_in(request):
        CartLine.objects.filter(cart__user=request.user, plan_id=plan_id).update(quantity=quantity)
        return
    lines = _session_lines(request)
    if str(plan_id) in lines:
        lines[str(plan_id)] = quantity
        _save_session_lines(request, lines)


def cart_remove(request, *, plan_id: int) -> None:
    if _is_signed_in(request):
        CartLine.objects.filter(cart__user=request.user, plan_id=plan_id).delete()
        return
    lines = _session_lines(request)
    lines.pop(str(plan_id), None)
    _save_session_lines(request, lines)


def cart_clear(request) -> None:
    if _is_signed_in(request):
        CartLine.objects.filter(cart__user=request.user).delete()
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


@transaction.atomic
def cart_merge_session_into_user(*, session, user) -> None:
    """On sign-in, move the anonymous cart into the customer's saved cart. Quantities of a
    plan in both are added, then capped at the maximum."""
    lines = {int(k): int(v) for k, v in dict(session.get(SESSION_KEY, {})).items() if str(k).isdigit()}
    if not lines:
        return
    cart, _ = Cart.objects.get_or_create(user=user)
    existing = {line.plan_id: line for line in CartLine.objects.select_for_update().filter(cart=cart)}
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
