"""Text alerts (P02, P05, P27): the double opt-in of a phone number, inbound keywords (STOP,
START, HELP), and sending staff's alerts to people who agreed, in their daytime.

Text marketing consent is recorded only once the person has entered the code texted to the
number (with the number on the ledger event). Every send asks privacy again, at the moment
of sending, whether the person may still be texted (consent, objection, restriction,
suppression), so a STOP or a withdrawal between queueing and sending always wins.
"""

import datetime
import logging
import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.consents import OPT_IN_WORDING
from marketing import sms
from marketing.conf import settings
from marketing.models import DEFAULT_TIME_ZONE, InboundMessage, PhoneNumber, TextAlert, TextAlertDelivery
from marketing.selectors.sms import text_alert_audience
from marketing.sms.keywords import Keyword, parse_keyword
from marketing.sms.quiet_hours import next_send_time
from privacy.models import AuditEvent, ConsentEvent
from privacy.selectors import is_suppressed, marketing_allowed, suppressed_among
from privacy.services import audit_record, consent_grant, consent_withdraw

logger = logging.getLogger(__name__)

STOP_WORDING = "Replied to a text message to stop text offers."
START_WORDING = "Replied START to a text message to receive text offers again. " + OPT_IN_WORDING["sms_marketing"]
OPTED_OUT_REPLY = "You are unsubscribed from Kinetogram text alerts: we will text you no more. Reply START to undo."
OPTED_IN_REPLY = "You are subscribed to Kinetogram text alerts again. Reply STOP to opt out."
CARRIER_STOP_WORDING = "The text provider reports that this number replied STOP."


class PhoneVerificationError(ValueError):
    pass


# --- double opt-in of the number ------------------------------------------------------------


def _code_hash(phone: PhoneNumber, code: str) -> str:
    return salted_hmac(
        "marketing.phone-code", f"{phone.pk}:{phone.number.as_e164}:{code}", algorithm="sha256"
    ).hexdigest()


def _code_text(code: str) -> str:
    minutes = settings.PHONE_CODE_MINUTES
    return (
        f"Your Kinetogram code is {code}. It expires in {minutes} minutes. If you did not ask for it, ignore this text."
    )


@transaction.atomic
def phone_verification_start(*, user, number) -> PhoneNumber:
    """Text a new 6-digit code to ``number`` (a phonenumbers PhoneNumber) for the customer to enter.

    A different number than the one held replaces it and must be verified afresh (texts stop
    until then). Writes the PhoneNumber row (the code's keyed hash, its expiry, the send
    count); texts the code after commit. Raises PhoneVerificationError for a number we may
    not text (an erased person's, P20) or when codes are asked for too often.
    """
    e164 = number.as_e164
    if is_suppressed(phone=e164):
        raise PhoneVerificationError("We cannot send text alerts to this number. Please use another one.")
    now = timezone.now()
    phone, created = PhoneNumber.objects.select_for_update().get_or_create(user=user, defaults={"number": e164})
    if not created and phone.number.as_e164 != e164:
        phone.number = e164
        phone.verified_at = None
    if phone.code_sent_at and now - phone.code_sent_at < datetime.timedelta(seconds=settings.PHONE_CODE_RESEND_SECONDS):
        wait = settings.PHONE_CODE_RESEND_SECONDS - int((now - phone.code_sent_at).total_seconds())
        raise PhoneVerificationError(f"We have just sent you a code. You can ask for a new one in {wait} seconds.")
    if phone.sends_window_started_at is None or now - phone.sends_window_started_at >= datetime.timedelta(hours=1):
        phone.sends_window_started_at, phone.code_sends = now, 0
    if phone.code_sends >= settings.PHONE_CODE_SENDS_PER_HOUR:
        raise PhoneVerificationError("You have asked for several codes in the last hour. Please try again later.")
    code = f"{secrets.randbelow(10**6):06d}"
    phone.code_hash = _code_hash(phone, code)
    phone.code_expires_at = now + datetime.timedelta(minutes=settings.PHONE_CODE_MINUTES)
    phone.code_attempts = 0
    phone.code_sent_at = now
    phone.code_sends += 1
    phone.save()
    transaction.on_commit(lambda: sms.send_sms(to=e164, body=_code_text(code)))
    return phone


