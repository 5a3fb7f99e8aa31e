import functools

from privacy import cookies
from privacy.selectors.cookies import cookie_consent_for
from privacy.selectors.policy import policy_review_pending


def policy_notice(request):
    """``policy_review_pending``: the material policy version a signed-in customer has not reviewed (P35).

    Lazy: the lookup runs only when a template shows the notice (the admin never does), and
    at most once per response.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def pending():
        return policy_review_pending(user=user, session=getattr(request, "session", None))

    return {"policy_review_pending": pending}


def cookie_consent(request):
    """``cookie_consent`` (what the visitor allows: ``cookie_consent.allows.analytics``) and
    the optional categories the banner offers."""
    return {
        "cookie_consent": cookie_consent_for(request),
        "cookie_categories": [
            {"key": key, "label": cookies.CATEGORIES[key], "description": cookies.CATEGORY_DESCRIPTIONS[key]}
            for key in cookies.OPTIONAL_CATEGORIES
        ],
    }
