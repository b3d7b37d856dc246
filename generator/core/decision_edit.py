"""Editing an insight's `decision:` in its file's own text, line by line.

`portal decide` changes the decision lines and nothing else: comments, key
order, quoting, blank lines and the body stay byte for byte, so the file is never
re-dumped. The loader's line of each key says where a value sits; a value is
replaced on its own row(s), a missing key is inserted right after `status:` at
its indentation, and history items are appended in the style the list has (or as
a new `history:` block ending the mapping). Each row keeps its ending (LF, CRLF,
CR). A flow-style `decision: {…}` is refused (EditRefused). `expected_data` is
what the file's values must be after the edit: the caller verifies before writing.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .model import LineMap

Value = str | dt.date


@dataclass(frozen=True, slots=True)
class PastStatus:
    """A history item to append: a status the decision had, and since when."""
    status: str
    date: dt.date
    note: str | None = None

    def as_dict(self) -> dict[str, Value]:
        item: dict[str, Value] = {"status": self.status, "date": self.date}
        if self.note is not None:
            item["note"] = self.note
        return item


@dataclass(frozen=True, slots=True)
class DecisionEdit:
    """The keys of `decision:` to set (inserted in this order when missing; the
    first is `status`) and the history items to append."""
    values: dict[str, Value]
    history: tuple[PastStatus, ...] = ()


class EditRefused(ValueError):
    """The file's layout cannot be edited line by line; `line` is where."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def yaml_text(value: Value, flow: bool = False) -> str:
    """`value` as a YAML scalar: plain when YAML reads it back as the same text
    (inside a flow mapping when `flow`), else double-quoted (JSON's escapes are
    YAML's). Dates are written plain, as YAML dates."""
    if isinstance(value, dt.date):
        return value.isoformat()
    probe = "{{k: {}}}" if flow else "k: {}"
    for text in (value, json.dumps(value, ensure_ascii=False), json.dumps(value)):
        try:
            if "\n" not in text and yaml.safe_load(probe.format(text)) == {"k": value}:
                return text
        except yaml.YAMLError:
            continue
    return json.dumps(value)


def expected_data(data: dict[str, Any], edit: DecisionEdit) -> dict[str, Any]:
    """The front matter's values once `edit` is applied: what a re-read must give."""
    expected = copy.deepcopy(data)
    decision = expected["decision"]
    decision.update(edit.values)
    if edit.history:
        decision["history"] = [*(decision.get("history") or []),
                               *(item.as_dict() for item in edit.history)]
    return expected


def edit_decision(text: str, lines: LineMap, edit: DecisionEdit) -> str:
    """`text` (a whole file) with `edit` applied to its block-style `decision:`;
    `lines` is the loader's line map of that same text."""
    rows = _ROW.findall(text)
    where = lines.lines
    decision_at = where.get(("decision",))
    if decision_at is None or ("decision", "status") not in where:
        raise EditRefused(decision_at or 1, "the file has no decision status to change")
    if _value_part(_key_row(rows, decision_at, "decision"))[0]:
        raise EditRefused(decision_at, "decision is written in flow style ({…}); write it "
                                       "as a block, one key a line")
    children = {path[1]: line - 1 for path, line in where.items()
                if len(path) == 2 and path[0] == "decision"}
    indent = _indent(rows[children["status"]])
    edits: list[tuple[int, int, list[str]]] = []
    missing = []
    for key, value in edit.values.items():
        if key in children:
            edits.append(_replace(rows, children[key], key, yaml_text(value)))
        else:
            missing.append(f"{' ' * indent}{key}: {yaml_text(value)}")
    after = _after_comments(rows, _extent(rows, children["status"], indent), indent)
    if missing:
        edits.append((after, after, [row + _eol(rows[after - 1]) for row in missing]))
    if edit.history:
        count = sum(1 for path in where if len(path) == 3 and path[:2] == ("decision", "history"))
        last = where.get(("decision", "history", count - 1))
        if "history" in children:
            edits.append(_append_history(rows, children["history"], indent, last,
                                         edit.history))
        else:  # a new block at the end of the mapping
            end = max(_extent(rows, decision_at - 1, 0), after)
            eol = _eol(rows[end - 1])
            edits.append((end, end, [f"{' ' * indent}history:{eol}",
                                     *_flow_items(indent * 2, edit.history, eol)]))
    return _apply(rows, edits)


# --- rows --------------------------------------------------------------------------------

# Each line with its own ending, as the loader counts lines (CRLF, CR or LF).
_ROW = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_KEY = "^ *{}[ \t]*:(?=[ \t]|$)"
_BLOCK_SCALAR = re.compile(r":[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _body(row: str) -> str:
    return row.rstrip("\r\n")


def _eol(row: str) -> str:
    return row[len(_body(row)):] or "\n"


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip(" "))


def _key_row(rows: list[str], line: int, key: str) -> tuple[str, str]:
    """(`<indent>key:`, the rest) of the row on file line `line`."""
    body = _body(rows[line - 1])
    found = re.match(_KEY.format(re.escape(key)), body)
    if found is None:
        raise EditRefused(line, f"cannot find '{key}:' at the start of line {line}; write "
                                f"the key plain, one a line")
    return found.group(), body[found.end():]


