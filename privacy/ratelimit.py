"""The site's one fixed-window rate limit on the shared cache, for the public forms that
send email or cost work: privacy requests (IN-05), the consultation form and the order
lookup. Sign-in, sign-up and password reset use allauth's own limits.

With the Redis cache the counters are shared by every worker (AU-04); the client IP comes
from allauth's trusted-hop rule, never from a header the client can forge (IN-06). While
Redis is down the project's cache backend counts in process memory; a cache that fails
outright lets the request through and logs it, so a limit never turns an outage into a 500
and never stops anyone exercising their rights.
"""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def counter_key(scope: str, key: str) -> str:
    """The cache key that counts ``key``'s hits in ``scope`` (the key itself hashed)."""
    return f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def allow(scope: str, key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit of ``key`` in ``scope``; False once more than ``limit`` in ``seconds``.

    The window opens with the first hit and closes ``seconds`` later (the cache expiry).
    """
    name = counter_key(scope, key)
    try:
        # add() is a no-op when the key exists, so concurrent first hits cannot reset the count.
        cache.add(name, 0, seconds)
        try:
            hits = cache.incr(name)
        except ValueError:  # the key expired between add() and incr(): this hit opens a window
            cache.set(name, 1, seconds)
            hits = 1
    except Exception:  # any other cache failure: fail open, loudly
        logger.warning("Rate limit cache unavailable for %s; request allowed", scope)
        return True
    return hits <= limit


def reached(scope: str, key: str, *, limit: int) -> bool:
    """Whether ``key`` has already used up ``limit`` hits in ``scope``'s window, without
    counting one: for a form that counts only what passes validation."""
    try:
        return (cache.get(counter_key(scope, key)) or 0) >= limit
    except Exception:
        logger.warning("Rate limit cache unavailable for %s; request allowed", scope)
        return False


def client_ip(request) -> str:
    """The client's IP as the last trusted proxy saw it (allauth's trusted-hop rule, IN-06),
    or the socket's peer when the request did not come through the proxy chain."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied

    try:
        return get_adapter().get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        return request.META.get("REMOTE_ADDR", "unknown")
