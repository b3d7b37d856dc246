"""Reading the simple subset of YAML line by line, without libyaml.

Front matter is nearly always `key: value` lines, nested mappings, lists of
mappings, `- item` lists and one-line [flow, lists] of words. For that subset
a line-by-line reader is several times faster than composing YAML nodes with
libyaml. It gives exactly what libyaml and the node walker (yaml_lines) give
(the same resolver and constructors turn plain scalars into dates, numbers,
yes/no; the same lines) and gives up on anything else: comments, quotes with
escapes, multi-line or block scalars, anchors, tags, flow mappings, tabs,
duplicate keys, odd characters or indentation, anything invalid. libyaml then
parses the file as before, so every problem is worded and placed as before.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .limits import MAX_DEPTH, MAX_NODES
from .scalars import MAY_RESOLVE, RESOLVED_LIMIT, SCALARS, STR_TAG, InvalidScalar, plain_tag


class _NotSimple(Exception):
    """Beyond the simple subset: parse with libyaml."""


# `key:` or `key: value` (libyaml takes keys of up to 1024 characters)
_SIMPLE_ROW = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.+))?")
_SIMPLE_WORD = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_SIMPLE_FLOW = re.compile(rf"\[ *(?:{_SIMPLE_WORD}(?: *, *{_SIMPLE_WORD})*)? *\]")
# Characters libyaml reads as plain text, less some it reads fine but that are
# not worth a thought here. Left out: tabs, control characters, NEL and the
# Unicode line separators (line breaks to libyaml), noncharacters, the byte
# order mark and everything beyond the Basic Multilingual Plane.
_NOT_SIMPLE_CHAR = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufdcf\ufdf0-\ufefe\uff00-\ufffd]")
# A plain scalar cannot start with an indicator (a few may, but not simply).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SIMPLE_CONSTRUCTORS = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
}
# Plain scalars that are no text, as constructed: dates recur from file to file.
# Only immutable values (dates, numbers, yes/no, null); bounded like the resolved tags (scalars).
_CONSTRUCTED: dict[str, Any] = {}
# Bound once: CPython 3.11 compiles `MAY_RESOLVE.get(...)` on an imported name
# to an attribute lookup and a new bound method on every call.
_may_resolve = MAY_RESOLVE.get


class SimpleParser:
    """Reads one front matter in the simple subset; `parse` says None beyond it."""

    def __init__(self, yaml_text: str, first_line: int) -> None:
        # (indent, text without surrounding spaces, file line) of each non-blank line
        self.rows: list[tuple[int, str, int]] = []
        for number, line in enumerate(yaml_text.split("\n"), first_line):
            text = line.lstrip(" ")
            if text:
                self.rows.append((len(line) - len(text), text.rstrip(" "), number))
        self.position = 0
        self.flat: list[Any] = []  # as the node walker's (yaml_lines)

    @classmethod
    def parse(cls, yaml_text: str, first_line: int) -> tuple[dict[str, Any], list[Any]] | None:
        """(value, flat), or None when the text is beyond the subset."""
        # Every node takes a character of its own, so there are fewer than
        # MAX_NODES of them: the node walker would not stop on this text either.
        if len(yaml_text) >= MAX_NODES or _NOT_SIMPLE_CHAR.search(yaml_text):
            return None
        parser = cls(yaml_text, first_line)
        if not parser.rows or parser.rows[0][0] != 0:
            return None
        try:
            value = parser.mapping(0, 0, 0)
        except _NotSimple:
            return None
        return value, parser.flat

    def mapping(self, indent: int, parent: int, depth: int) -> dict[str, Any]:
        """The `key: ...` rows at `indent` from here on."""
        if depth >= MAX_DEPTH:  # so that what it holds stays within MAX_DEPTH
            raise _NotSimple
        rows, flat = self.rows, self.flat
        count, position = len(rows), self.position
        result: dict[str, Any] = {}
        while position < count:
            row_indent, text, line = rows[position]
            if row_indent < indent:
                break
            match = _SIMPLE_ROW.fullmatch(text) if row_indent == indent else None
            if match is None:
                raise _NotSimple
            key, rest = match.groups()
            if key in result or (_may_resolve(key[0], 0) >= len(key)
                                 and plain_tag(key) != STR_TAG):  # a duplicate, `yes:`
                raise _NotSimple
            number = len(flat) // 3 + 1
            flat += (parent, key, line)
            position += 1
            if rest is None:  # `key:` alone: what the rows below hold, or null
                self.position = position
                result[key] = self.block(indent, number, depth + 1)
                position = self.position
                continue
            if position < count and rows[position][0] > indent:
                raise _NotSimple  # the value goes on: a multi-line scalar
            first = rest[0]
            if first in _INDICATORS or ": " in rest or " #" in rest or rest[-1] == ":":
                result[key] = _quoted_or_flow(rest, line, number, depth + 1, flat)
            else:  # plain text, the usual case
                longest = _may_resolve(first)
                result[key] = rest if longest is None or len(rest) > longest else \
                    _simple_scalar(rest)
        self.position = position
        return result

    def block(self, indent: int, parent: int, depth: int) -> Any:
        """The value of a `key:` with nothing after it."""
        if self.position < len(self.rows):
            row_indent, text, _ = self.rows[self.position]
            is_item = text.startswith("- ")
            if row_indent > indent:
                return self.sequence(row_indent, parent, depth) if is_item else \
                    self.mapping(row_indent, parent, depth)
            if row_indent == indent and is_item:  # `key:` then `- item` rows, not indented
                return self.sequence(row_indent, parent, depth)
        return None  # nothing: null

    def sequence(self, indent: int, parent: int, depth: int) -> list[Any]:
        """The `- item` rows at `indent` from here on."""
        if depth >= MAX_DEPTH:
            raise _NotSimple
        rows, flat = self.rows, self.flat
        items: list[Any] = []
        while self.position < len(rows):
            row_indent, text, line = rows[self.position]
            if row_indent < indent or (row_indent == indent and not text.startswith("- ")):
                break
            if row_indent > indent:
                raise _NotSimple
            number = len(flat) // 3 + 1
            flat += (parent, len(items), line)
            item = text[2:].lstrip(" ")
            column = indent + len(text) - len(item)
            if _SIMPLE_ROW.fullmatch(item):
                # `- key: value` opens a mapping whose keys line up with `key`.
                rows[self.position] = (column, item, line)
                items.append(self.mapping(column, number, depth + 1))
                continue
            self.position += 1
            if self.position < len(rows) and rows[self.position][0] > indent:
                raise _NotSimple  # the item goes on: a multi-line scalar
            if item[0] in _INDICATORS or ": " in item or " #" in item or item[-1] == ":":
                items.append(_quoted_or_flow(item, line, number, depth + 1, flat))
            else:
                items.append(_simple_scalar(item))
        return items


def _quoted_or_flow(text: str, line: int, parent: int, depth: int, flat: list[Any]) -> Any:
    """A value on its row that starts with an indicator or holds one."""
    first = text[0]
    if first == '"' or first == "'":
        # Quoted on one line, with no escapes: the text between the quotes.
        if len(text) < 2 or text[-1] != first or first in text[1:-1] or "\\" in text:
            raise _NotSimple
        return text[1:-1]
    if first == "[" and depth < MAX_DEPTH and _SIMPLE_FLOW.fullmatch(text):
        items = []
        for word in text[1:-1].split(","):
            word = word.strip(" ")
            if word:
                flat += (parent, len(items), line)
                items.append(_simple_scalar(word))
        return items
    raise _NotSimple  # anchors, tags, block scalars, comments, `a: b`...


def _simple_scalar(text: str) -> Any:
    """A plain scalar's value, as the node walker (yaml_lines) makes it."""
    tag = plain_tag(text)
    if tag == STR_TAG:
        return text
    if text in _CONSTRUCTED:
        return _CONSTRUCTED[text]
    construct = _SIMPLE_CONSTRUCTORS.get(tag)
    if construct is None:  # `<<`, `=`: let the node walker report them
        raise _NotSimple
    try:
        value = construct(SCALARS, yaml.ScalarNode(tag, text))
    except (ValueError, OverflowError):
        return InvalidScalar(text)
    except Exception as error:  # whatever it is, libyaml's path raises or reports it
        raise _NotSimple from error
    if len(_CONSTRUCTED) < RESOLVED_LIMIT:
        _CONSTRUCTED[text] = value
    return value
