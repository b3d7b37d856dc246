"""Every entry as JSON and CSV, for analysts. Field names follow the file
format; CSV flattens lists with '; ' and nests with dots (decision.status)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from enum import Enum
from typing import Any

from .catalog import Catalog
from .model import Entry, Kind

# Internal bookkeeping, not part of an entry's content.
_SKIP = {"origin", "links"}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in _SKIP}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def entry_record(entry: Entry) -> dict[str, Any]:
    record = _plain(entry)
    record["path"] = entry.origin.path
    return record


def records(catalog: Catalog, kind: Kind) -> list[dict[str, Any]]:
    return [entry_record(entry) for _, entry in sorted(catalog.entries(kind).items())]


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(
                json.dumps(item, ensure_ascii=False) if isinstance(item, dict) else str(item)
                for item in value)
        else:
            flat[name] = "" if value is None else str(value)
    return flat


def to_csv(rows: list[dict[str, Any]]) -> str:
    flat_rows = [_flatten(row) for row in rows]
    columns: dict[str, None] = {}
    for row in flat_rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat_rows)
    return buffer.getvalue()


def export_files(catalog: Catalog) -> dict[str, str]:
    """export/<kinds>.json and .csv, keyed by their path in the site."""
    files: dict[str, str] = {}
    for kind in Kind:
        rows = records(catalog, kind)
        files[f"export/{kind.folder}.json"] = to_json(rows)
        files[f"export/{kind.folder}.csv"] = to_csv(rows)
    return files
