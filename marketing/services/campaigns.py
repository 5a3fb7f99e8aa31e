"""Email campaigns: scheduling, sending in batches, unsubscribing and the provider's events
(P05, P22, P27; OPT-01, OPT-03, OPT-05).

Sending is at most once per recipient. Each batch is claimed in the send log (unique per
campaign and recipient) and committed before its messages go to the email backend; the
outcome is written when the batch is done. A worker that dies mid-batch leaves rows
"sending": the run that resumes the campaign marks them interrupted and never sends them
again, since it cannot know which of them went. A campaign has one sending run at a time
(a lease on the campaign row, renewed each batch); the beat job resumes a campaign whose
run stopped renewing it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from marketing.conf import settings as marketing_settings
from marketing.models import Campaign, CampaignSend, EmailProviderEvent, UndeliverableAddress
from marketing.rendering import CampaignMessages, Recipient
from marketing.selectors.campaigns import PURPOSE, campaign_batch, campaign_figures
from marketing.tokens import InvalidToken, unsubscribe_token_read
from privacy.mail import send_templated_email
from privacy.models import ConsentEvent
from privacy.selectors import consent_is_granted, is_suppressed, suppressed_among
from privacy.services import consent_withdraw

logger = logging.getLogger(__name__)

LINK_WORDING = "Unsubscribe from Kinetogram's marketing emails (the link in an email)."
REPLY_WORDING = "Unsubscribe from Kinetogram's marketing emails (an email to the unsubscribe address)."
#: anymail event types that end a person's email marketing, and the ones that mean the
#: address cannot receive mail (a hard bounce, or the provider refusing the address).
WITHDRAWING_EVENTS = ("unsubscribed", "complained")
UNDELIVERABLE_EVENTS = ("bounced", "rejected")
SEND_LOG_FIELD = {
    "delivered": "delivered_at",
    "bounced": "bounced_at",
    "rejected": "bounced_at",
    "complained": "complained_at",
    "unsubscribed": "unsubscribed_at",
}
SENDABLE = (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED, Campaign.Status.PAUSED)
#: A batch of at least this many in which the provider accepted nothing means the provider is
#: down, not that the addresses are wrong.
PROVIDER_DOWN_MIN = 3


class CampaignError(ValueError):
    """A campaign cannot do what was asked in its current state; the message says why."""


# --- scheduling ----------------------------------------------------------------------------


def _queue_send(campaign_id: int) -> None:
    from marketing import tasks

    transaction.on_commit(lambda: tasks.campaign_send.delay(campaign_id))


@transaction.atomic
def campaign_schedule(*, campaign: Campaign, at, queue: bool = True) -> Campaign:
    """Schedule ``campaign`` to start at ``at`` (a draft, a scheduled or a paused campaign; a
    paused one resumes where it stopped). Queues the sending task after commit when ``at`` is
    not in the future (unless ``queue`` is False: the caller sends it itself); otherwise the
    beat job (``marketing.campaign_start_due``) starts it. Raises CampaignError for a
    campaign already sending, sent or cancelled."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in SENDABLE:
        raise CampaignError(f"“{campaign}” is {campaign.get_status_display().lower()}; it cannot be scheduled.")
    campaign.status = Campaign.Status.SCHEDULED
    campaign.scheduled_at = at
    campaign.status_note = ""
    campaign.save(update_fields=["status", "scheduled_at", "status_note", "updated_at"])
    if queue and at <= timezone.now():
        _queue_send(campaign.pk)
    return campaign


def campaign_send_now(*, campaign: Campaign, queue: bool = True) -> Campaign:
    """Schedule ``campaign`` for now: its sending task is queued after commit (``queue``
    False: the caller runs ``campaign_deliver`` itself). Raises CampaignError."""
    return campaign_schedule(campaign=campaign, at=timezone.now(), queue=queue)


@transaction.atomic
def campaign_pause(*, campaign: Campaign, note: str = "Paused by staff.") -> bool:
    """Stop a scheduled or sending campaign; its run stops before its next batch. Returns
    whether it was paused (False when it was not scheduled or sending)."""
    return bool(
        Campaign.objects.filter(pk=campaign.pk, status__in=[Campaign.Status.SCHEDULED, Campaign.Status.SENDING]).update(
            status=Campaign.Status.PAUSED, status_note=note[:255], lease_token=None, lease_until=None
        )
    )


