"""Stored Stripe events are re-driven (Q-09), and an event whose attempts keep dying is
stopped (Q-02). The broker and the workers may fail; the StripeEvent row is the record
of the work left."""

import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from kinetogram.celery import app
from shop import payments, services, tasks
from shop.models import Order, StripeEvent
from tests.shop.factories import OrderFactory, OrderLineFactory
from tests.shop.factories_payments import event, post_event, session_completed

pytestmark = pytest.mark.django_db

#: Nothing listens on port 1: connecting is refused at once, as with a stopped Redis.
DEAD_BROKER = "redis://127.0.0.1:1/0"
LATER = timedelta(minutes=2)


@pytest.fixture
def order():
    order = OrderFactory(total=Decimal("100.00"))
    OrderLineFactory(order=order)
    return order


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are published for real, to a broker that refuses connections."""

    def publish(*args):
        with app.connection_for_write(DEAD_BROKER) as connection:
            return tasks.process_stripe_event.apply_async(args=args, connection=connection)

    monkeypatch.setattr(tasks.process_stripe_event, "delay", publish)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def redrive(now=None):
    return services.stripe_events_redrive(now=(now or timezone.now()) + LATER)


def test_q09_broker_down_at_webhook_time_then_the_redrive_pays_the_order_once(
    client, order, fake_gateway, broker_down, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    # given a signed webhook arriving while the broker refuses connections
    evt = event("checkout.session.completed", session_completed(order))
    fake_gateway.events = [evt]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, evt)
    # then Stripe has its 200, the event is stored, nothing ran, and the log says why
    row = StripeEvent.objects.get()
    assert response.status_code == 200
    assert (row.status, row.attempts) == (StripeEvent.Status.RECEIVED, 0)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"Stripe event {evt['id']} is recorded but its processing did not start (OperationalError); "
        "the re-drive job will run it"
    ]
    # when the re-drive job runs, twice
    with django_capture_on_commit_callbacks(execute=True):
        first = redrive()
    with django_capture_on_commit_callbacks(execute=True):
        second = redrive()
    # then the order is paid once and confirmed once
    row.refresh_from_db()
    order.refresh_from_db()
    assert (first, second) == (1, 0)
    assert (row.status, row.attempts, row.error) == (StripeEvent.Status.PROCESSED, 1, "")
    assert order.status == Order.Status.PAID
    assert list(order.events.values_list("status", flat=True)) == ["paid"]
    assert len(mailoutbox) == 1


def test_q09_the_redrive_job_task_processes_what_the_webhook_left(
    client, order, fake_gateway, broker_down, mailoutbox, django_capture_on_commit_callbacks
):
    evt = event("checkout.session.completed", session_completed(order))
    fake_gateway.events = [evt]
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, evt)
    StripeEvent.objects.update(received_at=timezone.now() - LATER)

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.redrive_stripe_events.apply().get()

    order.refresh_from_db()
    assert result == 1
    assert order.status == Order.Status.PAID
    assert len(mailoutbox) == 1


def test_q09_a_failed_event_is_retried_by_the_redrive(
    client, order, fake_gateway, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    # given an event whose processing failed on a provider outage (after the task's retries)
    evt = event("checkout.session.completed", session_completed(order))
    fake_gateway.events = [evt]
    real = services.EVENT_HANDLERS["checkout.session.completed"]

    def down(session):
        raise payments.TransientPaymentError("APIConnectionError")

    monkeypatch.setitem(services.EVENT_HANDLERS, "checkout.session.completed", down)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, evt).status_code == 200
    row = StripeEvent.objects.get()
    assert (row.status, row.attempts, row.error) == (StripeEvent.Status.FAILED, 1, "TransientPaymentError")
    # when the provider is back and the re-drive job runs
    monkeypatch.setitem(services.EVENT_HANDLERS, "checkout.session.completed", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert redrive() == 1
    # then
    row.refresh_from_db()
    order.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (StripeEvent.Status.PROCESSED, 2, "")
    assert order.status == Order.Status.PAID
    assert len(mailoutbox) == 1


def test_q09_an_event_processed_by_its_task_the_redrive_and_the_reconciliation_fulfils_once(
    client, order, fake_gateway, mailoutbox, django_capture_on_commit_callbacks
):
    evt = event("checkout.session.completed", session_completed(order))
    fake_gateway.events = [evt]
    row = StripeEvent.objects.create(event_id=evt["id"], type=evt["type"])
    payload = services.stripe_object_minimise(evt["data"]["object"])

    with django_capture_on_commit_callbacks(execute=True):
        tasks.process_stripe_event.apply(args=[row.pk, payload])
        tasks.process_stripe_event.apply(args=[row.pk, payload])
        redrive()
        services.stripe_events_reconcile()
        post_event(client, evt)

    row.refresh_from_db()
    order.refresh_from_db()
    assert (row.status, row.attempts) == (StripeEvent.Status.PROCESSED, 1)
    assert order.status == Order.Status.PAID
    assert list(order.events.values_list("status", flat=True)) == ["paid"]
    assert len(mailoutbox) == 1


def test_q09_the_redrive_takes_the_oldest_unfinished_events_in_a_bounded_batch(fake_gateway):
    now = timezone.now()

    def stored(name, *, status=StripeEvent.Status.RECEIVED, age=LATER, attempts=0):
        evt = event("customer.created", {"id": f"cus_{name}"}, event_id=f"evt_{name}")
        fake_gateway.events.append(evt)
        return StripeEvent.objects.create(
            event_id=evt["id"], type=evt["type"], status=status, attempts=attempts, received_at=now - age
        )

    oldest = stored("oldest", age=timedelta(hours=2))
    failed = stored("failed", status=StripeEvent.Status.FAILED, age=timedelta(hours=1), attempts=3)
    third = stored("third", age=timedelta(minutes=30))
    young = stored("young", age=timedelta(seconds=30))
    worn = stored("worn", status=StripeEvent.Status.FAILED, attempts=services.REDRIVE_MAX_ATTEMPTS)
    stopped = stored("stopped", status=StripeEvent.Status.STOPPED)
    done = stored("done", status=StripeEvent.Status.PROCESSED, attempts=1)

    assert services.stripe_events_redrive(now=now, limit=2) == 2
    assert services.stripe_events_redrive(now=now, limit=2) == 1
    assert services.stripe_events_redrive(now=now, limit=2) == 0

    statuses = dict(StripeEvent.objects.values_list("event_id", "status"))
    assert statuses == {
        oldest.event_id: "ignored",
        failed.event_id: "ignored",
        third.event_id: "ignored",
        young.event_id: "received",
        worn.event_id: "failed",
        stopped.event_id: "stopped",
        done.event_id: "processed",
    }


def test_q09_the_redrive_carries_on_after_an_event_it_cannot_fetch(fake_gateway, order, caplog):
    gone = StripeEvent.objects.create(
        event_id="evt_gone", type="checkout.session.completed", received_at=timezone.now() - LATER
    )
    evt = event("checkout.session.completed", session_completed(order))
    fake_gateway.events = [evt]
    StripeEvent.objects.create(event_id=evt["id"], type=evt["type"], received_at=timezone.now() - LATER)

    assert services.stripe_events_redrive() == 1

    gone.refresh_from_db()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert (gone.status, gone.attempts) == (StripeEvent.Status.FAILED, 1)
    assert gone.error == "NotYetKnown: event cannot be fetched from the payment provider"
    assert f"Re-drive could not process Stripe event {gone.pk}: NotYetKnown" in caplog.text


def test_q09_webhook_answers_503_when_the_event_cannot_be_recorded_and_200_on_stripes_retry(
    client, order, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    evt = event("checkout.session.completed", session_completed(order))
    real_get_or_create = StripeEvent.objects.get_or_create

    def database_down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(StripeEvent.objects, "get_or_create", database_down)
    refused = post_event(client, evt)
    monkeypatch.setattr(StripeEvent.objects, "get_or_create", real_get_or_create)
    with django_capture_on_commit_callbacks(execute=True):
        retried = post_event(client, evt)

    assert refused.status_code == 503
    assert refused.text == "Event not recorded; send it again."
    assert f"Stripe event {evt['id']} could not be recorded: OperationalError" in caplog.text
    assert retried.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_q09_the_redrive_runs_every_five_minutes_on_every_install():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("shop.migrations.0004_stripe_event_redrive")
    # Browser tests flush the tables between tests: run the migration's step again (twice:
    # it must be repeatable) rather than rely on the rows it left at set-up.
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)

    task = PeriodicTask.objects.get(task="shop.redrive_stripe_events")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (5, "minutes")
    assert "shop.redrive_stripe_events" in app.tasks


# --- lost workers ---------------------------------------------------------------


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing of ours runs after it, not even `except Exception`."""


