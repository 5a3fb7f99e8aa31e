"""Celery tasks of the marketing app: thin wrappers around services, safe to run twice.

A campaign's sending task sends for at most MARKETING_CAMPAIGN_TASK_SECONDS, well inside
Celery's time limits, then queues its continuation. A worker killed mid-run is not
redelivered (CELERY_TASK_REJECT_ON_WORKER_LOST stays off): the beat job
``marketing.campaign_start_due`` resumes the campaign once its lease has run out, and the
send log guarantees no second copy to anyone.
"""

import dataclasses
import logging

from celery import Task, shared_task
from django.db import OperationalError

from marketing import services
from marketing.conf import settings as marketing_settings

logger = logging.getLogger(__name__)


class MarketingTask(Task):
    """Logs a task's final failure at error level: the exception's class only."""

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
