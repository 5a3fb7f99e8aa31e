"""Receivers for other apps' signals (sign-in merges the session cart)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from shop.cart import cart_merge_session_into_user


@receiver(user_logged_in, dispatch_uid="shop.on_user_logged_in_merge_cart")
def on_user_logged_in_merge_cart(sender, request, user, **kwargs):
    """What a visitor put in the cart before signing in stays in it afterwards."""
    session = getattr(request, "session", None)
    if session is not None:
        cart_merge_session_into_user(session=session, user=user)
