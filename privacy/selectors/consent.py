"""Reading the consent ledger: the latest event per purpose is the current state."""

from privacy.models import ConsentEvent
from privacy.purposes import COOKIE_PURPOSES


def consent_state(*, user=None, anonymous_id=None, email: str = "", phone: str = "") -> dict[str, ConsentEvent]:
    """The latest ConsentEvent of each purpose for a person, keyed by purpose."""
    events = ConsentEvent.objects.for_subject(user=user, anonymous_id=anonymous_id, email=email, phone=phone)
    return events.select_related("policy_version").latest_per_purpose()


def consent_is_granted(purpose: str, *, user=None, anonymous_id=None, email: str = "", phone: str = "") -> bool:
    """Whether the person's latest event for ``purpose`` gives consent (no event: not granted)."""
    event = (
        ConsentEvent.objects.for_subject(user=user, anonymous_id=anonymous_id, email=email, phone=phone)
        .filter(purpose=purpose)
        .order_by("-created_at", "-id")
        .only("action")
        .first()
    )
    return event is not None and event.is_given


def cookie_choice_of(*, user) -> dict | None:
    """The signed-in customer's latest cookie choice in the ledger, or None if they never made one.

    Returns {"consent_id", "categories" (allowed), "version"}: enough to give a new device the
    choice they made on another one. One query.
    """
    purposes = {purpose: category for category, purpose in COOKIE_PURPOSES.items()}
    latest = (
        ConsentEvent.objects.filter(user=user, purpose__in=purposes)
        .select_related("policy_version")
        .latest_per_purpose()
    )
    if not latest:
        return None
    newest = max(latest.values(), key=lambda e: (e.created_at, e.id))
    return {
        "consent_id": newest.anonymous_id,
        "categories": frozenset(purposes[p] for p, e in latest.items() if e.is_given),
        "version": newest.policy_version.version if newest.policy_version else "",
    }
