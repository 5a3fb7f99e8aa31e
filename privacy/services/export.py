"""Access and portability (P19, P24, P11, P13): a person's data as one zip, from the registry."""

from privacy.models import DataExport
from privacy.subjects import Subject


class ExportLimited(Exception):
    """The person already has an export from the last 24 hours; ``export`` is that one."""

    def __init__(self, export: DataExport):
        super().__init__("An export was already made in the last 24 hours.")
        self.export = export


def export_request(*, subject: Subject, request=None, actor=None) -> DataExport:
    """Start building ``subject``'s export; returns the DataExport (status pending).

    Queues ``privacy.export_build`` on commit. Raises ExportLimited when the person has an
    export younger than 24 hours (IN-05).
    """
    raise NotImplementedError


def export_build(*, export_id: int) -> DataExport:
    """Write the zip for a pending export into the exports storage and mark it ready."""
    raise NotImplementedError
