import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class AllauthNoStoreMiddleware:
    """Sign-in and account-security pages served by allauth are never stored by a browser or
    proxy (FE-07); most of allauth's views do not say so themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and getattr(match.func, "__module__", "").startswith("allauth."):
            add_never_cache_headers(response)
        return response


#: Session keys of a staff member's sign-in time and last request (seconds since the epoch).
STAFF_SIGNED_IN_AT = "staff_signed_in_at"
STAFF_LAST_SEEN_AT = "staff_last_seen_at"
#: Seconds between two writes of the last request's time (the idle limit is this precise).
SEEN_RESOLUTION = 60


class StaffSessionLimitsMiddleware:
    """SE-03: a staff session ends after ACCOUNTS_STAFF_SESSION_IDLE seconds without a
    request (30 minutes) and ACCOUNTS_STAFF_SESSION_MAX_AGE seconds after signing in (12
    hours), whatever the cookie says; the next request signs in again. Customers keep the
    normal session (two weeks with "remember me", P17).

    Below AuthenticationMiddleware and MessageMiddleware; the times live in the session, so
    they hold across workers and hosts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            ended = self._ended(request)
            if ended:
                return self._sign_out(request, ended)
        return self.get_response(request)

    def _ended(self, request) -> str:
        now = time.time()
        session = request.session
        signed_in = session.get(STAFF_SIGNED_IN_AT)
        if signed_in is None:
            # Signed in before this rule (or made staff while signed in): the clock starts now.
            signed_in = session[STAFF_SIGNED_IN_AT] = now
        last_seen = session.get(STAFF_LAST_SEEN_AT, now)
        if now - last_seen > _setting("ACCOUNTS_STAFF_SESSION_IDLE", 30 * 60):
            return "idle"
        if now - signed_in > _setting("ACCOUNTS_STAFF_SESSION_MAX_AGE", 12 * 3600):
            return "absolute"
        if now - last_seen >= SEEN_RESOLUTION or STAFF_LAST_SEEN_AT not in session:
            # Written at most once a minute, so a burst of admin requests saves the session once.
            session[STAFF_LAST_SEEN_AT] = now
        return ""

    def _sign_out(self, request, why: str):
        logger.info("Staff session of user %s ended: %s limit", request.user.pk, why)
        logout(request)
        text = (
            "You were signed out after 30 minutes without activity."
            if why == "idle"
            else "Staff sessions last 12 hours: please sign in again."
        )
        messages.info(request, text)
        return redirect_to_login(request.get_full_path())


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def on_user_logged_in_start_staff_clock(sender, request, user, **kwargs):
    """SE-03: the absolute limit of a staff session counts from the sign-in."""
    session = getattr(request, "session", None)
    if session is not None and user.is_staff:
        now = time.time()
        session[STAFF_SIGNED_IN_AT] = now
        session[STAFF_LAST_SEEN_AT] = now
