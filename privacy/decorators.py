import functools

from django.conf import settings
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render

COOKIE_CHECK_PARAM = "cookie_check"


def first_party_cookies_required(view):
    """For pages that cannot work without strictly necessary cookies (checkout, P32).

    A GET without our session or CSRF cookie is sent back to the same address once with the
    CSRF cookie set; if it still comes back without cookies, the browser refuses them and it
    gets a page explaining why the purchase cannot complete and how to allow them (200, not
    an error). Browsers that refuse only third-party or optional cookies are unaffected.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES or settings.CSRF_COOKIE_NAME in request.COOKIES
        if has_cookie or request.method != "GET":
            return view(request, *args, **kwargs)
        if COOKIE_CHECK_PARAM in request.GET:
            response = render(request, "privacy/cookies_required.html")
            response["Cache-Control"] = "no-store"
            return response
        get_token(request)  # the CSRF middleware sets its cookie on this redirect
        query = request.GET.copy()
        query[COOKIE_CHECK_PARAM] = "1"
        return redirect(f"{request.path}?{query.urlencode()}")

    return wrapper
