"""Handlers for Django's own signals."""

from django.db import transaction

from privacy import cookies
from privacy.selectors.consent import cookie_choice_of
from privacy.selectors.policy import policy_cache_clear

#: The consent cookie value of the choice a customer made on another device, kept in the
#: session at sign-in so the pages after it need no lookup (no personal data: P30).
RESTORED_CHOICE_SESSION_KEY = "privacy_restored_cookie_choice"


def on_user_logged_in_restore_cookie_choice(sender, request, user, **kwargs):
    """A customer signing in on a new device gets the cookie choice made on another one
    instead of being asked again; the choice stays in the ledger and the cookie follows it."""
    if request is None or not hasattr(request, "session"):
        return
    if cookies.decode_choice(request.COOKIES.get(cookies.consent_cookie_name())) is not None:
        return
    choice = cookie_choice_of(user=user)
    if choice is None or choice["consent_id"] is None:
        return
    request.session[RESTORED_CHOICE_SESSION_KEY] = cookies.encode_choice(
        consent_id=choice["consent_id"], categories=choice["categories"], policy_version=choice["version"]
    )


def on_policy_version_saved_clear_cache(sender, **kwargs):
    """A saved or deleted policy version reaches this process's cache once it is committed,
    so a page served meanwhile cannot cache the old answer again."""
    transaction.on_commit(policy_cache_clear)


def on_export_ready_complete_request(sender, export, **kwargs):
    """An export made for an access or portability request answers that request."""
    from privacy.services.requests import request_complete_for_export

    request_complete_for_export(export=export)
