"""Every cookie the site can set, declared once (P29, P31), and the visitor's cookie choice (P30).

Apps declare the cookies they (or the tags they render) set in their ``personal_data.py``::

    from privacy import cookies

    cookies.declare(
        "kg_analytics",
        category=cookies.NECESSARY,
        party=cookies.KINETOGRAM,
        lifetime="13 months",
        max_age=396 * 24 * 3600,
        purpose="...",
    )

The cookie table on ``/privacy/cookies/``, the server-side enforcement in
``privacy.middleware`` and the check ``privacy.E009`` all read this registry.

The consent cookie (``kg_consent``) holds only a random consent id, the allowed categories
and the policy version, signed so it cannot be forged; no personal data (P30).
"""

from __future__ import annotations

import dataclasses
import sys
import uuid
from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import cached_property

from privacy.conf import settings as privacy_settings

NECESSARY = "necessary"
ANALYTICS = "analytics"
ADVERTISING = "advertising"
AFFILIATE = "affiliate"
#: In the order the banner and the cookie table show them.
CATEGORIES = {
    NECESSARY: "Strictly necessary",
    ANALYTICS: "Analytics",
    ADVERTISING: "Advertising",
    AFFILIATE: "Affiliate",
}
CATEGORY_DESCRIPTIONS = {
    NECESSARY: "Keep you signed in, hold your cart and protect forms. The site cannot work without them, "
    "so they are always on.",
    ANALYTICS: "Count visits and see which pages and campaigns work, so we can improve the site.",
    ADVERTISING: "Let our advertising broadcaster show you banner ads about our services on other websites.",
    AFFILIATE: "Remember which partner site sent you here, so we can pay that partner if you buy.",
}
#: The categories a visitor may allow or refuse.
OPTIONAL_CATEGORIES = (ANALYTICS, ADVERTISING, AFFILIATE)
#: Global Privacy Control refuses these (P09): sharing with, and selling to, third parties.
GPC_REFUSED = frozenset({ADVERTISING, AFFILIATE})

KINETOGRAM = "Kinetogram"
MARKETING_PARTNER = "marketing partner"
ADVERTISING_BROADCASTER = "advertising broadcaster"
PARTIES = (KINETOGRAM, MARKETING_PARTNER, ADVERTISING_BROADCASTER)

SIGNING_SALT = "privacy.cookie_consent"


@dataclasses.dataclass(frozen=True)
class Cookie:
    """One cookie the site can set (P29, P31)."""

    name: str
    category: str
    party: str
    #: In words, as the cookie table shows it ("2 weeks", "when you close the browser").
    lifetime: str
    #: Seconds, or None for a session cookie that ends with the browser.
    max_age: int | None
    purpose: str
    #: The module that declared it.
    origin: str = ""

    @property
    def is_necessary(self) -> bool:
        return self.category == NECESSARY

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]


class AlreadyDeclared(ImproperlyConfigured):
    pass


class CookieRegistry:
    def __init__(self):
        self._cookies: dict[str, Cookie] = {}

    def declare(
        self, name: str, *, category: str, party: str, lifetime: str, max_age: int | None, purpose: str, origin=""
    ):
        if category not in CATEGORIES:
            raise ImproperlyConfigured(
                f"Cookie {name!r}: unknown category {category!r} (one of {', '.join(CATEGORIES)})."
            )
        if party not in PARTIES:
            raise ImproperlyConfigured(f"Cookie {name!r}: unknown party {party!r} (one of {', '.join(PARTIES)}).")
        if not purpose.strip() or not lifetime.strip():
            raise ImproperlyConfigured(f"Cookie {name!r}: say what it is for and how long it lasts.")
        cookie = Cookie(name, category, party, lifetime, max_age, purpose, origin)
        if name in self._cookies and self._cookies[name] != cookie:
            raise AlreadyDeclared(f"Cookie {name!r} is already declared by {self._cookies[name].origin}.")
        self._cookies[name] = cookie
        return cookie

    def undeclare(self, name: str):
        self._cookies.pop(name, None)

    def get(self, name: str) -> Cookie | None:
        return self._cookies.get(name)

    def all(self) -> list[Cookie]:
        order = list(CATEGORIES)
        return sorted(self._cookies.values(), key=lambda c: (order.index(c.category), c.name))

    def names(self) -> set[str]:
        return set(self._cookies)


