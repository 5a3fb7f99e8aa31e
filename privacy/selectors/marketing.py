"""Whether a person's data may be used for a marketing or profiling purpose now (P05, P06,
P22, P23, P27): the one question every marketing path asks before it sends or tailors.

Consent-based purposes need a consent given and not withdrawn; legitimate-interest ones
need no objection; and none of them may run for a person whose processing is restricted
(P23) or whose address or number is on the suppression list (P20).
"""

from privacy import purposes as purpose_registry
from privacy.selectors.consent import consent_is_granted
from privacy.selectors.objection import has_objected
from privacy.selectors.restriction import processing_is_restricted
from privacy.selectors.suppression import is_suppressed


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
        return consent_is_granted(purpose, user=user, email="" if user is not None else email, phone=phone)
    return not has_objected(purpose, user=user, email=email, phone=phone)
