"""Cleaning a body: every `<`, link and attribute list outside code, handed to the
reader for it (tags, links), pass after pass until nothing changes, with each
removal placed at its line.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .links import attribute_list_at, link_at, link_may_matter, may_be_attribute_list
from .regions import Ends, find_regions, in_ranges
from .tags import html_at

_TRIGGER = re.compile(r"<|\]\(|\{(?=:?[ ]*[^}\n ])")
_REFERENCE_TRIGGER = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)  # slow: when needed
_REFERENCE = re.compile(r" {0,3}\[[^\]\n]+\]:[ \t]*\n?[ \t]*")


@dataclass(frozen=True, slots=True)
class Removal:
    line: int  # 0-based line of the body where the removed thing starts
    what: str


def is_plain(body: str) -> bool:
    """True for the bodies most are: no raw HTML, no attribute list, no entity and
    no link with a scheme (relative links to personas and journeys are fine).
    Nothing in such a body needs cleaning, and its Markdown cannot become HTML
    that runs code."""
    return "<" not in body and "{" not in body and "&" not in body \
        and not _has_link_with_scheme(body)


def _has_link_with_scheme(body: str) -> bool:
    """`](x:…)` (a ':' before the link's ')'), or a `[label]: url` line — in one
    pass: the next ':' and ')' are looked up again only once passed, so a body of
    '](' repeated costs linear time (a pattern tried from each '](' was quadratic)."""
    if "]:" in body:
        return True
    colon = close = -1
    start = body.find("](")
    while start >= 0:
        if colon < start:
            colon = body.find(":", start)
            if colon < 0:
                return False  # no ':' after here at all
        if close < start:
            close = body.find(")", start)
        if close < 0 or colon < close:
            return True
        start = body.find("](", start + 2)
    return False


def shown_body(body: str) -> str:
    """The body as its page and the exports show it."""
    return clean_body(body)[0]


def clean_body(body: str) -> tuple[str, list[Removal]]:
    """The body with its raw HTML cleaned, and what was removed (see the module).
    A build asks for each body three times (its check, its page, the exports), and
    cleaning a long body with raw HTML takes a second or two: the last few
    answers are kept."""
    if is_plain(body):
        return body, []
    text, removals = _clean_body(body)
    return text, list(removals)


@lru_cache(maxsize=256)
def _clean_body(body: str) -> tuple[str, tuple[Removal, ...]]:
    """clean_body, uncached.

    Removing something can join what was around it into something new ('`' and
    '`' into '``', which pairs code spans differently): the cleaning is repeated
    on its own result until nothing changes, so what it returns reads the same
    to the next look, and every removal is reported at its line in `body`."""
    removals: list[tuple[int, str]] = []  # (position in `body`, what)
    maps: list[_Map] = []
    text = body
    for _ in range(_MAX_PASSES):
        cleaned, removed, mapping = _clean_once(text)
        if cleaned == text:
            break
        for position, what in removed:
            for earlier in reversed(maps):
                position = earlier.back(position)
            removals.append((position, what))
        maps.append(mapping)
        text = cleaned
    else:  # pragma: no cover - each pass removes or escapes something; never seen
        text = text.replace("<", "&lt;")
    removals.sort(key=lambda item: item[0])
    newlines = [index for index, char in enumerate(body) if char == "\n"] \
        if removals else []
    return text, tuple(Removal(bisect.bisect_left(newlines, position), what)
                       for position, what in removals)


_MAX_PASSES = 10


@dataclass(slots=True)
class _Map:
    """Positions in one pass's output back to its input."""

    out_starts: list[int]
    pieces: list[tuple[int, bool]]  # (input start, copied as it was)

    def back(self, position: int) -> int:
        index = bisect.bisect_right(self.out_starts, position) - 1
        if index < 0:
            return position
        start, copied = self.pieces[index]
        return start + (position - self.out_starts[index]) if copied else start


def _clean_once(body: str) -> tuple[str, list[tuple[int, str]], _Map]:
    ends = Ends(body)
    code: list[tuple[int, int]] | None = None  # found when first needed
    raw: list[tuple[int, int]] = []
    code_starts: list[int] = []
    out: list[str] = []
    mapping = _Map([], [])
    length = 0  # of the output so far
    removals: list[tuple[int, str]] = []
    position = 0  # body[:position] is decided
    listed = 0  # attribute lists are read up to here
    triggers: Iterable[re.Match[str]] = _TRIGGER.finditer(body)
    if "]:" in body:
        triggers = heapq.merge(triggers, _REFERENCE_TRIGGER.finditer(body),
                               key=lambda match: match.start())
    for trigger in triggers:
        start = trigger.start()
        if start < position:
            continue
        token = trigger.group()
        if token == "<":
            pass
        elif token[0] == "{":
            if start < listed or not may_be_attribute_list(body, start, ends):
                continue
        else:
            # an inline link's (url), or a reference definition's [label]: url
            url_start = start + 2 if token == "](" else _REFERENCE.match(body, start).end()
            if not link_may_matter(body, url_start):
                continue  # the usual link: nothing to clean, no need to know where code is
        if code is None:
            code, raw = find_regions(body)
            code_starts = [begin for begin, _ in code]
        if in_ranges(code, start):
            continue
        # Code spans come first in Markdown: nothing read here may reach into one.
        following = bisect.bisect_right(code_starts, start)
        limit = code_starts[following] if following < len(code_starts) else len(body)
        if token == "<":
            replacement, end, removed = html_at(body, start, limit, in_ranges(raw, start), ends)
        elif token[0] == "{":
            replacement, end, removed, listed = attribute_list_at(body, start, limit, ends)
        else:
            replacement, end, removed = link_at(body, start, url_start, limit)
        if end == start:  # nothing to do here
            continue
        for piece, piece_start, copied in ((body[position:start], position, True),
                                           (replacement, start, False)):
            mapping.out_starts.append(length)
            mapping.pieces.append((piece_start, copied))
            out.append(piece)
            length += len(piece)
        removals.extend((start, what) for what in removed)
        position = end
    if not out:
        return body, [], mapping
    mapping.out_starts.append(length)
    mapping.pieces.append((position, True))
    out.append(body[position:])
    return "".join(out), removals, mapping
