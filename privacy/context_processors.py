from privacy import cookies
from privacy.selectors.cookies import cookie_consent_for


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
