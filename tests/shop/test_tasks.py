import re
from decimal import Decimal
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from kinetogram.celery import app
from shop import payments, services, tasks
from shop.models import Order, StripeEvent
from tests.shop.factories import OrderFactory, OrderLineFactory
from tests.shop.factories_payments import event, session_completed

pytestmark = pytest.mark.django_db

SHOP_TASKS = ["shop.process_stripe_event", "shop.reconcile_stripe_events", "shop.send_order_link"]


def recorded(evt):
    return StripeEvent.objects.create(event_id=evt["id"], type=evt["type"])


def test_q03_every_task_finishes_well_inside_the_visibility_timeout():
    app.loader.import_default_modules()
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert set(SHOP_TASKS) <= set(ours)

    too_long = {
        name: task.time_limit or app.conf.task_time_limit
        for name, task in ours.items()
        if not (task.time_limit or app.conf.task_time_limit) < visibility_timeout / 2
    }

    assert too_long == {}


def test_q03_no_countdown_or_eta_longer_than_the_visibility_timeout_in_the_shop():
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    source = "\n".join(path.read_text() for path in Path(settings.BASE_DIR, "shop").rglob("*.py"))
    countdowns = [int(n) for n in re.findall(r"countdown\s*=\s*(\d+)", source)]
    assert [n for n in countdowns if n >= visibility_timeout] == []
    assert "eta=" not in source


def test_q04_retries_are_bounded_with_growing_jittered_backoff():
    for name in SHOP_TASKS:
        task = app.tasks[name]
        assert task.max_retries == 5
        assert task.retry_backoff is True
        assert task.retry_backoff_max == 600
        assert task.retry_jitter is True
        assert task.autoretry_for
    from celery.utils.time import get_exponential_backoff_interval

    delays = [get_exponential_backoff_interval(1, n, 600, full_jitter=False) for n in range(6)]
    assert delays == [1, 2, 4, 8, 16, 32]


def test_q04_a_transient_error_is_tried_at_most_six_times_then_recorded(monkeypatch, caplog):
    order = OrderFactory(total=Decimal("100.00"))
    evt = event("checkout.session.completed", session_completed(order))
    row = recorded(evt)
    calls = []

    def unreachable(session):
        calls.append(session["id"])
        raise payments.TransientPaymentError("APIConnectionError")

    monkeypatch.setitem(services.EVENT_HANDLERS, "checkout.session.completed", unreachable)

    payload = services.stripe_object_minimise(evt["data"]["object"])
    # Eager mode does not redeliver: play the worker's part, one delivery per retry.
    waits = []
    for retries in range(5):
        with pytest.raises(Retry) as retry:
            tasks.process_stripe_event.apply(args=[row.pk, payload], retries=retries)
        waits.append(retry.value.when)
    # The last attempt as a worker sees it (no propagation): it fails and is logged.
    result = tasks.process_stripe_event.apply(args=[row.pk, payload], retries=5, task_id="last-try", throw=False)

    assert result.failed()
    assert "Task shop.process_stripe_event (last-try) failed for good: TransientPaymentError" in [
        record.getMessage() for record in caplog.records if record.levelname == "ERROR"
    ]
    row.refresh_from_db()
    assert len(calls) == 6  # the first try and five retries, then it gives up
    assert all(0 <= wait <= min(600, 2 ** (n + 1)) for n, wait in enumerate(waits)), waits
    assert row.status == StripeEvent.Status.FAILED
    assert row.attempts == 6
    assert row.error == "TransientPaymentError"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_q05_nothing_is_queued_when_the_transaction_rolls_back(monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(tasks.process_stripe_event, "delay", lambda *args: queued.append(args))
    evt = event("invoice.paid", {"id": "in_1"})

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.stripe_event_receive(event=evt)
            raise RuntimeError("later step failed")

    assert queued == []
    assert StripeEvent.objects.count() == 0


def test_q01_running_the_processing_task_twice_changes_nothing_more(mailoutbox, django_capture_on_commit_callbacks):
    order = OrderFactory(total=Decimal("100.00"))
    OrderLineFactory(order=order)
    evt = event("checkout.session.completed", session_completed(order))
    row = recorded(evt)
    payload = services.stripe_object_minimise(evt["data"]["object"])

    with django_capture_on_commit_callbacks(execute=True):
        tasks.process_stripe_event.apply(args=[row.pk, payload])
    with django_capture_on_commit_callbacks(execute=True):
        tasks.process_stripe_event.apply(args=[row.pk, payload])

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.events.count() == 1
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_q01_reconciliation_twice_processes_each_event_once(
    fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory(total=Decimal("100.00"))
    fake_gateway.events = [event("checkout.session.completed", session_completed(order))]

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.reconcile_stripe_events.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.reconcile_stripe_events.apply().get()

    assert (first, second) == (1, 0)
    assert StripeEvent.objects.count() == 1
    assert len(mailoutbox) == 1


def test_pay05_the_nightly_reconciliation_is_scheduled_on_every_install():
    from importlib import import_module

    from django.apps import apps
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    migration = import_module("shop.migrations.0002_checkout_reconcile_schedule")
    # Browser tests flush the tables between tests, so run the migration's step again
    # (twice: it must be repeatable) rather than rely on the rows it left at set-up.
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)

    task = PeriodicTask.objects.get(task="shop.reconcile_stripe_events")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("15", "3", "UTC")
    assert ("shop", "0002_checkout_reconcile_schedule") in MigrationRecorder(connection).applied_migrations()


def test_q01_a_redelivered_order_link_message_sends_one_email(mailoutbox):
    order = OrderFactory(user=None, email="guest@example.com")

    tasks.send_order_link.apply(args=[order.pk, "https://shop.test"], task_id="task-1")
    tasks.send_order_link.apply(args=[order.pk, "https://shop.test"], task_id="task-1")

    assert len(mailoutbox) == 1
    assert "https://shop.test/orders/lookup/" in mailoutbox[0].body
