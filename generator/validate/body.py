"""Reads a Markdown body for what validation needs: relative links between
entries, and raw HTML that the portal will strip (generator/sanitize.py).

Code (fenced blocks and inline code spans) is skipped: a link or tag shown as
an example is not a link or tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import BodyLink
from ..sanitize import ALLOWED_TAGS, clean_body

__all__ = ["ALLOWED_TAGS", "prose_lines", "relative_links", "unsafe_html"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


def prose_lines(body: str) -> Iterator[tuple[int, str]]:
    """(0-based line index, text) of every body line outside code, inline code blanked."""
    if "```" not in body and "~~~" not in body:  # no fences: skip matching every line
        for index, line in enumerate(body.split("\n")):
            if "`" in line:
                line = _INLINE_CODE.sub(lambda m: " " * len(m.group()), line)
            yield index, line
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
        if "`" in line:
            line = _INLINE_CODE.sub(lambda m: " " * len(m.group()), line)
        yield index, line


def relative_links(body: str, body_line: int) -> list[BodyLink]:
    """Links to local files (not URLs or in-page anchors), with their file lines."""
    links: list[BodyLink] = []
    if "](" not in body and "]:" not in body:  # no line can hold a link
        return links
    for index, line in prose_lines(body):
        if "](" not in line and "]:" not in line:
            continue
        targets = [m.group(1) for m in _INLINE_LINK.finditer(line)]
        definition = _REFERENCE_DEFINITION.match(line)
        if definition:
            targets.append(definition.group(1))
        for target in targets:
            if not _EXTERNAL.match(target):
                links.append(BodyLink(target, body_line + index))
    return links


def unsafe_html(body: str, body_line: int) -> Iterator[tuple[int, str]]:
    """(file line, description) of everything the renderer removes from the body:
    the same call (clean_body) decides what the page gets."""
    for removal in clean_body(body)[1]:
        yield body_line + removal.line, removal.what
