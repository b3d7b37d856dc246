"""Finding content files, splitting front matter and parsing YAML with line numbers.

python-frontmatter is not used: it returns plain values without positions, and
every problem we report needs the line of the offending key. Instead the front
matter is composed into YAML nodes with libyaml (PyYAML's C parser, ~10x faster
than the pure-Python one) and walked once, recording the line of every key and
list item under its path, e.g. ("evidence", 0, "source"). Front matter in the
simple subset most files use (see _SimpleParser) is read line by line instead,
to the same values and lines, at a fraction of the cost.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .model import Kind, LineMap
from .problems import Problem, make_problem

try:  # libyaml is bundled with PyYAML wheels; fall back to pure Python if missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader

_STR_TAG = "tag:yaml.org,2002:str"
_NUMERIC_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                 "tag:yaml.org,2002:timestamp"}
# For each first character some implicit resolver (YAML 1.1, as SafeLoader has
# them) starts with: the longest plain scalar that could resolve to something
# other than text. Numbers and dates can be any length; the other resolvers
# (bool, null, merge, '=', '!', '&', '*') match single words of at most 5
# characters, 6 with the trailing newline a regex '$' allows.
_MAY_RESOLVE = {
    first: sys.maxsize if any(tag in _NUMERIC_TAGS for tag, _ in resolvers) else 6
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
# Tags of plain scalars that needed the regexes; the same words and dates recur
# from file to file. Bounded, so hostile input cannot grow it without end.
_RESOLVED: dict[str, str] = {}
_RESOLVED_LIMIT = 20_000


class _Resolver(yaml.resolver.BaseResolver):
    yaml_implicit_resolvers = _BaseLoader.yaml_implicit_resolvers  # the same table


_REGEXES = _Resolver()


def _plain_tag(value: str) -> str:
    """The tag SafeLoader resolves a plain (unquoted, untagged) scalar to.

    PyYAML tries regexes by the scalar's first character. Text that cannot
    match any of them is resolved without one; every other scalar goes to the
    regexes (or to their remembered answer), so dates, numbers and yes/no
    resolve exactly as in SafeLoader.
    """
    longest = _MAY_RESOLVE.get(value[:1])
    if longest is None or len(value) > longest:
        return _STR_TAG
    tag = _RESOLVED.get(value)
    if tag is None:
        tag = _REGEXES.resolve(yaml.ScalarNode, value, (True, False))
        if len(_RESOLVED) < _RESOLVED_LIMIT:
            _RESOLVED[value] = tag
    return tag


class _YamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader with a faster resolver.

    libyaml calls back into PyYAML's Python resolver for every node: that was
    half the parse time. Like the descend/ascend no-ops below, this relies on
    SafeLoader having no path resolvers (PyYAML registers none on it).
    """

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is _ScalarNode:
            # Quoted, or tagged '!': always text.
            return _plain_tag(value) if implicit[0] else _STR_TAG
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


# Bounds that keep hostile input (alias bombs, huge lists, huge files) from
# exhausting time or memory. A real entry is a few kilobytes.
MAX_NODES = 100_000
MAX_DEPTH = 50
MAX_FILE_BYTES = 1024 * 1024  # larger files are reported, and read no further
MAX_FRONT_MATTER_CHARS = 256 * 1024  # libyaml composes all of it before we can count

# Files that document a folder rather than define an entry.
IGNORED_NAMES = {"readme.md", "index.md"}


@dataclass(slots=True)
class SourceFile:
    kind: Kind
    id: str
    file: str  # absolute path (a string: 10,000 Path objects cost a re-check 40 ms)
    rel: str  # posix path relative to the portal root, as reported

    @property
    def path(self) -> Path:
        return Path(self.file)


@dataclass(slots=True)
class Document:
    """One parsed file: front matter values with their lines, and the body."""

    source: SourceFile
    data: dict[str, Any]
    lines: LineMap
    body: str
    body_line: int  # 1-based line of the body's first line in the file


