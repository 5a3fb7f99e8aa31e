"""Data-subject requests (P25, PR-11): intake, verification, deadlines and every transition.

A request moves received → awaiting verification → verified → in progress → (extended) →
completed or refused, and only through the functions here. Each writes a
SubjectRequestEvent (the timeline: who, when, why) and an AuditEvent (no values), and tells
the requester by email after the commit. Emails carry nothing beyond what the requester
gave us: the reference, the kind of request, dates and links.

Deadlines follow ``privacy.deadlines`` (UK GDPR Art. 12(3)): one month from receipt on a
working day; the clock stands still while we wait for proof of identity or a clarification
(a request from the public form waits for its email link, so its month starts on the day
it is confirmed); one extension of up to two months, with a reason, before the first due
date passes.
"""

import datetime
import secrets
import string

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from privacy import deadlines
from privacy.conf import settings as privacy_settings
from privacy.mail import send_templated_email
from privacy.models import AuditEvent, Restriction, SubjectRequest
from privacy.services.audit import actor_label, audit_record
from privacy.subjects import Subject

Status = SubjectRequest.Status
Kind = SubjectRequest.Kind

VERIFY_SALT = "privacy.subject-request.verify"
REFERENCE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"

#: Where each transition may start from.
CAN_VERIFY = (Status.RECEIVED, Status.AWAITING_VERIFICATION)
CAN_START = (Status.VERIFIED,)
CAN_FULFIL = (Status.VERIFIED, Status.IN_PROGRESS, Status.EXTENDED)
CAN_EXTEND = (Status.VERIFIED, Status.IN_PROGRESS)
CAN_COMPLETE = (Status.VERIFIED, Status.IN_PROGRESS, Status.EXTENDED)


class RequestError(ValueError):
    """A transition that is not allowed from the request's status, or input that is missing."""


# --- helpers --------------------------------------------------------------------------------


def _new_reference(year: int) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"DSR-{year}-{code}"


def requester_email(request: SubjectRequest) -> str:
    """The address the requester hears from us at: the account's, else the verified one."""
    if request.user_id and request.user and request.user.email:
        return request.user.email
    return request.email


def _record(request: SubjectRequest, *, actor, from_status: str, note: str = "", label: str = ""):
    request.events.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label or actor_label(actor),
        from_status=from_status,
        to_status=request.status,
        note=note,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.REQUEST,
        model=SubjectRequest,
        object_id=request.pk,
        subject_id=request.user_id or "",
        fields=[],
        detail=f"{request.reference}: {from_status or 'new'} -> {request.status}",
    )


def _email(request: SubjectRequest, template: str, *, to: str = "", **context):
    """Email the requester after the commit; the address is read now (erasure blanks it)."""
    address = to or requester_email(request)
    if not address:
        return
    context = {
        "request": request,
        "reference": request.reference,
        "kind": request.get_kind_display(),
        "ico_url": privacy_settings.ICO_URL,
        "link_days": privacy_settings.REQUEST_LINK_DAYS,
        **context,
    }
    transaction.on_commit(
        lambda: send_templated_email(to=[address], template=f"privacy/email/request_{template}", context=context),
        robust=True,
    )


def _lock(request: SubjectRequest) -> SubjectRequest:
    """The request re-read under a row lock, so two staff acting at once cannot both move it."""
    return SubjectRequest.objects.select_for_update().get(pk=request.pk)


def _require(request: SubjectRequest, allowed, action: str):
    if request.status not in allowed:
        raise RequestError(f"A request that is {request.get_status_display().lower()} cannot be {action}.")


def _recompute_due(request: SubjectRequest):
    request.first_due_on = deadlines.due_date(timezone.localdate(request.received_at), days_paused=request.days_paused)
    request.due_on = deadlines.due_date(
        timezone.localdate(request.received_at),
        days_paused=request.days_paused,
        extension_months=request.extension_months,
    )


def _clock_restart(request: SubjectRequest, now):
    if request.clock_stopped_at is None:
        return
    stopped_on = timezone.localdate(request.clock_stopped_at)
    request.days_paused += max((timezone.localdate(now) - stopped_on).days, 0)
    request.clock_stopped_at = None
    _recompute_due(request)


# --- intake ---------------------------------------------------------------------------------


