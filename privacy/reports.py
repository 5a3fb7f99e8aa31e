"""The record of processing activities (GDPR Art. 30, P28), built from the declarations.

One row per declared model holding personal data: what it is, its data categories, its
purposes with their legal bases and the legitimate interests relied on, where the data
comes from, how long it is kept, what erasure does, and which processors receive data of
those categories. ``manage.py privacy_report`` and the admin's "Record of processing"
render these rows; nothing here is written by hand, so the record follows the code.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable

from privacy import purposes as purpose_registry
from privacy.models import Processor
from privacy.registry import Category, Registry, Source, site


@dataclasses.dataclass(frozen=True)
class ProcessingRow:
    model: str
    name: str
    description: str
    categories: tuple[str, ...]
    purposes: tuple[tuple[str, str], ...]  # (purpose name, legal basis)
    legitimate_interests: tuple[str, ...]
    source: str
    retention: str
    erasure: str
    recipients: tuple[str, ...]
    fields: tuple[str, ...] = ()
    export: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        return {
            "Model": self.model,
            "Data": self.name,
            "Description": self.description,
            "Categories": "; ".join(self.categories),
            "Purposes and legal basis": "; ".join(f"{name} ({basis})" for name, basis in self.purposes),
            "Legitimate interests": "; ".join(self.legitimate_interests),
            "Source": self.source,
            "Retention": self.retention,
            "Erasure": self.erasure,
            "Recipients": "; ".join(self.recipients),
            "Personal fields": ", ".join(self.fields),
            "In the export": ", ".join(self.export),
        }


COLUMNS = tuple(ProcessingRow("", "", "", (), (), (), "", "", "", ()).as_dict())


def _label(choices, key) -> str:
    return str(choices(key).label) if key in choices.values else str(key)


def processing_record(
    *, registry: Registry = site, processors: Iterable[Processor] | None = None
) -> list[ProcessingRow]:
    """The record of processing, one row per declaration holding personal data (P28).

    Reads the active processors in one query unless ``processors`` is given. Writes nothing.
    """
    if processors is None:
        processors = Processor.objects.filter(is_active=True).order_by("name")
    processors = list(processors)
    rows = []
    for declaration in registry.holding_personal_data():
        keys = declaration.categories()
        declared = [purpose_registry.PURPOSES[key] for key in declaration.purposes]
        rows.append(
            ProcessingRow(
                model=declaration.label,
                name=declaration.verbose_name,
                description=declaration.description,
                categories=tuple(_label(Category, key) for key in keys),
                purposes=tuple((p.name, p.basis_label) for p in declared),
                legitimate_interests=tuple(p.interest for p in declared if p.interest),
                source=_label(Source, declaration.source),
                retention=declaration.retention.describe() if declaration.retention else "No period declared",
                erasure=declaration.erasure_describe(),
                recipients=tuple(p.name for p in processors if set(p.categories) & set(keys)),
                fields=tuple(declaration.fields),
                export=tuple(declaration.export_fields()),
            )
        )
    return rows


def record_as_csv(rows: Iterable[ProcessingRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row.as_dict())
    return out.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def record_as_markdown(rows: Iterable[ProcessingRow]) -> str:
    lines = [
        "# Record of processing activities (GDPR Art. 30)",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in rows:
        lines.append("| " + " | ".join(_cell(value) for value in row.as_dict().values()) + " |")
    lines += ["", "## Legitimate interests relied on", ""]
    for purpose in purpose_registry.PURPOSES.values():
        if purpose.interest:
            lines.append(f"- **{purpose.name}**: {purpose.interest}")
    return "\n".join(lines) + "\n"
