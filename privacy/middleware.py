"""Cookie consent on every request (P07, P09, P29, P30)."""

import logging

from django.utils import timezone

from privacy import cookies
from privacy.receivers import RESTORED_CHOICE_SESSION_KEY
from privacy.services.cookies import privacy_signal_record

logger = logging.getLogger(__name__)

GPC_SEEN_SESSION_KEY = "privacy_gpc_seen_on"


def _is_deletion(morsel) -> bool:
    return morsel["max-age"] == 0 or morsel["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"


class CookieConsentMiddleware:
    """Reads the visitor's choice and Global Privacy Control, and enforces them.

    On the way in it sets ``request.cookie_consent``. On the way out no response carries a
    cookie the choice does not allow (undeclared cookies count as not allowed), and cookies
    of a refused category that the browser still holds are expired. It must sit above every
    middleware that sets cookies (sessions, messages, CSRF), so its response phase runs last.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.cookie_consent = cookies.CookieConsent.from_request(request)
        response = self.get_response(request)
        restored = getattr(request, "restored_consent_cookie", None)
        if restored and cookies.consent_cookie_name() not in response.cookies:
            cookies.set_consent_cookie(request, response, restored)
        # A choice made in this request replaces request.cookie_consent (privacy.views).
        self.enforce(request.cookie_consent, request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here, unlike in __call__, the user is known and the session is still saved after.
        consent = request.cookie_consent
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not consent.has_choice:
            self.restore_choice(request, user)
        if not request.cookie_consent.gpc:
            return None
        today = timezone.localdate().isoformat()
        if request.session.get(GPC_SEEN_SESSION_KEY) != today:
            privacy_signal_record(user=user)
            request.session[GPC_SEEN_SESSION_KEY] = today
        return None

    @staticmethod
    def restore_choice(request, user):
        """The choice found in the ledger at sign-in (privacy.receivers) becomes this device's."""
        value = request.session.get(RESTORED_CHOICE_SESSION_KEY)
        choice = cookies.decode_choice(value)
        if choice is None:
            return
        request.restored_consent_cookie = value
        request.cookie_consent = cookies.CookieConsent(
            consent_id=choice["id"],
            categories=choice["categories"],
            version=choice["version"],
            has_choice=True,
            gpc=request.cookie_consent.gpc,
        )

    @staticmethod
    def enforce(consent, request, response):
        for name in list(response.cookies):
            morsel = response.cookies[name]
            if _is_deletion(morsel) or consent.allows_cookie(name):
                continue
            if cookies.registry.get(name) is None:
                logger.warning("Dropped undeclared cookie %r; declare it in personal_data.py (privacy.E009).", name)
            del response.cookies[name]
        for name in request.COOKIES:
            declared = cookies.registry.get(name)
            if declared is None or declared.is_necessary or name in response.cookies:
                continue
            if declared.category not in consent.allowed:
                response.delete_cookie(name, samesite="Lax")
