"""Who is under a processing restriction (P23), for other apps and for the purge."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from privacy.models import Restriction

#: The scopes other apps ask about; "all" (all non-essential use) covers each of them.
SCOPES = tuple(Restriction.Scope.values)


def processing_is_restricted(*, user=None, email: str = "", scope: str) -> bool:
    """Whether the person may not be processed for ``scope`` (marketing, profiling, analytics).

    A restriction of scope "all" covers every scope. A user is matched by account and by
    the account's email address; a person without an account by email (case-insensitive).
    Raises ValueError for an unknown scope, so a typo never reads as "not restricted".
    """
    if scope not in SCOPES:
        raise ValueError(f"Unknown restriction scope {scope!r}; one of {', '.join(SCOPES)}.")
    person = _person_condition(user=user, email=email)
    if person is None:
        return False
    return Restriction.objects.active().covering(scope).filter(person).exists()


def restricted_scopes(*, user=None, email: str = "") -> frozenset[str]:
    """Every scope the person's active restrictions cover ("all" covers each one): what a
    page or a request checks once for several uses. One query; empty when nobody is named."""
    person = _person_condition(user=user, email=email)
    if person is None:
        return frozenset()
    scopes = set(Restriction.objects.active().filter(person).values_list("scope", flat=True))
    return frozenset(SCOPES if Restriction.Scope.ALL in scopes else scopes)


def restrictions_of(*, user=None, email: str = "") -> list[Restriction]:
    """The person's restrictions in force now, newest first, for the pages that describe how
    their data is used (P23). One query."""
    person = _person_condition(user=user, email=email)
    if person is None:
        return []
    return list(Restriction.objects.active().filter(person).order_by("-starts_at", "-pk"))


def _person_condition(*, user=None, email: str = "") -> Q | None:
    condition = Q()
    emails = {e for e in (email, getattr(user, "email", "")) if e}
    if user is not None and user.pk:
        condition |= Q(user=user)
    for address in emails:
        condition |= Q(email__iexact=address)
    return condition or None


def accounts_with_emails(emails) -> set:
    """The ids of the accounts whose email address is one of ``emails`` (any case)."""
    condition = Q()
    for address in emails:
        condition |= Q(**{f"{get_user_model().get_email_field_name()}__iexact": address})
    if not condition:
        return set()
    return set(get_user_model()._default_manager.filter(condition).values_list("pk", flat=True))


def restricted_people(*, at=None, restriction: Restriction | None = None) -> tuple[set, set[str]]:
    """The user ids and lower-cased email addresses under an active restriction of any scope
    (or under ``restriction`` alone, to say whose data one restriction holds).

    The purge holds their rows (P23: neither used nor purged until the restriction ends).
    A restricted account's own email address is included, so guest rows with it are held too;
    a restriction by email covers the account with that address too, as it does in
    processing_is_restricted, so rows reached only through the user are held as well.
    """
    restrictions = Restriction.objects.filter(pk=restriction.pk) if restriction else Restriction.objects.active(at)
    user_ids = set(restrictions.exclude(user=None).values_list("user_id", flat=True))
    emails = {e.lower() for e in restrictions.exclude(email="").values_list("email", flat=True)}
    user_ids |= accounts_with_emails(emails)
    if user_ids:
        users = get_user_model()._default_manager.filter(pk__in=user_ids)
        emails |= {e.lower() for e in users.values_list(get_user_model().get_email_field_name(), flat=True) if e}
    return user_ids, emails
