"""The right to erasure (P20, P12, GDPR Art. 17 and 19), set-based through the registry.

One transaction, one statement per declared model (a DELETE, or an UPDATE that writes the
anonymous values), in the order ``erasure_order`` gives, so a model found through another's
rows goes before them. Django's delete stays one statement where nothing cascades into the
model's rows; where something does (a cart's lines, an address's confirmations) it adds a
statement per cascade, bounded by the person's few such rows, never by the table's size.

What the erasure does besides (all from the registry, nothing here names another app):

- Suppression (P22, P27): before the consent ledger's rows go, keyed hashes of every email
  address and phone number the person's own contact fields hold join privacy's suppression
  list, which marketing asks (``is_suppressed``).
- The account is closed: the user declaration anonymises the row (no usable password, not
  active) and every session ends. Django's sessions are signed blobs no query can read per
  person; their declaration finds them through the signed-in devices (allauth's user
  sessions) that name their keys, and a session no device names can no longer sign in,
  since the password hash its sign-in was bound to is gone.
- Processors (Art. 17(2), 19): the registered external steps collect what they need before
  anything changes, and run after the commit (``privacy.services.processors``).
- The erasure log (PR-04): one entry outside the database, written before the commit and
  discarded if the commit fails, so a restored backup can be erased again.
"""

import dataclasses
import datetime
import logging

from django.apps import apps
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from privacy import db, erasure_log
from privacy.anonymise import ERASED_EMAIL_DOMAIN
from privacy.conf import settings as privacy_settings
from privacy.models import AuditEvent, DataExport, Suppression
from privacy.registry import Action, site
from privacy.selectors.erasure import erasure_order, erasure_pending, erasure_refusals, erasure_values
from privacy.services.audit import actor_label, audit_record_bulk
from privacy.services.processors import processor_steps_collect, processor_steps_create
from privacy.subjects import Subject, keyed_hash, normalise_email, normalise_phone

logger = logging.getLogger(__name__)

#: P12: the reason staff give when an account turns out to be a child's.
CHILD_ACCOUNT = "Account found to be a child's (P12)"


class ErasureRefused(Exception):
    """Erasure cannot go ahead (for example an open dispute); the message says why."""


@dataclasses.dataclass
class ErasureResult:
    #: {"shop.Order": {"kept": 3}, "accounts.User": {"anonymised": 1}, "accounts.Address": {"deleted": 2}}
    counts: dict
    log_id: str


def subject_erase(*, subject: Subject, request=None, actor=None, reason: str = "") -> ErasureResult:
    """Erase ``subject`` as every declaration says, in one transaction (one statement per model).

    Suppresses their email and phone (keyed hash), closes the account and ends its sessions,
    logs the erasure outside the erased tables, and queues the processor steps on commit.
    Writes one AuditEvent per model touched (counts and reason, no values). ``reason`` is
    recorded in the audit and the log (``CHILD_ACCOUNT`` for P12). Raises ErasureRefused
    when a registered blocker says the law lets us wait (nothing changed), and ValueError
    for a subject that names nobody.

    The log entry is written just before the commit and removed if the erasure fails, so
    call this outside a transaction or as its last write: an outer transaction rolled back
    afterwards leaves an entry that a replay after a restore would still carry out.
    """
    if not subject:
        raise ValueError("Nobody to erase: give an account, an email address or a phone number.")
    refusals = erasure_refusals(subject)
    if refusals:
        raise ErasureRefused(" ".join(refusals))
    erased_at = timezone.now()
    log_id = erasure_log.new_id(erased_at)
    logged = False
    try:
        with db.erasure_allowed():
            person = _with_contacts(subject)
            user = person.user
            collected = processor_steps_collect(action="erase", subject=person)
            export_files = _export_files(person)
            _suppress(emails={keyed_hash("email", e) for e in person.emails}, phones=_phone_digests(person))
            counts = _erase_rows(person)
            processor_steps_create(collected=collected, action="erase", request=request, erasure=log_id)
            _audit(counts, person=person, actor=actor, reason=reason, log_id=log_id)
            erasure_log.write(
                {
                    "id": log_id,
                    "erased_at": erased_at.isoformat(),
                    "user_id": person.user_id,
                    "user_joined": user.date_joined.isoformat() if user is not None else None,
                    "emails": sorted({keyed_hash("email", e) for e in person.emails}),
                    "phones": _phone_digests(person),
                    "reason": reason,
                    "request": getattr(request, "reference", None),
                    "actor": actor_label(actor),
                    "done": _done(counts),
                }
            )
            logged = True
            transaction.on_commit(lambda: _delete_export_files(export_files), robust=True)
    except BaseException:
        if logged:
            erasure_log.discard(log_id)
        raise
    logger.info("Erasure %s: %s rows in %s models", log_id, _total(counts), len(counts))
    return ErasureResult(counts=counts, log_id=log_id)


