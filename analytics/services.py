"""Writes of the analytics app: moving buffered page views into the database (P01)."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from analytics import records
from analytics.buffer import buffer as default_buffer
from analytics.conf import settings
from analytics.models import PageView

logger = logging.getLogger(__name__)

FLUSH_LOCK = "analytics:flush-lock"
FLUSH_LOCK_SECONDS = 300


@dataclasses.dataclass
class FlushResult:
    stored: int = 0
    bots: int = 0
    unreadable: int = 0
    batches: int = 0
    skipped: bool = False


def page_views_flush(*, buffer=default_buffer, memory_only: bool = False) -> FlushResult:
    """Move buffered page views into the database: one ``bulk_create`` per batch of
    ``ANALYTICS_FLUSH_BATCH_SIZE``, at most ``ANALYTICS_FLUSH_MAX_BATCHES`` batches a run.

    Reads the Redis list (unless ``memory_only``) and this process's own records. A Redis
    batch leaves the list only after its rows are committed, so a failed write loses
    nothing; a crash between the commit and the trim stores that one batch twice, which
    counts a few views double rather than none (at-least-once). Crawlers found by
    ua-parser and unreadable records are dropped and counted. A user erased since the view
    is not linked. A second flush running at the same time returns at once (``skipped``).
    """
    result = FlushResult()
    if not memory_only and not cache.add(FLUSH_LOCK, 1, FLUSH_LOCK_SECONDS):
        result.skipped = True
        return result
    try:
        size = settings.FLUSH_BATCH_SIZE
        for _ in range(settings.FLUSH_MAX_BATCHES):
            taken = buffer.memory_take(size)
            if not taken:
                break
            try:
                _store(taken, result)
            except Exception:
                buffer.memory_return(taken)
                raise
        if not memory_only:
            for _ in range(settings.FLUSH_MAX_BATCHES - result.batches):
                batch = buffer.redis_peek(size)
                if not batch:
                    break
                _store(batch, result)
                buffer.redis_forget(len(batch))
    finally:
        if not memory_only:
            cache.delete(FLUSH_LOCK)
    if result.stored or result.bots or result.unreadable:
        logger.info(
            "Page views flushed: %s stored, %s crawlers dropped, %s unreadable, %s batches.",
            result.stored,
            result.bots,
            result.unreadable,
            result.batches,
        )
    return result


@transaction.atomic
def _store(raw_records, result: FlushResult) -> None:
    browser_of = functools.lru_cache(maxsize=512)(records.browser_of)
    rows, user_ids = [], set()
    for raw in raw_records:
        record = records.record_read(raw)
        if record is None:
            result.unreadable += 1
            continue
        browser = browser_of(record.pop("user_agent"))
        if browser is None:
            result.bots += 1
            continue
        record["viewed_at"] = datetime.datetime.fromtimestamp(record["viewed_at"], tz=datetime.UTC)
        rows.append({**record, **browser})
        if record["user_id"] is not None:
            user_ids.add(record["user_id"])
    # A person erased between the view and this flush is not linked back to it.
    existing = set(get_user_model()._default_manager.filter(pk__in=user_ids).values_list("pk", flat=True))
    for row in rows:
        if row["user_id"] not in existing:
            row["user_id"] = None
    PageView.objects.bulk_create([PageView(**row) for row in rows])
    result.stored += len(rows)
    result.batches += 1
