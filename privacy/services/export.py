"""Access and portability (P19, P24, P11, P13): a person's data as one zip, from the registry.

``export_request`` records the export and queues its build; the ``privacy.export_build``
task calls ``export_build``, which writes the zip (``privacy.export_archive``) into the
private exports storage and emails a link, never the file. The owner downloads it through
``export_download`` (counted and audited) until it expires after PRIVACY_EXPORT_DAYS, when
the hourly ``export_expire`` deletes the file (PR-06).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import tempfile
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import storages
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from privacy import export_archive, signals
from privacy.conf import settings as privacy_settings
from privacy.mail import send_templated_email
from privacy.models import AuditEvent, DataExport
from privacy.services.audit import audit_record
from privacy.subjects import Subject, normalise_email

logger = logging.getLogger(__name__)

#: IN-05: one export per person in this window; a second request gets the first.
LIMIT_WINDOW = datetime.timedelta(hours=24)
#: Salt of the signed download links sent to people without an account.
LINK_SALT = "privacy.export-download"
#: A build still pending after this long lost its worker; it is marked failed so the person
#: is not told "being prepared" for ever and may ask again.
STALE_PENDING = datetime.timedelta(days=1)
#: A file in the exports storage that no export names is removed once older than this
#: (younger ones may belong to a build that has not yet recorded its file).
ORPHAN_AGE = datetime.timedelta(hours=6)
#: The zip is built in memory up to this size, then in a temporary file on disk.
BUILD_SPOOL_BYTES = 8 * 1024 * 1024
EXPIRY_BATCH = 500


class ExportLimited(Exception):
    """The person already has an export from the last 24 hours; ``export`` is that one."""

    def __init__(self, export: DataExport):
        super().__init__("An export was already made in the last 24 hours.")
        self.export = export


class ExportUnavailable(Exception):
    """The export cannot be downloaded: not ready, expired, or its file is gone."""


def _storage():
    return storages[privacy_settings.EXPORT_STORAGE]


def _lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=privacy_settings.EXPORT_DAYS)


def _of_person(subject: Subject) -> Q:
    condition = Q(pk__in=[])
    if subject.user_id is not None:
        condition |= Q(user_id=subject.user_id)
    for email in sorted(subject.emails):
        condition |= Q(email__iexact=email)
    return condition


def _serialise_per_person(subject: Subject) -> None:
    """Two clicks at once make one export: on PostgreSQL, requests of the same person wait
    for each other until the transaction ends (SQLite writes one at a time anyway)."""
    if connection.vendor != "postgresql":
        return
    who = f"user:{subject.user_id}" if subject.user_id is not None else "email:" + min(subject.emails)
    key = int.from_bytes(hashlib.sha256(f"privacy-export:{who}".encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def export_request(*, subject: Subject, request=None, actor=None) -> DataExport:
    """Start building ``subject``'s export; returns the DataExport (status pending).

    Writes one DataExport and one AuditEvent (action "export"); queues
    ``privacy.export_build`` on commit. Raises ExportLimited when the person has an export
    younger than 24 hours that did not fail (IN-05), and ValueError for a subject with
    neither an account nor an email address.
    """
    if subject.user_id is None and not subject.emails:
        raise ValueError("An export needs a person: a customer account or an email address.")
    _serialise_per_person(subject)
    now = timezone.now()
    recent = (
        DataExport.objects.filter(_of_person(subject), created_at__gte=now - LIMIT_WINDOW)
        .exclude(status=DataExport.Status.FAILED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if recent is not None:
        raise ExportLimited(recent)
    # The account's own address is read again at build time; only another address the
    # person was verified by (or a person without an account's) is kept.
    account_email = normalise_email(getattr(subject.user, "email", "")) if subject.user_id is not None else ""
    other_emails = sorted(email for email in subject.emails if email != account_email)
    export = DataExport.objects.create(
        token=uuid.uuid4(),
        request=request,
        user_id=subject.user_id,
        email=other_emails[0] if other_emails else "",
        created_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        model=DataExport,
        object_id=export.pk,
        subject_id=subject.user_id or "",
        detail="requested" + (f" for request {request.reference}" if request is not None else ""),
    )
    from privacy.tasks import export_build as export_build_task

    transaction.on_commit(lambda: export_build_task.delay(export.pk))
    return export


def export_file_name(export: DataExport) -> str:
    """Where an export's zip lives in the exports storage: named from server ids only (IN-07)."""
    return f"{export.token}.zip"