def erasure_replay(*, entry: dict) -> dict:
    """Erase again whoever a restored backup brought back, as ``entry`` (an erasure log entry)
    records them (PR-04).

    Finds the person by the logged account (when it is the same account: its email address
    or opening time matches) and by the keyed hashes of their addresses and phones; restores
    their suppression hashes; erases what is left of them in one transaction, with audit
    rows that name the entry. Processors are not told again: they were told at the time.
    Returns {"status": "applied" | "already erased" | "not found", "counts": {...}}; a second
    run finds nothing left and changes nothing.
    """
    person = _find_again(entry)
    with db.erasure_allowed():
        _suppress(emails=entry.get("emails", []), phones=entry.get("phones", []))
        if not person or not erasure_pending(person):
            return {"status": "already erased" if person else "not found", "counts": {}}
        counts = _erase_rows(person)
        reason = f"replayed from the erasure log ({entry['id']})"
        _audit(counts, person=person, actor=None, reason=reason, log_id=entry["id"])
    logger.info("Erasure %s replayed: %s rows in %s models", entry["id"], _total(counts), len(counts))
    return {"status": "applied", "counts": counts}


def _with_contacts(subject: Subject) -> Subject:
    """The subject with every email address and phone number their own contact fields hold
    (a guest order's address, the profile's phone), so their rows made with those are found
    too, and each is suppressed. A third party's fields (a gift's recipient) are left out."""
    emails, phones = set(subject.emails), set(subject.phones)
    for declaration in site.declarations():
        names = declaration.contact_fields()
        wanted = names["email"] + names["phone"]
        condition = subject.condition(declaration)
        if not wanted or condition is None:
            continue
        for row in declaration.model._default_manager.filter(condition).order_by().values_list(*wanted).distinct():
            for name, value in zip(wanted, row, strict=True):
                if not value:
                    continue
                if name in names["email"]:
                    address = normalise_email(value)
                    if not address.endswith("@" + ERASED_EMAIL_DOMAIN):
                        emails.add(address)
                elif normalise_phone(value):
                    # As stored too: phone fields hold what people typed, and rows are found by it.
                    phones |= {normalise_phone(value), str(value).strip()}
    return Subject(user_id=subject.user_id, emails=frozenset(emails), phones=frozenset(phones))


def _phone_digests(person: Subject) -> list[str]:
    return sorted({keyed_hash("phone", p) for p in person.phones})


def _suppress(*, emails, phones):
    """Add keyed hashes to the suppression list; one INSERT, a hash already there is kept."""
    rows = [Suppression(kind=Suppression.Kind.EMAIL, digest=d) for d in emails]
    rows += [Suppression(kind=Suppression.Kind.PHONE, digest=d) for d in phones]
    if rows:
        Suppression.objects.bulk_create(rows, ignore_conflicts=True)