def _value_part(row: tuple[str, str]) -> tuple[str, str]:
    """(value, what follows it on the row: spaces and a comment) of a key's row."""
    rest = row[1]
    value = rest.lstrip(" \t")
    if not value or value.startswith("#"):
        return "", rest
    if value[0] in "'\"":
        end = _quoted_end(value)
    else:
        comment = re.search(r"[ \t]#", value)
        end = len(value[:comment.start() if comment else len(value)].rstrip(" \t"))
    return value[:end], value[end:]


def _quoted_end(value: str) -> int:
    """The index after the closing quote of the scalar `value` opens (its length if
    the scalar goes on to the next row)."""
    quote, index = value[0], 1
    while index < len(value):
        char = value[index]
        if (quote == '"' and char == "\\") or (quote == "'" and value[index:index + 2] == "''"):
            index += 2  # an escape, or a doubled single quote
        elif char == quote:
            return index + 1
        else:
            index += 1
    return len(value)


def _extent(rows: list[str], index: int, indent: int, items: bool = False) -> int:
    """The index after the last row of the value whose key is on rows[index] at
    `indent`: rows indented deeper (or, with `items`, list items at the same
    indentation). Blank and comment rows after the value stay outside it."""
    block = _BLOCK_SCALAR.search(_body(rows[index])) is not None
    end = scan = index + 1
    while scan < len(rows):
        stripped = rows[scan].strip()
        inner = _indent(rows[scan])
        scan += 1
        if not stripped or (stripped.startswith("#") and not block):
            continue
        if inner > indent or (items and inner == indent and stripped.startswith("- ")):
            end = scan
        else:
            break
    return end


def _after_comments(rows: list[str], index: int, indent: int) -> int:
    """Past the comment rows that continue a row's comment, indented deeper."""
    while index < len(rows) and rows[index].strip().startswith("#") \
            and _indent(rows[index]) > indent:
        index += 1
    return index


def _replace(rows: list[str], index: int, key: str, text: str) -> tuple[int, int, list[str]]:
    """The key's value (one row, or several) becomes `text` on the key's row; a
    comment after it stays, in its column where there is room."""
    head, rest = _key_row(rows, index + 1, key)
    tail = _value_part((head, rest))[1]
    end = _extent(rows, index, _indent(rows[index]))
    new = f"{head} {text}"
    comment = tail.lstrip(" \t")
    if comment.startswith("#"):
        column = len(_body(rows[index])) - len(comment)
        new += " " * max(1, column - len(new)) + comment
    return index, end, [new + _eol(rows[end - 1])]


def _flow_item(item: PastStatus) -> str:
    return "{" + ", ".join(f"{key}: {yaml_text(value, flow=True)}"
                           for key, value in item.as_dict().items()) + "}"


def _flow_items(indent: int, items: tuple[PastStatus, ...], eol: str) -> list[str]:
    return [f"{' ' * indent}- {_flow_item(item)}{eol}" for item in items]


def _append_history(rows: list[str], index: int, indent: int, last: int | None,
                    items: tuple[PastStatus, ...]) -> tuple[int, int, list[str]]:
    """Items after the last of `history:` on rows[index], in that list's style;
    `last` is the file line of its last item (None: the list is empty)."""
    head, rest = _key_row(rows, index + 1, "history")
    value, tail = _value_part((head, rest))
    if value.startswith("["):
        return _append_flow(rows, index, items)
    end = _extent(rows, index, indent, items=True)
    eol = _eol(rows[end - 1])
    if last is None:  # `history:` with nothing (or null) under it
        return index, end, [f"{head}{tail}{eol}", *_flow_items(indent * 2, items, eol)]
    dash = re.match(r" *- +", rows[last - 1])
    if dash is None:
        raise EditRefused(last, "cannot read this history item's layout; write each item "
                                "as '- {status: …, date: …}' or '- status: …'")
    prefix = dash.group()
    if rows[last - 1][len(prefix):].startswith("{"):
        return end, end, [f"{prefix}{_flow_item(item)}{eol}" for item in items]
    new = []
    for item in items:
        pairs = [f"{key}: {yaml_text(value)}" for key, value in item.as_dict().items()]
        new += [f"{prefix if n == 0 else ' ' * len(prefix)}{pair}{eol}"
                for n, pair in enumerate(pairs)]
    return end, end, new


def _append_flow(rows: list[str], index: int,
                 items: tuple[PastStatus, ...]) -> tuple[int, int, list[str]]:
    """Items before the `]` that closes the flow list opening on rows[index]."""
    depth, quote, previous = 0, "", ""
    for at in range(index, len(rows)):
        body = _body(rows[at])
        start = body.index(":") + 1 if at == index else 0
        column = start
        while column < len(body):
            char = body[column]
            if quote:
                if char == "\\" and quote == '"':
                    column += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "#" and (column == 0 or body[column - 1] in " \t"):
                break
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    joined = ", ".join(_flow_item(item) for item in items)
                    separator = "" if previous in ("[", ",") else ", "
                    new = body[:column] + separator + joined + body[column:]
                    return at, at + 1, [new + _eol(rows[at])]
            if not char.isspace():
                previous = char
            column += 1
    raise EditRefused(index + 1, "the history list is never closed with ']'")


def _apply(rows: list[str], edits: list[tuple[int, int, list[str]]]) -> str:
    """`rows` with each (start, end, new rows) edit made; edits never overlap, and
    insertions at one place keep their order."""
    out: list[str] = []
    at = 0
    for start, end, new in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        out += rows[at:start]
        out += new
        at = max(at, end)
    out += rows[at:]
    return "".join(out)