def _is_own_file(export: DataExport) -> bool:
    # The storage may add a suffix when the name was taken; nothing else is accepted.
    return bool(re.fullmatch(rf"{re.escape(str(export.token))}(_[A-Za-z0-9]+)?\.zip", export.file_name or ""))


def _delete_quietly(storage, name: str) -> None:
    if not name:
        return
    try:
        storage.delete(name)
    except FileNotFoundError:
        pass


def export_build(*, export_id: int) -> DataExport | None:
    """Write the zip for a pending export into the exports storage and mark it ready.

    Writes the file, then the DataExport (ready, size, expiry) and one AuditEvent with the
    counts; emails the requester a link after commit. A second run for an export that is no
    longer pending does nothing, so a retry or a redelivered task is harmless. A database
    error that may pass (OperationalError) is raised for the task to retry; any other error
    marks the export failed and is raised.
    """
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return export
    subject = Subject.of(user=export.user, email=export.email)
    storage = _storage()
    name = export_file_name(export)
    try:
        with tempfile.SpooledTemporaryFile(max_size=BUILD_SPOOL_BYTES) as buffer:
            summary = export_archive.archive_write(subject=subject, fileobj=buffer)
            buffer.seek(0)
            # A build interrupted after saving left its file: this one replaces it.
            _delete_quietly(storage, name)
            saved = storage.save(name, File(buffer, name=name))
    except OperationalError:
        raise
    except Exception as exc:
        DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.FAILED, error=type(exc).__name__[:255]
        )
        raise
    now = timezone.now()
    with transaction.atomic():
        claimed = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.READY,
            file_name=saved,
            size=summary.size,
            ready_at=now,
            expires_at=now + _lifetime(),
        )
        if not claimed:
            # Another run of the task finished it first; keep only the file it recorded.
            current = DataExport.objects.get(pk=export.pk)
            if current.file_name != saved:
                _delete_quietly(storage, saved)
            return current
        audit_record(
            actor=None,
            action=AuditEvent.Action.EXPORT,
            model=DataExport,
            object_id=export.pk,
            subject_id=export.user_id or "",
            detail=f"built: {len(summary.counts)} records, {summary.total} rows, {summary.size} bytes",
        )
        transaction.on_commit(lambda: _send_ready_email(export_id=export.pk), robust=True)
    export.refresh_from_db()
    transaction.on_commit(lambda: signals.export_ready.send(sender=DataExport, export=export))
    return export


def export_write(*, subject: Subject, fileobj, actor=None) -> export_archive.ArchiveSummary:
    """Write ``subject``'s export zip into ``fileobj`` now, without a DataExport row
    (``manage.py privacy_export``). Writes one AuditEvent (action "export")."""
    summary = export_archive.archive_write(subject=subject, fileobj=fileobj)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        model=DataExport,
        subject_id=subject.user_id or "",
        detail=f"written to a file: {len(summary.counts)} records, {summary.total} rows",
    )
    return summary


# --- links and downloads (PR-06, IN-07, AC-01) ----------------------------------------------


def export_link_token(*, export: DataExport) -> str:
    """A signed token naming the export, for people without an account (valid EXPORT_DAYS)."""
    return signing.TimestampSigner(salt=LINK_SALT).sign(str(export.token))


def export_from_link_token(*, token: str) -> DataExport:
    """The export a signed link names. Raises signing.SignatureExpired, signing.BadSignature
    or DataExport.DoesNotExist."""
    value = signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=_lifetime())
    try:
        export_token = uuid.UUID(value)
    except ValueError as exc:
        raise signing.BadSignature("Not an export token.") from exc
    return DataExport.objects.get(token=export_token)