def phone_verification_confirm(*, user, code: str) -> ConsentEvent:
    """Check the code the customer typed; when right, the number is verified and text
    marketing consent is recorded for it (source: account preferences page, with the number).

    Writes the PhoneNumber row (an attempt, or the verification) and one ConsentEvent.
    Raises PhoneVerificationError for no code sent, an expired code, too many attempts or a
    wrong code (saying how many tries are left); a refused code changes no consent, but a
    wrong one is counted (committed before the error is raised).
    """
    with transaction.atomic():
        phone = PhoneNumber.objects.select_for_update().filter(user=user).first()
        problem = _code_problem(phone, "".join((code or "").split()))
        if not problem:
            phone.verified_at = timezone.now()
            phone.code_hash, phone.code_expires_at, phone.code_attempts = "", None, 0
            phone.save(update_fields=["verified_at", "code_hash", "code_expires_at", "code_attempts"])
            return consent_grant(
                user=user,
                purpose="sms_marketing",
                source=ConsentEvent.Source.ACCOUNT,
                wording=OPT_IN_WORDING["sms_marketing"],
                phone=phone.number.as_e164,
            )
    raise PhoneVerificationError(problem)


def _code_problem(phone, code) -> str:
    """Why ``code`` does not verify ``phone`` ("" when it does); counts a wrong try."""
    if phone is None or not phone.code_hash:
        return "Ask for a code first: enter your mobile number and we text you one."
    if phone.code_expires_at is None or phone.code_expires_at <= timezone.now():
        return "That code has expired. Ask for a new one."
    if phone.code_attempts >= settings.PHONE_CODE_ATTEMPTS:
        return "Too many wrong codes. Ask for a new one."
    if constant_time_compare(_code_hash(phone, code), phone.code_hash):
        return ""
    phone.code_attempts += 1
    phone.save(update_fields=["code_attempts"])
    left = settings.PHONE_CODE_ATTEMPTS - phone.code_attempts
    if left <= 0:
        return "Too many wrong codes. Ask for a new one."
    return f"That code is not right. {left} {'try' if left == 1 else 'tries'} left."


# --- inbound texts (OPT-04, OPT-05) -----------------------------------------------------------


def _owners(e164: str):
    return list(
        get_user_model()
        ._default_manager.filter(text_alert_phone__number=e164, text_alert_phone__verified_at__isnull=False)
        .order_by("pk")
    )


def help_reply() -> str:
    from django.conf import settings as django_settings

    return (
        f"{django_settings.COMPANY_NAME} text alerts. Help: {django_settings.COMPANY_EMAIL} or "
        f"{django_settings.COMPANY_PHONE}. Reply STOP to opt out."
    )


@transaction.atomic
def inbound_sms_receive(*, message_sid: str, from_number: str, body: str) -> str:
    """Act on one inbound text and return the reply to send ("" for none).

    Each MessageSid is processed once (OPT-05): a repeat delivery writes nothing and gets
    no reply. Opt-out words withdraw text marketing consent of every account that verified
    the number (or of the number alone), source "SMS keyword", with the number on the event;
    START/UNSTOP/YES give it again for those accounts (the text proves the number is theirs);
    HELP/INFO get our contact details. Writes one InboundMessage and the ledger events.
    """
    keyword = parse_keyword(body)
    outcome = {
        Keyword.OPT_OUT: InboundMessage.Outcome.OPTED_OUT,
        Keyword.OPT_IN: InboundMessage.Outcome.OPTED_IN,
        Keyword.HELP: InboundMessage.Outcome.HELP,
    }.get(keyword, InboundMessage.Outcome.OTHER)
    owners = _owners(from_number)
    try:
        with transaction.atomic():
            InboundMessage.objects.create(
                message_sid=message_sid,
                from_number=from_number,
                body=body[:1600],
                outcome=outcome,
                user=owners[0] if owners else None,
            )
    except IntegrityError:
        logger.info("Inbound text %s was already processed.", message_sid)
        return ""
    source = ConsentEvent.Source.SMS_KEYWORD
    if keyword is Keyword.OPT_OUT:
        for owner in owners or [None]:
            person = {"user": owner} if owner is not None else {}
            consent_withdraw(purpose="sms_marketing", source=source, wording=STOP_WORDING, phone=from_number, **person)
        return OPTED_OUT_REPLY
    if keyword is Keyword.OPT_IN:
        if not owners:
            return help_reply()
        for owner in owners:
            consent_grant(user=owner, purpose="sms_marketing", source=source, wording=START_WORDING, phone=from_number)
        return OPTED_IN_REPLY
    if keyword is Keyword.HELP:
        return help_reply()
    return ""


