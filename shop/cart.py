"""The cart: the session holds an anonymous visitor's lines, the Cart model a signed-in
customer's. Prices are never stored in the cart; they are read from the database."""

SESSION_KEY = "cart"


def cart_item_count(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from django.db.models import Sum

        from shop.models import CartLine

        return CartLine.objects.filter(cart__user=user).aggregate(n=Sum("quantity"))["n"] or 0
    return sum(int(q) for q in request.session.get(SESSION_KEY, {}).values()) if hasattr(request, "session") else 0
