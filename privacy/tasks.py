"""Celery tasks of the privacy hub: thin wrappers around services, safe to run twice.

The daily beat row for ``privacy.retention_purge`` is created by migration 0004, the
hourly one for ``privacy.export_expire`` by 0006. The purge is idempotent and resumable
(Q-06), so a retry or a redelivery only finishes the work; a second copy running at the
same time exits at once (Q-07). An export build does nothing for an export already built. Time limits stay
under half the broker's visibility timeout (Q-03); retries back off and stop (Q-04).
"""

import logging

from celery import Task, shared_task
from django.db import OperationalError

from privacy import services

logger = logging.getLogger(__name__)


class PrivacyTask(Task):
    """Logs a task's final failure at error level: the exception's class only."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("Task %s (%s) failed for good: %s", self.name, task_id, type(exc).__name__)


RETRY_POLICY = {
    "base": PrivacyTask,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


# A purge whose worker is killed is not put back on the queue: a run that kills its
# worker would come back at once, for ever. The hourly catch-up starts a purge that did not
# finish again, at most once an hour.
@shared_task(bind=True, name="privacy.retention_purge", time_limit=1700, soft_time_limit=1600, **RETRY_POLICY)
def retention_purge(self):
    """Daily: delete or anonymise personal data past its retention period (P10), expired
    Django sessions included (PR-12). Returns the PurgeRun's id, status and counts."""
    run = services.retention_purge()
    return {"run": run.pk, "status": run.status, "counts": run.counts}


@shared_task(bind=True, name="privacy.retention_purge_catch_up", time_limit=1700, soft_time_limit=1600, **RETRY_POLICY)
def retention_purge_catch_up(self):
    """Hourly: run the purge again if the last one did not finish, or none finished for
    over a day (Q-10). Returns the new run's id, status and counts, or None."""
    run = services.retention_purge_catch_up()
    if run is None:
        return None
    return {"run": run.pk, "status": run.status, "counts": run.counts}


class StepFailed(Exception):
    """A processor step failed this time; Celery retries it with backoff."""


#: Retries of a processor step: from 30 s doubling (with jitter) to 6 h apart, about a day
#: in all before it is left for staff as "gave up".
PROCESSOR_STEP_RETRIES = 8


@shared_task(
    bind=True,
    name="privacy.processor_step_run",
    base=PrivacyTask,
    autoretry_for=(StepFailed,),
    retry_backoff=30,
    retry_backoff_max=6 * 3600,
    retry_jitter=True,
    max_retries=PROCESSOR_STEP_RETRIES,
    time_limit=120,
    soft_time_limit=100,
)
def processor_step_run(self, step_id):
    """Tell one processor about an erasure or a rectification (Art. 17(2), 19; PR-03).

    The last attempt records the step as gave up instead of raising, so staff see it in the
    admin. Safe to run twice: a finished step is left alone.
    """
    final = self.request.retries >= self.max_retries
    step = services.processor_step_run(step_id=step_id, final=final)
    if step is not None and step.status == step.Status.FAILED:
        raise StepFailed(step.handler)
    return {"step": step_id, "status": step.status if step is not None else None}


@shared_task(bind=True, name="privacy.export_build", time_limit=1700, soft_time_limit=1600, **RETRY_POLICY)
def export_build(self, export_id):
    """Build one person's export zip (P19, P24) and email them the link. A run for an export
    that is no longer pending does nothing, so a retry or a redelivery is harmless."""
    export = services.export_build(export_id=export_id)
    return {"export": export_id, "status": export.status if export is not None else "missing"}


@shared_task(bind=True, name="privacy.export_expire", time_limit=1700, soft_time_limit=1600, **RETRY_POLICY)
def export_expire(self):
    """Hourly: delete the files of expired exports and mark them expired (PR-06). Returns the
    counts; a second run finds nothing left to do."""
    return services.export_expire()


@shared_task(bind=True, name="privacy.request_reminders", time_limit=600, soft_time_limit=540, **RETRY_POLICY)
def request_reminders(self):
    """Daily: email each assignee and the DPO the requests due within a week and those
    overdue (PR-11). Returns the counts."""
    from privacy.services.requests import request_reminders_send

    return request_reminders_send()
