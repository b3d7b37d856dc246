"""Where Markdown does not apply in a body, and finding what the readers look for.

Code (fenced blocks as Python-Markdown finds them, and code spans) is left
alone; in a raw HTML block Markdown does not apply and backticks are just
characters. Both are found here, and in doubt text counts as neither, so it is
cleaned. `Ends` remembers where a pattern next matches, so that many openings
sharing one missing end cost one search.
"""

from __future__ import annotations

import bisect
import re

from markdown.extensions.fenced_code import FencedBlockPreprocessor

SPACE = "\t\n\f\r "  # what HTML calls whitespace (no-break space is not)
_FENCED = FencedBlockPreprocessor.FENCED_BLOCK_RE
_NEW_INLINE_CONTEXT = re.compile(r" {0,3}(?:#|>|[-*+][ \t]|\d{1,9}[.)][ \t]|[!?]{3})|[ \t]|.*\|")
_BLOCK_LEVEL = frozenset({
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
    "canvas", "colgroup", "dd", "body", "dt", "group", "html", "iframe", "li", "legend",
    "math", "map", "noscript", "output", "object", "option", "progress", "script", "style",
    "summary", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "video", "center",
})
_RAW_START = re.compile(r" {0,3}<(?:(!--)|[!?]|/?([A-Za-z][A-Za-z0-9-]*))")


class Ends:
    """The first match of a pattern at or after a position, remembered: when many
    openings share one missing end, the body is searched once, not once each."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.last: dict[re.Pattern[str], tuple[int, re.Match[str] | None]] = {}

    def after(self, pattern: re.Pattern[str], start: int, limit: int) -> re.Match[str] | None:
        searched = self.last.get(pattern)
        if searched and searched[0] <= start and (searched[1] is None
                                                  or searched[1].start() >= start):
            found = searched[1]
        else:
            found = pattern.search(self.body, start)
            self.last[pattern] = (start, found)
        return found if found is not None and found.end() <= limit else None


def find_regions(body: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(code, raw): character ranges of code (fenced blocks, code spans) and of raw
    HTML blocks. Raw blocks are over-estimated: to a blank line after the first
    tag's end tag (or the end of the body), so a tag in them is always cleaned."""
    fences = [(match.start(), match.end()) for match in _FENCED.finditer(body)]
    raw: list[tuple[int, int]] = []
    lines = body.split("\n")
    offsets = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line) + 1
    index = 0
    while index < len(lines):
        if in_ranges(fences, offsets[index]):
            index += 1
            continue
        opening = _RAW_START.match(lines[index])
        if not opening or not (opening.group(1) or opening.group(2) is None
                               or opening.group(2).lower() in _BLOCK_LEVEL):
            index += 1
            continue
        end = _raw_block_end(lines, index, opening)
        raw.append((offsets[index], offsets[end] + len(lines[end]) + 1))
        index = end + 1
    spans = _code_spans(body, lines, offsets, fences, raw)
    return sorted(fences + spans), raw


def _raw_block_end(lines: list[str], first: int, opening: re.Match[str]) -> int:
    """Index of the last line of the raw HTML block opened on line `first`: the
    first tag's end tag (nesting counted), then on to a blank line."""
    index, count = first, len(lines)
    if opening.group(1):  # <!-- … -->
        while index < count and "-->" not in lines[index][4 if index == first else 0:]:
            index += 1
    elif opening.group(2) is None or opening.group(2).startswith("/"):
        while index < count and ">" not in lines[index]:
            index += 1
    else:
        name = re.escape(opening.group(2).lower())
        opens = re.compile(rf"<{name}(?=[{SPACE}/>]|$)", re.IGNORECASE)
        closes = re.compile(rf"</{name}(?=[{SPACE}/>]|$)", re.IGNORECASE)
        depth = 0
        while index < count:
            depth += len(opens.findall(lines[index])) - len(closes.findall(lines[index]))
            if depth <= 0:
                break
            index += 1
    while index < count and lines[index].strip():
        index += 1
    return min(index, count - 1)


def _code_spans(body: str, lines: list[str], offsets: list[int],
                fences: list[tuple[int, int]], raw: list[tuple[int, int]]
                ) -> list[tuple[int, int]]:
    """Code spans outside fences and raw blocks, backtick runs paired as
    Python-Markdown pairs them. Which lines Markdown reads together depends on
    every block extension in use, so a span counts only if it is the same read
    line by line and paragraph by paragraph: in doubt, text is cleaned."""
    if "`" not in body:
        return []
    by_line: set[tuple[int, int]] = set()
    by_paragraph: set[tuple[int, int]] = set()
    paragraph: list[int] = []  # line indexes

    def pair(first: int, last: int, spans: set[tuple[int, int]]) -> None:
        text_start, text_end = offsets[first], offsets[last] + len(lines[last])
        runs = [(m.start(), m.end(), len(m.group()))
                for m in _BACKTICKS.finditer(body, text_start, text_end)]
        index = 0
        while index < len(runs):  # as Python-Markdown's BacktickInlineProcessor pairs them
            start, _, length = runs[index]
            if start > text_start and body[start - 1] == "\\":
                index += 1
                continue
            closer, longest, longest_at = None, 0, None
            for other in range(index + 1, len(runs)):
                if runs[other][2] == length:
                    closer = other
                    break
                if runs[other][2] > longest:
                    longest, longest_at = runs[other][2], other
            if closer is None and 0 < longest < length:
                closer = longest_at  # the longest shorter run closes it
            if closer is None:
                index += 1
                continue
            spans.add((start, runs[closer][1]))
            index = closer + 1

    def end_paragraph() -> None:
        if paragraph:
            pair(paragraph[0], paragraph[-1], by_paragraph)
            paragraph.clear()

    for index, line in enumerate(lines):
        offset = offsets[index]
        if not line.strip() or in_ranges(fences, offset) or in_ranges(raw, offset):
            end_paragraph()
            continue
        if "`" in line:
            pair(index, index, by_line)
        if _NEW_INLINE_CONTEXT.match(line):
            end_paragraph()
        paragraph.append(index)
    end_paragraph()
    return sorted(by_line & by_paragraph)


_BACKTICKS = re.compile(r"`+")


def in_ranges(ranges: list[tuple[int, int]], position: int) -> bool:
    """Whether `position` lies in one of `ranges` (sorted, not overlapping)."""
    index = bisect.bisect_right(ranges, (position, _AFTER_EVERYTHING)) - 1
    return index >= 0 and ranges[index][0] <= position < ranges[index][1]


_AFTER_EVERYTHING = 1 << 62
