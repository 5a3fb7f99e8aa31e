"""The retention purge (P10, PR-10, PR-12, Q-06, Q-07, Q-10).

Walks the registry; for each declaration with a retention, deletes or anonymises the rows
past their period in bounded batches. Each batch is its own transaction and one statement
(``DELETE``/``UPDATE ... WHERE pk IN (SELECT pk ... LIMIT n)``; a table whose rows cascade
goes through Django's collector, which reads the batch once to follow the cascade), so a
crash loses at most the batch in flight, which rolls back, and the next run picks up where
it stopped: the rows still past their period are exactly the work left. Rows of people
under an active restriction are held (P23) and counted, never touched.

Each batch writes its own audit row and the run's counts in its transaction, so a run
that is killed leaves a record of what it did (Q-10): the next run marks it abandoned, and
an hourly catch-up starts again a purge that did not finish.

Only one purge runs at a time: on PostgreSQL a session-level advisory lock, elsewhere a
cache lock. A run that finds the lock taken records a skipped PurgeRun and returns.
"""

import contextlib
import datetime
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection, models, router, transaction
from django.db.models.deletion import Collector
from django.db.models.expressions import RawSQL
from django.utils import timezone

from privacy import conf, db
from privacy.anonymise import anonymous_values
from privacy.models import AuditEvent, ConsentEvent, PurgeRun
from privacy.registry import Action, PersonalData
from privacy.selectors.restriction import restricted_people
from privacy.selectors.retention import expired_rows, purgeable_declarations
from privacy.services.audit import audit_record

logger = logging.getLogger(__name__)

#: Key of the advisory lock (PostgreSQL) and the cache lock: any constant the project owns.
LOCK_KEY = 7_310_420_001
CACHE_LOCK = "privacy:retention-purge:lock"
#: A crashed process on a cache-locked install frees the lock after this long.
CACHE_LOCK_SECONDS = 6 * 3600

#: The append-only tables: their rows go only through the purge door of the triggers.
APPEND_ONLY = (ConsentEvent, AuditEvent)

DONE = {Action.DELETE: "deleted", Action.ANONYMISE: "anonymised"}

Progress = Callable[[str, dict], None]


