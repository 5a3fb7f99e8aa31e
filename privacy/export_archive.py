"""The export archive (P19, P24, P11, P13): one person's data as a zip, from the declarations.

The zip holds:

- ``data.json``: every declared record of the person, grouped by record name, with a
  ``schema_version``; the fields are the declaration's export fields;
- ``schema.json``: a JSON Schema generated from the same declarations, documenting every
  exported field (type, what it is, its data category);
- ``csv/<record>.csv``: one CSV per record, the same rows and fields;
- ``index.html``: a readable summary that opens offline (no external assets): what we hold
  per category, why and on which legal basis, where each record comes from, who receives
  it, how long it is kept, and whether automated decision-making applies.

Rows are found with ``Subject.rows(declaration)`` and nothing else, so the archive holds
only the person's own rows (PR-05). Memory stays bounded whatever the data's size: each
model is read with one query through ``QuerySet.iterator()``, rows are written to the zip
member as they arrive, and the CSVs wait in spooled temporary files that move to disk
once they grow.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import decimal
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.text import slugify

from privacy import purposes as purpose_registry
from privacy.conf import settings as privacy_settings
from privacy.models import Disclosure, Processor
from privacy.registry import Category, PersonalData, Registry, Source, site
from privacy.reports import processing_record
from privacy.selectors.policy import dpo_contact
from privacy.subjects import Subject

#: Bumped when the layout of data.json changes in a way a reader would notice.
SCHEMA_VERSION = "1.0"
#: Rows fetched per round trip; also the most rows of one model held in memory at once.
CHUNK_SIZE = 2000
#: How many rows of each record index.html shows; the files hold them all.
PREVIEW_ROWS = 20
#: A CSV waits in memory up to this size, then in a temporary file on disk.
CSV_SPOOL_BYTES = 256 * 1024
#: Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

DATA_FILE = "data.json"
SCHEMA_FILE = "schema.json"
INDEX_FILE = "index.html"


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One exported field: how it is read, typed in the schema and written."""

    name: str
    label: str
    category: str
    kind: str
    nullable: bool = False
    #: Whether the empty string is allowed (a blank field whose format would refuse it).
    blank: bool = False
    choices: tuple = ()
    #: (value, label) pairs of a field with choices, for the readable summary.
    choice_labels: tuple = ()
    #: For "related" and "many" fields: the relation to load with the row.
    relation: str = ""

    def value(self, row):
        """The field's value of ``row`` as JSON can hold it."""
        raw = getattr(row, self.name, None)
        if self.kind == "many":
            return [str(item) for item in raw.all()] if raw is not None else []
        return json_value(raw)

    def display(self, value) -> str:
        """A data.json value as index.html shows it: choices by their label, dates readable."""
        if value is None or value == "":
            return ""
        if self.choice_labels:
            return str(dict(self.choice_labels).get(value, value))
        if self.kind == "boolean":
            return "yes" if value else "no"
        if self.kind == "datetime":
            moment = datetime.datetime.fromisoformat(value).astimezone(datetime.UTC)
            return f"{moment:%d %b %Y, %H:%M} UTC"
        if self.kind == "date":
            return f"{datetime.date.fromisoformat(value):%d %b %Y}"
        return csv_cell(value, self.kind, escape=False)

    def schema(self) -> dict:
        described = self.label
        if self.category:
            described += f" ({Category(self.category).label})"
        node = dict(SCHEMA_TYPES.get(self.kind, {}))
        if self.choices:
            node = {"enum": list(self.choices)}
        if self.blank and "format" in node:
            node["anyOf"] = [{"format": node.pop("format")}, {"const": ""}]
        if self.nullable and "type" in node:
            node["type"] = [node["type"], "null"]
        if self.nullable and "enum" in node and None not in node["enum"]:
            node["enum"].append(None)
        node["description"] = described
        if self.category:
            node["x-category"] = self.category
        return node


