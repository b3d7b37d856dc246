"""Reads a Markdown body for what validation needs: links to local files
(Markdown links, reference definitions, and `href` / `src` in raw HTML), and
raw HTML that the portal will strip (generator/core/sanitize/).

Code (fenced blocks and inline code spans) is skipped: a link or tag shown as
an example is not a link or tag. Every scan here takes time linear in the
body's length — no pattern can backtrack over a line — so a hostile body of
brackets, backticks or unclosed tags is read as fast as prose.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from ..model import BodyLink
from ..sanitize import ALLOWED_TAGS, clean_body, url_scheme
from ..sanitize.tags import TAG_LIMIT  # a longer "tag" is text, as the cleaner reads it

__all__ = ["ALLOWED_TAGS", "is_local_link", "prose_lines", "relative_links", "unsafe_html"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
# An inline link `[text](destination "title")`, read piece by piece (see _inline_targets).
_DESTINATION_END = re.compile(r"[)\s>]")
_CLOSING_PARENTHESIS = re.compile(r"\)")
_BLANK = re.compile(r"\s*+")
# Raw HTML: the only URLs the cleaner keeps that a browser follows or loads are
# <a href> and <img src>. Attributes as sanitize/tags.py's TAG reads them; possessive,
# and matched one at a time, so nothing is read twice.
_HTML_URL_HINT = re.compile(r"href|src", re.IGNORECASE)
_HTML_START = re.compile(r"<!--|<(a|img)(?=[\t\n\f\r />])", re.IGNORECASE)
_HTML_ATTRIBUTE = re.compile(
    r"""[\t\n\f\r /]*+([^\t\n\f\r /<>][^\t\n\f\r /<>=]*+)"""
    r"""(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+("[^"]*+"|'[^']*+'|[^\t\n\f\r <>]*+))?+""")
_HTML_TAG_END = re.compile(r"[\t\n\f\r /]*+>")


def prose_lines(body: str) -> Iterator[tuple[int, str]]:
    """(0-based line index, text) of every body line outside code, inline code blanked."""
    if "```" not in body and "~~~" not in body:  # no fences: skip matching every line
        for index, line in enumerate(body.split("\n")):
            yield index, _without_code_spans(line) if "`" in line else line
        return
    fence: str | None = None
    for index, line in enumerate(body.split("\n")):
        marker = _FENCE.match(line)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            continue
        yield index, _without_code_spans(line) if "`" in line else line


def _without_code_spans(line: str) -> str:
    """The line with each code span blanked: a run of backticks, then text, then
    the next run of the same length (as Markdown pairs them)."""
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(line)]
    following: list[int | None] = [None] * len(runs)  # the next run of the same length
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        following[index] = last_of_length.get(length)
        last_of_length[length] = index
    pieces: list[str] = []
    copied = index = 0
    while index < len(runs):
        start = runs[index][0]
        closer = following[index]
        if closer is None or (start > 0 and line[start - 1] == "\\"):
            index += 1
            continue
        end = runs[closer][1]
        pieces += [line[copied:start], " " * (end - start)]
        copied, index = end, closer + 1
    return "".join(pieces) + line[copied:] if pieces else line


def is_local_link(target: str) -> bool:
    """A link to a file (of the portal, or trying to be): not a web or mail URL
    and not an in-page anchor. `file:` URLs count, however written; so does
    nothing that runs script (`jav&#x61;script:` is html-removed's)."""
    url = html.unescape(target) if "&" in target else target
    if url.startswith(("#", "//")):
        return False
    scheme = url_scheme(url)
    return not scheme or scheme == "file:"


