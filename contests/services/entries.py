"""Entering a contest (P02): signed in, or with an address confirmed through an emailed link.

One entry per person and contest: the database refuses a second one for the same account
or the same (normalised) address, so two requests at once still make one entry. Entering
never depends on marketing consent; the separate "Email me offers" box, when ticked, is
recorded in the consent ledger (P05) once the address is known to be the entrant's.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from contests.models import CONFIRM_LINK_DAYS, MINIMUM_AGE, Contest, Entry, PendingEntry, normalise_email
from privacy.mail import send_templated_email
from privacy.models import ConsentEvent
from privacy.services import consent_grant

logger = logging.getLogger(__name__)

CONFIRM_SALT = "contests.entry-confirm"

OFFERS_LABEL = "Email me offers"
OFFERS_HELP = (
    "Optional. Offers and news about Kinetogram's services by email; it makes no difference to your entry. "
    "You can stop them at any time with the link in every email."
)
#: What the consent ledger records as shown to the entrant (OPT-06).
OFFERS_WORDING = f"{OFFERS_LABEL}. {OFFERS_HELP}"


class EntryRefused(Exception):
    """The entry cannot be taken; ``str()`` is the message for the entrant, ``status`` the
    HTTP status a page shows it with."""

    def __init__(self, message: str, *, status: int = 409):
        super().__init__(message)
        self.status = status


ALREADY_ENTERED = "You have already entered this contest: it is one entry per person."


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def entry_refusal(contest: Contest, *, now=None) -> EntryRefused | None:
    """Why ``contest`` takes no entries at ``now`` (not running, not yet open, closed), or None."""
    now = now or timezone.now()
    if not contest.active:
        return EntryRefused("This contest is not running.", status=404)
    if now < contest.opens:
        return EntryRefused(f"This contest opens on {_when(contest.opens)}: entries are not taken yet.", status=403)
    if now >= contest.closes:
        return EntryRefused(f"This contest closed on {_when(contest.closes)}: entries are no longer taken.", status=403)
    return None


def _require_open(contest: Contest, now) -> None:
    refusal = entry_refusal(contest, now=now)
    if refusal is not None:
        raise refusal


def _require_adult(age_confirmed: bool) -> None:
    if not age_confirmed:
        raise EntryRefused(
            f"You must be {MINIMUM_AGE} or over to enter. Under-{MINIMUM_AGE}s cannot enter our contests.", status=400
        )


def _grant_offers(*, user=None, email: str = "") -> None:
    person = {"user": user} if user is not None else {"email": email}
    consent_grant(purpose="email_marketing", source=ConsentEvent.Source.CONTEST, wording=OFFERS_WORDING, **person)


@transaction.atomic
def entry_create(*, contest: Contest, user, age_confirmed: bool, email_offers: bool = False, now=None) -> Entry:
    """Enter a signed-in customer in ``contest`` under their account's address.

    Writes one Entry and, only if ``email_offers``, one email-marketing ConsentEvent (source:
    contest). Raises EntryRefused: the contest is not open (403), the entrant did not
    confirm they are 18 or over (400), or they have already entered (409).
    """
    now = now or timezone.now()
    _require_open(contest, now)
    _require_adult(age_confirmed)
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                contest=contest,
                user=user,
                email=normalise_email(user.email),
                verified_by=Entry.Verification.ACCOUNT,
                age_confirmed_at=now,
                asked_for_offers=email_offers,
                entered_at=now,
            )
    except IntegrityError:
        raise EntryRefused(ALREADY_ENTERED) from None
    if email_offers:
        _grant_offers(user=user)
    return entry


# --- entries without an account ----------------------------------------------------------------


def confirm_token(pending: PendingEntry) -> str:
    return signing.dumps({"k": str(pending.key)}, salt=CONFIRM_SALT)


def confirm_url(pending: PendingEntry) -> str:
    return settings.SITE_URL + reverse("contests:confirm", args=[confirm_token(pending)])


def pending_entry_from_token(token: str) -> PendingEntry:
    """The unconfirmed entry a link names. Raises signing.SignatureExpired (older than
    CONFIRM_LINK_DAYS), signing.BadSignature (changed) or PendingEntry.DoesNotExist (already
    confirmed, or purged)."""
    payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_DAYS * 24 * 3600)
    try:
        key = uuid.UUID(str(payload.get("k")))
    except (AttributeError, ValueError):
        raise signing.BadSignature("No entry key in the link.") from None
    return PendingEntry.objects.select_related("contest").get(key=key)


@transaction.atomic
def pending_entry_create(
    *, contest: Contest, email: str, age_confirmed: bool, email_offers: bool = False, now=None
) -> PendingEntry | None:
    """Take an entry from someone without an account, to be confirmed from their inbox.

    Writes (or refreshes) one PendingEntry and emails the confirmation link after commit.
    When the address has already entered, writes nothing and emails that instead, so the
    page a visitor sees never tells whether an address has entered (AU-06). Marketing consent
    waits for the confirmation. Raises EntryRefused when the contest is not open or the
    entrant did not confirm their age.
    """
    now = now or timezone.now()
    _require_open(contest, now)
    _require_adult(age_confirmed)
    email = normalise_email(email)
    if Entry.objects.filter(contest=contest, email__iexact=email).exists():
        _email_after_commit(email, "contests/email/entry_already", {"contest": contest})
        return None
    defaults = {"age_confirmed_at": now, "asked_for_offers": email_offers, "created_at": now, "key": uuid.uuid4()}
    try:
        with transaction.atomic():
            pending, _created = PendingEntry.objects.update_or_create(contest=contest, email=email, defaults=defaults)
    except IntegrityError:
        # Someone sent the same address at the same moment: theirs is the row, and its link.
        pending = PendingEntry.objects.get(contest=contest, email=email)
    context = {"contest": contest, "confirm_url": confirm_url(pending), "link_days": CONFIRM_LINK_DAYS}
    _email_after_commit(email, "contests/email/entry_confirm", context)
    return pending


@transaction.atomic
def entry_confirm(*, pending: PendingEntry, now=None) -> tuple[Entry, bool]:
    """Turn a confirmed address's pending entry into its entry (the link was followed).

    Writes one Entry, deletes the PendingEntry and, if the entrant ticked "Email me offers",
    writes one email-marketing ConsentEvent for the address. Returns (entry, created); an
    address that has entered in the meantime gets its existing entry and created False.
    Raises EntryRefused when the entry was already confirmed (409) or the contest has closed
    (403).
    """
    now = now or timezone.now()
    pending = PendingEntry.objects.select_for_update().filter(pk=pending.pk).first()
    if pending is None:
        raise EntryRefused("This entry is already confirmed: there is nothing more to do.")
    contest = Contest.objects.get(pk=pending.contest_id)
    _require_open(contest, now)
    email = pending.email
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                contest=contest,
                email=email,
                verified_by=Entry.Verification.EMAIL_LINK,
                age_confirmed_at=pending.age_confirmed_at,
                asked_for_offers=pending.asked_for_offers,
                entered_at=now,
            )
    except IntegrityError:
        pending.delete()
        return Entry.objects.get(contest=contest, email__iexact=email), False
    if pending.asked_for_offers:
        _grant_offers(email=email)
    pending.delete()
    return entry, True


def _email_after_commit(address: str, template: str, context: dict) -> None:
    def send():
        # The entry is saved whatever the mail server says; the log names no address.
        try:
            send_templated_email(to=[address], template=template, context=context)
        except Exception as error:
            logger.error("Contest email %s not sent (%s)", template.rsplit("/", 1)[-1], type(error).__name__)

    transaction.on_commit(send)
