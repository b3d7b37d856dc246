"""Every entry as JSON and CSV, for analysts. Field names follow the file
format; CSV flattens lists with '; ' and nests with dots (decision.status).

An entry's body is exported as its page shows it (`shown_body`: no HTML comments,
no HTML the sanitiser removed), and every CSV cell goes through `csv_cell`, so a
spreadsheet opening the file never reads a researcher's text as a formula."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
from enum import Enum
from typing import Any

from ..core.catalog import Catalog
from ..core.model import Entry, Insight, Kind
from ..core.routes import export_path
from ..core.sanitize import shown_body
from .timeline import Step

# Internal bookkeeping, not part of an entry's content.
_SKIP = {"origin", "links"}


_FIELDS: dict[type, tuple[str, ...]] = {}  # a record class -> its exported field names


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if isinstance(value, Enum):
        return value.value
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dt.date:
        return value.isoformat()
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value)
                                      if f.name not in _SKIP)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    return value


def entry_record(entry: Entry, steps: list[Step] | None = None) -> dict[str, Any]:
    record = _plain(entry)
    if steps is not None:  # an insight's decision timeline, git's steps included
        record["timeline"] = [{"status": step.status.value, "date": _plain(step.date),
                               "note": step.note, "author": step.author} for step in steps]
    # What the page shows, by the page's own cleaning: a `<!-- note -->` hidden
    # on the page must not be published in the exports.
    if isinstance(entry, Insight):  # computed, never typed: the reader's summary of it
        strength = entry.evidence_strength
        record["evidence_strength"] = strength.value if strength else None
        record["times_seen"] = entry.times_seen
    record["body"] = shown_body(entry.body)
    record["path"] = entry.origin.path
    return record


def records(catalog: Catalog, kind: Kind,
            timelines: dict[str, list[Step]] | None = None) -> list[dict[str, Any]]:
    timelines = timelines if kind is Kind.INSIGHT and timelines is not None else None
    return [entry_record(entry, timelines.get(id, []) if timelines is not None else None)
            for id, entry in sorted(catalog.entries(kind).items())]


def to_json(rows: list[dict[str, Any]]) -> str:
    # One record per line: readable, and json's C encoder only runs without indent.
    if not rows:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n"


# A cell starting with one of these is a formula (or becomes one) in Excel,
# LibreOffice and Google Sheets: CSV injection.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell, never read as a formula: text starting with = + - @, a tab
    or a carriage return gets a leading ' (OWASP's advice; the writer quotes
    every cell and doubles embedded quotes). An int or float is left alone, so
    a metric of -0.5 stays a number: we wrote it from a parsed number, and its
    digits cannot hold a formula (-inf, read as a name, is text). Text that looks
    like a number is still text."""
    if value is None:
        return ""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = csv_cell("; ".join(
                json.dumps(item, ensure_ascii=False) if isinstance(item, dict) else str(item)
                for item in value))
        else:
            flat[name] = csv_cell(value)
    return flat


def to_csv(rows: list[dict[str, Any]]) -> str:
    flat_rows = [_flatten(row) for row in rows]
    columns: dict[str, None] = {}
    for row in flat_rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    # Every cell quoted (OWASP): a ';' or ',' in text never starts a new cell,
    # whatever separator the spreadsheet assumes. Column names are our field names.
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n",
                            quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(flat_rows)
    return buffer.getvalue()


_FORMATS = {"json": to_json, "csv": to_csv}


def export_file(catalog: Catalog, kind: Kind, extension: str,
                timelines: dict[str, list[Step]] | None = None) -> str:
    """One export file (the preview makes one when it is asked for)."""
    return _FORMATS[extension](records(catalog, kind, timelines))


def export_files(catalog: Catalog,
                 timelines: dict[str, list[Step]] | None = None) -> dict[str, str]:
    """export/<kinds>.json and .csv, keyed by their path in the site."""
    files: dict[str, str] = {}
    for kind in Kind:
        rows = records(catalog, kind, timelines)
        for extension, write in _FORMATS.items():
            files[export_path(kind, extension)] = write(rows)
    return files
