"""P01: buffered page views reach the database in batches, from Redis or from a process's
own memory, and survive a failed write or a Redis outage."""

import logging
import time

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from analytics import records, tasks
from analytics.buffer import PageViewBuffer
from analytics.models import PageView
from analytics.services import page_views_flush
from tests.accounts.factories import UserFactory
from tests.analytics.conftest import FIREFOX
from tests.live_services import REDIS_URL, redis_is_up

pytestmark = pytest.mark.django_db

REDIS = {"default": {"BACKEND": "kinetogram.cache.FailSafeRedisCache", "LOCATION": REDIS_URL}}
REDIS_DOWN = {"default": {"BACKEND": "kinetogram.cache.FailSafeRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


def record(n=0, *, user_id=None, agent=FIREFOX):
    return records.record_build(
        viewed_at=time.time(),
        path=f"/page-{n}/",
        route="",
        status=200,
        response_ms=10 + n,
        user_agent=agent,
        referrer="",
        ip="203.0.113.0",
        user_id=user_id,
    )


def inserts(queries):
    return [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "analytics_pageview"')]


def test_p01_one_bulk_insert_per_batch(settings, empty_buffer):
    settings.ANALYTICS_FLUSH_BATCH_SIZE = 3
    for n in range(7):
        empty_buffer.push(record(n))

    with CaptureQueriesContext(connection) as queries:
        result = page_views_flush()

    assert (result.stored, result.batches) == (7, 3)
    assert len(inserts(queries)) == 3
    assert sorted(PageView.objects.values_list("response_ms", flat=True)) == list(range(10, 17))
    assert empty_buffer.memory_size() == 0


def test_p01_a_flush_moves_a_bounded_number_of_batches_and_the_next_one_goes_on(settings, empty_buffer):
    settings.ANALYTICS_FLUSH_BATCH_SIZE = 2
    settings.ANALYTICS_FLUSH_MAX_BATCHES = 2
    for n in range(5):
        empty_buffer.push(record(n))

    assert page_views_flush().stored == 4
    assert page_views_flush().stored == 1
    assert PageView.objects.count() == 5


def test_p01_crawlers_and_unreadable_records_are_dropped_and_counted(empty_buffer):
    empty_buffer.push(record(1))
    empty_buffer.push(
        record(2, agent="Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)")
    )
    empty_buffer.push("{broken")

    result = page_views_flush()

    assert (result.stored, result.bots, result.unreadable) == (1, 1, 1)
    assert list(PageView.objects.values_list("path", flat=True)) == ["/page-1/"]


def test_p01_a_person_erased_before_the_flush_is_not_linked(empty_buffer):
    kept, erased = UserFactory(), UserFactory()
    empty_buffer.push(record(1, user_id=kept.pk))
    empty_buffer.push(record(2, user_id=erased.pk))
    erased.delete()

    page_views_flush()

    assert dict(PageView.objects.values_list("path", "user_id")) == {"/page-1/": kept.pk, "/page-2/": None}


def test_p01_a_failed_write_keeps_the_records_for_the_next_flush(monkeypatch, empty_buffer):
    from django.db import OperationalError

    for n in range(3):
        empty_buffer.push(record(n))
    original = PageView.objects.bulk_create

    def failing(*args, **kwargs):
        raise OperationalError("database went away")

    monkeypatch.setattr(PageView.objects, "bulk_create", failing)
    with pytest.raises(OperationalError):
        page_views_flush()
    assert empty_buffer.memory_size() == 3

    monkeypatch.setattr(PageView.objects, "bulk_create", original)
    assert page_views_flush().stored == 3
    assert sorted(PageView.objects.values_list("path", flat=True)) == ["/page-0/", "/page-1/", "/page-2/"]


def test_p01_a_process_without_redis_flushes_its_own_records_after_a_response(settings, browser_client, empty_buffer):
    settings.ANALYTICS_MEMORY_FLUSH_RECORDS = 3
    browser_client.get("/")
    browser_client.get("/services/")
    assert PageView.objects.count() == 0

    browser_client.get("/privacy/")

    assert sorted(PageView.objects.values_list("path", flat=True)) == ["/", "/privacy/", "/services/"]
    assert empty_buffer.memory_size() == 0


def test_p01_the_memory_buffer_is_bounded(settings, caplog):
    settings.ANALYTICS_MEMORY_MAX_RECORDS = 5
    own = PageViewBuffer()
    for n in range(8):
        own.push(record(n))

    assert own.memory_size() == 5
    assert [r.split(",")[1] for r in own.memory_take(5)][0] == '"/page-3/"'
    assert "dropped the 1 oldest" in caplog.text


def test_p01_the_flush_runs_every_minute_on_beat():
    task = PeriodicTask.objects.get(task="analytics.page_views_flush")

    assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "minutes")


def test_p01_the_task_reports_what_it_stored(empty_buffer):
    empty_buffer.push(record(1))

    assert tasks.page_views_flush.delay().get() == {"stored": 1, "bots": 0, "unreadable": 0, "skipped": False}


def test_q01_a_flush_already_running_makes_a_second_one_return_at_once(empty_buffer):
    from django.core.cache import cache

    from analytics.services import FLUSH_LOCK

    empty_buffer.push(record(1))
    cache.add(FLUSH_LOCK, 1, 60)

    assert page_views_flush().skipped is True
    assert PageView.objects.count() == 0
    cache.delete(FLUSH_LOCK)
    assert page_views_flush().stored == 1


def test_q11_with_redis_down_pages_answer_and_views_wait_in_memory(settings, browser_client, empty_buffer, caplog):
    settings.ANALYTICS_SHIP_RECORDS = 1
    with override_settings(CACHES=REDIS_DOWN), caplog.at_level(logging.WARNING):
        assert browser_client.get("/").status_code == 200
        assert browser_client.get("/services/").status_code == 200

    assert empty_buffer.memory_size() == 2
    assert caplog.text.count("Page-view buffer unavailable") == 1
    assert page_views_flush(memory_only=True).stored == 2


@pytest.mark.skipif(not redis_is_up(), reason="needs a Redis server (REDIS_URL or 127.0.0.1:6379/15)")
def test_p01_with_redis_the_views_are_shipped_after_the_response_and_wait_in_a_list(settings, browser_client):
    from analytics.buffer import buffer

    settings.ANALYTICS_SHIP_RECORDS = 2
    with override_settings(CACHES=REDIS):
        buffer.clear()
        browser_client.get("/")
        assert (buffer.redis_size(), buffer.memory_size()) == (0, 1)
        browser_client.get("/services/")
        assert (buffer.redis_size(), buffer.memory_size()) == (2, 0)
        assert PageView.objects.count() == 0

        result = page_views_flush()

        assert (result.stored, buffer.redis_size()) == (2, 0)
        buffer.clear()
    assert sorted(PageView.objects.values_list("path", flat=True)) == ["/", "/services/"]


@pytest.mark.skipif(not redis_is_up(), reason="needs a Redis server (REDIS_URL or 127.0.0.1:6379/15)")
def test_p01_a_failed_database_write_leaves_the_redis_batch_in_the_list(monkeypatch):
    from django.db import OperationalError

    from analytics.buffer import buffer

    with override_settings(CACHES=REDIS):
        buffer.clear()
        for n in range(3):
            buffer.push(record(n))
        assert buffer.ship() == 3
        monkeypatch.setattr(
            PageView.objects, "bulk_create", lambda *a, **k: (_ for _ in ()).throw(OperationalError("gone"))
        )
        with pytest.raises(OperationalError):
            page_views_flush()
        assert buffer.redis_size() == 3
        monkeypatch.undo()

        assert page_views_flush().stored == 3
        assert buffer.redis_size() == 0
