"""Whether a person's data may be used for a marketing or profiling purpose now (P05, P06,
P22, P23, P27): the one question every marketing path asks before it sends or tailors.

Consent-based purposes need a consent given and not withdrawn; legitimate-interest ones
need no objection; and none of them may run for a person whose processing is restricted
(P23) or whose address or number is on the suppression list (P20).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from privacy import purposes as purpose_registry
from privacy.models import ConsentEvent, Restriction
from privacy.selectors.consent import consent_is_granted
from privacy.selectors.objection import OBJECTION_ACTIONS, has_objected
from privacy.selectors.restriction import processing_is_restricted
from privacy.selectors.suppression import is_suppressed

CONSENT_ACTIONS = (ConsentEvent.Action.GIVEN, ConsentEvent.Action.WITHDRAWN)


def marketing_allowed(purpose: str, *, user=None, email: str = "", phone: str = "") -> bool:
    """Whether ``purpose`` may use this person's data now. Raises ValueError for a purpose
    that is not marketing, profiling or analytics, so a typo never reads as "allowed"."""
    declared = purpose_registry.PURPOSES.get(purpose)
    if declared is None or not declared.restricted_by:
        raise ValueError(f"{purpose!r} is not a marketing, profiling or analytics purpose.")
    email = email or getattr(user, "email", "")
    if is_suppressed(email=email, phone=phone):
        return False
    if processing_is_restricted(user=user, email=email, scope=declared.restricted_by):
        return False
    if declared.needs_consent:
        if user is None:
            return consent_is_granted(purpose, email=email, phone=phone)
        # A consent counts when the account gave it; a withdrawal counts from the account or
        # from its address (an unsubscribe link, a request form), whichever is newer.
        own = Q(user=user) | Q(email__iexact=email, action=ConsentEvent.Action.WITHDRAWN) if email else Q(user=user)
        latest = ConsentEvent.objects.filter(own, purpose=purpose, action__in=CONSENT_ACTIONS)
        return _newest_action(latest).first() == {"action": ConsentEvent.Action.GIVEN}
    return not has_objected(purpose, user=user, email=email, phone=phone)


def marketing_audience(purpose: str, people: QuerySet) -> QuerySet:
    """``people`` (a queryset of accounts) narrowed, in SQL, to those ``purpose`` may use now:
    the same rule as ``marketing_allowed`` but for a whole list at once (a campaign audience,
    the postal list). Consent purposes keep those whose latest event for the purpose gives
    consent; legitimate-interest ones drop those whose latest objection stands; anyone under a
    restriction covering the purpose is dropped. Suppression is kept as keyed hashes that SQL
    cannot compute, so callers drop ``suppressed_among`` from each batch they send.

    One statement when evaluated, whatever the audience size. Raises ValueError as
    ``marketing_allowed`` does.
    """
    declared = purpose_registry.PURPOSES.get(purpose)
    if declared is None or not declared.restricted_by:
        raise ValueError(f"{purpose!r} is not a marketing, profiling or analytics purpose.")
    email_field = people.model.get_email_field_name()
    the_person = Q(user=OuterRef("pk")) | Q(email__iexact=OuterRef(email_field))
    if declared.needs_consent:
        # The account's newest event gives consent and no withdrawal from its address is newer.
        # Written as two lookups, each served by its own index (the account's events; the
        # address's withdrawals), rather than one newest-of-either: an OR of the two makes
        # PostgreSQL read the whole ledger for every account.
        own = ConsentEvent.objects.filter(user=OuterRef("pk"), purpose=purpose, action__in=CONSENT_ACTIONS)
        own = own.order_by("-created_at", "-id")
        people = people.annotate(
            own_consent=Subquery(own.values("action")[:1]),
            own_consent_id=Subquery(own.values("id")[:1]),
            own_consent_at=Subquery(own.values("created_at")[:1]),
        )
        later_withdrawal = ConsentEvent.objects.filter(
            Q(created_at__gt=OuterRef("own_consent_at"))
            | Q(created_at=OuterRef("own_consent_at"), id__gt=OuterRef("own_consent_id")),
            email__iexact=OuterRef(email_field),
            purpose=purpose,
            action=ConsentEvent.Action.WITHDRAWN,
        )
        people = people.filter(own_consent=ConsentEvent.Action.GIVEN).filter(~Exists(later_withdrawal))
    else:
        latest = ConsentEvent.objects.filter(the_person, purpose=purpose, action__in=OBJECTION_ACTIONS)
        people = people.annotate(latest_objection=Subquery(_newest_action(latest))).filter(
            Q(latest_objection=None) | Q(latest_objection=ConsentEvent.Action.OBJECTION_WITHDRAWN)
        )
    # By account and by address as two lookups, for the same reason as the consent above.
    restrictions = Restriction.objects.active().covering(declared.restricted_by)
    return people.filter(
        ~Exists(restrictions.filter(user=OuterRef("pk"))),
        ~Exists(restrictions.filter(email__iexact=OuterRef(email_field)).exclude(email="")),
    )


def _newest_action(events: QuerySet) -> QuerySet:
    return events.order_by("-created_at", "-id").values("action")[:1]