@contextlib.contextmanager
def _single_run():
    """Yield whether this process holds the purge lock; release it on the way out."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    acquired = cache.add(CACHE_LOCK, timezone.now().isoformat(), CACHE_LOCK_SECONDS)
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(CACHE_LOCK)


@contextlib.contextmanager
def _batch_transaction(model: type[models.Model], action: str):
    """The transaction one batch runs in, with the trigger door its rows need (OPT-06, LG-02).

    Only the purge door, which lets rows older than six years go: a deletion that would
    cascade into younger ledger rows is refused by the trigger and fails the run, since
    removing a person's consent record is erasure, not retention.
    """
    door = db.purge_allowed() if action == Action.DELETE and model in APPEND_ONLY else transaction.atomic()
    with door:
        if connection.vendor == "postgresql":
            # A batch lost to a server crash comes back whole, its audit row and counts
            # with it, and the next run does it again: no batch waits for its commit to
            # reach the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _deletes_in_one_statement(model: type[models.Model]) -> bool:
    """Whether Django deletes the model's rows without reading them: no cascade to follow
    and no delete signal to send."""
    return Collector(using=router.db_for_write(model)).can_fast_delete(model._default_manager.none())


def _next_batch(model: type[models.Model], rows: models.QuerySet, size: int) -> models.QuerySet:
    """The next ``size`` rows of ``rows``, as a queryset whose DELETE or UPDATE picks them in
    the same statement. Any rows past their period will do, in whatever order the database
    finds them first."""
    if connection.vendor != "postgresql":
        return model._default_manager.filter(pk__in=rows.order_by().values("pk")[:size])
    # By physical row id: with "pk IN (subquery)" the planner hash-joins the whole table
    # for every batch, while "ctid = ANY(ARRAY(subquery))" visits only the rows picked
    # (35 ms instead of 300 ms for 50,000 of a million sessions). A row another transaction
    # changes meanwhile has moved, so it is left for the next batch or run, never changed on
    # a stale view.
    table = connection.ops.quote_name(model._meta.db_table)
    # Only the quoted table name and Django's own compiled query go into the SQL; values stay
    # parameters.
    row_id = RawSQL(f"{table}.ctid", ())  # noqa: S611  # nosec B611 # quoted table name only
    sql, params = rows.order_by().annotate(_row_id=row_id).values("_row_id")[:size].query.sql_with_params()
    return model._default_manager.extra(where=[f"{table}.ctid = ANY(ARRAY({sql}))"], params=params)  # noqa: S610  # nosec B610 # compiled query, values as parameters


def _apply_batch(declaration: PersonalData, rows: models.QuerySet) -> int:
    """Delete or anonymise ``rows`` (one batch); return how many."""
    if declaration.retention.action == Action.ANONYMISE:
        return rows.update(**anonymous_values(declaration.model, declaration.retention_anonymise()))
    deleted, per_model = rows.delete()
    return per_model.get(declaration.label, 0)


def _batch_record(*, run: PurgeRun, label: str, counts: dict, done: int, key: str):
    """In the batch's transaction: its audit row and the run's counts so far (Q-10)."""
    audit_record(
        actor=None, action=AuditEvent.Action.PURGE, model=label, detail=f"retention purge, run {run.pk}: {key} {done}"
    )
    PurgeRun.objects.filter(pk=run.pk).update(counts=_touched({**run.counts, label: counts}))


def _touched(counts: dict) -> dict:
    return {label: per_model for label, per_model in counts.items() if any(per_model.values())}


def _purge_declaration(declaration, *, run, now, dry_run, batch_size, people, progress):
    retention = declaration.retention
    label, key = declaration.label, DONE[retention.action]
    counts = run.counts.setdefault(label, {})
    rows = expired_rows(declaration, now=now)
    held = declaration.subject_condition(user_ids=people[0], emails=people[1])
    counts[key] = 0
    counts["held"] = rows.filter(held).count() if held is not None else 0
    if held is not None:
        rows = rows.exclude(held)
    if dry_run:
        counts[key] = rows.count()
        if progress:
            progress(label, dict(counts))
        return
    one_statement = retention.action == Action.DELETE and _deletes_in_one_statement(declaration.model)
    if batch_size is None:
        batch_size = conf.settings.PURGE_BULK_BATCH_SIZE if one_statement else conf.settings.PURGE_BATCH_SIZE
    # Deleted rows leave the set, so deleting ends when a batch comes up short. An UPDATE
    # that left a row matching would find it again: anonymising stops at the rows counted
    # at the start.
    left = rows.count() if retention.action == Action.ANONYMISE else None
    batch = _next_batch(declaration.model, rows, batch_size)
    while left is None or left > 0:
        with _batch_transaction(declaration.model, retention.action):
            done = _apply_batch(declaration, batch)
            after = {**counts, key: counts[key] + done}
            if done:
                _batch_record(run=run, label=label, counts=after, done=done, key=key)
        # Only once the batch has committed does the run count it.
        counts.update(after)
        if left is not None:
            left -= done
        if done and progress:
            progress(label, dict(counts))
        if done < batch_size:
            break


def retention_purge(*, now=None, dry_run: bool = False, batch_size: int | None = None, progress: Progress = None):
    """Delete or anonymise every declared row past its retention period (P10).

    Writes one PurgeRun with counts per model ({"shop.Order": {"anonymised": 3, "held": 1}})
    and, unless ``dry_run``, one AuditEvent per batch (the model and the count, no values),
    both in the batch's transaction (Q-10). Marks a run left running by a process that
    died as abandoned, keeping its counts. Rows of restricted people are held (P23).
    ``batch_size`` applies to every model; by default tables deleted in one statement take
    PURGE_BULK_BATCH_SIZE rows a batch, the others PURGE_BATCH_SIZE. ``progress(label,
    counts)`` is called after each batch. Returns the PurgeRun; a run that finds another in
    progress returns a skipped one at once (Q-07). Not atomic as a whole on purpose: each
    batch commits (Q-06). Re-raises what stops a run after recording it as failed.
    """
    now = now or timezone.now()
    if batch_size is not None and batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    lock = contextlib.nullcontext(True) if dry_run else _single_run()
    with lock as acquired:
        if not acquired:
            logger.info("Retention purge skipped: another run is in progress")
            return PurgeRun.objects.create(status=PurgeRun.Status.SKIPPED, dry_run=dry_run, finished_at=timezone.now())
        run = PurgeRun.objects.create(status=PurgeRun.Status.RUNNING, dry_run=dry_run)
        if not dry_run:
            _abandoned_mark(found_by=run)
        people = restricted_people(at=now)
        label = ""
        try:
            for declaration in purgeable_declarations():
                label = declaration.label
                _purge_declaration(
                    declaration,
                    run=run,
                    now=now,
                    dry_run=dry_run,
                    batch_size=batch_size,
                    people=people,
                    progress=progress,
                )
        except Exception as exc:
            run.status = PurgeRun.Status.FAILED
            run.error = f"{type(exc).__name__} during {label}"[:255]
            raise
        else:
            run.status = PurgeRun.Status.FINISHED
        finally:
            # Left running when the process is going away (KeyboardInterrupt, SystemExit), as
            # after a kill: the counts of its last batch stand and the next run marks it
            # abandoned, so every way of stopping early ends the same.
            if run.status != PurgeRun.Status.RUNNING:
                run.finished_at = timezone.now()
                run.counts = _touched(run.counts)
                run.save(update_fields=["status", "error", "finished_at", "counts"])
    return run


def _abandoned_mark(*, found_by: PurgeRun) -> int:
    """Mark as abandoned the runs still shown running: with the lock held, none of them is
    alive (its process was killed, or its machine stopped). Their counts stay as their last
    batch left them."""
    abandoned = (
        PurgeRun.objects.filter(status=PurgeRun.Status.RUNNING, dry_run=False)
        .exclude(pk=found_by.pk)
        .update(status=PurgeRun.Status.ABANDONED, error=f"Stopped without finishing; found by run {found_by.pk}")
    )
    if abandoned:
        logger.warning("Retention purge: %s run(s) stopped without finishing, marked abandoned", abandoned)
    return abandoned


#: The daily run is due again after this long; a little over a day, so that a run a few
#: minutes later than yesterday's is not taken for a missed one.
CATCH_UP_AFTER = datetime.timedelta(hours=25)


def retention_purge_catch_up(*, now=None):
    """Start the purge again when the last one did not finish, or none has finished for
    over a day (Q-10): run hourly, it retries a killed, failed or missed purge within the
    hour and does nothing otherwise.

    Writes what retention_purge writes, when it runs it. Returns the new PurgeRun, or None
    when the last run finished in time. Safe to run any number of times: the purge is
    idempotent and never runs twice at once.
    """
    now = now or timezone.now()
    last = PurgeRun.objects.filter(dry_run=False).exclude(status=PurgeRun.Status.SKIPPED).order_by("-started_at", "-pk")
    last = last.first()
    if last is not None and last.status == PurgeRun.Status.FINISHED and last.started_at > now - CATCH_UP_AFTER:
        return None
    return retention_purge(now=now)