def export_download_url(*, export: DataExport) -> str:
    """The absolute link to an export: the signed-in page for an account's export, a signed
    link otherwise."""
    if export.user_id is not None:
        path = reverse("privacy:export_download", args=[export.token])
    else:
        path = reverse("privacy:export_download_link", args=[export_link_token(export=export)])
    return settings.SITE_URL + path


def export_download_name(export: DataExport) -> str:
    """The file name the browser saves, from server data only (IN-07)."""
    return f"kinetogram-data-{export.created_at:%Y-%m-%d}.zip"


def export_download(*, export: DataExport, actor=None, via: str = "") -> File:
    """Open a ready export's file for its owner, count the download and audit it (PR-06).

    The caller has checked who is asking. Writes ``downloads + 1`` (one UPDATE with F(), so
    two downloads at once both count) and one AuditEvent (action "download"). Returns the
    open file. Raises ExportUnavailable when the export is not ready, has expired, or its
    file is gone.
    """
    if (
        export.status != DataExport.Status.READY
        or export.expires_at is None
        or export.expires_at <= timezone.now()
        or not _is_own_file(export)
    ):
        raise ExportUnavailable
    try:
        handle = _storage().open(export.file_name, "rb")
    except (FileNotFoundError, SuspiciousFileOperation) as exc:
        raise ExportUnavailable from exc
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DOWNLOAD,
            model=DataExport,
            object_id=export.pk,
            subject_id=export.user_id or "",
            detail=f"downloaded {via}".strip(),
        )
    return handle


def _send_ready_email(*, export_id: int) -> None:
    """Email the link (never the file) to the address the requester gave or signs in with."""
    export = DataExport.objects.select_related("user").get(pk=export_id)
    address = export.user.email if export.user_id else export.email
    if not address:
        return
    send_templated_email(
        to=[address],
        template="privacy/email/export_ready",
        context={
            "link": export_download_url(export=export),
            "expires_at": export.expires_at,
            "days": privacy_settings.EXPORT_DAYS,
            "needs_sign_in": export.user_id is not None,
        },
    )


# --- expiry (PR-06) ---------------------------------------------------------------------------


def export_expire(*, now: datetime.datetime | None = None, batch_size: int = EXPIRY_BATCH) -> dict:
    """Delete the files of exports past their expiry and mark them expired (PR-06).

    Also marks exports still pending after a day as failed, and removes files no export
    names (left by an erased person, or an interrupted build) once they are older than
    ORPHAN_AGE. Works in batches of ``batch_size``; running it again finds nothing to do.
    Writes one AuditEvent (action "delete", counts only) when it changed anything. Returns
    the counts.
    """
    now = now or timezone.now()
    storage = _storage()
    counts = {"expired": 0, "failed": 0, "files_removed": 0}
    while True:
        batch = list(
            DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now)
            .order_by("pk")
            .values_list("pk", "file_name")[:batch_size]
        )
        if not batch:
            break
        for _pk, name in batch:
            _delete_quietly(storage, name)
        counts["expired"] += DataExport.objects.filter(
            pk__in=[pk for pk, _name in batch], status=DataExport.Status.READY
        ).update(status=DataExport.Status.EXPIRED, file_name="")
    counts["failed"] = DataExport.objects.filter(
        status=DataExport.Status.PENDING, created_at__lt=now - STALE_PENDING
    ).update(status=DataExport.Status.FAILED, error="Not built within a day")
    counts["files_removed"] = _remove_stray_files(storage, now=now)
    if any(counts.values()):
        audit_record(
            actor=None,
            action=AuditEvent.Action.DELETE,
            model=DataExport,
            detail="expired: {expired}, unfinished marked failed: {failed}, "
            "stray files removed: {files_removed}".format(**counts),
        )
    return counts


def _remove_stray_files(storage, *, now) -> int:
    try:
        _folders, names = storage.listdir("")
    except (NotImplementedError, FileNotFoundError):
        return 0
    recorded = set(
        DataExport.objects.filter(status=DataExport.Status.READY)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    removed = 0
    for name in names:
        if name in recorded or not name.endswith(".zip"):
            continue
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            continue
        if modified > now - ORPHAN_AGE:
            continue
        _delete_quietly(storage, name)
        removed += 1
    return removed
