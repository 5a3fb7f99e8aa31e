from django.conf import settings

from marketing import attribution
from marketing.personal_data import AFFILIATE_COOKIE, AFFILIATE_COOKIE_AGE
from privacy.selectors import cookie_use_allowed


class AffiliateMiddleware:
    """A visitor arriving from a partner's link (``?aff=<code>`` or ``?ref=<code>``) gets the
    affiliate cookie, only when affiliate cookies are allowed (P29; refused under Global
    Privacy Control, P09) and the signed-in customer's marketing is not restricted (P23).

    While the request is served, the code to credit (the link's or the cookie's, still only
    with that consent) is readable by the receiver that records an order's referral
    (``marketing.attribution``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with attribution.serving(request):
            response = self.get_response(request)
        code = attribution.link_code(request)
        if code and cookie_use_allowed(request, "affiliate"):
            response.set_cookie(
                AFFILIATE_COOKIE,
                code,
                max_age=AFFILIATE_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
            )
        return response