def campaign_start_due() -> list[int]:
    """Beat job: queue the sending task of every campaign scheduled for now or earlier, and
    of every campaign left sending by a run that stopped renewing its lease (a dead worker).
    Returns their ids. Queues only; the task takes the lease, so a second copy does nothing."""
    now = timezone.now()
    due = Campaign.objects.filter(
        Q(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now)
        | Q(status=Campaign.Status.SENDING, lease_until__lt=now)
        | Q(status=Campaign.Status.SENDING, lease_until__isnull=True)
    )
    ids = list(due.order_by("scheduled_at", "pk").values_list("pk", flat=True))
    from marketing import tasks

    for campaign_id in ids:
        tasks.campaign_send.delay(campaign_id)
    return ids


# --- sending ---------------------------------------------------------------------------------


@dataclasses.dataclass
class DeliveryReport:
    """What one sending run did. ``state``: finished, paused (stopped by staff, a complaint
    rate or a failing provider), more (time budget used, continuation needed) or
    not_started (not due, or another run holds the campaign)."""

    campaign_id: int
    state: str = "not_started"
    batches: int = 0
    sent: int = 0
    failed: int = 0
    suppressed: int = 0
    interrupted: int = 0


def _lease_take(campaign_id: int, run: uuid.UUID) -> bool:
    now = timezone.now()
    return bool(
        Campaign.objects.filter(
            Q(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now) | Q(status=Campaign.Status.SENDING),
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),
            pk=campaign_id,
        ).update(
            status=Campaign.Status.SENDING,
            lease_token=run,
            lease_until=now + timedelta(seconds=marketing_settings.CAMPAIGN_LEASE_SECONDS),
            started_at=Coalesce(F("started_at"), Value(now)),
            status_note="",
        )
    )


def _ours(campaign_id: int, run: uuid.UUID):
    return Campaign.objects.filter(pk=campaign_id, lease_token=run, status=Campaign.Status.SENDING)


def _lease_renew(campaign_id: int, run: uuid.UUID) -> bool:
    """Extend the lease; False when the campaign was paused or taken over meanwhile."""
    until = timezone.now() + timedelta(seconds=marketing_settings.CAMPAIGN_LEASE_SECONDS)
    return bool(_ours(campaign_id, run).update(lease_until=until))


def campaign_deliver(
    *,
    campaign_id: int,
    batch_size: int | None = None,
    time_budget: float | None = None,
    progress: Callable[[DeliveryReport], None] | None = None,
) -> DeliveryReport:
    """Send ``campaign_id`` to its audience in batches, until everyone is sent, the campaign is
    paused, or ``time_budget`` seconds are used (state "more": call again).

    Per batch, whatever its size: the next account ids, the audience rules on them (consent,
    objection, restriction and bounces read afresh, so an opt-out mid-campaign is honoured),
    the suppression check, the
    claim in the send log (committed before any message goes), the outcome update and the
    lease renewal. Messages go through the configured email backend. Not atomic on purpose:
    each claim must be committed before its messages are handed over.

    A batch in which every message failed (the provider is down) releases its claims and
    pauses the campaign, so resuming it sends them. Calls ``progress(report)`` after each batch.
    """
    report = DeliveryReport(campaign_id=campaign_id)
    run = uuid.uuid4()
    if not _lease_take(campaign_id, run):
        return report
    campaign = Campaign.objects.get(pk=campaign_id)
    report.interrupted = (
        CampaignSend.objects.filter(campaign_id=campaign_id, status=CampaignSend.Status.SENDING)
        .exclude(run=run)
        .update(status=CampaignSend.Status.INTERRUPTED, error="The sending run stopped before recording the outcome.")
    )
    messages = CampaignMessages(campaign)
    size = batch_size or marketing_settings.CAMPAIGN_BATCH_SIZE
    deadline = time.monotonic() + time_budget if time_budget else None
    after = 0
    report.state = "sending"
    with get_connection() as connection:
        while report.state == "sending":
            batch = campaign_batch(campaign, after=after, size=size)
            if batch is None:
                _ours(campaign_id, run).update(
                    status=Campaign.Status.SENT, finished_at=timezone.now(), lease_token=None, lease_until=None
                )
                report.state = "finished"
                break
            after = batch.last_id
            outcome = _deliver_batch(campaign, run, batch.recipients, messages, connection)
            report.batches += 1
            report.sent += outcome["sent"]
            report.failed += outcome["failed"]
            report.suppressed += outcome["suppressed"]
            if progress is not None:
                progress(report)
            if outcome["provider_down"]:
                campaign_pause(campaign=campaign, note=f"Every message of a batch failed ({outcome['error']}).")
                report.state = "paused"
            elif not _lease_renew(campaign_id, run):
                report.state = "paused"
            elif deadline is not None and time.monotonic() >= deadline:
                _ours(campaign_id, run).update(lease_token=None, lease_until=None)
                report.state = "more"
    logger.info(
        "Campaign %s: %s after %s batches, %s sent, %s failed",
        campaign_id,
        report.state,
        report.batches,
        report.sent,
        report.failed,
    )
    return report


