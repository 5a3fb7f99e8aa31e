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