SCHEMA_TYPES = {
    "string": {"type": "string"},
    "email": {"type": "string", "format": "email"},
    "uri": {"type": "string", "format": "uri"},
    "uuid": {"type": "string", "format": "uuid"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "decimal": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "time": {"type": "string", "format": "time"},
    "duration": {"type": "string", "format": "duration"},
    "related": {"type": "string"},
    "many": {"type": "array", "items": {"type": "string"}},
    # JSON fields and attributes that are not model fields: any JSON value.
    "json": {},
}


def _kind(field) -> str:
    if field.many_to_many or field.one_to_many:
        return "many"
    if field.is_relation:
        return "related"
    checks = (
        (models.BooleanField, "boolean"),
        (models.DateTimeField, "datetime"),
        (models.DateField, "date"),
        (models.TimeField, "time"),
        (models.DurationField, "duration"),
        (models.DecimalField, "decimal"),
        (models.FloatField, "number"),
        (models.IntegerField, "integer"),
        (models.UUIDField, "uuid"),
        (models.EmailField, "email"),
        (models.URLField, "uri"),
        (models.JSONField, "json"),
    )
    for field_class, kind in checks:
        if isinstance(field, field_class):
            return kind
    return "string"


def field_specs(declaration: PersonalData) -> list[FieldSpec]:
    """The declaration's export fields, typed from the model's fields."""
    specs = []
    for name in declaration.export_fields():
        category = declaration.fields.get(name, "")
        try:
            field = declaration.model._meta.get_field(name)
        except FieldDoesNotExist:
            label = declaration.field_labels.get(name) or name.replace("_", " ")
            specs.append(FieldSpec(name=name, label=label, category=category, kind="json", nullable=True))
            continue
        label = declaration.field_labels.get(name) or str(getattr(field, "verbose_name", name))
        kind = _kind(field)
        choices = choice_labels = ()
        if kind in ("string", "integer") and getattr(field, "choices", None):
            choice_labels = tuple((key, str(label)) for key, label in field.flatchoices)
            choices = tuple(key for key, _label in choice_labels)
            if kind == "string" and field.blank and "" not in choices:
                choices += ("",)
        specs.append(
            FieldSpec(
                name=name,
                label=label,
                category=category,
                kind=kind,
                nullable=bool(getattr(field, "null", False)) or kind == "related",
                blank=bool(getattr(field, "blank", False)),
                choices=choices,
                choice_labels=choice_labels,
                relation=name if kind in ("related", "many") else "",
            )
        )
    return specs


def json_value(value):
    """A Python value as data.json holds it: dates in ISO 8601, Decimals as strings,
    related objects as their text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)


def csv_cell(value, kind: str, *, escape: bool = True) -> str:
    """A data.json value as a CSV cell. Text that a spreadsheet would run as a formula gets a
    leading apostrophe (unless ``escape`` is false); data.json keeps every value exactly."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if escape and kind in ("string", "related", "json") and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@dataclasses.dataclass(frozen=True)
class Record:
    """A declaration as the archive presents it: its name, file and fields."""

    declaration: PersonalData
    name: str
    file_name: str
    fields: tuple[FieldSpec, ...]

    def queryset(self, subject: Subject):
        """The person's rows with what their fields show loaded along, in a stable order, so
        two exports of the same data read alike."""
        queryset = subject.rows(self.declaration)
        related = [f.relation for f in self.fields if f.kind == "related"]
        many = [f.relation for f in self.fields if f.kind == "many"]
        if related:
            queryset = queryset.select_related(*related)
        if many:
            queryset = queryset.prefetch_related(*many)
        return queryset.order_by("pk")

    def rows(self, subject: Subject) -> Iterator:
        return self.queryset(subject).iterator(chunk_size=CHUNK_SIZE)


def exported_records(*, registry: Registry = site) -> list[Record]:
    """Every declaration with export fields whose rows can be found per person, in a stable
    order, each with a unique name and CSV file name."""
    records, names, files = [], set(), set()
    for declaration in registry.declarations():
        if not declaration.export_fields():
            continue
        if not (
            declaration.subject or declaration.subject_email or declaration.subject_phone or declaration.subject_via
        ):
            continue
        name = str(declaration.verbose_name)
        if name in names:
            name = f"{name} ({declaration.label})"
        slug = slugify(name) or slugify(declaration.label)
        if slug in files:
            slug = slugify(f"{slug}-{declaration.label}")
        names.add(name)
        files.add(slug)
        fields = tuple(field_specs(declaration))
        records.append(Record(declaration=declaration, name=name, file_name=f"csv/{slug}.csv", fields=fields))
    return records


def export_schema(*, records: list[Record]) -> dict:
    """The JSON Schema (draft 2020-12) that data.json follows, from the declarations (P24)."""
    properties = {}
    for record in records:
        declaration = record.declaration
        properties[record.name] = {
            "type": "array",
            "title": record.name,
            "description": declaration.description or record.name,
            "x-source": str(Source(declaration.source).label),
            "x-categories": declaration.categories(),
            "x-csv": record.file_name,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [spec.name for spec in record.fields],
                "properties": {spec.name: spec.schema() for spec in record.fields},
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Personal data export",
        "description": "Every record we hold about one person, grouped by record. Each record's rows "
        "are also in the CSV file named by x-csv, with the same fields as columns.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "generated_at", "records"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION, "description": "Version of this layout."},
            "generated_at": {"type": "string", "format": "date-time", "description": "When the export was made."},
            "records": {
                "type": "object",
                "additionalProperties": False,
                "required": list(properties),
                "properties": properties,
            },
        },
    }


