"""What a request's visitor allows, for other apps (marketing's tags and affiliate cookie)."""

from privacy import cookies, purposes
from privacy.selectors.restriction import restricted_scopes

#: The signed-in person's restricted scopes, read once per request.
_SCOPES_ATTRIBUTE = "_privacy_restricted_scopes"


def cookie_consent_for(request) -> cookies.CookieConsent:
    """The visitor's cookie choice with Global Privacy Control applied (set by privacy's middleware)."""
    consent = getattr(request, "cookie_consent", None)
    if consent is None:
        consent = cookies.CookieConsent.from_request(request)
    return consent


def cookie_category_allowed(request, category: str) -> bool:
    """Whether cookies of ``category`` may be set for this request (P29, P09): the choice the
    visitor made, with Global Privacy Control applied. What the cookie settings page shows."""
    return cookie_consent_for(request).allows.get(category, False)


def cookie_use_allowed(request, category: str) -> bool:
    """Whether a tag or cookie of ``category`` may run for this request: the visitor allows it
    (cookie_category_allowed) and, for a signed-in customer, no processing restriction covers
    what it is for (P23: advertising and affiliate are marketing, analytics is analytics).

    What marketing's tags and affiliate link ask. At most one query per request, and none
    for a visitor who allows nothing or is not signed in.
    """
    if category == cookies.NECESSARY:
        return True
    if not cookie_category_allowed(request, category):
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return True
    scopes = getattr(request, _SCOPES_ATTRIBUTE, None)
    if scopes is None:
        scopes = restricted_scopes(user=user)
        setattr(request, _SCOPES_ATTRIBUTE, scopes)
    return purposes.get(purposes.COOKIE_PURPOSES[category]).restricted_by not in scopes