# --- sending alerts -----------------------------------------------------------------------------


def with_opt_out_line(message: str) -> str:
    """The alert as sent: the staff's message, then the opt-out line on every text."""
    return f"{message.strip()}\n{settings.SMS_OPT_OUT_LINE}"


@transaction.atomic
def text_alert_queue(*, alert: TextAlert, actor) -> TextAlert:
    """Queue a draft alert for everyone who may be texted now; an alert already queued is left alone.

    Writes the alert's status and one AuditEvent (who sent it); queues
    ``marketing.text_alert_send`` after commit.
    """
    from marketing import tasks

    locked = TextAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.status != TextAlert.Status.DRAFT:
        return locked
    locked.status, locked.queued_at = TextAlert.Status.SENDING, timezone.now()
    locked.save(update_fields=["status", "queued_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        model=TextAlert,
        object_id=locked.pk,
        fields=["status"],
        detail="text alert sent",
    )
    transaction.on_commit(lambda: tasks.text_alert_send.delay(locked.pk))
    return locked


def text_alert_deliveries_create(*, alert_id: int, now=None) -> int:
    """One delivery per person in the alert's audience (verified number, text consent, no
    objection or restriction, not suppressed), each due at the start of their next daytime.

    Idempotent: a person already given a delivery of this alert gets no second one. Writes
    TextAlertDelivery rows in batches. Returns how many were created.
    """
    now = now or timezone.now()
    window = settings.SMS_SEND_WINDOW
    created = 0
    batch = []
    for row in text_alert_audience().iterator(chunk_size=settings.SMS_BATCH_SIZE):
        batch.append(row)
        if len(batch) >= settings.SMS_BATCH_SIZE:
            created += _create_deliveries(alert_id, batch, now, window)
            batch = []
    if batch:
        created += _create_deliveries(alert_id, batch, now, window)
    TextAlert.objects.filter(pk=alert_id, audience_built_at=None).update(audience_built_at=now)
    return created


def _create_deliveries(alert_id, rows, now, window) -> int:
    for r in rows:
        r["number"] = getattr(r["number"], "as_e164", r["number"])
    served = set(
        TextAlertDelivery.objects.filter(alert_id=alert_id, user_id__in=[r["pk"] for r in rows]).values_list(
            "user_id", flat=True
        )
    )
    rows = [r for r in rows if r["pk"] not in served]
    dropped = suppressed_among(emails=[r["email"] for r in rows], phones=[r["number"] for r in rows])
    deliveries = [
        TextAlertDelivery(
            alert_id=alert_id,
            user_id=r["pk"],
            phone=r["number"],
            not_before=next_send_time(now=now, time_zone=r["time_zone"] or DEFAULT_TIME_ZONE, window=window),
        )
        for r in rows
        if r["email"] not in dropped and r["number"] not in dropped
    ]
    # ignore_conflicts: a second run racing this one skips the people it already served.
    TextAlertDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return len(deliveries)


def sms_batch_size() -> int:
    return settings.SMS_BATCH_SIZE


def text_alert_deliveries_send(*, now=None, alert_id=None, limit=None) -> dict:
    """Send the deliveries that are due (``not_before`` passed), at most ``limit``.

    Each delivery is claimed with one conditional UPDATE, so two runs never text anyone
    twice; a claimed delivery whose worker dies stays unsent rather than risk a duplicate.
    Right before sending, the person is asked about again: still allowed (consent,
    objection, restriction, suppression), same verified number, and in their daytime
    (else it waits for the next window). Writes each delivery's status; texts through the
    configured backend. Returns counts by outcome.
    """
    now = now or timezone.now()
    limit = limit or settings.SMS_BATCH_SIZE
    due = TextAlertDelivery.objects.filter(status=TextAlertDelivery.Status.WAITING, not_before__lte=now)
    if alert_id is not None:
        due = due.filter(alert_id=alert_id)
    counts = {"sent": 0, "dropped": 0, "deferred": 0, "failed": 0}
    for delivery in due.select_related("alert", "user", "user__marketing_preference", "user__text_alert_phone")[:limit]:
        counts[_send_one(delivery, now)] += 1
    _finish_alerts(alert_id)
    return counts


def _claim(delivery, **changes) -> bool:
    return bool(
        TextAlertDelivery.objects.filter(pk=delivery.pk, status=TextAlertDelivery.Status.WAITING).update(**changes)
    )


def _send_one(delivery, now) -> str:
    Status = TextAlertDelivery.Status
    user = delivery.user
    preference = getattr(user, "marketing_preference", None)
    time_zone = preference.time_zone if preference else DEFAULT_TIME_ZONE
    opens = next_send_time(now=now, time_zone=time_zone, window=settings.SMS_SEND_WINDOW)
    if opens > now:
        _claim(delivery, not_before=opens)
        return "deferred"
    phone = getattr(user, "text_alert_phone", None)
    e164 = delivery.phone.as_e164
    if phone is None or not phone.is_verified or phone.number.as_e164 != e164:
        reason = "the number is no longer verified"
    elif not user.is_active or not marketing_allowed("sms_marketing", user=user, phone=e164):
        reason = "no longer allowed to text"
    else:
        reason = ""
    if reason:
        _claim(delivery, status=Status.DROPPED, reason=reason)
        return "dropped"
    if not _claim(delivery, status=Status.SENT, sent_at=now):
        return "dropped"  # another run took it
    try:
        message = sms.send_sms(to=e164, body=with_opt_out_line(delivery.alert.message))
    except sms.SmsRecipientOptedOut:
        TextAlertDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.DROPPED, sent_at=None, reason="replied STOP"
        )
        consent_withdraw(
            user=user,
            purpose="sms_marketing",
            source=ConsentEvent.Source.SMS_KEYWORD,
            wording=CARRIER_STOP_WORDING,
            phone=e164,
        )
        return "dropped"
    except sms.SmsError as error:
        logger.warning("Text alert delivery %s failed: %s", delivery.pk, type(error).__name__)
        TextAlertDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.FAILED, sent_at=None, reason="provider error"
        )
        return "failed"
    TextAlertDelivery.objects.filter(pk=delivery.pk).update(provider_id=message.provider_id[:64])
    return "sent"


def _finish_alerts(alert_id=None):
    sending = TextAlert.objects.filter(status=TextAlert.Status.SENDING, audience_built_at__isnull=False)
    if alert_id is not None:
        sending = sending.filter(pk=alert_id)
    waiting = TextAlertDelivery.objects.filter(status=TextAlertDelivery.Status.WAITING)
    sending.exclude(pk__in=waiting.values("alert_id")).update(status=TextAlert.Status.SENT)


def text_deliveries_drop(*, user, reason: str) -> int:
    """Drop the person's text alerts still waiting to go (P27: queued messages are dropped
    the moment consent is withdrawn or an objection recorded). Returns how many."""
    return TextAlertDelivery.objects.filter(user=user, status=TextAlertDelivery.Status.WAITING).update(
        status=TextAlertDelivery.Status.DROPPED, reason=reason[:100]
    )
