"""Where page views wait between the request and the database (P01, FE-05).

A request never writes a page view to the database, nor waits for Redis: it appends a
compact record to this process's memory (microseconds). After the response has gone out
(``request_finished``), the process ships what gathered to a Redis list on the shared
cache's server in one RPUSH, once there are ``ANALYTICS_SHIP_RECORDS`` records or the oldest
is ``ANALYTICS_SHIP_SECONDS`` old; the beat task ``analytics.page_views_flush`` moves the
list into the database in batches.

Without Redis (the embedded run), or while Redis is down, the records stay in memory,
bounded by ``ANALYTICS_MEMORY_MAX_RECORDS``, and the process stores them itself after a
response once enough have gathered (``memory_due``). A Redis failure is logged once and
Redis is left alone for a few seconds, as kinetogram's fail-safe cache does, so an outage
costs one connection attempt per interval, never a failed page. What a process holds when
it is killed is lost: at most a few seconds of page views.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import weakref

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
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    # --- where records go -------------------------------------------------------------------

    def _redis(self):
        """(client, key) of the shared cache's Redis, or None when the cache is not Redis.

        The client is kept per cache object (one per thread): building a redis client costs
        about as much as the push itself."""
        cache = caches["default"]
        if not isinstance(cache, RedisCache):
            return None
        found = self._clients.get(cache)
        if found is None:
            found = (cache._cache.get_client(write=True), cache.make_key(settings.BUFFER_KEY))
            self._clients[cache] = found
        return found

    def _redis_failed(self, exc):
        self._redis_skipped_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning(
            "Page-view buffer unavailable (%s): page views wait in this process for the next %s s.",
            type(exc).__name__,
            RETRY_AFTER_SECONDS,
        )

    def push(self, record: str) -> None:
        """Add one record to this process's memory; never raises, never does I/O."""
        with self._lock:
            if not self._memory:
                self._oldest = time.monotonic()
            self._memory.append(record)
            overflow = len(self._memory) - settings.MEMORY_MAX_RECORDS
            for _ in range(max(0, overflow)):
                self._memory.popleft()
        if overflow > 0:
            logger.warning("Page-view buffer full: dropped the %s oldest page views.", overflow)

    def redis_available(self) -> bool:
        """Whether records go to Redis: the cache is Redis and it has not just failed."""
        return time.monotonic() >= self._redis_skipped_until and self._redis() is not None

    def ship_due(self) -> bool:
        size = len(self._memory)
        if not size:
            return False
        return size >= settings.SHIP_RECORDS or time.monotonic() - self._oldest >= settings.SHIP_SECONDS

    def ship(self) -> int:
        """Move this process's records to the Redis list in one RPUSH (per 1,000); returns how
        many. On a Redis failure they go back to memory, in order, and Redis rests a while."""
        redis = self._redis()
        if redis is None:
            return 0
        client, key = redis
        shipped = 0
        while True:
            taken = self.memory_take(1000)
            if not taken:
                return shipped
            try:
                client.rpush(key, *taken)
            except RedisError as exc:
                self.memory_return(taken)
                self._redis_failed(exc)
                return shipped
            shipped += len(taken)

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
