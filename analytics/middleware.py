"""Records each page view (P01) without writing to the database in the request (FE-05)."""

import time

from analytics import records
from analytics.buffer import buffer
from analytics.conf import settings
from privacy.ratelimit import client_ip
from privacy.selectors import cookie_use_allowed


class PageViewMiddleware:
    """Times the page and pushes one compact record to the buffer.

    Sits high in MIDDLEWARE (below WhiteNoise, so static files are not pages) and reads the
    user and the cookie choice on the way out, when the lower middleware have set them.
    Recorded: successful GET responses with HTML; not the admin, probes or webhooks, and not
    crawlers, scripts or headless browsers. The person is linked only when they allow
    analytics cookies and no restriction covers analytics (``cookie_use_allowed``: P23);
    otherwise the view is counted without them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or request.path.startswith(settings.IGNORED_PREFIXES):
            return self.get_response(request)
        user_agent = request.headers.get("User-Agent", "")
        if records.looks_like_bot(user_agent):
            return self.get_response(request)
        viewed_at = time.time()
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        if 200 <= response.status_code < 300 and response.get("Content-Type", "").startswith("text/html"):
            path, route = records.page_of(request)
            user = getattr(request, "user", None)
            linked = user is not None and user.is_authenticated and cookie_use_allowed(request, "analytics")
            buffer.push(
                records.record_build(
                    viewed_at=viewed_at,
                    path=path,
                    route=route,
                    status=response.status_code,
                    response_ms=elapsed_ms,
                    user_agent=user_agent,
                    referrer=records.referrer_domain(request.headers.get("Referer", ""), request.get_host()),
                    ip=records.truncate_ip(client_ip(request)),
                    user_id=user.pk if linked else None,
                )
            )
        return response
