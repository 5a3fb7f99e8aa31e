from shop.cart import cart_item_count


def cart_summary(request):
    """The number of items in the cart, for the header badge."""
    return {"cart_item_count": cart_item_count(request)}
