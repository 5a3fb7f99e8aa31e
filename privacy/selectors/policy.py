"""The privacy policy: which version is in effect, whether a customer still has to review it
(P35), and what the /privacy/ page shows, read from the registry, purposes and processors.

The page's "what, why, how long, from where, shared with whom" sections come from here
and nowhere else, so the page and the code cannot disagree (P04, P08, P10, P13, P14, P26).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist

from privacy import purposes as purpose_registry
from privacy.conf import settings
from privacy.conf import settings as privacy_settings
from privacy.models import PolicyAcknowledgement, PolicyVersion, Processor
from privacy.purposes import LegalBasis
from privacy.registry import Category, Registry, Source, site

#: The session remembers the material version the customer has reviewed, so a page does
#: not ask the database again once the answer is yes.
REVIEWED_SESSION_KEY = "privacy_policy_reviewed"

_lock = threading.Lock()
_cached: tuple[float, list[PolicyVersion]] | None = None


def policy_versions_in_effect() -> list[PolicyVersion]:
    """The versions in effect today, newest first, cached per process for
    PRIVACY_POLICY_CACHE_SECONDS (None turns the cache off).

    Every page asks this (the changed-policy notice, the cookie banner), so it is cached.
    Saving a version clears this process's copy once the transaction commits; other
    processes see it when theirs expires. The consent ledger does not use this cache (see
    current_policy_version).
    """
    global _cached
    seconds = settings.POLICY_CACHE_SECONDS
    now = time.monotonic()
    cached = _cached
    if seconds and cached is not None and cached[0] > now:
        return cached[1]
    versions = list(PolicyVersion.objects.in_effect())
    if seconds:
        with _lock:
            _cached = (now + seconds, versions)
    return versions


def policy_current() -> PolicyVersion | None:
    """The policy version in effect today (cached, see policy_versions_in_effect)."""
    versions = policy_versions_in_effect()
    return versions[0] if versions else None


def policy_versions_answering_latest_material() -> frozenset[str] | None:
    """The versions a cookie choice may carry without being asked again: those in effect
    since the latest material one (inclusive). None when no version in effect is material,
    so any earlier choice still stands. Only versions in effect count: the consent cookie
    records the version in effect when the choice was made."""
    answering = []
    for version in policy_versions_in_effect():
        answering.append(version.version)
        if version.is_material:
            return frozenset(answering)
    return None


def policy_cache_clear(**kwargs) -> None:
    """Forget this process's copy of the versions in effect (also a PolicyVersion save receiver)."""
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


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.replace("_", " ")


def data_collected(*, registry: Registry = site) -> list[dict]:
    """Per data category: which records hold it, their fields and descriptions, their sources."""
    by_category: dict[str, list[dict]] = defaultdict(list)
    sources: dict[str, set[str]] = defaultdict(set)
    for declaration in registry.holding_personal_data():
        fields_by_category = defaultdict(list)
        for name, category in declaration.fields.items():
            label = declaration.field_labels.get(name) or _field_label(declaration.model, name)
            fields_by_category[category].append(label)
        for category, labels in fields_by_category.items():
            by_category[category].append(
                {"name": declaration.verbose_name, "description": declaration.description, "fields": labels}
            )
            sources[category].add(str(Source(declaration.source).label))
    return [
        {"key": key, "label": str(label), "records": by_category[key], "sources": sorted(sources[key])}
        for key, label in Category.choices
        if by_category[key]
    ]


def purposes_by_basis() -> list[dict]:
    """Every purpose under its legal basis, in the order the bases are listed (P04, P26)."""
    groups = []
    for basis, label in LegalBasis.choices:
        members = [p for p in purpose_registry.PURPOSES.values() if p.basis == basis]
        if members:
            groups.append({"basis": basis, "label": str(label), "purposes": members})
    return groups


def retention_groups(*, registry: Registry = site) -> list[dict]:
    """Declarations grouped by identical retention rules, shortest first (P10)."""
    groups: dict[str, dict] = {}
    for declaration in registry.holding_personal_data():
        retention = declaration.retention
        text = retention.describe() if retention else "Kept only while needed; no fixed period"
        group = groups.setdefault(
            text, {"rule": text, "days": retention.approx_days() if retention else 0, "records": []}
        )
        group["records"].append(declaration.verbose_name)
    return sorted(groups.values(), key=lambda g: (g["days"], g["rule"]))


def data_sources(*, registry: Registry = site) -> list[dict]:
    """Per source (P13, P14): the records and categories that come from it."""
    by_source: dict[str, dict] = {}
    for declaration in registry.holding_personal_data():
        entry = by_source.setdefault(declaration.source, {"records": [], "categories": set()})
        entry["records"].append(declaration.verbose_name)
        entry["categories"].update(str(Category(c).label) for c in declaration.categories())
    return [
        {"key": key, "label": str(label), "records": by_source[key]["records"],
         "categories": sorted(by_source[key]["categories"])}
        for key, label in Source.choices
        if key in by_source
    ]  # fmt: skip


def dpo_contact() -> dict:
    """The Data Protection Officer's contact from settings (P33)."""
    return {
        "name": privacy_settings.DPO_NAME,
        "email": privacy_settings.DPO_EMAIL,
        "phone": privacy_settings.DPO_PHONE,
    }


def policy_page(*, registry: Registry = site) -> dict:
    """Everything the /privacy/ page renders; two queries (processors, policy versions)."""
    versions = list(PolicyVersion.objects.order_by("-effective_date", "-id"))
    consent_purposes = [p for p in purpose_registry.PURPOSES.values() if p.needs_consent]
    return {
        "collected": data_collected(registry=registry),
        "basis_groups": purposes_by_basis(),
        "legitimate_interests": [p for p in purpose_registry.PURPOSES.values() if p.interest],
        "consent_purposes": consent_purposes,
        "objectable_purposes": [purpose_registry.PURPOSES[k] for k in purpose_registry.OBJECTABLE_PURPOSES],
        "retention_groups": retention_groups(registry=registry),
        "max_retention_years": round(privacy_settings.MAX_RETENTION.days / 365.25),
        "sources": data_sources(registry=registry),
        "processors": list(Processor.objects.filter(is_active=True).order_by("kind", "name")),
        "current_policy": versions[0] if versions else None,
        "earlier_policies": versions[1:],
        "dpo": dpo_contact(),
        "ico_url": privacy_settings.ICO_URL,
    }
