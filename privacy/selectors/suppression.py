"""The suppression list (P20, P22): addresses and numbers of erased people, as keyed hashes."""

from django.db.models import Q

from privacy.models import Suppression
from privacy.subjects import keyed_hash, normalise_phone


def is_suppressed(*, email: str = "", phone: str = "") -> bool:
    """Whether the email address or phone number belongs to someone erased, who must never be
    added to marketing again (an import, a campaign list, a form). Case and spacing do not
    matter. One query; False when neither is given."""
    digests = []
    if email.strip():
        digests.append((Suppression.Kind.EMAIL, keyed_hash("email", email)))
    if normalise_phone(phone):
        digests.append((Suppression.Kind.PHONE, keyed_hash("phone", phone)))
    if not digests:
        return False
    condition = Q()
    for kind, digest in digests:
        condition |= Q(kind=kind, digest=digest)
    return Suppression.objects.filter(condition).exists()


def suppressed_among(*, emails=(), phones=()) -> set[str]:
    """Which of ``emails`` and ``phones`` are on the suppression list, as given: what a sender
    drops from each batch before it sends. One query per call, whatever the batch size."""
    wanted = {}
    for email in emails:
        if email and email.strip():
            wanted[(Suppression.Kind.EMAIL, keyed_hash("email", email))] = email
    for phone in phones:
        if normalise_phone(phone):
            wanted[(Suppression.Kind.PHONE, keyed_hash("phone", phone))] = phone
    if not wanted:
        return set()
    found = Suppression.objects.filter(digest__in={digest for _, digest in wanted}).values_list("kind", "digest")
    return {wanted[key] for key in found if key in wanted}
