"""Reading the consent ledger: the latest event per purpose is the current state."""

from privacy.models import ConsentEvent


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