def discover(root: Path, problems: list[Problem] | None = None) -> list[SourceFile]:
    """Every Markdown file under insights/, personas/ and journeys/, in a stable order.

    Nothing outside those folders is ever read: a symbolic link whose target lies
    outside them is not followed (`outside-link`), and a symbolically linked folder
    is never entered (its files are found where they really are, or reported).
    Things named *.md that are no regular file — a folder, a broken link, a pipe —
    are reported as `not-a-file`. Problems go to `problems` when it is given.
    """
    found: list[SourceFile] = []
    reported: list[Problem] = [] if problems is None else problems
    real_root = os.path.realpath(root)
    folders: list[tuple[Kind, Path, str]] = []
    for kind in Kind:
        folder = root / kind.folder
        if not folder.is_dir():
            continue
        real = os.path.realpath(folder)
        if not _inside(real, (real_root,)):
            reported.append(make_problem("outside-link", kind.folder, 1, link=kind.folder,
                                         target=_link_text(folder), outside=_CONTENT))
            continue
        folders.append((kind, folder, real))
    allowed = tuple(real for _, _, real in folders)
    for kind, folder, _ in folders:
        files: list[tuple[list[str], os.DirEntry[str]]] = []
        _walk(folder, root, allowed, files, reported, [kind.folder])
        # Sorted by path segments, as Path objects sort, but on plain strings.
        for parts, item in sorted(files, key=lambda found: found[0]):
            if item.name.lower() in IGNORED_NAMES:
                continue
            rel = "/".join(parts)
            path = item.path
            if item.is_symlink():
                if not _inside(os.path.realpath(path), allowed):
                    reported.append(make_problem("outside-link", rel, 1, link=rel,
                                                 target=_link_text(path), outside=_CONTENT))
                    continue
                try:
                    mode = os.stat(path).st_mode
                except OSError:
                    reported.append(make_problem(
                        "not-a-file", rel, 1,
                        what=f"a symbolic link to '{_link_text(path)}', which does not exist"))
                    continue
                if stat.S_ISDIR(mode):
                    continue  # a link to a folder in the portal: its files are found there
                regular = stat.S_ISREG(mode)
            else:
                regular = item.is_file(follow_symlinks=False)
            if not regular:
                reported.append(make_problem("not-a-file", rel, 1,
                                             what="a special file (a pipe, socket or device)"))
                continue
            found.append(SourceFile(kind, item.name[:-3], path, rel))  # the name less ".md"
    return found


