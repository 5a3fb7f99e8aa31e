"""One Stripe event through a real Celery worker over Redis (the rest of the suite runs
tasks eagerly)."""

import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

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


@pytest.fixture
def worker():
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
            "--pool=solo",
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
        yield queue
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


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
