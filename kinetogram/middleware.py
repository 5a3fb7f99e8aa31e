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