def open_request_of(*, kind: str, user=None, email: str = "") -> SubjectRequest | None:
    """The person's open request of this kind, if any."""
    open_requests = SubjectRequest.objects.filter(kind=kind, status__in=SubjectRequest.OPEN_STATUSES)
    if user is not None:
        return open_requests.filter(user=user).first()
    if email:
        return open_requests.filter(user=None, email__iexact=email).first()
    return None


@transaction.atomic
def subject_request_create(
    *,
    kind: str,
    channel: str = SubjectRequest.Channel.WEB,
    user=None,
    email: str = "",
    details: str = "",
    changes=(),
    scope: str = "",
    actor=None,
    verified_by: str = "",
    verification_note: str = "",
) -> tuple[SubjectRequest, bool]:
    """Record a request; returns (request, created).

    A second request of the same kind while one is open returns the open one (created
    False, nothing written). ``verified_by`` is "reauthentication" for a signed-in customer
    who just re-entered their password, "staff" (with ``verification_note``) when staff saw
    proof, "" when it waits for the emailed link (the clock stands still until then).
    Writes the request, its first timeline event and an AuditEvent; emails the receipt.
    Raises RequestError for an unknown kind, channel or scope, or nobody to answer.
    """
    email = (email or "").strip()
    if kind not in Kind.values:
        raise RequestError(f"Unknown kind of request {kind!r}.")
    if channel not in SubjectRequest.Channel.values:
        raise RequestError(f"Unknown channel {channel!r}.")
    if user is None and not email:
        raise RequestError("A request needs a person: a customer account or an email address.")
    if kind == Kind.RESTRICTION and scope and scope not in Restriction.Scope.values:
        raise RequestError(f"Unknown restriction scope {scope!r}.")
    if verified_by not in ("", *SubjectRequest.Verification.values):
        raise RequestError(f"Unknown verification {verified_by!r}.")
    if verified_by == SubjectRequest.Verification.STAFF and not verification_note.strip():
        raise RequestError("Say how the person was verified (ID seen, call-back).")
    existing = open_request_of(kind=kind, user=user, email=email)
    if existing is not None:
        return existing, False
    now = timezone.now()
    request = SubjectRequest(
        kind=kind,
        channel=channel,
        user=user,
        email=email or getattr(user, "email", ""),
        details=details.strip(),
        changes=list(changes),
        scope=scope,
        received_at=now,
        assignee=actor if getattr(actor, "is_staff", False) else None,
    )
    if verified_by:
        request.status = Status.VERIFIED
        request.verified_at = now
        request.verification = verified_by
        request.verification_note = verification_note.strip()
    else:
        # Art. 12(6): the month starts once we know who is asking.
        request.status = Status.AWAITING_VERIFICATION if channel == SubjectRequest.Channel.WEB else Status.RECEIVED
        if request.status == Status.AWAITING_VERIFICATION:
            request.clock_stopped_at = now
    _recompute_due(request)
    for _attempt in range(5):
        request.reference = _new_reference(now.year)
        try:
            with transaction.atomic():
                request.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 30^6 codes a year
        raise RequestError("Could not allot a reference; try again.")
    label = "requester" if actor is None or actor == user else ""
    _record(
        request, actor=actor, from_status="", note=f"received by {request.get_channel_display().lower()}", label=label
    )
    if request.status == Status.AWAITING_VERIFICATION:
        _email(request, "verify", verify_url=verification_url(request))
    else:
        _email(request, "received")
    return request, True


def verification_token(request: SubjectRequest) -> str:
    return signing.dumps({"r": request.reference}, salt=VERIFY_SALT, compress=True)


def verification_url(request: SubjectRequest) -> str:
    return settings.SITE_URL + reverse("privacy:request_verify", args=[verification_token(request)])


def request_from_token(token: str) -> SubjectRequest:
    """The request a verification link names. Raises signing.BadSignature (tampered or
    expired: ``SignatureExpired``) or SubjectRequest.DoesNotExist."""
    max_age = privacy_settings.REQUEST_LINK_DAYS * 24 * 3600
    payload = signing.loads(token, salt=VERIFY_SALT, max_age=max_age)
    return SubjectRequest.objects.get(reference=payload["r"])


