"""Receivers for other apps' signals (sign-in merges the session cart)."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from shop.cart import cart_merge_session_into_user, cart_restored_items


@receiver(user_logged_in, dispatch_uid="shop.on_user_logged_in_merge_cart")
def on_user_logged_in_merge_cart(sender, request, user, **kwargs):
    """What a visitor put in the cart before signing in stays in it afterwards; anything the
    customer's saved cart adds to it is named, so the total never grows without a word."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if not cart_merge_session_into_user(session=session, user=user):
        return
    items = cart_restored_items(request)
    if items:
        listed = ", ".join(f"{item.plan.service.name} ({item.plan.name}) × {item.quantity}" for item in items)
        messages.info(
            request,
            f"Signing in brought back what you had saved in your cart before: {listed}. "
            "Your cart lets you keep them or remove them.",
            fail_silently=True,
        )
