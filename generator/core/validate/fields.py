"""Checks one file's fields against its schema (generator/core/schema.py).

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
from ..routes import slug
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
    return slug(value) or "my-id"


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


# Field names of a schema (a tuple of specs, fixed at import): in order for
# messages, and as a set for the per-key lookup. Keyed by id, holding the tuple.
_NAMES: dict[int, tuple[tuple[FieldSpec, ...], list[str], frozenset[str]]] = {}
# Members of a vocabulary by their word: what `Choices(word)` finds, without
# the cost of calling the enum.
_MEMBERS: dict[type, dict[str, Any]] = {}


def _names(specs: tuple[FieldSpec, ...]) -> tuple[list[str], frozenset[str]]:
    found = _NAMES.get(id(specs))
    if found is None:
        if len(_NAMES) > 100:  # only ever a handful, unless a caller builds schemas
            _NAMES.clear()
        names = [spec.name for spec in specs]
        found = _NAMES[id(specs)] = (specs, names, frozenset(names))
    return found[1], found[2]


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
        names, known = _names(specs)
        for key in data:
            if key not in known:
                self.report("unknown-field", path + (key,), suggestion=did_you_mean(key, names),
                            allowed=", ".join(names))
        cleaned: dict[str, Any] = {}
        for spec in specs:
            name = spec.name
            if name not in data:
                if spec.required:
                    where = f" under '{label(path)}'" if path else ""
                    self.report("missing-field", path + (name,), expected=expected(spec),
                                extra=f" It belongs{where}." if where else "")
                continue
            value = data[name]
            if value is None or (isinstance(value, str) and not value.strip()):
                if spec.required:
                    self.report("empty-field", path + (name,), expected=expected(spec))
                continue
            checked = self.many(spec, value, path + (name,)) if spec.many else \
                _CHECKS[spec.type](self, spec, value, path + (name,))
            if checked is not INVALID:
                cleaned[name] = checked
        return cleaned

    def many(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        if not isinstance(value, list):
            example = value if isinstance(value, str) else "..."
            self.report("wrong-type", path, expected=expected(spec), actual=describe_type(value),
                        extra=f"Write it as a list, e.g. '{spec.name}: [{example}]'.")
            return INVALID
        if len(value) < spec.min_items:
            self.report("too-few-items", path, minimum=spec.min_items)
        check = _CHECKS[spec.type]
        items = []
        for index, item in enumerate(value):
            if item is None or (isinstance(item, str) and not item.strip()):
                self.report("empty-field", path + (index,), expected=_EXPECTED[spec.type])
                continue
            checked = check(self, spec, item, path + (index,))
            if checked is not INVALID:
                items.append(checked)
        return items

    def value(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        return _CHECKS[spec.type](self, spec, value, path)

    def _text(self, spec: FieldSpec, value: Any, path: KeyPath) -> Any:
        if value.__class__ is str:  # the usual case, which the checks below let through
            value = value.strip()
        else:
            if isinstance(value, bool):
                self.report("wrong-type", path, expected="text", actual=describe_type(value),
                            extra="YAML reads yes/no/on/off as true/false: put the text in "
                                  "quotes.")
                return INVALID
            if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
                value = value.isoformat() if isinstance(value, dt.date) else str(value)
            if not isinstance(value, str):
                self.report("wrong-type", path, expected="text", actual=describe_type(value),
                            extra="Put the text on one line after the field, or quote it.")
                return INVALID
            value = str(value).strip()
        role = spec.role
        if role is None:
            return value
        if role is Role.SLUG and not is_slug(value):
            self.report("bad-slug", path, what=label(path), value=value, suggestion=slugify(value))
            return INVALID
        if role is Role.URL and not _WEB_ADDRESS.match(value):
            self.report("wrong-type", path, expected="a web address (http or https)",
                        actual=f"'{value}'",
                        extra="Give the full address, e.g. 'https://tracker.example/CHK-311'.")
            return INVALID
        if role is Role.TEAM and self.config.teams is not None \
                and value not in self.config.teams:
            self.report("unknown-team", path, value=value,
                        suggestion=did_you_mean(value, sorted(self.config.teams)))
        if role is Role.TAG and self.config.tags is not None \
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
        members = _MEMBERS.get(spec.choices)
        if members is None:
            members = _MEMBERS[spec.choices] = {choice.value: choice for choice in spec.choices}
        member = members.get(text)
        if member is not None:
            return member
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


# Check by field type: a dict lookup is cheaper than building the method name.
_CHECKS = {
    FieldType.TEXT: FieldChecker._text,
    FieldType.DATE: FieldChecker._date,
    FieldType.INTEGER: FieldChecker._integer,
    FieldType.NUMBER: FieldChecker._number,
    FieldType.CHOICE: FieldChecker._choice,
    FieldType.MAPPING: FieldChecker._mapping,
}