def _deliver_batch(campaign, run, batch: list[Recipient], messages: CampaignMessages, connection) -> dict:
    if not batch:
        return {"sent": 0, "failed": 0, "suppressed": 0, "provider_down": False, "error": ""}
    suppressed = suppressed_among(emails=[person.email for person in batch])
    people = [person for person in batch if person.email not in suppressed]
    now = timezone.now()
    CampaignSend.objects.bulk_create(
        [
            CampaignSend(campaign=campaign, recipient_id=p.user_id, email=p.email, run=run, claimed_at=now)
            for p in people
        ],
        ignore_conflicts=True,
    )
    # The rows this run claimed: a row another run holds for the same person stays theirs.
    claimed = {
        recipient_id: pk
        for pk, recipient_id in CampaignSend.objects.filter(
            campaign=campaign, run=run, status=CampaignSend.Status.SENDING
        ).values_list("pk", "recipient_id")
    }
    rows, errors = [], set()
    for person in people:
        if person.user_id not in claimed:
            continue
        row = CampaignSend(pk=claimed[person.user_id], error="", message_id="")
        try:
            message = messages.message(person, connection=connection)
            message.send()
        except Exception as error:  # noqa: BLE001 - one recipient's failure must not stop the batch
            row.status, row.error = CampaignSend.Status.FAILED, type(error).__name__
            errors.add(row.error)
        else:
            status = getattr(message, "anymail_status", None)
            row.status = CampaignSend.Status.SENT
            row.message_id = (getattr(status, "message_id", None) or "")[:255] if status else ""
        rows.append(row)
    sent = sum(row.status == CampaignSend.Status.SENT for row in rows)
    failed = len(rows) - sent
    if len(rows) >= PROVIDER_DOWN_MIN and not sent:
        # Nothing was accepted: the provider is down. These people were not sent anything, so
        # their claims go and the campaign pauses; resuming it sends them.
        CampaignSend.objects.filter(pk__in=[row.pk for row in rows]).delete()
        return {"sent": 0, "failed": 0, "suppressed": len(suppressed), "provider_down": True, "error": min(errors)}
    _record_outcome(rows)
    return {"sent": sent, "failed": failed, "suppressed": len(suppressed), "provider_down": False, "error": ""}


def _record_outcome(rows: list[CampaignSend]) -> None:
    """Write a batch's outcome in as few statements as its outcomes differ: one for the sent
    rows (sent_at is the batch's end), one per failure kind, and the providers' message ids
    (only when the backend returns them). Django's bulk_update would build one CASE branch per
    row and field, which costs more than sending the batch."""
    sent = [row.pk for row in rows if row.status == CampaignSend.Status.SENT]
    if sent:
        CampaignSend.objects.filter(pk__in=sent).update(status=CampaignSend.Status.SENT, sent_at=timezone.now())
    failures: dict[str, list[int]] = {}
    for row in rows:
        if row.status == CampaignSend.Status.FAILED:
            failures.setdefault(row.error, []).append(row.pk)
    for error, pks in failures.items():
        CampaignSend.objects.filter(pk__in=pks).update(status=CampaignSend.Status.FAILED, error=error[:255])
    with_ids = [row for row in rows if row.message_id]
    if with_ids:
        CampaignSend.objects.bulk_update(with_ids, ["message_id"])


