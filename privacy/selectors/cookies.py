"""What a request's visitor allows, for other apps (marketing's tags and affiliate cookie)."""

from privacy import cookies


def cookie_consent_for(request) -> cookies.CookieConsent:
    """The visitor's cookie choice with Global Privacy Control applied (set by privacy's middleware)."""
    consent = getattr(request, "cookie_consent", None)
    if consent is None:
        consent = cookies.CookieConsent.from_request(request)
    return consent


def cookie_category_allowed(request, category: str) -> bool:
    """Whether cookies of ``category`` may be set for this request (P07, P09, P29)."""
    return cookie_consent_for(request).allows.get(category, False)