def test_q02_an_event_whose_attempts_keep_dying_is_stopped_after_three(
    order, fake_gateway, monkeypatch, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    # given an event whose handler kills its worker every time
    evt = event("checkout.session.completed", session_completed(order))
    fake_gateway.events = [evt]
    row = StripeEvent.objects.create(event_id=evt["id"], type=evt["type"], received_at=timezone.now() - LATER)
    calls = []
    real = services.EVENT_HANDLERS["checkout.session.completed"]

    def poison(session):
        calls.append(session["id"])
        raise WorkerKilled

    monkeypatch.setitem(services.EVENT_HANDLERS, "checkout.session.completed", poison)
    # when it is delivered three times, each after the last attempt's time limit, then a fourth
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(1, 4):
            with pytest.raises(WorkerKilled):
                services.stripe_event_process(event_pk=row.pk)
            row.refresh_from_db()
            assert (row.status, row.attempts) == (StripeEvent.Status.RECEIVED, attempt)
            assert re.fullmatch(rf"Started \S+, no outcome recorded \({attempt} in a row\)", row.error)
            clock.shift(services.EVENT_ATTEMPT_SECONDS + 1)
        fourth = services.stripe_event_process(event_pk=row.pk)
    # then the fourth does not run it, and the re-drive leaves it alone
    row.refresh_from_db()
    assert fourth == StripeEvent.Status.STOPPED
    assert len(calls) == 3
    assert (row.status, row.attempts) == (StripeEvent.Status.STOPPED, 3)
    assert row.error == "Stopped after 3 interrupted attempts: fix the cause, then process it again"
    assert f"Stripe event {evt['id']} stopped after 3 interrupted attempts" in caplog.text
    assert redrive() == 0
    # when staff fix the cause and process it again
    monkeypatch.setitem(services.EVENT_HANDLERS, "checkout.session.completed", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.stripe_event_reprocess(event=row)
    row.refresh_from_db()
    order.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (StripeEvent.Status.PROCESSED, 4, "")
    assert order.status == Order.Status.PAID
    assert len(mailoutbox) == 1


def test_q02_an_interrupted_attempt_then_a_failure_does_not_count_towards_the_stop(order, monkeypatch):
    row = StripeEvent.objects.create(event_id="evt_flaky", type="checkout.session.completed")
    outcomes = iter([WorkerKilled, WorkerKilled, payments.TransientPaymentError, WorkerKilled, WorkerKilled])

    def flaky(session):
        raise next(outcomes)

    monkeypatch.setitem(services.EVENT_HANDLERS, "checkout.session.completed", flaky)
    payload = services.stripe_object_minimise(session_completed(order))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            with pytest.raises((WorkerKilled, payments.TransientPaymentError)):
                services.stripe_event_process(event_pk=row.pk, payload=payload)
            clock.shift(services.EVENT_ATTEMPT_SECONDS + 1)

    row.refresh_from_db()
    assert (row.status, row.attempts) == (StripeEvent.Status.FAILED, 5)
    assert re.fullmatch(r"Started \S+, no outcome recorded \(2 in a row\)", row.error)


def test_q02_a_delivery_racing_one_still_at_work_is_not_counted_as_an_interruption(order, monkeypatch):
    row = StripeEvent.objects.create(event_id="evt_racing", type="checkout.session.completed")

    def dies(session):
        raise WorkerKilled

    monkeypatch.setitem(services.EVENT_HANDLERS, "checkout.session.completed", dies)
    payload = services.stripe_object_minimise(session_completed(order))
    # Five copies arriving within a second, each finding the last one's note still fresh.
    for _ in range(5):
        with pytest.raises(WorkerKilled):
            services.stripe_event_process(event_pk=row.pk, payload=payload)
    row.refresh_from_db()
    assert row.status == StripeEvent.Status.RECEIVED
    assert re.fullmatch(r"Started \S+, no outcome recorded \(1 in a row\)", row.error)


def test_q02_lost_worker_behaviour_is_chosen_per_task():
    app.loader.import_default_modules()
    shop = {name: task for name, task in app.tasks.items() if name.startswith("shop.")}
    requeued = {name for name, task in shop.items() if task.reject_on_worker_lost}

    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is False
    assert requeued == {"shop.process_stripe_event", "shop.redrive_stripe_events", "shop.reconcile_stripe_events"}
    assert not shop["shop.send_order_link"].reject_on_worker_lost
