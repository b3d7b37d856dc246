"""Finding content files, splitting front matter and parsing YAML with line numbers.

python-frontmatter is not used: it returns plain values without positions, and
every problem we report needs the line of the offending key. Instead the front
matter is composed into YAML nodes with libyaml (PyYAML's C parser, ~10x faster
than the pure-Python one) and walked once, recording the line of every key and
list item under its path, e.g. ("evidence", 0, "source").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .model import Kind, LineMap
from .problems import Problem, make_problem

try:  # libyaml is bundled with PyYAML wheels; fall back to pure Python if missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader

_STR_TAG = "tag:yaml.org,2002:str"
# First characters of plain scalars that may resolve to something other than
# text (YAML 1.1, as SafeLoader does it): numbers and dates start with one of
# these...
_NUMERIC_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                 "tag:yaml.org,2002:timestamp"}
_NUMERIC_FIRST = frozenset(first for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
                           if any(tag in _NUMERIC_TAGS for tag, _ in resolvers))
# ...and the rest (bool, null, merge, '=', '!', '&', '*') are single words of at
# most 5 characters, 6 with the trailing newline a regex '$' allows.
_WORD_FIRST = frozenset(_BaseLoader.yaml_implicit_resolvers) - _NUMERIC_FIRST
_LONGEST_WORD = 6
# Tags of plain scalars that needed the regexes; the same words and dates recur
# from file to file. Bounded, so hostile input cannot grow it without end.
_RESOLVED: dict[str, str] = {}
_RESOLVED_LIMIT = 20_000


class _YamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader with a shortcut in tag resolution.

    libyaml calls back into PyYAML's Python resolver for every node, which tries
    regexes by the scalar's first character: that was half the parse time.
    Text that cannot match any of them is resolved here without a regex; every
    other scalar goes to the regexes as before (or to their remembered answer),
    so dates, numbers and yes/no resolve exactly as in SafeLoader. Like the
    descend/ascend no-ops below, this relies on SafeLoader having no path
    resolvers (PyYAML registers none on it).
    """

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0]:  # quoted, or tagged '!': always text
                return _STR_TAG
            first = value[:1]
            if first in _NUMERIC_FIRST or (first in _WORD_FIRST and len(value) <= _LONGEST_WORD):
                tag = _RESOLVED.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(_RESOLVED) < _RESOLVED_LIMIT:
                        _RESOLVED[value] = tag
                return tag
            return _STR_TAG
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


# Bounds that keep hostile input (alias bombs, huge lists) from exhausting memory.
MAX_NODES = 100_000
MAX_DEPTH = 50

# Files that document a folder rather than define an entry.
IGNORED_NAMES = {"readme.md", "index.md"}


@dataclass(slots=True)
class SourceFile:
    kind: Kind
    id: str
    path: Path  # absolute
    rel: str  # posix path relative to the portal root, as reported


@dataclass(slots=True)
class Document:
    """One parsed file: front matter values with their lines, and the body."""

    source: SourceFile
    data: dict[str, Any]
    lines: LineMap
    body: str
    body_line: int  # 1-based line of the body's first line in the file


def discover(root: Path) -> list[SourceFile]:
    """Every Markdown file under insights/, personas/ and journeys/, in a stable order."""
    found: list[SourceFile] = []
    for kind in Kind:
        folder = root / kind.folder
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.md")):
            if path.name.lower() in IGNORED_NAMES or not path.is_file():
                continue
            found.append(SourceFile(kind, path.stem, path, path.relative_to(root).as_posix()))
    return found


def parse(source: SourceFile, raw: bytes) -> tuple[Document | None, list[Problem]]:
    rel = source.rel
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [make_problem("not-utf8", rel, line, bad_line=line)]
    if "\r" in text:  # Windows (and old Mac) line endings are valid input
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [make_problem("empty-file", rel, 1, kind=source.kind.value, id=source.id)]

    split = split_front_matter(text)
    if isinstance(split, str):
        return None, [make_problem("no-front-matter", rel, 1, detail=split)]
    yaml_text, body, body_line = split

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


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """(yaml, body, body_line), or a sentence saying why there is no front matter."""
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if first.rstrip() != "---":
        return "file has no front matter (the first line must be '---')"
    position = first_end + 1
    line_number = 2
    while 0 < position <= len(text):
        end = text.find("\n", position)
        line = text[position:] if end < 0 else text[position:end]
        if line.rstrip() in ("---", "..."):
            body = "" if end < 0 else text[end + 1:]
            return text[first_end + 1:position], body, line_number + 1
        if end < 0:
            break
        position = end + 1
        line_number += 1
    return "front matter opened on line 1 is never closed with a '---' line"


