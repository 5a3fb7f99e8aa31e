"""Which privacy policy is in effect, and whether a customer still has to review it (P35)."""

import threading
import time

from privacy.conf import settings
from privacy.models import PolicyAcknowledgement, PolicyVersion

#: The session remembers the material version the customer has reviewed, so a page does
#: not ask the database again once the answer is yes.
REVIEWED_SESSION_KEY = "privacy_policy_reviewed"

_lock = threading.Lock()
_cached: tuple[float, PolicyVersion | None] | None = None


def policy_current() -> PolicyVersion | None:
    """The policy version in effect today, cached per process for PRIVACY_POLICY_CACHE_SECONDS.

    Every page of a signed-in customer asks this, so it is cached; None turns the cache off.
    Publishing a version clears this process's copy; other processes see it once theirs
    expires. The consent ledger does not use this cache (see current_policy_version).
    """
    global _cached
    seconds = settings.POLICY_CACHE_SECONDS
    now = time.monotonic()
    cached = _cached
    if seconds and cached is not None and cached[0] > now:
        return cached[1]
    version = PolicyVersion.objects.in_effect().first()
    if seconds:
        with _lock:
            _cached = (now + seconds, version)
    return version


def policy_cache_clear() -> None:
    """Forget this process's copy of the current policy version."""
    global _cached
    with _lock:
        _cached = None


def policy_review_pending(*, user, session=None) -> PolicyVersion | None:
    """The material policy version the customer has not yet reviewed, or None.

    ``session``, when given, remembers a version found reviewed, so later pages cost no query.
    """
    if user is None or not user.is_authenticated:
        return None
    version = policy_current()
    if version is None or not version.is_material:
        return None
    if session is not None and session.get(REVIEWED_SESSION_KEY) == version.pk:
        return None
    if PolicyAcknowledgement.objects.filter(user=user, policy_version=version).exists():
        if session is not None:
            session[REVIEWED_SESSION_KEY] = version.pk
        return None
    return version
