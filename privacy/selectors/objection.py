"""Objections (P22, GDPR Art. 21): the person's latest objection event per purpose.

Objections are consent-ledger rows of their own (actions "objected" and "unobjected") on
the purposes whose basis is legitimate interest and which a person may object to; the
latest one per purpose is the state, as for consents.
"""

from privacy import purposes
from privacy.models import ConsentEvent

OBJECTION_ACTIONS = (ConsentEvent.Action.OBJECTED, ConsentEvent.Action.OBJECTION_WITHDRAWN)


def objections_of(*, user=None, email: str = "", phone: str = "") -> dict[str, ConsentEvent]:
    """The latest objection event of each objectable purpose the person has one for. One query."""
    events = ConsentEvent.objects.for_subject(user=user, email=email, phone=phone).filter(
        purpose__in=purposes.OBJECTABLE_PURPOSES, action__in=OBJECTION_ACTIONS
    )
    return events.latest_per_purpose()


def has_objected(purpose: str, *, user=None, email: str = "", phone: str = "") -> bool:
    """Whether the person objects to ``purpose`` (postal_marketing, tailored_offers, research).

    A user is matched by account and by its email address. Raises ValueError for a purpose
    nobody can object to, so a typo never reads as "no objection".
    """
    if purpose not in purposes.OBJECTABLE_PURPOSES:
        raise ValueError(f"{purpose!r} is not a purpose a person can object to.")
    email = email or getattr(user, "email", "")
    event = (
        ConsentEvent.objects.for_subject(user=user, email=email, phone=phone)
        .filter(purpose=purpose, action__in=OBJECTION_ACTIONS)
        .order_by("-created_at", "-id")
        .only("action")
        .first()
    )
    return event is not None and event.action == ConsentEvent.Action.OBJECTED
