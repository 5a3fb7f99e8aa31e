"""Celery tasks of the shop: thin wrappers around services, safe to run twice (Q-01).

Time limits stay well under half the broker's visibility timeout (Q-03), so Redis never
redelivers a task that is still running; retries back off exponentially with jitter and
stop after five attempts (Q-04).

Lost workers (Q-02): a task whose worker is killed mid-run goes back on the queue only
where running it again is safe and bounded. Stripe event tasks are: each event is
finished at most once under its row lock, and an event whose attempts keep dying is
stopped after services.EVENT_MAX_INTERRUPTED of them. The order-link email is not: a
second run could send the link twice, and the customer can simply ask again.
"""

import logging

from celery import Task, shared_task
from django.core.cache import cache
from django.db import OperationalError

from shop import payments, services
from shop.models import Order

# Errors worth retrying: the provider or the database may answer next time; an event
# may be waiting for the event that creates its object.
TRANSIENT_ERRORS = (payments.TransientPaymentError, services.NotYetKnown, OperationalError)
logger = logging.getLogger(__name__)


class ShopTask(Task):
    """Logs a task's final failure (after its last retry) at error level, where the
    error reporting picks it up; only the exception's class, never its arguments."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("Task %s (%s) failed for good: %s", self.name, task_id, type(exc).__name__)


RETRY_POLICY = {
    "base": ShopTask,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(
    bind=True,
    name="shop.process_stripe_event",
    time_limit=120,
    soft_time_limit=100,
    reject_on_worker_lost=True,
    **RETRY_POLICY,
)
def process_stripe_event(self, event_pk, payload=None):
    """Run the handler of one recorded Stripe event (see services.stripe_event_process)."""
    return services.stripe_event_process(event_pk=event_pk, payload=payload)


@shared_task(
    bind=True,
    name="shop.redrive_stripe_events",
    time_limit=600,
    soft_time_limit=540,
    reject_on_worker_lost=True,
    **RETRY_POLICY,
)
def redrive_stripe_events(self):
    """Every five minutes: process the recorded Stripe events no worker finished (Q-09)."""
    return services.stripe_events_redrive()


@shared_task(
    bind=True,
    name="shop.reconcile_stripe_events",
    time_limit=900,
    soft_time_limit=840,
    reject_on_worker_lost=True,
    **RETRY_POLICY,
)
def reconcile_stripe_events(self):
    """Nightly: process the Stripe events of the last three days we never finished (PAY-05)."""
    return services.stripe_events_reconcile()


@shared_task(
    bind=True,
    name="shop.send_order_link",
    time_limit=60,
    soft_time_limit=50,
    **{**RETRY_POLICY, "autoretry_for": (OSError,)},  # SMTP and ESP connection errors
)
def send_order_link(self, order_pk, site_url):
    """Email the signed link to a guest's order (P02). A deleted order sends nothing; a
    redelivered message (same task id) sends nothing again (Q-01)."""
    done_key = f"shop:task-done:{self.request.id}"
    if self.request.id and cache.get(done_key):
        return
    order = Order.objects.filter(pk=order_pk).first()
    if order is not None:
        services.order_link_send(order=order, site_url=site_url)
    if self.request.id:
        cache.set(done_key, 1, timeout=24 * 3600)
