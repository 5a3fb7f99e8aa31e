"""Receivers for signals sent by allauth and Django's auth."""

from accounts.services import profile_get_or_create


def on_user_signed_up_create_profile(sender, request, user, **kwargs):
    """Every new customer starts with an (empty) profile, so account pages can rely on one."""
    profile_get_or_create(user=user)
