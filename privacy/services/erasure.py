"""The right to erasure (P20, P12, GDPR Art. 17 and 19), set-based through the registry."""

import dataclasses

from privacy.subjects import Subject


class ErasureRefused(Exception):
    """Erasure cannot go ahead (for example an open dispute); the message says why."""


@dataclasses.dataclass
class ErasureResult:
    #: {"shop.Order": {"anonymised": 3}, "accounts.Address": {"deleted": 2}, ...}
    counts: dict
    log_id: str


def subject_erase(*, subject: Subject, request=None, actor=None, reason: str = "") -> ErasureResult:
    """Erase ``subject`` as every declaration says, in one transaction (one statement per model).

    Suppresses their email and phone (keyed hash), closes the account and ends its sessions,
    logs the erasure outside the erased tables, and queues the processor steps on commit.
    """
    raise NotImplementedError
