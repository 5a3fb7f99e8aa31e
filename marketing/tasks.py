"""Celery tasks of marketing: thin wrappers around services, safe to run twice (Q-01).

A campaign's sending task sends for at most MARKETING_CAMPAIGN_TASK_SECONDS, well inside
Celery's time limits, then queues its continuation. A worker killed mid-run is not
redelivered: the beat job ``marketing.campaign_start_due`` resumes the campaign once its
lease has run out, and the send log guarantees no second copy to anyone.

``marketing.text_alerts_send_due`` runs every ten minutes on beat (migration
0001_preferences_and_text_alerts creates the row): it sends the text alerts whose
recipient's daytime has come, so a deferred alert never needs a long countdown, which
would outlive the broker's visibility timeout (Q-03).
"""

import dataclasses
import logging

from celery import Task, shared_task
from django.db import OperationalError

from marketing import services
from marketing.conf import settings as marketing_settings

logger = logging.getLogger(__name__)


class MarketingTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("Task %s (%s) failed for good: %s", self.name, task_id, type(exc).__name__)


RETRY_POLICY = {
    "base": MarketingTask,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True, name="marketing.text_alert_send", time_limit=900, soft_time_limit=840, **RETRY_POLICY)
def text_alert_send(self, alert_id):
    """Build the alert's deliveries (one per person allowed now) and send those whose daytime
    it is; the rest wait for ``text_alerts_send_due``. Returns the counts."""
    created = services.text_alert_deliveries_create(alert_id=alert_id)
    totals = {}
    while True:
        counts = services.text_alert_deliveries_send(alert_id=alert_id)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        # A batch handles every due delivery it takes (sent, dropped or moved to their
        # daytime), so a batch smaller than the limit means none is left due.
        if sum(counts.values()) < services.sms_batch_size():
            return {"created": created, **totals}


@shared_task(bind=True, name="marketing.text_alerts_send_due", time_limit=900, soft_time_limit=840, **RETRY_POLICY)
def text_alerts_send_due(self):
    """Every ten minutes: send the waiting text alerts that are now due. Returns the counts."""
    return services.text_alert_deliveries_send()


@shared_task(bind=True, name="marketing.campaign_send", **RETRY_POLICY)
def campaign_send(self, campaign_id):
    """Send a campaign for up to MARKETING_CAMPAIGN_TASK_SECONDS; queue the rest. Returns the
    run's report (state, batches, sent, failed, suppressed, interrupted)."""
    report = services.campaign_deliver(campaign_id=campaign_id, time_budget=marketing_settings.CAMPAIGN_TASK_SECONDS)
    if report.state == "more":
        campaign_send.delay(campaign_id)
    return dataclasses.asdict(report)


@shared_task(bind=True, name="marketing.campaign_start_due", **RETRY_POLICY)
def campaign_start_due(self):
    """Every minute: start the campaigns due and resume those a dead worker left. Returns their ids."""
    return services.campaign_start_due()