# --- transitions ----------------------------------------------------------------------------


@transaction.atomic
def subject_request_verify(*, request: SubjectRequest, method: str, actor=None, note: str = "") -> SubjectRequest:
    """Mark who is asking as verified: by the emailed link, a re-authentication, or staff
    (with ``note`` of how). Restarts a stopped clock; links the account that owns a verified
    address. Raises RequestError from a closed or already verified request, or staff without
    a note."""
    request = _lock(request)
    _require(request, CAN_VERIFY, "verified")
    if method not in SubjectRequest.Verification.values:
        raise RequestError(f"Unknown verification {method!r}.")
    if method == SubjectRequest.Verification.STAFF and not note.strip():
        raise RequestError("Say how the person was verified (ID seen, call-back).")
    now = timezone.now()
    from_status = request.status
    _clock_restart(request, now)
    request.status = Status.VERIFIED
    request.verified_at = now
    request.verification = method
    request.verification_note = note.strip()
    if request.user_id is None and request.email:
        # Control of the address is proven: an account with it is the requester's.
        request.user_id = Subject.of(email=request.email).user_id
    request.save()
    label = "requester" if method == SubjectRequest.Verification.LINK else ""
    _record(
        request,
        actor=actor,
        from_status=from_status,
        note=f"verified: {request.get_verification_display()}",
        label=label,
    )
    _email(request, "verified")
    return request


@transaction.atomic
def subject_request_assign(*, request: SubjectRequest, assignee, actor) -> SubjectRequest:
    """Give the request to a staff member. Raises RequestError for a closed request or a
    non-staff assignee."""
    request = _lock(request)
    if not request.is_open:
        raise RequestError("A closed request cannot be assigned.")
    if assignee is not None and not assignee.is_staff:
        raise RequestError("Only staff can handle requests.")
    request.assignee = assignee
    request.save(update_fields=["assignee"])
    _record(request, actor=actor, from_status=request.status, note=f"assigned to {actor_label(assignee)}")
    return request


@transaction.atomic
def subject_request_start(*, request: SubjectRequest, actor) -> SubjectRequest:
    """Staff begin work on a verified request (and take it, if nobody has)."""
    request = _lock(request)
    _require(request, CAN_START, "started")
    from_status = request.status
    request.status = Status.IN_PROGRESS
    if request.assignee_id is None and actor is not None and actor.is_staff:
        request.assignee = actor
    request.save()
    _record(request, actor=actor, from_status=from_status)
    return request


@transaction.atomic
def subject_request_stop_clock(*, request: SubjectRequest, actor, reason: str) -> SubjectRequest:
    """Stop the clock while we wait for proof of identity or a clarification (Art. 12(6))."""
    request = _lock(request)
    if not request.is_open:
        raise RequestError("A closed request has no clock.")
    if request.clock_stopped_at is not None:
        raise RequestError("The clock is already stopped.")
    if not reason.strip():
        raise RequestError("Say what we are waiting for.")
    from_status = request.status
    request.clock_stopped_at = timezone.now()
    if request.status == Status.RECEIVED:
        request.status = Status.AWAITING_VERIFICATION
    request.save()
    _record(request, actor=actor, from_status=from_status, note=f"clock stopped: {reason.strip()}")
    _email(request, "waiting", reason=reason.strip())
    return request


@transaction.atomic
def subject_request_restart_clock(*, request: SubjectRequest, actor, note: str = "") -> SubjectRequest:
    """The proof or clarification arrived: the clock runs again and the due date moves by the
    days it stood still."""
    request = _lock(request)
    if request.clock_stopped_at is None:
        raise RequestError("The clock is running.")
    _clock_restart(request, timezone.now())
    request.save()
    _record(request, actor=actor, from_status=request.status, note=f"clock restarted {note}".strip())
    return request


