"""Telling the processors (GDPR Art. 17(2), 19; PR-03): the steps apps register, run after commit.

An erasure or a rectification collects each registered step's payloads before it changes our
data (the Stripe customer's id is gone once the orders are anonymised), records one
ProcessorStep per payload in its own transaction, and queues them once it commits. The task
retries a failing step with backoff; the last failure leaves it "gave up" for staff, with the
payload kept so they can act. A done or not-applicable step keeps no payload.
"""

import logging

from django.db import transaction
from django.utils import timezone

from privacy.models import ProcessorStep
from privacy.registry import StepNotApplicable, site

logger = logging.getLogger(__name__)


def processor_steps_collect(*, action: str, subject, changes=()) -> list[tuple[str, dict]]:
    """(handler name, payload) for every call the registered ``action`` steps must make.

    Reads only; runs before the data changes. ``changes`` go to rectify steps.
    """
    collected = []
    for step in site.external_steps(action):
        payloads = step.collect(subject, list(changes)) if action == "rectify" else step.collect(subject)
        collected += [(step.name, dict(payload)) for payload in payloads]
    return collected


def processor_steps_create(*, collected, action: str, request=None, erasure: str = "") -> list[ProcessorStep]:
    """Record the collected steps (one INSERT) and queue each on commit.

    Writes ProcessorStep rows; queues ``privacy.processor_step_run`` per step once the
    surrounding transaction commits (never before: the task must see the committed change).
    """
    steps = ProcessorStep.objects.bulk_create(
        ProcessorStep(request=request, handler=name, action=action, payload=payload, erasure=erasure)
        for name, payload in collected
    )
    if steps:
        ids = [step.pk for step in steps]
        # robust: a broker that is down must not undo the erasure; the steps stay pending in
        # the admin, where staff can run them again.
        transaction.on_commit(lambda: _queue(ids), robust=True)
    return steps


def _queue(ids):
    from privacy import tasks

    for step_id in ids:
        tasks.processor_step_run.delay(step_id)


def processor_step_run(*, step_id: int, final: bool = False) -> ProcessorStep | None:
    """Make one step's call to its provider, and record the outcome.

    Writes the step: done (payload emptied), skipped when the provider keeps nothing to act
    on, failed (to be retried), or gave up when ``final``. A finished step is left alone, so
    a redelivered task does nothing. Returns the step, or None when it no longer exists.
    """
    step = ProcessorStep.objects.filter(pk=step_id).first()
    if step is None or step.status in ProcessorStep.FINISHED_STATUSES:
        return step
    handler = site.get_step(step.handler)
    now = timezone.now()
    changes = {"attempts": step.attempts + 1, "next_attempt_at": now}
    try:
        if handler is None:
            raise LookupError(f"No step named {step.handler!r} is registered.")
        handler.run(dict(step.payload))
    except StepNotApplicable as exc:
        changes.update(status=ProcessorStep.Status.SKIPPED, outcome=str(exc)[:255], payload={}, done_at=now)
    except Exception as exc:
        status = ProcessorStep.Status.GAVE_UP if final else ProcessorStep.Status.FAILED
        changes.update(status=status, last_error=f"{type(exc).__name__}: {exc}"[:255])
        logger.warning("Processor step %s (%s) failed: %s", step.pk, step.handler, type(exc).__name__)
    else:
        changes.update(status=ProcessorStep.Status.DONE, outcome="Done", payload={}, done_at=now, last_error="")
    # Conditional on the status it was read with: a second worker on the same step changes nothing.
    ProcessorStep.objects.filter(pk=step.pk, status=step.status, attempts=step.attempts).update(**changes)
    step.refresh_from_db()
    return step


@transaction.atomic
def processor_step_retry(*, step: ProcessorStep) -> ProcessorStep:
    """Staff run a step that gave up (or never left pending) again, with a fresh set of retries.

    Writes the step back to pending and queues it on commit. A done or skipped step is left
    as it is.
    """
    if step.status in (ProcessorStep.Status.DONE, ProcessorStep.Status.SKIPPED):
        return step
    ProcessorStep.objects.filter(pk=step.pk).update(status=ProcessorStep.Status.PENDING, last_error="")
    transaction.on_commit(lambda: _queue([step.pk]), robust=True)
    step.refresh_from_db()
    return step
