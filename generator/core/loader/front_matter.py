"""Splitting a content file into its front matter and body, with their lines.

From a file's bytes to a Document: decoding, the `---` lines that fence the
front matter, its YAML (yaml_lines) and the body with the line it starts on;
or the problems that say why the file cannot be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import LineMap
from ..problems import Problem, make_problem
from .discovery import SourceFile
from .limits import MAX_FILE_BYTES, MAX_FRONT_MATTER_CHARS
from .scalars import describe_type
from .yaml_lines import parse_yaml


@dataclass(slots=True)
class Document:
    """One parsed file: front matter values with their lines, and the body."""

    source: SourceFile
    data: dict[str, Any]
    lines: LineMap
    body: str
    body_line: int  # 1-based line of the body's first line in the file


def parse(source: SourceFile, raw: bytes) -> tuple[Document | None, list[Problem]]:
    rel = source.rel
    if len(raw) > MAX_FILE_BYTES:
        return None, [make_problem("file-too-large", rel, 1, limit=_size(MAX_FILE_BYTES))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [make_problem("not-utf8", rel, line, bad_line=line)]
    if "\r" in text:  # Windows (and old Mac) line endings are valid input
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():  # as `not text.strip()`, without copying it
        return None, [make_problem("empty-file", rel, 1, kind=source.kind.value, id=source.id)]

    split = split_front_matter(text)
    if isinstance(split, str):
        return None, [make_problem("no-front-matter", rel, 1, detail=split)]
    yaml_text, body, body_line = split
    if len(yaml_text) > MAX_FRONT_MATTER_CHARS:
        return None, [make_problem("too-complex", rel, 2,
                                   detail=f"{_size(len(yaml_text))} of YAML, more than "
                                          f"{_size(MAX_FRONT_MATTER_CHARS)}")]

    problems: list[Problem] = []
    value, lines = parse_yaml(yaml_text, rel, first_line=2, problems=problems)
    if problems and value is None:
        return None, problems
    if not isinstance(value, dict):
        actual = "nothing (it is empty)" if value is None else describe_type(value)
        problems.append(make_problem("not-a-mapping", rel, 2 if value is not None else 1,
                                     actual=actual))
        return None, problems
    return Document(source, value, lines, body, body_line), problems


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"


# A line that is '---' or '...' but for trailing whitespace (as str.rstrip() has
# it: \s is the same set). \s* may run on over line breaks, but it matches
# only where the rest of the line is whitespace.
_CLOSING = re.compile(r"^(?:---|\.\.\.)\s*$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """(yaml, body, body_line), or a sentence saying why there is no front matter."""
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if first.rstrip() != "---":
        return "file has no front matter (the first line must be '---')"
    if first_end >= 0:
        closing = _CLOSING.search(text, first_end + 1)
        if closing is not None:
            position = closing.start()
            end = text.find("\n", position)
            body = "" if end < 0 else text[end + 1:]
            line_number = 2 + text.count("\n", first_end + 1, position)
            return text[first_end + 1:position], body, line_number + 1
    return "front matter opened on line 1 is never closed with a '---' line"
