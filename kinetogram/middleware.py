"""Project-wide request guards that no single app owns."""

from django.core.exceptions import BadRequest
from django.urls import get_resolver, get_urlconf

NUL = "\x00"


class RejectNulCharacterMiddleware:
    """A NUL character anywhere in the path or the query string gets a 400 before any view.

    PostgreSQL refuses NUL in a text value, so a view that looks up `/orders/%00/` or an
    admin changelist filtered on `?status=%00` would fail with a 500 (SQLite would search
    for it). No legitimate URL of ours carries one, so every route and every admin filter
    is covered here rather than view by view. Posted forms need no such guard: Django's
    CharField already refuses NUL with a form error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
        ):
            # Answered rather than raised: Django logs a raised BadRequest with its traceback,
            # and a probe of every URL would fill the log with identical ones.
            bad_request = get_resolver(get_urlconf()).resolve_error_handler(400)
            return bad_request(request, BadRequest("NUL character in the URL"))
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A 405 without a body (Django's `require_POST` and friends) becomes a page that says
    what happened and where to go instead.

    A POST-only address opened in the browser (a bookmarked "remove from cart", a link
    pasted from a form's action, the back button after a redirect) otherwise shows a blank
    page. Responses that already carry a body, such as a JSON API's, are left alone; the
    `Allow` header and the status are kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        from django.shortcuts import render

        page = render(
            request,
            "405.html",
            {"back_url": _way_back(request), "method": request.method},
            status=405,
        )
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


def _way_back(request) -> str:
    """Where the customer came from, when that was a page of ours; else the nearest page
    above this address; else the home page."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path != request.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    segments = [segment for segment in request.path.split("/") if segment]
    while segments:
        segments.pop()
        candidate = "/" + "".join(f"{segment}/" for segment in segments)
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"
