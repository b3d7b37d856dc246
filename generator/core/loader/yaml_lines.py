"""Parsing YAML into plain values with the line of every key and list item.

The text is composed into YAML nodes with libyaml (PyYAML's C parser, ~10x
faster than the pure-Python one) and walked once, recording each line under
its path in a LineMap; front matter in the simple subset is read line by line
instead (simple_yaml). A parse error is placed on the line where the mistake
is, and the limits keep alias bombs and deep nesting from running away.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..model import LineMap
from ..problems import Problem, make_problem
from .limits import MAX_DEPTH, MAX_NODES
from .scalars import SCALARS, STR_TAG, BaseSafeLoader, InvalidScalar, plain_tag
from .simple_yaml import SimpleParser


class _YamlLoader(BaseSafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader with a faster resolver.

    libyaml calls back into PyYAML's Python resolver for every node: that was
    half the parse time. Like the descend/ascend no-ops below, this relies on
    SafeLoader having no path resolvers (PyYAML registers none on it).
    """

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is _ScalarNode:
            # Quoted, or tagged '!': always text.
            return plain_tag(value) if implicit[0] else STR_TAG
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def parse_yaml(
    yaml_text: str, rel: str, first_line: int, problems: list[Problem], lenient_tags: bool = False
) -> tuple[Any, LineMap]:
    """Parse YAML into plain values plus a LineMap; errors are appended to `problems`.

    `first_line` is the file line of the YAML text's first line. With
    `lenient_tags`, unknown tags (mkdocs.yml's `!!python/name:`) yield their text
    instead of a problem.
    """
    simple = SimpleParser.parse(yaml_text, first_line)
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
        for token in yaml.scan(yaml_text, Loader=BaseSafeLoader):
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
            return node.value if node.tag == STR_TAG else self.scalar(node)
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
                if item.__class__ is _ScalarNode and item.tag == STR_TAG \
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
            if tag == STR_TAG and key_node.__class__ is _ScalarNode:
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
            if value_node.__class__ is _ScalarNode and value_node.tag == STR_TAG \
                    and self.visited < MAX_NODES and depth < MAX_DEPTH:
                self.visited += 1  # text within the limits: value() inlined
                result[key] = value_node.value
            else:
                result[key] = value(value_node, number, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        construct = SCALARS.yaml_constructors.get(node.tag)
        if construct is None:
            if not self.lenient_tags:
                self.problems.append(make_problem(
                    "invalid-yaml", self.rel, self.line_of(node),
                    detail=f"unsupported tag '{node.tag}'"))
            return node.value
        try:
            return construct(SCALARS, node)
        except (ValueError, OverflowError):
            # `2026-02-30` matches the timestamp pattern but is no date: keep the
            # text so validation reports it against the right field.
            return InvalidScalar(node.value)
        except yaml.YAMLError as error:
            self.problems.append(make_problem(
                "invalid-yaml", self.rel, self.line_of(node), detail=str(error).split("\n")[0]))
            return None