@transaction.atomic
def subject_request_extend(*, request: SubjectRequest, months: int, reason: str, actor) -> SubjectRequest:
    """Extend the deadline once, by one or two months, with a reason the requester is told.
    Only while the first due date has not passed (Art. 12(3)). Raises RequestError otherwise."""
    request = _lock(request)
    _require(request, CAN_EXTEND, "extended")
    if request.extension_months:
        raise RequestError("A request can be extended only once.")
    if months not in (1, 2):
        raise RequestError("An extension is one or two months.")
    if not reason.strip():
        raise RequestError("Give the reason for the extension; the requester is told it.")
    if timezone.localdate() > request.first_due_on:
        raise RequestError("The first due date has passed: it is too late to extend.")
    from_status = request.status
    request.extension_months = months
    request.extension_reason = reason.strip()
    request.status = Status.EXTENDED
    _recompute_due(request)
    request.save()
    _record(request, actor=actor, from_status=from_status, note=f"extended by {months} month(s): {reason.strip()}")
    _email(request, "extended", reason=request.extension_reason, due_on=request.due_on)
    return request


@transaction.atomic
def subject_request_refuse(*, request: SubjectRequest, reason: str, actor) -> SubjectRequest:
    """Refuse where the law allows, with the reason; the requester is told it and their right
    to complain to the ICO (P34)."""
    request = _lock(request)
    if not request.is_open:
        raise RequestError("The request is already closed.")
    if not reason.strip():
        raise RequestError("Give the reason for the refusal; the requester is told it.")
    from_status = request.status
    request.status = Status.REFUSED
    request.outcome = reason.strip()
    request.closed_at = timezone.now()
    request.clock_stopped_at = None
    request.save()
    _record(request, actor=actor, from_status=from_status, note=f"refused: {request.outcome}")
    _email(request, "refused", reason=request.outcome)
    return request


@transaction.atomic
def subject_request_complete(*, request: SubjectRequest, actor, outcome: str = "", to: str = "") -> SubjectRequest:
    """Close the request as answered; the requester is told what was done."""
    request = _lock(request)
    _require(request, CAN_COMPLETE, "completed")
    from_status = request.status
    request.status = Status.COMPLETED
    request.outcome = outcome.strip() or request.outcome or "Done."
    request.closed_at = timezone.now()
    request.clock_stopped_at = None
    request.save()
    _record(request, actor=actor, from_status=from_status, note=f"completed: {request.outcome}")
    _email(request, "completed", to=to, outcome=request.outcome)
    return request


def subject_request_fulfil(*, request: SubjectRequest, actor) -> SubjectRequest:
    """Do what the request asks, through the service of its kind, then complete it.

    access, portability → an export (completed once it is ready; the requester gets the
    link); erasure → ``subject_erase`` (refused with the blocker's reason where the law lets
    us wait); rectification → ``rectification_apply``; restriction → ``restriction_create``;
    objection → ``objection_record``. Raises RequestError before anything changes when the
    request is not verified or has nothing to do.
    """
    from privacy.services.erasure import ErasureRefused, subject_erase
    from privacy.services.export import ExportLimited, export_request
    from privacy.services.rectification import rectification_apply
    from privacy.services.restriction import restriction_create

    request = SubjectRequest.objects.select_related("user").get(pk=request.pk)
    _require(request, CAN_FULFIL, "fulfilled")
    subject = Subject.of(user=request.user, email=request.email)
    if request.status == Status.VERIFIED:
        request = subject_request_start(request=request, actor=actor)
    if request.kind in (Kind.ACCESS, Kind.PORTABILITY):
        try:
            export = export_request(subject=subject, request=request, actor=actor)
        except ExportLimited as limited:
            export = limited.export
            if export.request_id is None:
                type(export).objects.filter(pk=export.pk).update(request=request)
                export.request_id = request.pk
        # With tasks run in-process the export is built already, and its readiness has
        # completed the request; with a worker, it will.
        export.refresh_from_db()
        request.refresh_from_db()
        if export.status == export.Status.READY and request.status in CAN_COMPLETE:
            return subject_request_complete(
                request=request, actor=actor, outcome="A copy of your data is ready to download."
            )
        return request
    if request.kind == Kind.ERASURE:
        address = requester_email(request)
        try:
            # Its own transaction, committed before the request is closed: the erasure log
            # entry must never outlive a rolled-back erasure.
            subject_erase(subject=subject, request=request, actor=actor, reason=f"request {request.reference}")
        except ErasureRefused as refused:
            return subject_request_refuse(request=request, actor=actor, reason=str(refused))
        return subject_request_complete(
            request=request, actor=actor, to=address, outcome="Your data has been erased as our policy says."
        )
    if request.kind == Kind.RECTIFICATION:
        if not request.changes:
            raise RequestError("The request lists no correction to apply.")
        with transaction.atomic():
            rectification_apply(request=request, actor=actor)
            return subject_request_complete(request=request, actor=actor, outcome="Your data has been corrected.")
    if request.kind == Kind.RESTRICTION:
        with transaction.atomic():
            restriction_create(
                user=request.user,
                email="" if request.user_id else request.email,
                scope=request.scope or Restriction.Scope.ALL,
                reason=request.details or f"request {request.reference}",
                review_on=request.due_on,
                created_by=actor if getattr(actor, "is_staff", False) else None,
            )
            return subject_request_complete(request=request, actor=actor, outcome="Processing is restricted.")
    from privacy.services.objection import objection_record

    with transaction.atomic():
        objection_record(
            user=request.user,
            email="" if request.user_id else request.email,
            source="request",
            actor=actor,
        )
        return subject_request_complete(
            request=request, actor=actor, outcome="You will receive no marketing and no tailored offers."
        )


