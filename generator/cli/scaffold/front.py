"""Writing front matter: values as YAML that reads back as written, and each
missing value as a placeholder with a comment saying what belongs there.

The schema's own descriptions are the comments, so a field's help is declared
once; `portal check` then reports each placeholder on its own line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import yaml

from ...core.schema import FieldSpec


def scalar(value: str, in_list: bool = False) -> str:
    """`value` as a YAML scalar: plain where it reads back as the same text, else quoted."""
    text = value.strip()
    probe = f"[{text}]" if in_list else f"key: {text}"
    try:
        loaded = yaml.safe_load(probe)
    except yaml.YAMLError:
        loaded = None
    plain = loaded == ([text] if in_list else {"key": text})
    if plain and text and "\n" not in text and text[0] not in "'\"":
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def flow(values: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(value, in_list=True) for value in values) + "]"


def describe(spec: FieldSpec) -> str:
    """The schema's description of a field, as a TODO comment."""
    if spec.choices is not None:
        return " | ".join(spec.choices)
    text = spec.description.rstrip(".")
    return text[:1].lower() + text[1:]


class Front:
    """Front-matter lines, each field either with its value or as a flagged placeholder."""

    def __init__(self, specs: tuple[FieldSpec, ...]) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.lines = ["---"]

    def _todo(self, name: str, extra: str = "") -> str:
        spec = self.specs[name]
        return f"  # TODO: {describe(spec)}{extra}"

    def text(self, name: str, value: str | None, indent: str = "", extra: str = "") -> None:
        """`name: value`, or `name:` (reported as empty-field) with a TODO comment."""
        if value and value.strip():
            self.lines.append(f"{indent}{name}: {scalar(value)}")
        else:
            self.lines.append(f"{indent}{name}:{self._todo(name, extra)}")

    def optional(self, name: str, value: str | None, indent: str = "") -> None:
        if value and value.strip():
            self.lines.append(f"{indent}{name}: {scalar(value)}")

    def commented(self, name: str, indent: str = "", empty: str = "", extra: str = "") -> None:
        """`# name:` with what belongs there: shown, but not read until uncommented."""
        spec = self.specs[name]
        self.lines.append(f"{indent}# {name}:{empty}  # optional: {describe(spec)}{extra}")

    def ids(self, name: str, values: Sequence[str], extra: str = "") -> None:
        """`name: [a, b]`, or `name: []` (reported as too-few-items) with a TODO comment."""
        if values:
            self.lines.append(f"{name}: {flow(values)}")
        else:
            self.lines.append(f"{name}: []{self._todo(name, extra)}")

    def items(self, name: str, values: Sequence[str]) -> None:
        """A block list of sentences, or `name: []` with a TODO comment."""
        if not values:
            self.lines.append(f"{name}: []{self._todo(name)}")
            return
        self.lines.append(f"{name}:")
        self.lines.extend(f"  - {scalar(value)}" for value in values)

    def raw(self, line: str) -> None:
        self.lines.append(line)

    def document(self, body: str) -> str:
        return "\n".join([*self.lines, "---", body.rstrip("\n")]) + "\n"


def sample(ids: Iterable[str], limit: int = 5) -> str:
    ids = list(ids)
    if not ids:
        return ""
    shown = ", ".join(ids[:limit]) + (", …" if len(ids) > limit else "")
    return f", e.g. {shown}"