def _walk(folder: Path, root: Path, allowed: tuple[str, ...],
          files: list[tuple[list[str], os.DirEntry[str]]], reported: list[Problem],
          parts: list[str]) -> None:
    """Collect the *.md entries under `folder` (at `parts` from the root), entering
    no linked folder."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # an unreadable folder holds nothing we can check
    for item in entries:
        if item.name.endswith(".md") and item.is_file(follow_symlinks=False):
            files.append(([*parts, item.name], item))  # the common case, first
            continue
        path = folder / item.name
        if item.is_dir(follow_symlinks=False):
            if item.name.endswith(".md"):
                reported.append(make_problem("not-a-file", _rel(path, root), 1,
                                             what="a folder"))
            _walk(path, root, allowed, files, reported, [*parts, item.name])
        elif item.is_symlink() and os.path.isdir(path):
            if not _inside(os.path.realpath(path), allowed):
                reported.append(make_problem("outside-link", _rel(path, root), 1,
                                             link=_rel(path, root), target=_link_text(path),
                                             outside=_CONTENT))
        elif item.name.endswith(".md"):
            files.append(([*parts, item.name], item))
        elif item.is_symlink() and not _inside(os.path.realpath(path), allowed):
            # Not an entry, but a Markdown extension (pymdownx.snippets) may read
            # any file of the content folders into a page.
            reported.append(make_problem("outside-link", _rel(path, root), 1,
                                         link=_rel(path, root), target=_link_text(path),
                                         outside=_CONTENT))


_CONTENT = "insights/, personas/ and journeys/"


def in_repository(real: str, real_root: str) -> bool:
    """Whether a resolved path lies in the repository's files: under the root, and
    not in .git (its config may hold credentials, and none of it is content)."""
    return _inside(real, (real_root,)) and not _inside(real, (os.path.join(real_root, ".git"),))


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _inside(real: str, folders: tuple[str, ...]) -> bool:
    return any(real == folder or real.startswith(folder + os.sep) for folder in folders)


def _link_text(path: Path | str) -> str:
    """Where a symbolic link points, as written in the link."""
    try:
        return os.readlink(path)
    except OSError:
        return os.path.realpath(path)


@dataclass(slots=True)
class DocsFile:
    """A hand-written Markdown page in docs/ (mkdocs.yml's docs_dir)."""

    file: str  # absolute path
    rel: str  # posix path relative to the portal root, as reported
    site: str  # posix path in the site's source tree (MkDocs' src_uri)


def discover_docs(root: Path, docs: Path, problems: list[Problem]) -> list[DocsFile]:
    """The Markdown pages MkDocs will read from `docs`, under the content folders'
    rules: a symbolic link anywhere in it — to a file of any kind, or a folder —
    that leads out of the repository (see `in_repository`) is reported
    (`outside-link`) and never read (the plugin leaves it out of the site); a
    linked folder inside the repository is entered, as MkDocs enters it; a
    `*.md` that is no regular file is `not-a-file`. Files MkDocs leaves out by
    default (names starting with '.', the top templates/ folder) are no pages.
    `docs` must lie in `root`."""
    real_root = os.path.realpath(root)
    docs_rel = _rel(docs, root)
    if not docs.is_dir():
        return []
    real_docs = os.path.realpath(docs)
    if not in_repository(real_docs, real_root):
        problems.append(make_problem("outside-link", docs_rel, 1, link=docs_rel,
                                     target=_link_text(docs), outside="the repository"))
        return []
    pages: list[DocsFile] = []
    entered = {real_docs}  # a linked folder is entered once: links may form a loop
    folders: list[tuple[str, list[str]]] = [(str(docs), [])]
    while folders:
        folder, parts = folders.pop()
        try:
            items = list(os.scandir(folder))
        except OSError:
            continue  # an unreadable folder holds nothing MkDocs can publish
        for item in items:
            site_parts = [*parts, item.name]
            rel = "/".join([docs_rel, *site_parts])
            if item.is_symlink():
                real = os.path.realpath(item.path)
                if not in_repository(real, real_root):
                    problems.append(make_problem("outside-link", rel, 1, link=rel,
                                                 target=_link_text(item.path),
                                                 outside="the repository"))
                    continue
                if os.path.isdir(real):
                    if real not in entered:
                        entered.add(real)
                        folders.append((item.path, site_parts))
                    continue
            elif item.is_dir(follow_symlinks=False):
                folders.append((item.path, site_parts))
                continue
            site = "/".join(site_parts)
            if not item.name.endswith(".md") or site.startswith("templates/") \
                    or any(part.startswith(".") for part in site_parts):
                continue
            if not item.is_file():  # follows a link: a broken one is no file
                what = "a broken symbolic link" if item.is_symlink() \
                    else "a special file (a pipe, socket or device)"
                problems.append(make_problem("not-a-file", rel, 1, what=what))
                continue
            pages.append(DocsFile(item.path, rel, site))
    pages.sort(key=lambda page: page.rel.split("/"))
    return pages


def read_source(path: Path | str) -> bytes:
    """A content file's bytes: at most MAX_FILE_BYTES + 1 of them (parse reports the
    file as too large), and never from a pipe or device (opening one does not
    wait). Symbolic links were checked by `discover`. Raises OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(0, "it is not a regular file")
        return handle.read(MAX_FILE_BYTES + 1)


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


# --- the simple subset, without libyaml ------------------------------------------
#
# Front matter is nearly always `key: value` lines, nested mappings, lists of
# mappings, `- item` lists and one-line [flow, lists] of words. For that subset
# a line-by-line reader is several times faster than composing YAML nodes with
# libyaml. It gives exactly what libyaml and _NodeWalker give (the same resolver
# and constructors turn plain scalars into dates, numbers, yes/no; the same
# lines) and gives up on anything else: comments, quotes with escapes,
# multi-line or block scalars, anchors, tags, flow mappings, tabs, duplicate
# keys, odd characters or indentation, anything invalid. libyaml then parses
# the file as before, so every problem is worded and placed as before.

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
# Only immutable values (dates, numbers, yes/no, null); bounded like _RESOLVED.
_CONSTRUCTED: dict[str, Any] = {}


class _SimpleParser:
    def __init__(self, yaml_text: str, first_line: int) -> None:
        # (indent, text without surrounding spaces, file line) of each non-blank line
        self.rows: list[tuple[int, str, int]] = []
        for number, line in enumerate(yaml_text.split("\n"), first_line):
            text = line.lstrip(" ")
            if text:
                self.rows.append((len(line) - len(text), text.rstrip(" "), number))
        self.position = 0
        self.flat: list[Any] = []  # as _NodeWalker.flat

    @classmethod
    def parse(cls, yaml_text: str, first_line: int) -> tuple[dict[str, Any], list[Any]] | None:
        """(value, flat), or None when the text is beyond the subset."""
        # Every node takes a character of its own, so there are fewer than
        # MAX_NODES of them: _NodeWalker would not stop on this text either.
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
            if key in result or (_MAY_RESOLVE.get(key[0], 0) >= len(key)
                                 and _plain_tag(key) != _STR_TAG):  # a duplicate, `yes:`
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
                longest = _MAY_RESOLVE.get(first)
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
    """A plain scalar's value, as _NodeWalker.scalar makes it."""
    tag = _plain_tag(text)
    if tag == _STR_TAG:
        return text
    if text in _CONSTRUCTED:
        return _CONSTRUCTED[text]
    construct = _SIMPLE_CONSTRUCTORS.get(tag)
    if construct is None:  # `<<`, `=`: let _NodeWalker report them
        raise _NotSimple
    try:
        value = construct(_SCALARS, yaml.ScalarNode(tag, text))
    except (ValueError, OverflowError):
        return InvalidScalar(text)
    except Exception as error:  # whatever it is, libyaml's path raises or reports it
        raise _NotSimple from error
    if len(_CONSTRUCTED) < _RESOLVED_LIMIT:
        _CONSTRUCTED[text] = value
    return value


def parse_yaml(
    yaml_text: str, rel: str, first_line: int, problems: list[Problem], lenient_tags: bool = False
) -> tuple[Any, LineMap]:
    """Parse YAML into plain values plus a LineMap; errors are appended to `problems`.

    `first_line` is the file line of the YAML text's first line. With
    `lenient_tags`, unknown tags (mkdocs.yml's `!!python/name:`) yield their text
    instead of a problem.
    """
    simple = _SimpleParser.parse(yaml_text, first_line)
    if simple is not None:
        return simple[0], LineMap(flat=tuple(simple[1]))
    lines = LineMap()
    # YAML 1.1 (libyaml) also breaks lines at NEL, LS and PS, which pasted text
    # carries: that would shift every line number after them, and break the
    # scalar they are in. Parse them as stand-ins and put them back afterwards.
    disguised = any(char in yaml_text for char in _ODD_BREAKS)
    if disguised:
        yaml_text = yaml_text.translate(_DISGUISE)
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
        detail = (error.problem or str(error)).strip()
        opened = next((what for key, what in _UNCLOSED.items() if key in (error.context or "")),
                      None)
        runaway = _runaway_quote(yaml_text, error.problem_mark)
        if runaway is not None:
            mark = runaway.start_mark
            detail = (f"the quoted text that starts on this line runs on to line "
                      f"{first_line + runaway.end_mark.line}: is its closing quote missing?")
        elif opened and error.context_mark:
            mark = error.context_mark
            detail = f"{detail}: {opened} that starts on this line is not closed"
        line = first_line + mark.line if mark else first_line
        if "\t" in detail or "tab" in detail:
            detail += " (tabs cannot indent YAML)"
        problems.append(make_problem("invalid-yaml", rel, line, detail=detail))
        return None, lines
    except yaml.YAMLError as error:
        problems.append(make_problem("invalid-yaml", rel, first_line,
                                     detail=str(error).strip().split("\n")[0]))
        return None, lines
    if node is None:
        return None, lines
    walker = _NodeWalker(rel, first_line, problems, lenient_tags)
    try:
        value = walker.value(node, 0, 0)
    except _TooComplex as error:
        problems.append(make_problem("too-complex", rel, error.line, detail=error.detail))
        return None, lines
    if disguised:
        value = _undisguise(value)
    return value, LineMap(flat=tuple(walker.flat))


_ODD_BREAKS = "\x85\u2028\u2029"
_STAND_INS = "\ufdd0\ufdd1\ufdd2"  # Unicode noncharacters: never in real text
_DISGUISE = str.maketrans(_ODD_BREAKS, _STAND_INS)
_UNDISGUISE = str.maketrans(_STAND_INS, _ODD_BREAKS)


def _undisguise(value: Any) -> Any:
    if isinstance(value, str):
        restored = value.translate(_UNDISGUISE)
        return InvalidScalar(restored) if isinstance(value, InvalidScalar) else restored
    if isinstance(value, list):
        return [_undisguise(item) for item in value]
    if isinstance(value, dict):
        return {_undisguise(key): _undisguise(item) for key, item in value.items()}
    return value


_UNCLOSED = {
    "flow sequence": "the [list]",
    "flow mapping": "the {mapping}",
    "quoted scalar": "the quoted text",
}


def _runaway_quote(yaml_text: str, problem: Any) -> Any:
    """The quoted scalar that ran over lines and ends where the parser failed, if any.

    `title: "abc` without its closing quote swallows the next lines up to the
    next quote, and the error surfaces there: the quote's opening line is where
    the mistake is. Scanned again only when parsing failed (linear time)."""
    if problem is None:
        return None
    found = None
    try:
        for token in yaml.scan(yaml_text, Loader=_BaseLoader):
            if token.start_mark.index >= problem.index:
                break
            if isinstance(token, yaml.ScalarToken) and not token.plain:
                found = token
    except yaml.YAMLError:
        pass
    if found is None or found.start_mark.line == found.end_mark.line \
            or found.end_mark.line != problem.line:
        return None
    return found


class _TooComplex(Exception):
    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line, self.detail = line, detail


_SCALARS = SafeConstructor()
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})
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
        if node.tag not in _COLLECTION_TAGS and not self.lenient_tags:
            # `!!python/object`, `!!set`, `!!omap`...: read as a plain list or mapping
            self.problems.append(make_problem(
                "invalid-yaml", self.rel, self.line_of(node),
                detail=f"unsupported tag '{node.tag}'"))
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
                self.scalar(key_node)  # reports an unsupported tag
                # `2026: x`, `yes: x`, `null: x`: keep the key as written, so it is
                # reported as an unknown field by the name the file gives it
                key = key_node.value
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
