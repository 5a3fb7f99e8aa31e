"""Celery tasks of the shop: thin wrappers around services, safe to run twice (Q-01).

Time limits stay well under half the broker's visibility timeout (Q-03), so Redis never
redelivers a task that is still running; retries back off exponentially with jitter and
stop after five attempts (Q-04).
"""

from celery import shared_task
from django.db import OperationalError

from shop import payments, services

# Errors worth retrying: the provider or the database may answer next time; an event
# may be waiting for the event that creates its object.
TRANSIENT_ERRORS = (payments.TransientPaymentError, services.NotYetKnown, OperationalError)
RETRY_POLICY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True, name="shop.process_stripe_event", time_limit=120, soft_time_limit=100, **RETRY_POLICY)
def process_stripe_event(self, event_pk, payload=None):
    """Run the handler of one recorded Stripe event (see services.stripe_event_process)."""
    return services.stripe_event_process(event_pk=event_pk, payload=payload)


@shared_task(bind=True, name="shop.reconcile_stripe_events", time_limit=900, soft_time_limit=840, **RETRY_POLICY)
def reconcile_stripe_events(self):
    """Nightly: process the Stripe events of the last three days we never finished (PAY-05)."""
    return services.stripe_events_reconcile()
