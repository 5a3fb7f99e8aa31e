"""The retention purge (P10, PR-10, PR-12, Q-06, Q-07).

Walks the registry; for each declaration with a retention, deletes or anonymises the rows
past their period in bounded batches of primary keys. Each batch is its own transaction
(one SELECT of at most ``batch_size`` keys, then one DELETE or UPDATE ... WHERE pk IN), so
a crash loses at most the batch in flight, which rolls back, and the next run picks up
where it stopped: the rows still past their period are exactly the work left. Rows of
people under an active restriction are held (P23) and counted, never touched.

Only one purge runs at a time: on PostgreSQL a session-level advisory lock, elsewhere a
cache lock. A run that finds the lock taken records a skipped PurgeRun and returns.
"""

import contextlib
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection, models, transaction
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


def _batch_transaction(model: type[models.Model], action: str):
    """The transaction one batch runs in, with the trigger door its rows need (OPT-06, LG-02).

    Only the purge door, which lets rows older than six years go: a deletion that would
    cascade into younger ledger rows is refused by the trigger and fails the run, since
    removing a person's consent record is erasure, not retention.
    """
    if action == Action.DELETE and model in APPEND_ONLY:
        return db.purge_allowed()
    return transaction.atomic()


def _apply_batch(declaration: PersonalData, pks: list) -> int:
    """Delete or anonymise one batch of rows; one statement (plus Django's cascades)."""
    retention = declaration.retention
    rows = declaration.model._default_manager.filter(pk__in=pks)
    if retention.action == Action.ANONYMISE:
        return rows.update(**anonymous_values(declaration.model, declaration.retention_anonymise()))
    deleted, per_model = rows.delete()
    return per_model.get(declaration.label, 0)


def _purge_declaration(declaration, *, now, dry_run, batch_size, people, counts, progress):
    retention = declaration.retention
    key = DONE[retention.action]
    rows = expired_rows(declaration, now=now)
    held = declaration.subject_condition(user_ids=people[0], emails=people[1])
    counts[key] = 0
    counts["held"] = rows.filter(held).count() if held is not None else 0
    if held is not None:
        rows = rows.exclude(held)
    if dry_run:
        counts[key] = rows.count()
        if progress:
            progress(declaration.label, dict(counts))
        return
    pk_name = declaration.model._meta.pk.attname
    last_pk = None
    while True:
        # Keyset pagination on the primary key: each batch starts after the last one, so the
        # walk ends even if an UPDATE leaves a row matching (it is never selected twice).
        batch = rows.order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        with _batch_transaction(declaration.model, retention.action):
            pks = list(batch.values_list(pk_name, flat=True)[:batch_size])
            if not pks:
                break
            done = _apply_batch(declaration, pks)
        last_pk = pks[-1]
        counts[key] += done
        if progress:
            progress(declaration.label, dict(counts))
        if len(pks) < batch_size:
            break


def _audit_counts(counts: dict):
    for label, per_model in counts.items():
        if not any(per_model.values()):
            continue
        detail = ", ".join(f"{name} {number}" for name, number in per_model.items())
        audit_record(actor=None, action=AuditEvent.Action.PURGE, model=label, detail=f"retention purge: {detail}")


def retention_purge(*, now=None, dry_run: bool = False, batch_size: int | None = None, progress: Progress = None):
    """Delete or anonymise every declared row past its retention period (P10).

    Writes one PurgeRun with counts per model ({"shop.Order": {"anonymised": 3, "held": 1}})
    and, unless ``dry_run``, one AuditEvent per model touched (counts only, no values). Rows
    of restricted people are held (P23). ``progress(label, counts)`` is called after each
    batch. Returns the PurgeRun; a run that finds another in progress returns a skipped one
    at once (Q-07). Not atomic as a whole on purpose: each batch commits (Q-06). Re-raises
    what stops a run after recording it as failed.
    """
    now = now or timezone.now()
    batch_size = conf.settings.PURGE_BATCH_SIZE if batch_size is None else batch_size
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    lock = contextlib.nullcontext(True) if dry_run else _single_run()
    with lock as acquired:
        if not acquired:
            logger.info("Retention purge skipped: another run is in progress")
            return PurgeRun.objects.create(status=PurgeRun.Status.SKIPPED, dry_run=dry_run, finished_at=timezone.now())
        run = PurgeRun.objects.create(status=PurgeRun.Status.RUNNING, dry_run=dry_run)
        people = restricted_people(at=now)
        label = ""
        try:
            for declaration in purgeable_declarations():
                label = declaration.label
                counts = run.counts.setdefault(declaration.label, {})
                _purge_declaration(
                    declaration,
                    now=now,
                    dry_run=dry_run,
                    batch_size=batch_size,
                    people=people,
                    counts=counts,
                    progress=progress,
                )
        except Exception as exc:
            run.status = PurgeRun.Status.FAILED
            run.error = f"{type(exc).__name__} during {label}"[:255]
            raise
        else:
            run.status = PurgeRun.Status.FINISHED
        finally:
            run.finished_at = timezone.now()
            run.counts = {label: per_model for label, per_model in run.counts.items() if any(per_model.values())}
            run.save(update_fields=["status", "error", "finished_at", "counts"])
            if not dry_run:
                _audit_counts(run.counts)
    return run