def _erase_rows(person: Subject) -> dict:
    """One statement per declared model holding rows of the person; the counts per model."""
    counts = {}
    for declaration in erasure_order():
        condition = person.condition(declaration)
        if condition is None:
            continue
        rows = declaration.model._default_manager.filter(condition)
        if declaration.erasure.action == Action.DELETE:
            _deleted, per_model = rows.delete()
            done = {"deleted": per_model.get(declaration.label, 0)}
        else:
            values = erasure_values(declaration)
            key = "anonymised" if declaration.erasure.action == Action.ANONYMISE else "kept"
            done = {key: rows.update(**values) if values else rows.count()}
        if any(done.values()):
            counts[declaration.label] = done
    return counts


def _done(counts: dict) -> dict:
    """What the log records per model: the count, and the fields overwritten."""
    return {
        label: {**per_model, "fields": list(site.get(apps.get_model(label)).erasure_anonymise())}
        for label, per_model in counts.items()
    }


def _audit(counts: dict, *, person: Subject, actor, reason: str, log_id: str):
    """One AuditEvent per model touched, in one INSERT: counts, reason and log entry, no values."""
    audit_record_bulk(
        actor=actor,
        action=AuditEvent.Action.ERASE,
        entries=[
            {
                "model": label,
                "subject_id": person.user_id or "",
                "fields": site.get(apps.get_model(label)).erasure_anonymise(),
                "detail": f"erasure {log_id}: "
                + ", ".join(f"{action} {number}" for action, number in per_model.items())
                + (f"; {reason}" if reason else ""),
            }
            for label, per_model in counts.items()
        ],
    )


def _total(counts: dict) -> int:
    return sum(n for per_model in counts.values() for n in per_model.values())


def _export_files(person: Subject) -> list[str]:
    """The prepared downloads of the person: their rows go with the erasure, the files after it."""
    condition = person.condition(site.get(DataExport))
    if condition is None:
        return []
    return [name for name in DataExport.objects.filter(condition).values_list("file_name", flat=True) if name]


def _delete_export_files(names):
    storage = storages[privacy_settings.EXPORT_STORAGE]
    for name in names:
        storage.delete(name)


def _same_second(logged: str, value: datetime.datetime) -> bool:
    # A dump and its restore may keep timestamps to the second or the millisecond only.
    logged_at = datetime.datetime.fromisoformat(logged)
    return logged_at.replace(microsecond=0) == value.replace(microsecond=0)


def _find_again(entry: dict) -> Subject:
    """The logged person in the data as it is now (after a restore), by keyed hashes only."""
    from django.contrib.auth import get_user_model

    email_digests, phone_digests = set(entry.get("emails", [])), set(entry.get("phones", []))
    user_id = None
    if entry.get("user_id") is not None:
        user_model = get_user_model()
        user = user_model._default_manager.filter(pk=entry["user_id"]).first()
        if user is not None:
            address = getattr(user, user_model.get_email_field_name(), "") or ""
            same_email = keyed_hash("email", address) in email_digests
            same_joined = bool(entry.get("user_joined")) and _same_second(entry["user_joined"], user.date_joined)
            # An account number reused after the restore is somebody else's.
            if same_email or same_joined:
                user_id = user.pk
    emails, phones = set(), set()
    for declaration in site.declarations():
        for path, digests, found, kind in (
            (declaration.subject_email, email_digests, emails, "email"),
            (declaration.subject_phone, phone_digests, phones, "phone"),
        ):
            if not path or not digests:
                continue
            hashed = declaration.hashed_path(path)
            if hashed is not None:
                # An encrypted value, found by its keyed hash: the hash is what was logged.
                source = "__".join([*path.split("__")[:-1], hashed.source])
                rows = declaration.model._default_manager.filter(**{f"{path}__in": sorted(digests)})
                for value in rows.order_by().values_list(source, flat=True):
                    if value:
                        found.add(normalise_email(value) if kind == "email" else value)
                continue
            values = declaration.model._default_manager.exclude(**{path: ""}).order_by().values_list(path, flat=True)
            for value in values.distinct():
                if value and keyed_hash(kind, value) in digests:
                    found.add(normalise_email(value) if kind == "email" else value)
    return Subject(user_id=user_id, emails=frozenset(emails), phones=frozenset(phones))
