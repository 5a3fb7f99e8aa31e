"""Data-subject requests (P25, PR-11): intake, verification, deadlines and every transition."""

from privacy.models import SubjectRequest


class RequestError(ValueError):
    """A transition that is not allowed from the request's status, or input that is missing."""


def subject_request_create(
    *,
    kind: str,
    channel: str = SubjectRequest.Channel.WEB,
    user=None,
    email: str = "",
    details: str = "",
    changes=(),
    scope: str = "",
    actor=None,
    verified_by: str = "",
    verification_note: str = "",
) -> tuple[SubjectRequest, bool]:
    """Record a request; returns (request, created). A second request of the same kind while one
    is open returns the open one (created False)."""
    raise NotImplementedError
