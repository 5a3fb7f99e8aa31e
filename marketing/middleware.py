import re

from django.conf import settings

from marketing.personal_data import AFFILIATE_COOKIE, AFFILIATE_COOKIE_AGE
from privacy.selectors import cookie_use_allowed

AFFILIATE_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


class AffiliateMiddleware:
    """A visitor arriving from a partner's link (``?aff=<code>``) gets the affiliate cookie,
    only when affiliate cookies are allowed (P29; refused under Global Privacy Control, P09)
    and the signed-in customer's marketing is not restricted (P23)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        code = request.GET.get("aff", "") if request.method == "GET" else ""
        if code and AFFILIATE_CODE.fullmatch(code) and cookie_use_allowed(request, "affiliate"):
            response.set_cookie(
                AFFILIATE_COOKIE,
                code,
                max_age=AFFILIATE_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
            )
        return response
