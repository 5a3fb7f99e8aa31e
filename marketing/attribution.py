"""The affiliate code of the request being served, for the receiver of ``order_placed`` (P29).

The shop places an order in a service that knows nothing of requests or cookies, and must
not know about affiliates; the receiver that records the referral runs inside that call,
in the same request. ``AffiliateMiddleware`` therefore leaves a way to read the request's
code in a context variable (per thread and per asyncio task, never shared between
requests) for the length of the request, and the receiver asks it. The code is worked out
only when an order is actually placed, so other requests pay nothing for it.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable

from django.http import HttpRequest

from marketing.models import AFFILIATE_CODE_PATTERN
from marketing.personal_data import AFFILIATE_COOKIE
from privacy.selectors import cookie_use_allowed

AFFILIATE_CODE = re.compile(AFFILIATE_CODE_PATTERN)
#: The link parameters partners use.
LINK_PARAMETERS = ("aff", "ref")

_current: contextvars.ContextVar[Callable[[], str] | None] = contextvars.ContextVar("affiliate_code", default=None)


def link_code(request: HttpRequest) -> str:
    """The well-formed partner code this request's link carries (``?aff=`` or ``?ref=``), or ""."""
    if request.method != "GET":
        return ""
    for name in LINK_PARAMETERS:
        code = request.GET.get(name, "")
        if code and AFFILIATE_CODE.fullmatch(code):
            return code
    return ""


def affiliate_code_of(request: HttpRequest) -> str:
    """The partner code to credit for this request: the link's, else the cookie's; "" when
    the visitor does not allow affiliate cookies now (consent withdrawn, Global Privacy
    Control, a restriction of marketing: P09, P23, P29)."""
    code = link_code(request)
    if not code:
        code = request.COOKIES.get(AFFILIATE_COOKIE, "")
        if not AFFILIATE_CODE.fullmatch(code):
            return ""
    return code if cookie_use_allowed(request, "affiliate") else ""


@contextlib.contextmanager
def serving(request: HttpRequest):
    """Make ``current_code()`` answer for ``request`` while the block runs."""
    token = _current.set(lambda: affiliate_code_of(request))
    try:
        yield
    finally:
        _current.reset(token)


def current_code() -> str:
    """The code of the request being served, or "" outside a request (a webhook's payment,
    a management command, a Celery task)."""
    reader = _current.get()
    return reader() if reader is not None else ""