registry = CookieRegistry()


def declare(name: str, *, category: str, party: str, lifetime: str, max_age: int | None, purpose: str) -> Cookie:
    """Declare a cookie the site can set; declaring the same name differently is an error."""
    origin = sys._getframe(1).f_globals.get("__name__", "")
    return registry.declare(
        name, category=category, party=party, lifetime=lifetime, max_age=max_age, purpose=purpose, origin=origin
    )


def declared_cookies() -> list[Cookie]:
    return registry.all()


def category_allowed(name: str, allowed: Iterable[str]) -> bool:
    """Whether a cookie may be set: necessary ones always; others when their category is
    allowed. An undeclared cookie is never allowed (it has no category)."""
    cookie = registry.get(name)
    if cookie is None:
        return False
    return cookie.is_necessary or cookie.category in set(allowed)


# --- the consent cookie -------------------------------------------------------------


def consent_cookie_name() -> str:
    return privacy_settings.CONSENT_COOKIE_NAME


def encode_choice(*, consent_id: uuid.UUID, categories: Iterable[str], policy_version: str) -> str:
    """The consent cookie's value: signed, so a visitor cannot forge consent for another id."""
    allowed = sorted(c for c in set(categories) if c in OPTIONAL_CATEGORIES)
    return signing.dumps({"id": str(consent_id), "c": allowed, "v": policy_version}, salt=SIGNING_SALT, compress=False)


def decode_choice(value: str | None) -> dict | None:
    if not value:
        return None
    try:
        # A choice older than the cookie's lifetime counts as none, even if a browser kept it.
        data = signing.loads(value, salt=SIGNING_SALT, max_age=privacy_settings.CONSENT_COOKIE_AGE)
        consent_id = uuid.UUID(str(data["id"]))
        categories = frozenset(c for c in data["c"] if c in OPTIONAL_CATEGORIES)
        version = str(data.get("v", ""))
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None
    return {"id": consent_id, "categories": categories, "version": version}


class CookieConsent:
    """What one request's visitor allows, read from the consent cookie and ``Sec-GPC``.

    Templates read it as ``cookie_consent`` (``cookie_consent.allows.analytics``).
    """

    def __init__(self, *, consent_id=None, categories=frozenset(), version="", has_choice=False, gpc=False):
        self.consent_id = consent_id
        self.chosen_categories = frozenset(categories)
        self.version = version
        self.has_choice = has_choice
        self.gpc = gpc

    @classmethod
    def from_request(cls, request) -> CookieConsent:
        gpc = request.headers.get("Sec-GPC", "").strip() == "1"
        data = decode_choice(request.COOKIES.get(consent_cookie_name()))
        if data is None:
            return cls(gpc=gpc)
        return cls(
            consent_id=data["id"], categories=data["categories"], version=data["version"], has_choice=True, gpc=gpc
        )

    @cached_property
    def allowed(self) -> frozenset[str]:
        """Optional categories allowed now: the choice, minus what GPC refuses (P09)."""
        allowed = self.chosen_categories
        if self.gpc:
            allowed = allowed - GPC_REFUSED
        return frozenset(allowed)

    @cached_property
    def allows(self) -> dict[str, bool]:
        return {NECESSARY: True, **{c: c in self.allowed for c in OPTIONAL_CATEGORIES}}

    @property
    def allowed_labels(self) -> list[str]:
        return [CATEGORIES[c].lower() for c in OPTIONAL_CATEGORIES if c in self.allowed]

    @property
    def allows_any_optional(self) -> bool:
        return bool(self.allowed)

    @cached_property
    def needs_choice(self) -> bool:
        """Whether the banner asks: no choice yet, or the choice predates the latest material
        policy version (P35)."""
        if not self.has_choice:
            return True
        from privacy.selectors.policy import policy_versions_answering_latest_material

        answering = policy_versions_answering_latest_material()
        return answering is not None and self.version not in answering

    def allows_cookie(self, name: str) -> bool:
        return category_allowed(name, self.allowed)


def set_consent_cookie(request, response, value: str) -> None:
    """Put the visitor's choice in the first-party consent cookie (P30: no personal data)."""
    from django.conf import settings

    response.set_cookie(
        consent_cookie_name(),
        value,
        max_age=privacy_settings.CONSENT_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
    )
