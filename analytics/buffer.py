"""Where page views wait between the request and the database (P01, FE-05).

A request never writes a page view to the database: it pushes a compact record to a Redis
list (the shared cache's server and connection pool) and moves on; the beat task
``analytics.page_views_flush`` moves the list into the database in batches.

Without Redis (the embedded run), or while Redis is down, records wait in this process's
memory instead, bounded by ``ANALYTICS_MEMORY_MAX_RECORDS``, and the process flushes them
itself after a response has gone out, once enough have gathered (``memory_due``). A Redis
failure is logged once and Redis is left alone for a few seconds, as kinetogram's fail-safe
cache does, so an outage costs one connection attempt per interval, never a failed page.
"""

from __future__ import annotations

import collections
import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from analytics.conf import settings

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class PageViewBuffer:
    def __init__(self):
        self._memory: collections.deque[str] = collections.deque()
        self._lock = threading.Lock()
        self._oldest = 0.0
        self._redis_skipped_until = 0.0

    # --- where records go -------------------------------------------------------------------

    def _redis(self):
        """(client, key) of the shared cache's Redis, or None when the cache is not Redis."""
        cache = caches["default"]
        if not isinstance(cache, RedisCache):
            return None
        return cache._cache.get_client(write=True), cache.make_key(settings.BUFFER_KEY)

    def _redis_failed(self, exc):
        self._redis_skipped_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning(
            "Page-view buffer unavailable (%s): page views wait in this process for the next %s s.",
            type(exc).__name__,
            RETRY_AFTER_SECONDS,
        )

    def push(self, record: str) -> None:
        """Add one record; never raises."""
        redis = self._redis() if time.monotonic() >= self._redis_skipped_until else None
        if redis is not None:
            client, key = redis
            try:
                client.rpush(key, record)
                return
            except RedisError as exc:
                self._redis_failed(exc)
        with self._lock:
            if not self._memory:
                self._oldest = time.monotonic()
            self._memory.append(record)
            overflow = len(self._memory) - settings.MEMORY_MAX_RECORDS
            for _ in range(max(0, overflow)):
                self._memory.popleft()
        if overflow > 0:
            logger.warning("Page-view buffer full: dropped the %s oldest page views.", overflow)

    # --- reading it back (the flush) ----------------------------------------------------------

    def memory_size(self) -> int:
        return len(self._memory)

    def memory_due(self) -> bool:
        """Whether this process's own records should go to the database now."""
        size = len(self._memory)
        if not size:
            return False
        old = time.monotonic() - self._oldest >= settings.MEMORY_FLUSH_SECONDS
        return size >= settings.MEMORY_FLUSH_RECORDS or old

    def memory_take(self, count: int) -> list[str]:
        with self._lock:
            taken = [self._memory.popleft() for _ in range(min(count, len(self._memory)))]
            if self._memory:
                self._oldest = time.monotonic()
            return taken

    def memory_return(self, records: list[str]) -> None:
        """Put back records a failed write could not store, in their order, at the front."""
        with self._lock:
            self._memory.extendleft(reversed(records))
            self._oldest = self._oldest or time.monotonic()

    def redis_peek(self, count: int) -> list[bytes]:
        """The oldest ``count`` records in Redis, left in place until ``redis_forget``."""
        redis = self._redis()
        if redis is None:
            return []
        client, key = redis
        return client.lrange(key, 0, count - 1)

    def redis_forget(self, count: int) -> None:
        """Drop the oldest ``count`` records from Redis (after they were stored)."""
        redis = self._redis()
        if redis is not None:
            client, key = redis
            client.ltrim(key, count, -1)

    def redis_size(self) -> int:
        redis = self._redis()
        if redis is None:
            return 0
        client, key = redis
        return client.llen(key)

    def clear(self) -> None:
        """Empty both (tests, and the demo seeding)."""
        with self._lock:
            self._memory.clear()
        redis = self._redis()
        if redis is not None:
            client, key = redis
            try:
                client.delete(key)
            except RedisError as exc:
                self._redis_failed(exc)


#: The process's buffer.
buffer = PageViewBuffer()
