"""The shared cache, which survives its own outage (Q-11).

Django's RedisCache raises on every call while Redis is down. Only rate limits live in this
cache (ours in shop.ratelimit, allauth's for sign-in, sign-up and password reset; sessions
are in the database), and those would turn a cache outage into a site outage: every form
with a limit would answer 500.

`FailSafeRedisCache` answers from a memory cache of its own process while Redis fails, so
the limits still count, per process, instead of failing open or failing the request. The
A failure logs a warning and keeps Redis out of the way for `RETRY_AFTER_SECONDS`, so
an outage costs one connection attempt per process per interval rather than one per call.
What was counted in memory is dropped when Redis answers again. `/healthz` calls `ping()`,
which bypasses the fallback, and answers 503 naming the cache.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class FailSafeRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # The same key prefix, version and timeouts, so keys and expiries behave alike.
        self._fallback = LocMemCache(f"fail-safe-{id(self)}", {**params, "OPTIONS": {}})
        self._redis_skipped_until = 0.0

    def ping(self):
        """Ask Redis itself, past the fallback; raises redis.exceptions.RedisError when it is down."""
        return self._cache.get_client(write=True).ping()

    def _call(self, name, *args, **kwargs):
        if time.monotonic() >= self._redis_skipped_until:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except RedisError as exc:
                self._redis_skipped_until = time.monotonic() + RETRY_AFTER_SECONDS
                logger.warning(
                    "Cache unavailable (%s: %s): rate limits count in this process's memory for the next %s s.",
                    type(exc).__name__,
                    exc,
                    RETRY_AFTER_SECONDS,
                )
            else:
                if self._redis_skipped_until:
                    self._redis_skipped_until = 0.0
                    self._fallback.clear()
                    logger.warning("Cache available again: rate limits are shared by every process.")
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
