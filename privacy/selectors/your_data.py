"""What we hold about a person, as "Your data" shows it (P11, P19): every declared record
with rows of theirs, the same fields and wording as their export, from the registry alone,
so a new declaration appears there without an edit."""

import dataclasses

from django.urls import NoReverseMatch, reverse

from privacy.export_archive import exported_records
from privacy.subjects import Subject

#: Rows shown per record on the page; the download holds all of them.
SHOWN_ROWS = 10


@dataclasses.dataclass(frozen=True)
class HeldRecord:
    name: str
    description: str
    source: str
    retention: str
    columns: tuple[str, ...]
    #: Each row as (column label, value) pairs, so a phone can show each value with its label.
    rows: tuple[tuple[tuple[str, str], ...], ...]
    more: bool
    manage_url: str
    slug: str


def records_held(subject: Subject, *, limit: int = SHOWN_ROWS) -> list[HeldRecord]:
    """Each declared record with at least one row of ``subject``'s: its name, description,
    where the data comes from, how long it is kept, the export's columns and the first
    ``limit`` rows as text. One query per declaration (plus one per many-to-many field)."""
    held = []
    for record in exported_records():
        rows = list(record.queryset(subject)[: limit + 1])
        if not rows:
            continue
        declaration = record.declaration
        columns = tuple(field.label for field in record.fields)
        held.append(
            HeldRecord(
                name=record.name,
                description=declaration.description,
                source=str(declaration.source_label()),
                retention=declaration.retention.describe() if declaration.retention else "",
                columns=columns,
                rows=tuple(
                    tuple(zip(columns, (field.display(field.value(row)) for field in record.fields), strict=True))
                    for row in rows[:limit]
                ),
                more=len(rows) > limit,
                manage_url=_url(declaration.manage_url),
                slug=record.file_name.removeprefix("csv/").removesuffix(".csv"),
            )
        )
    return held


def _url(name: str) -> str:
    if not name:
        return ""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
