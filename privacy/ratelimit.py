"""A small fixed-window rate limit on the shared cache, for privacy's public forms (IN-05).

privacy imports no other app, so it keeps its own few lines. A cache that is down lets the
request through and logs it: a broken cache must not stop anyone exercising their rights.
"""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def allow(scope: str, key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit of ``key`` in ``scope``; False once more than ``limit`` in ``seconds``."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"privacy:rl:{scope}:{digest}"
    try:
        cache.add(name, 0, seconds)
        hits = cache.incr(name)
    except Exception:  # any cache failure: fail open, loudly
        logger.warning("Rate limit cache unavailable for %s; request allowed", scope)
        return True
    return hits <= limit


def client_ip(request) -> str:
    """The client's IP as the last trusted proxy saw it (allauth's trusted-hop rule, IN-06),
    or the socket's peer when the request did not come through the proxy chain."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied

    try:
        return get_adapter().get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        return request.META.get("REMOTE_ADDR", "unknown")