@dataclasses.dataclass
class RecordSummary:
    record: Record
    count: int = 0
    preview: list[list[str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ArchiveSummary:
    """What an archive holds: rows per record name, and its size in bytes."""

    generated_at: datetime.datetime
    counts: dict[str, int]
    size: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def archive_write(*, subject: Subject, fileobj, now: datetime.datetime | None = None, registry: Registry = site):
    """Write ``subject``'s export zip into the binary, seekable ``fileobj``.

    Reads one query per declared model (plus processors and disclosures for the summary),
    writes nothing to the database. Returns an ArchiveSummary.
    """
    now = now or timezone.now()
    records = exported_records(registry=registry)
    summaries: list[RecordSummary] = []
    start = fileobj.tell()
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        spools = []
        try:
            with archive.open(DATA_FILE, "w", force_zip64=True) as raw:
                data = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                head = {"schema_version": SCHEMA_VERSION, "generated_at": now.isoformat()}
                data.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "records": {')
                for position, record in enumerate(records):
                    spool = SpooledTemporaryFile(max_size=CSV_SPOOL_BYTES, mode="w+", encoding="utf-8", newline="")
                    spools.append(spool)
                    data.write(("," if position else "") + "\n" + json.dumps(record.name, ensure_ascii=False) + ": [")
                    summaries.append(_write_record(record, subject, data, spool))
                    data.write("]")
                data.write("\n}}\n")
                data.flush()
                data.detach()
            for record, spool in zip(records, spools, strict=True):
                spool.seek(0)
                with archive.open(record.file_name, "w", force_zip64=True) as member:
                    while chunk := spool.read(64 * 1024):
                        member.write(chunk.encode("utf-8"))
        finally:
            for spool in spools:
                spool.close()
        archive.writestr(SCHEMA_FILE, json.dumps(export_schema(records=records), indent=2, ensure_ascii=False))
        archive.writestr(INDEX_FILE, _index_html(subject=subject, summaries=summaries, now=now, registry=registry))
    return ArchiveSummary(
        generated_at=now,
        counts={summary.record.name: summary.count for summary in summaries},
        size=fileobj.tell() - start,
    )


def _write_record(record: Record, subject: Subject, data, spool) -> RecordSummary:
    summary = RecordSummary(record=record)
    writer = csv.writer(spool)
    writer.writerow([spec.name for spec in record.fields])
    for row in record.rows(subject):
        values = {spec.name: spec.value(row) for spec in record.fields}
        cells = [csv_cell(values[spec.name], spec.kind) for spec in record.fields]
        data.write(("," if summary.count else "") + "\n  " + json.dumps(values, ensure_ascii=False))
        writer.writerow(cells)
        if summary.count < PREVIEW_ROWS:
            summary.preview.append([spec.display(values[spec.name]) for spec in record.fields])
        summary.count += 1
    return summary


# --- index.html ----------------------------------------------------------------------------


def _index_html(*, subject: Subject, summaries: list[RecordSummary], now, registry: Registry) -> str:
    processors = list(Processor.objects.filter(is_active=True).order_by("kind", "name"))
    processing = {row.model: row for row in processing_record(registry=registry, processors=processors)}
    held = [s for s in summaries if s.count]
    held_categories = {c for s in held for c in s.record.declaration.categories()}
    disclosure_declaration = registry.get(Disclosure)
    disclosures = (
        list(subject.rows(disclosure_declaration).order_by("-disclosed_on", "-pk"))
        if disclosure_declaration is not None
        else []
    )
    for disclosure in disclosures:
        disclosure.category_labels = [
            str(Category(c).label) if c in Category.values else c for c in disclosure.categories
        ]
    records = []
    for summary in summaries:
        declaration = summary.record.declaration
        row = processing.get(declaration.label)
        records.append(
            {
                "name": summary.record.name,
                "anchor": slugify(summary.record.name),
                "file": summary.record.file_name,
                "count": summary.count,
                "description": declaration.description,
                "categories": [str(Category(c).label) for c in declaration.categories()],
                "source": str(Source(declaration.source).label),
                "purposes": [purpose_registry.PURPOSES[key] for key in declaration.purposes],
                "retention": row.retention if row else "",
                "erasure": declaration.erasure.describe(),
                "recipients": row.recipients if row else (),
                "columns": [spec.label for spec in summary.record.fields],
                "preview": summary.preview,
                "more": max(summary.count - len(summary.preview), 0),
            }
        )
    by_category = []
    for key, label in Category.choices:
        members = [
            record
            for record, summary in zip(records, summaries, strict=True)
            if summary.count and key in summary.record.declaration.categories()
        ]
        if members:
            sources = sorted({member["source"] for member in members})
            by_category.append({"label": str(label), "records": members, "sources": sources})
    profiling = purpose_registry.PURPOSES.get("tailored_offers")
    return render_to_string(
        "privacy/export_index.html",
        {
            "generated_at": now,
            "emails": sorted(subject.emails),
            "records": records,
            "held": [r for r in records if r["count"]],
            "not_held": [r for r in records if not r["count"]],
            "by_category": by_category,
            "processors": [p for p in processors if set(p.categories) & held_categories],
            "disclosures": disclosures,
            "profiling": profiling,
            "export_days": privacy_settings.EXPORT_DAYS,
            "schema_version": SCHEMA_VERSION,
            "dpo": dpo_contact(),
            "company_name": getattr(settings, "COMPANY_NAME", ""),
            "site_url": getattr(settings, "SITE_URL", ""),
            "ico_url": privacy_settings.ICO_URL,
        },
    )