def relative_links(body: str, body_line: int) -> list[BodyLink]:
    """Links to local files (not URLs or in-page anchors), with their file lines and
    their targets as written: Markdown links, reference definitions, and `href`
    and `src` in raw HTML."""
    links: list[BodyLink] = []
    markdown = "](" in body or "]:" in body
    raw_html = "<" in body and _HTML_URL_HINT.search(body) is not None
    if not markdown and not raw_html:  # no line can hold a link
        return links
    prose: list[str] = []  # for raw HTML: the body outside code, line for line
    for index, line in prose_lines(body):
        if raw_html:
            prose.extend([""] * (index - len(prose)))
            prose.append(line)
        if "](" not in line and "]:" not in line:
            continue
        targets = list(_inline_targets(line)) if "](" in line else []
        definition = _REFERENCE_DEFINITION.match(line)
        if definition:
            targets.append(definition.group(1))
        links += [BodyLink(target, body_line + index) for target in targets
                  if is_local_link(target)]
    if raw_html:
        text = "\n".join(prose)
        line, counted = body_line, 0
        for position, target in _html_targets(text):
            line += text.count("\n", counted, position)  # counted once: linear time
            counted = position
            if is_local_link(target):
                links.append(BodyLink(target, line))
    return links


class _Next:
    """Where a pattern next matches at or after a position, for positions that
    only grow: the line is searched once, not once per position."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.text, self.pattern = text, pattern
        self.asked, self.found = -1, -1

    def at_or_after(self, position: int) -> int:
        """The match's start, or len(text) if there is none."""
        if not (self.asked <= position <= self.found):
            match = self.pattern.search(self.text, position)
            self.found = match.start() if match else len(self.text)
        self.asked = position
        return self.found


def _inline_targets(line: str) -> Iterator[str]:
    """The destination of every inline link `[text](destination "title")` on a line,
    as written (without <angle brackets>)."""
    ends, parentheses = _Next(line, _DESTINATION_END), _Next(line, _CLOSING_PARENTHESIS)
    previous = 0  # just after the last '](' looked at: brackets before it are settled
    taken = 0  # the line up to here belongs to a link already read
    start = line.find("](")
    while start >= 0:
        low = max(previous, taken)
        previous = start + 1
        # a link's text: a '[' with no ']' between it and this '](' (each part of
        # the line is searched once)
        opened = line.rfind("[", low, start)
        if start >= taken and opened >= 0 and line.find("]", opened, start) < 0:
            begin = _BLANK.match(line, start + 2).end()
            if line.startswith("<", begin):
                begin += 1
            end = ends.at_or_after(begin)
            after = end + 1 if line.startswith(">", end) else end
            if end == begin:
                pass
            elif line.startswith(")", after):
                taken = after + 1
                yield line[begin:end]
            else:  # a blank, then "title", 'title' or (title), then ')'
                title = _BLANK.match(line, after).end()
                if after < title < len(line) and line[title] in "\"'(":
                    closing = parentheses.at_or_after(title + 1)
                    if closing < len(line):
                        taken = closing + 1
                        yield line[begin:end]
        start = line.find("](", start + 2)


def _html_targets(text: str) -> Iterator[tuple[int, str]]:
    """(position, value as written) of the href of every <a> and the src of every
    <img> in `text` (first one each, as a browser takes it); comments skipped."""
    position = 0
    while True:
        start = _HTML_START.search(text, position)
        if start is None:
            return
        if start.group(1) is None:  # a comment: the cleaner drops it, links and all
            end = text.find("-->", start.end())
            position = end + 3 if end >= 0 else start.end()
            continue
        wanted = "href" if start.group(1).lower() == "a" else "src"
        limit = min(len(text), start.start() + TAG_LIMIT)
        at, found = start.end(), None
        while at < limit:
            attribute = _HTML_ATTRIBUTE.match(text, at, limit)
            if attribute is None:
                break
            if found is None and attribute.group(1).lower() == wanted and attribute.group(2):
                value = attribute.group(2)
                quoted = value[0] in "\"'"
                found = (attribute.start(2), value[1:-1] if quoted else value)
            at = attribute.end()
        closing = _HTML_TAG_END.match(text, at, limit)
        if closing is None:  # no tag, only text that starts like one
            position = start.end()
            continue
        position = closing.end()
        if found is not None and found[1]:
            yield found


def unsafe_html(body: str, body_line: int) -> Iterator[tuple[int, str]]:
    """(file line, description) of everything the renderer removes from the body:
    the same call (clean_body) decides what the page gets."""
    for removal in clean_body(body)[1]:
        yield body_line + removal.line, removal.what