def parse_yaml(
    yaml_text: str, rel: str, first_line: int, problems: list[Problem], lenient_tags: bool = False
) -> tuple[Any, LineMap]:
    """Parse YAML into plain values plus a LineMap; errors are appended to `problems`.

    `first_line` is the file line of the YAML text's first line. With
    `lenient_tags`, unknown tags (mkdocs.yml's `!!python/name:`) yield their text
    instead of a problem.
    """
    lines = LineMap()
    try:
        loader = _YamlLoader(yaml_text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        # An unclosed [list], {mapping} or quote is only noticed lines later:
        # point at where it was opened, which is where the mistake is.
        detail = error.problem or str(error)
        opened = next((what for key, what in _UNCLOSED.items() if key in (error.context or "")),
                      None)
        if opened and error.context_mark:
            mark = error.context_mark
            detail = f"{detail}: {opened} that starts on this line is not closed"
        line = first_line + mark.line if mark else first_line
        if "\t" in detail or "tab" in detail:
            detail += " (tabs cannot indent YAML)"
        problems.append(make_problem("invalid-yaml", rel, line, detail=detail))
        return None, lines
    except yaml.YAMLError as error:
        problems.append(make_problem("invalid-yaml", rel, first_line, detail=str(error)))
        return None, lines
    if node is None:
        return None, lines
    walker = _NodeWalker(rel, first_line, problems, lenient_tags)
    try:
        value = walker.value(node, 0, 0)
    except _TooComplex as error:
        problems.append(make_problem("too-complex", rel, error.line, detail=error.detail))
        return None, lines
    return value, LineMap(flat=tuple(walker.flat))


_UNCLOSED = {
    "flow sequence": "the [list]",
    "flow mapping": "the {mapping}",
    "quoted scalar": "the quoted text",
}


class _TooComplex(Exception):
    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line, self.detail = line, detail


_SCALARS = yaml.constructor.SafeConstructor()
_MERGE_TAG = "tag:yaml.org,2002:merge"
_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode


class _NodeWalker:
    """Turns composed YAML nodes into Python values, recording key lines.

    Runs once per node of every file, so it avoids per-node overhead: lines go
    into a flat list (see LineMap) rather than a dict keyed by path tuples, and
    plain text (most scalars) is taken as it is, without PyYAML's constructor.
    """

    def __init__(self, rel: str, first_line: int, problems: list[Problem],
                 lenient_tags: bool) -> None:
        self.rel, self.first_line = rel, first_line
        self.problems, self.lenient_tags = problems, lenient_tags
        self.flat: list[Any] = []  # (parent, key, line) triples, as LineMap.flat
        self.visited = 0

    def line_of(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def value(self, node: yaml.Node, parent: int, depth: int) -> Any:
        """`parent` numbers the node's key or list item in `flat` (0: the top)."""
        # Aliases make the node graph a DAG: count every visit so an alias bomb
        # ("billion laughs") stops here instead of expanding.
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooComplex(self.line_of(node), f"more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise _TooComplex(self.line_of(node), f"nested deeper than {MAX_DEPTH} levels")
        cls = node.__class__
        if cls is _ScalarNode:
            return node.value if node.tag == _STR_TAG else self.scalar(node)
        if cls is _SequenceNode:
            flat, first_line, value = self.flat, self.first_line, self.value
            items = []
            for index, item in enumerate(node.value):
                number = len(flat) // 3 + 1
                flat += (parent, index, first_line + item.start_mark.line)
                if item.__class__ is _ScalarNode and item.tag == _STR_TAG \
                        and self.visited < MAX_NODES and depth < MAX_DEPTH:
                    self.visited += 1  # text within the limits: value() inlined
                    items.append(item.value)
                else:
                    items.append(value(item, number, depth + 1))
            return items
        return self.mapping(node, parent, depth)

    def mapping(self, node: yaml.MappingNode, parent: int, depth: int) -> dict[Any, Any]:
        flat, first_line, value = self.flat, self.first_line, self.value
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            tag = key_node.tag
            if tag == _STR_TAG and key_node.__class__ is _ScalarNode:
                key = key_node.value
            else:
                if tag == _MERGE_TAG:
                    self.problems.append(make_problem(
                        "invalid-yaml", self.rel, line,
                        detail="merge keys ('<<') are not supported; write the fields out"))
                    continue
                if key_node.__class__ is not _ScalarNode:
                    self.problems.append(make_problem(
                        "invalid-yaml", self.rel, line, detail="a key must be a plain word"))
                    continue
                key = self.scalar(key_node)
                if not isinstance(key, str):
                    key = str(key)  # `2026: x` or `yes: x` — keep it, report as an unknown field
            if key in first_seen:
                self.problems.append(make_problem(
                    "duplicate-key", self.rel, line, field=key, first_line=first_seen[key]))
                continue
            first_seen[key] = line
            number = len(flat) // 3 + 1
            flat += (parent, key, line)
            if value_node.__class__ is _ScalarNode and value_node.tag == _STR_TAG \
                    and self.visited < MAX_NODES and depth < MAX_DEPTH:
                self.visited += 1  # text within the limits: value() inlined
                result[key] = value_node.value
            else:
                result[key] = value(value_node, number, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        construct = _SCALARS.yaml_constructors.get(node.tag)
        if construct is None:
            if not self.lenient_tags:
                self.problems.append(make_problem(
                    "invalid-yaml", self.rel, self.line_of(node),
                    detail=f"unsupported tag '{node.tag}'"))
            return node.value
        try:
            return construct(_SCALARS, node)
        except (ValueError, OverflowError):
            # `2026-02-30` matches the timestamp pattern but is no date: keep the
            # text so validation reports it against the right field.
            return InvalidScalar(node.value)
        except yaml.YAMLError as error:
            self.problems.append(make_problem(
                "invalid-yaml", self.rel, self.line_of(node), detail=str(error).split("\n")[0]))
            return None


class InvalidScalar(str):
    """A scalar YAML recognised (as a date) but could not construct."""


def describe_type(value: Any) -> str:
    """How a value reads in a message: 'a list', 'a number (42)', ..."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, InvalidScalar):
        return f"'{value}'"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
