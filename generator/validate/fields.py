"""Checks one file's fields against its schema (generator/schema.py).

Produces the cleaned values (typed: enums, dates, numbers) for the record
builders and a problem, with the line of the key, for every field that is
missing, unknown, of the wrong type or outside its vocabulary. A bad field is
left out of the cleaned values, so later checks see only what is sound.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..config import PortalConfig
from ..loader import InvalidScalar, describe_type
from ..model import KeyPath, LineMap
from ..problems import Problem, make_problem
from ..schema import FieldSpec, FieldType, Role
from ..suggest import did_you_mean

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WEB_ADDRESS = re.compile(r"https?://\S+$", re.IGNORECASE)

_EXPECTED = {
    FieldType.TEXT: "text",
    FieldType.DATE: "a date (YYYY-MM-DD)",
    FieldType.INTEGER: "a whole number",
    FieldType.NUMBER: "a number",
    FieldType.CHOICE: "one of the listed words",
    FieldType.MAPPING: "a mapping (fields indented below it)",
}


def label(path: KeyPath) -> str:
    """('evidence', 0, 'source') -> 'evidence[0].source'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def slugify(value: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", value.lower())) or "my-id"


def is_slug(value: str) -> bool:
    return SLUG.fullmatch(value) is not None


def expected(spec: FieldSpec) -> str:
    if spec.type is FieldType.CHOICE and spec.choices:
        return "one of: " + ", ".join(spec.choices)
    if spec.many:
        return f"a list of {_EXPECTED[spec.type]}"
    return _EXPECTED[spec.type]


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and not isinstance(value, InvalidScalar):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class _Invalid:
    """Marks a value that failed its check and was reported."""


INVALID = _Invalid()


class FieldChecker:
    def __init__(self, rel: str, lines: LineMap, config: PortalConfig,
                 problems: list[Problem]) -> None:
        self.rel, self.lines, self.config, self.problems = rel, lines, config, problems
        self.past_dates: list[tuple[KeyPath, dt.date]] = []

    def report(self, rule: str, path: KeyPath, **facts: object) -> None:
        self.problems.append(make_problem(rule, self.rel, self.lines.line(*path),
                                          field=label(path), **facts))

    def mapping(self, data: dict[str, Any], specs: tuple[FieldSpec, ...],
                path: KeyPath = ()) -> dict[str, Any]:
        names = [spec.name for spec in specs]
        for key in data:
            if key not in names:
                self.report("unknown-field", path + (key,), suggestion=did_you_mean(key, names),
                            allowed=", ".join(names))
        cleaned: dict[str, Any] = {}
        for spec in specs:
            key_path = path + (spec.name,)
            if spec.name not in data:
                if spec.required:
                    where = f" under '{label(path)}'" if path else ""
                    self.report("missing-field", key_path, expected=expected(spec),
                                extra=f" It belongs{where}." if where else "")
                continue
            value = data[spec.name]
            if value is None or (isinstance(value, str) and not value.strip()):
                if spec.required:
                    self.report("empty-field", key_path, expected=expected(spec))
                continue
            checked = self.many(spec, value, key_path) if spec.many else \
                self.value(spec, value, key_path)
            if checked is not INVALID:
                cleaned[spec.name] = checked
        return cleaned

    def many(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        if not isinstance(value, list):
            example = value if isinstance(value, str) else "..."
            self.report("wrong-type", path, expected=expected(spec), actual=describe_type(value),
                        extra=f"Write it as a list, e.g. '{spec.name}: [{example}]'.")
            return INVALID
        if len(value) < spec.min_items:
            self.report("too-few-items", path, minimum=spec.min_items)
        items = []
        for index, item in enumerate(value):
            if item is None or (isinstance(item, str) and not item.strip()):
                self.report("empty-field", path + (index,), expected=_EXPECTED[spec.type])
                continue
            checked = self.value(spec, item, path + (index,))
            if checked is not INVALID:
                items.append(checked)
        return items

    def value(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        check = getattr(self, f"_{spec.type.value}")
        return check(spec, value, path)

    def _text(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        if isinstance(value, bool):
            self.report("wrong-type", path, expected="text", actual=describe_type(value),
                        extra="YAML reads yes/no/on/off as true/false: put the text in quotes.")
            return INVALID
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
        if not isinstance(value, str):
            self.report("wrong-type", path, expected="text", actual=describe_type(value),
                        extra="Put the text on one line after the field, or quote it.")
            return INVALID
        value = str(value).strip()
        if spec.role is Role.SLUG and not is_slug(value):
            self.report("bad-slug", path, what=label(path), value=value, suggestion=slugify(value))
            return INVALID
        if spec.role is Role.URL and not _WEB_ADDRESS.match(value):
            self.report("wrong-type", path, expected="a web address (http or https)",
                        actual=f"'{value}'",
                        extra="Give the full address, e.g. 'https://tracker.example/CHK-311'.")
            return INVALID
        if spec.role is Role.TEAM and self.config.teams is not None \
                and value not in self.config.teams:
            self.report("unknown-team", path, value=value,
                        suggestion=did_you_mean(value, sorted(self.config.teams)))
        if spec.role is Role.TAG and self.config.tags is not None \
                and value not in self.config.tags:
            self.report("unknown-tag", path, value=value,
                        suggestion=did_you_mean(value, sorted(self.config.tags)))
        return value

    def _date(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        date = _as_date(value)
        if date is None:
            self.report("invalid-date", path, value=value if isinstance(value, str)
                        else describe_type(value))
            return INVALID
        if spec.past:
            self.past_dates.append((path, date))
        return date

    def _integer(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        minimum = spec.minimum if spec.minimum is not None else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.report("wrong-type", path, expected=f"a whole number of at least {minimum}",
                        actual=describe_type(value), extra="For example 'count: 12'.")
            return INVALID
        return value

    def _number(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.report("wrong-type", path, expected="a number", actual=describe_type(value),
                        extra="Write the number without units or quotes, e.g. '0.21' or '42'.")
            return INVALID
        return value

    def _choice(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        assert spec.choices is not None
        text = str(value).strip() if not isinstance(value, (list, dict)) else describe_type(value)
        try:
            return spec.choices(text)
        except ValueError:
            words = [str(choice) for choice in spec.choices]
            self.report("bad-value", path, value=text, allowed=", ".join(words),
                        suggestion=did_you_mean(text, words) or "Use one of the words listed.")
            return INVALID

    def _mapping(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        if not isinstance(value, dict):
            names = ", ".join(field.name for field in spec.fields[:3])
            self.report("wrong-type", path, expected=_EXPECTED[FieldType.MAPPING],
                        actual=describe_type(value),
                        extra=f"Indent its fields ({names}, ...) below '{spec.name}:'.")
            return INVALID
        return self.mapping(value, spec.fields, path)
