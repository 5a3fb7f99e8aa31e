"""Exporting the postal marketing list (P05): audited, and only people privacy allows."""

import csv

from accounts.models import Address
from marketing.selectors.postal import POSTAL_COLUMNS, postal_candidates, postal_list_batches
from privacy.models import AuditEvent
from privacy.services import audit_record

HEADER = ("Name", "Company", "Address line 1", "Address line 2", "City", "Postcode", "Country")
#: A cell starting with one of these is read as a formula by spreadsheet software.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    value = str(value or "")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def postal_list_export(*, out, actor, progress=None, batch_size: int = 1000) -> dict:
    """Write the postal list as CSV to ``out`` (a text file): one mailing address per person
    with a postal address who has not objected to postal marketing, is not restricted and
    is not on the suppression list.

    Cells are neutralised against spreadsheet formulas. ``progress(written)`` is called after
    each batch. Writes one AuditEvent (action "exported", who, how many; no values) once the
    file is written. Returns the counts: ``candidates``, ``written``, ``suppressed`` and
    ``left_out`` (objected or restricted).
    """
    writer = csv.writer(out)
    writer.writerow(HEADER)
    written = suppressed = 0
    for rows, suppressed_in_batch in postal_list_batches(batch_size=batch_size):
        writer.writerows([_cell(row[column]) for column in POSTAL_COLUMNS] for row in rows)
        written += len(rows)
        suppressed += suppressed_in_batch
        if progress is not None:
            progress(written)
    candidates = postal_candidates().count()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        model=Address,
        fields=list(POSTAL_COLUMNS),
        detail=f"postal marketing list: {written} addresses",
    )
    return {
        "candidates": candidates,
        "written": written,
        "suppressed": suppressed,
        "left_out": candidates - written - suppressed,
    }
