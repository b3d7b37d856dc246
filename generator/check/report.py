"""Formatters for check results, chosen by name: text for people, json for
tools, github for annotations on a pull request's diff.

Each names a problem by its label: error, warning, or reminder (a warning
--strict never promotes). JSON keeps `severity` ("error" or "warning") and adds
`"reminder": true|false` to every problem; its `warnings` count leaves the
reminders out, `reminders` counts them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from ..core.problems import REMINDER, Problem
from .result import PortalResult


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def counts(result: PortalResult) -> str:
    """'1 error, 2 warnings, 0 reminders'."""
    return (f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}, "
            f"{plural(result.reminders, REMINDER)}")


def summary(result: PortalResult) -> str:
    return f"{counts(result)} in {plural(result.files_checked, 'file')}"


def format_problem(p: Problem, hint: bool = False) -> str:
    """`path:line: label: message [rule]`, and the hint on the next line."""
    text = f"{p.path}:{p.line}: {p.label}: {p.message} [{p.rule}]"
    return text + (f"\n    hint: {p.hint}" if hint and p.hint else "")


def format_text(result: PortalResult) -> str:
    lines = [format_problem(p, hint=True) for p in result.problems]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def format_json(result: PortalResult) -> str:
    # One problem per line, each written by the C encoder (indent= would use
    # the pure-Python one: 0.07 s for 3,000 reminders).
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = ",\n    ".join(encode(p.as_dict()) for p in result.problems)
    problems = f"[\n    {lines}\n  ]" if lines else "[]"
    return (f'{{\n  "errors": {result.errors},\n  "warnings": {result.warnings},\n'
            f'  "reminders": {result.reminders},\n  "problems": {problems}\n}}\n')


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _repository_prefix(result: PortalResult) -> str:
    """Annotations need paths from the repository root; the portal may sit in a subfolder."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        relative = result.root.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"


# A reminder is a notice: an annotation that does not read as something to fix.
_GITHUB_COMMANDS = {"error": "error", "warning": "warning", REMINDER: "notice"}


def format_github(result: PortalResult) -> str:
    """Workflow commands: GitHub shows each as an annotation on the file and line."""
    prefix = _repository_prefix(result)
    lines = []
    for p in result.problems:
        properties = ",".join([
            f"file={_escape_property(prefix + p.path)}",
            f"line={p.line}",
            f"title={_escape_property(f'{p.rule} ({p.label})')}",
        ])
        message = p.message + (f"\n{p.hint}" if p.hint else "")
        lines.append(f"::{_GITHUB_COMMANDS[p.label]} {properties}::{_escape_data(message)}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


FORMATTERS: dict[str, Callable[[PortalResult], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}
