"""Stripe events through a real Celery worker over Redis (the rest of the suite runs
tasks eagerly), including one whose worker is killed mid-event (Q-02, Q-09)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from kinetogram.celery import app
from shop import services, tasks
from shop.models import Order, StripeEvent
from tests.live_services import REDIS_URL, redis_is_up
from tests.shop.factories import OrderFactory, OrderLineFactory
from tests.shop.factories_payments import event, session_completed

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
    pytest.mark.skipif(not redis_is_up(), reason=f"no Redis answers at {REDIS_URL}"),
    pytest.mark.django_db(transaction=True),
]


@contextlib.contextmanager
def running_worker(*pool):
    """A Celery worker over Redis on a queue of its own; yields (queue, worker process)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinetogram.settings.base",
        "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
        f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SHOP_PAYMENT_GATEWAY": "demo",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kinetogram",
            "worker",
            *pool,
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield queue, process
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def worker():
    with running_worker("--pool=solo") as (queue, _process):
        yield queue


@pytest.fixture
def prefork_worker():
    # Prefork, as in production: the parent sees its child die and decides what becomes of
    # the message (solo has no parent to notice).
    with running_worker("--pool=prefork", "--concurrency=1") as started:
        yield started


def children_of(pid):
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_stripe_event_is_processed_by_a_real_worker(worker):
    order = OrderFactory(total=Decimal("100.00"))
    OrderLineFactory(order=order)
    evt = event("checkout.session.completed", session_completed(order))
    row = StripeEvent.objects.create(event_id=evt["id"], type=evt["type"])

    with app.connection_for_write(REDIS_URL) as conn:
        tasks.process_stripe_event.apply_async(
            args=[row.pk, services.stripe_object_minimise(evt["data"]["object"])], queue=worker, connection=conn
        )

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status != StripeEvent.Status.RECEIVED:
            break
        time.sleep(0.2)
    order.refresh_from_db()
    assert row.status == StripeEvent.Status.PROCESSED
    assert order.status == Order.Status.PAID


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker's child through /proc (Linux)")
def test_q02_q09_an_event_whose_worker_is_killed_mid_event_is_run_again_and_pays_once(prefork_worker):
    # given an order whose row the test holds locked, so the worker blocks mid-event
    queue, process = prefork_worker
    order = OrderFactory(total=Decimal("100.00"))
    OrderLineFactory(order=order)
    evt = event("checkout.session.completed", session_completed(order))
    row = StripeEvent.objects.create(event_id=evt["id"], type=evt["type"])
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        with app.connection_for_write(REDIS_URL) as conn:
            tasks.process_stripe_event.apply_async(
                args=[row.pk, services.stripe_object_minimise(evt["data"]["object"])], queue=queue, connection=conn
            )

        def worker_is_waiting_for_the_order():
            with connection.cursor() as cursor:
                # Within a transaction PostgreSQL keeps showing the first view of the activity.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                return cursor.fetchone()[0] == 1

        assert wait_for(worker_is_waiting_for_the_order, 60)
        # when the process running the task is killed outright
        (child,) = children_of(process.pid)
        os.kill(child, signal.SIGKILL)
    # then the message goes back on the queue and a new child finishes the event, once
    assert wait_for(lambda: StripeEvent.objects.filter(pk=row.pk, status=StripeEvent.Status.PROCESSED).exists(), 60)
    row.refresh_from_db()
    order.refresh_from_db()
    assert (row.attempts, row.error) == (2, "")
    assert order.status == Order.Status.PAID
    assert list(order.events.values_list("status", flat=True)) == ["paid"]