def campaign_count(*, campaign: Campaign, batch_size: int | None = None) -> dict[str, int]:
    """A dry run: who the campaign would email now, walked in the same batches as sending
    (nothing is claimed or sent). Returns {"recipients", "suppressed", "already_sent"}."""
    size = batch_size or marketing_settings.CAMPAIGN_BATCH_SIZE
    counts = {"recipients": 0, "suppressed": 0, "already_sent": campaign.sends.count()}
    after = 0
    while batch := campaign_batch(campaign, after=after, size=size):
        after = batch.last_id
        suppressed = suppressed_among(emails=[person.email for person in batch.recipients])
        counts["suppressed"] += len(suppressed)
        counts["recipients"] += sum(person.email not in suppressed for person in batch.recipients)
    return counts


def campaign_test_send(*, campaign: Campaign, user) -> None:
    """Send ``campaign`` as ``user`` (a staff member) would receive it, to their own address,
    with "[Test]" before the subject. Writes no send-log row. Raises CampaignError when the
    templates do not compile, and whatever the email backend raises."""
    from django.template import TemplateSyntaxError

    try:
        messages = CampaignMessages(campaign)
    except TemplateSyntaxError as error:
        raise CampaignError(f"The campaign's templates do not work: {error}") from None
    message = messages.message(Recipient(user_id=user.pk, email=user.email, full_name=user.full_name))
    message.subject = f"[Test] {message.subject}"
    message.send()


# --- unsubscribing ---------------------------------------------------------------------------


def _withdraw(*, user=None, email: str, source: str, wording: str) -> bool:
    """Withdraw email-marketing consent unless it is already withdrawn: a repeated click or a
    provider's retry writes nothing more. Returns whether a ledger event was written."""
    if user is None and (not email or is_suppressed(email=email)):
        # An erased person's address: the suppression list already stops all marketing.
        return False
    if user is not None and not consent_is_granted(PURPOSE, user=user, email=email):
        return False
    if user is None and not consent_is_granted(PURPOSE, email=email):
        return False
    person = {"user": user, "email": email} if user is not None else {"email": email}
    consent_withdraw(purpose=PURPOSE, source=source, wording=wording, **person)
    return True


@transaction.atomic
def unsubscribe_by_token(*, token: str, wording: str = LINK_WORDING) -> bool:
    """One-click unsubscribe (OPT-01, P05, P27): withdraw the token's account from email
    marketing now, with a ledger event from the unsubscribe link, and count the unsubscribe
    for the campaign the link came with. Returns whether consent was withdrawn (False when
    it already was, or the account no longer exists). Raises InvalidToken for a token we did
    not sign (OPT-02)."""
    user_id, campaign_id = unsubscribe_token_read(token)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return False
    withdrawn = _withdraw(user=user, email=user.email, source=ConsentEvent.Source.UNSUBSCRIBE, wording=wording)
    if campaign_id is not None:
        CampaignSend.objects.filter(campaign_id=campaign_id, recipient=user, unsubscribed_at=None).update(
            unsubscribed_at=timezone.now()
        )
    return withdrawn


def unsubscribe_by_reply(*, subject: str) -> bool:
    """An email to the List-Unsubscribe mailto address: its subject is "unsubscribe <token>".
    Returns whether consent was withdrawn; a subject without a valid token does nothing."""
    words = subject.split()
    if not words:
        return False
    try:
        return unsubscribe_by_token(token=words[-1], wording=REPLY_WORDING)
    except InvalidToken:
        logger.info("An email to the unsubscribe address carried no valid token.")
        return False


# --- the provider's events -------------------------------------------------------------------


def _event_id(esp_name: str, event) -> str:
    if event.event_id:
        return str(event.event_id)[:255]
    # Some providers send no event id: the same event delivered again has the same fields.
    fields = (event.event_type, event.message_id, event.recipient, event.timestamp)
    return "derived:" + hashlib.sha256(repr((esp_name, *fields)).encode()).hexdigest()


