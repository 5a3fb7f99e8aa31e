"""Unsubscribe tokens (OPT-01, OPT-02): who to unsubscribe, signed with Django's signing.

A token names the account and the campaign it came with, signed with HMAC-SHA256 under
SECRET_KEY and a salt of its own (so no other signed value of the site passes for one). It
never expires: an old email must still unsubscribe. Rotating SECRET_KEY keeps old links
working while the old key stays in SECRET_KEY_FALLBACKS.
"""

from django.core import signing

SALT = "marketing.unsubscribe.v1"


class InvalidToken(Exception):
    """The token was changed, cut short or made up."""


def unsubscribe_token(*, user_id: int, campaign_id: int | None = None) -> str:
    """The token for ``user_id``'s unsubscribe link (URL-safe: letters, digits, ``-_:``)."""
    payload = {"u": user_id}
    if campaign_id is not None:
        payload["c"] = campaign_id
    return signing.Signer(salt=SALT).sign_object(payload)


def unsubscribe_token_read(token: str) -> tuple[int, int | None]:
    """(user id, campaign id or None) of a token; raises InvalidToken for anything we did not sign."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise InvalidToken(str(error)) from None
    user_id, campaign_id = (payload.get("u"), payload.get("c")) if isinstance(payload, dict) else (None, None)
    if type(user_id) is not int or (campaign_id is not None and type(campaign_id) is not int):
        raise InvalidToken("Not an unsubscribe token.")
    return user_id, campaign_id
