"""Publishing privacy policy versions and recording that customers reviewed them (P35)."""

import datetime

from django.db import transaction

from privacy.models import AuditEvent, PolicyAcknowledgement, PolicyVersion
from privacy.selectors.policy import REVIEWED_SESSION_KEY
from privacy.services.audit import audit_record


class PolicyError(ValueError):
    pass


def policy_version_problems(*, version: str, effective_date: datetime.date) -> dict[str, str]:
    """Why a new version cannot be published, by field name (empty when it can)."""
    problems = {}
    if not version.strip():
        problems["version"] = "Give the version a name, for example 2026.03."
    elif PolicyVersion.objects.filter(version=version.strip()).exists():
        problems["version"] = f"Version {version.strip()} has already been published; versions cannot be changed."
    latest = PolicyVersion.objects.order_by("-effective_date", "-id").first()
    if latest is not None and effective_date < latest.effective_date:
        problems["effective_date"] = (
            f"The effective date cannot be before that of the latest version, "
            f"{latest.version} ({latest.effective_date:%d %B %Y})."
        )
    return problems


@transaction.atomic
def policy_version_publish(
    *, version: str, effective_date: datetime.date, summary: str, is_material: bool, published_by
) -> PolicyVersion:
    """Publish a new version of the privacy and cookie policy (P35).

    Writes one PolicyVersion and an AuditEvent naming who published it; clears this
    process's cached current version after commit. A material version asks every signed-in
    customer to review it from its effective date. Raises PolicyError for a version that
    exists already, an effective date before the latest version's, or an empty summary.
    """
    problems = policy_version_problems(version=version, effective_date=effective_date)
    if not summary.strip():
        problems["summary"] = "Summarise what changed: customers see this summary."
    if problems:
        raise PolicyError(" ".join(problems.values()))
    policy = PolicyVersion.objects.create(
        version=version.strip(), effective_date=effective_date, summary=summary.strip(), is_material=is_material
    )
    audit_record(
        actor=published_by,
        action=AuditEvent.Action.POLICY,
        model=PolicyVersion,
        object_id=policy.pk,
        fields=["version", "effective_date", "summary", "is_material"],
        detail=f"{policy.version}, effective {effective_date:%Y-%m-%d}, {'material' if is_material else 'minor'}",
    )
    return policy


@transaction.atomic
def policy_acknowledge(*, user, policy_version: PolicyVersion, session=None) -> PolicyAcknowledgement:
    """Record that the customer has read ``policy_version`` (P35); idempotent.

    Writes at most one PolicyAcknowledgement and remembers it in ``session`` when given.
    """
    acknowledgement, _ = PolicyAcknowledgement.objects.get_or_create(user=user, policy_version=policy_version)
    if session is not None:
        session[REVIEWED_SESSION_KEY] = policy_version.pk
    return acknowledgement