def request_complete_for_export(*, export) -> None:
    """An export made for a request is ready: the request is answered."""
    if export.request_id is None:
        return
    request = SubjectRequest.objects.filter(pk=export.request_id, status__in=CAN_COMPLETE).first()
    if request is not None:
        subject_request_complete(request=request, actor=None, outcome="A copy of your data is ready to download.")


def request_reminders_send(*, today=None) -> dict:
    """Email each assignee, and the DPO, the open requests due within
    ``PRIVACY_REQUEST_REMINDER_DAYS`` days and those overdue (PR-11). Sends at most one email
    per person and returns {"due_soon": n, "overdue": n, "emails": n}. The beat job runs it
    daily; running it twice in a day sends the same list again, nothing else changes.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=privacy_settings.REQUEST_REMINDER_DAYS)
    open_requests = list(
        SubjectRequest.objects.filter(status__in=SubjectRequest.OPEN_STATUSES, due_on__lte=horizon)
        .select_related("assignee")
        .order_by("due_on", "id")
    )
    overdue = [r for r in open_requests if r.due_on < today]
    due_soon = [r for r in open_requests if r.due_on >= today]
    recipients: dict[str, list] = {}
    if privacy_settings.DPO_EMAIL and open_requests:
        recipients[privacy_settings.DPO_EMAIL] = open_requests
    for request in open_requests:
        if request.assignee_id and request.assignee.email:
            recipients.setdefault(request.assignee.email, []).append(request)
    for address, requests in recipients.items():
        send_templated_email(
            to=[address],
            template="privacy/email/request_reminder",
            context={
                "overdue": [r for r in requests if r.due_on < today],
                "due_soon": [r for r in requests if r.due_on >= today],
                "today": today,
                "queue_url": settings.SITE_URL + reverse("admin:privacy_subjectrequest_changelist"),
            },
        )
    return {"due_soon": len(due_soon), "overdue": len(overdue), "emails": len(recipients)}


#: What a signed-in customer's own request does at once; rectification waits for staff to
#: compare the current and requested values (P21).
SELF_SERVICE_KINDS = (Kind.ACCESS, Kind.PORTABILITY, Kind.ERASURE, Kind.RESTRICTION, Kind.OBJECTION)


def subject_request_from_account(*, user, kind: str, details: str = "", changes=(), scope: str = "") -> SubjectRequest:
    """A signed-in customer exercises a right from "Your data", just after re-entering their
    password (which verifies them, AU-11). Records the request, then fulfils at once what
    needs no staff decision (a copy of the data, erasure, restriction, objection); a
    correction is left for staff. Returns the request as it ends up (completed, refused, in
    progress while an export builds, or verified for a correction). Raises RequestError.
    """
    request, _created = subject_request_create(
        kind=kind,
        user=user,
        details=details,
        changes=changes,
        scope=scope,
        actor=user,
        verified_by=SubjectRequest.Verification.REAUTHENTICATION,
    )
    if kind in SELF_SERVICE_KINDS and request.status in CAN_FULFIL:
        request = subject_request_fulfil(request=request, actor=user)
    return SubjectRequest.objects.get(pk=request.pk)
