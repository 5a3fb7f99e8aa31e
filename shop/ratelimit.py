"""A small per-client-IP counter in Django's cache, for public forms that send email
(the consultation request, the order lookup).

With the Redis cache the counter is shared by every worker (AU-04); the client IP comes
from allauth's trusted-hop logic (ALLAUTH_TRUSTED_PROXY_COUNT), never from a header the
client can forge (IN-06). While Redis is down the project's cache backend
(kinetogram.cache) counts in process memory and logs a warning, so a limit here never
turns a cache outage into a 500 (Q-11).
"""

from django.core.cache import cache

from privacy.ratelimit import client_ip


def _key(request, action):
    return f"shop:rl:{action}:{client_ip(request)}"


def rate_limit_reached(request, *, action, limit):
    """True when this client has already used up `limit` hits of `action` in the window."""
    return (cache.get(_key(request, action)) or 0) >= limit


def rate_limit_hit(request, *, action, limit, window):
    """Count one hit; True while the client stays within `limit` hits per `window` seconds.

    The window opens with the first hit and closes `window` seconds later (cache expiry).
    """
    key = _key(request, action)
    # add() is a no-op when the key exists, so concurrent first hits cannot reset the count.
    cache.add(key, 0, timeout=window)
    try:
        hits = cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this hit opens a new window.
        cache.set(key, 1, timeout=window)
        hits = 1
    return hits <= limit