@transaction.atomic
def provider_event_record(*, esp_name: str, event) -> bool:
    """Act on one anymail tracking event (OPT-05), once per event id: unsubscribed and
    complained withdraw email-marketing consent (ledger source: email provider); a hard bounce
    or a refusal marks the address undeliverable (a temporary failure does not); delivered,
    bounced, complained and unsubscribed are counted on the campaign's send log. A complaint
    rate over MARKETING_COMPLAINT_PAUSE_RATE pauses the campaign and emails staff (once).
    Returns False for an event seen before."""
    recipient = (event.recipient or "").strip()
    message_id = (event.message_id or "")[:255]
    send = CampaignSend.objects.filter(message_id=message_id).first() if message_id else None
    try:
        with transaction.atomic():
            EmailProviderEvent.objects.create(
                esp_name=esp_name[:40],
                event_id=_event_id(esp_name, event),
                event_type=(event.event_type or "unknown")[:20],
                recipient=recipient[:254],
                message_id=message_id,
                reject_reason=(event.reject_reason or "")[:20],
                send=send,
                occurred_at=event.timestamp,
            )
    except IntegrityError:
        return False
    event_type = event.event_type
    if send is not None and event_type in SEND_LOG_FIELD:
        field = SEND_LOG_FIELD[event_type]
        CampaignSend.objects.filter(pk=send.pk, **{f"{field}__isnull": True}).update(
            **{field: event.timestamp or timezone.now()}
        )
    if event_type in WITHDRAWING_EVENTS and recipient:
        user = send.recipient if send is not None and send.recipient_id else None
        if user is None:
            user = get_user_model().objects.filter(email__iexact=recipient).first()
        _withdraw(
            user=user,
            email=recipient,
            source=ConsentEvent.Source.ESP,
            wording=f"The email provider ({esp_name}) reported: {event_type}.",
        )
    if _hard_failure(event) and recipient:
        UndeliverableAddress.objects.get_or_create(
            address=recipient.lower(),
            defaults={"reason": f"{event_type} {event.reject_reason or ''}".strip()[:40], "esp_name": esp_name[:40]},
        )
    if event_type == "complained" and send is not None:
        _complaint_check(send.campaign_id)
    return True


def _hard_failure(event) -> bool:
    """Whether the address cannot receive mail: a bounce or a refusal that is not temporary."""
    if event.event_type not in UNDELIVERABLE_EVENTS:
        return False
    # anymail reports some temporary failures as "bounced" (Postmark's SoftBounce); an SMTP
    # reply in the 4xx range is temporary by definition (RFC 5321 4.2.1).
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if raw.get("Type") == "SoftBounce":
        return False
    response = (event.mta_response or "").lower().removeprefix("smtp;").strip()
    return not response.startswith("4")


def _complaint_check(campaign_id: int) -> None:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    figures = campaign_figures(campaign)
    sent = figures["sent_count"]
    if not sent or figures["complaint_count"] / sent <= marketing_settings.COMPLAINT_PAUSE_RATE:
        return
    rate = figures["complaint_count"] / sent
    paused = campaign.status in (Campaign.Status.SCHEDULED, Campaign.Status.SENDING)
    if paused:
        campaign_pause(campaign=campaign, note=f"Complaint rate {rate:.2%} passed the limit; paused automatically.")
    if campaign.complaint_alert_sent_at is None:
        Campaign.objects.filter(pk=campaign.pk).update(complaint_alert_sent_at=timezone.now())
        context = {
            "campaign": campaign,
            "figures": figures,
            "paused": paused,
            "rate_percent": f"{rate:.2%}",
            "limit_percent": f"{marketing_settings.COMPLAINT_PAUSE_RATE:.1%}",
            "admin_url": settings.SITE_URL + reverse("admin:marketing_campaign_change", args=[campaign.pk]),
        }
        address = marketing_settings.staff_email
        transaction.on_commit(
            lambda: send_templated_email(to=[address], template="marketing/email/complaint_alert", context=context)
        )
