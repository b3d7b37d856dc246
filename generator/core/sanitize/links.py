"""Markdown links and attribute lists that could run code or restyle the page.

A link or image whose URL could run code keeps its text but loses the URL (it
points to `#`); an attribute list (`{: … }`: attr_list sets any attribute)
loses event handlers, `style`, such URLs and ids the theme would print
unescaped.
"""

from __future__ import annotations

import re

from .regions import Ends
from .tags import TAG_LIMIT, is_inert
from .urls import SCRIPT_SCHEMES, url_scheme

# attr_list: `{: #id .class key=value }` after a block, heading or inline element
_ATTR_LIST_OPENING = re.compile(r"\{\:?[ ]*(?=[^\}\n ])")
_CLOSING_BRACE = re.compile(r"\}")
_NEWLINE = re.compile(r"\n")
_ATTR_LIST_ITEM = re.compile(r"""([^ =}]+)=".*?"|([^ =}]+)='.*?'|([^ =}]+)=[^ =}]+|[^ =}]+| """)
_WITHOUT_TAGS = re.compile(r"<[^>]*>?")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_:.\-]+")
_URL_LIMIT = 1024  # characters of a link destination read for its scheme


def may_be_attribute_list(body: str, start: int, ends: Ends) -> bool:
    closing = ends.after(_CLOSING_BRACE, start, len(body))
    newline = ends.after(_NEWLINE, start, len(body))
    return closing is not None and (newline is None or closing.start() < newline.start())


def link_may_matter(body: str, url_start: int) -> bool:
    """Whether a link destination is <in angle brackets> or has a script scheme."""
    window = body[url_start:url_start + _URL_LIMIT].lstrip(" \t\n")
    if window.startswith("<"):
        return True
    if "<" in window:
        window = _WITHOUT_TAGS.sub("", window)
    return url_scheme(window).startswith(SCRIPT_SCHEMES)


def link_at(body: str, start: int, url_start: int, limit: int
            ) -> tuple[str, int, list[str]]:
    """A Markdown link destination at `url_start` whose scheme could run code loses it."""
    position = url_start
    while position < limit and body[position] in " \t\n":
        position += 1
    angle = body.startswith("<", position, limit)
    url_begins = position + 1 if angle else position
    # Read as it will be once tags in it are removed ('java<b>script:')
    scheme = url_scheme(_WITHOUT_TAGS.sub("", body[url_begins:min(limit, url_begins + _URL_LIMIT)]))
    if not scheme.startswith(SCRIPT_SCHEMES):
        if not angle:
            return "", start, []
        # <a destination>: keep it whole, unless it could also be read as an element
        # that does something (Markdown reads it as HTML when the link does not parse)
        end = _url_end(body, url_begins, angle, limit)
        if not body.startswith(">", end, limit) or not is_inert(body[position:end + 1]):
            return "", start, []
        return body[start:end + 1], end + 1, []
    end = _url_end(body, url_begins, angle, limit)
    if angle and body.startswith(">", end, limit):
        end += 1
    return body[start:url_start] + "#", end, [f"the {scheme} URL of a Markdown link"]


def attribute_list_at(body: str, start: int, limit: int, ends: Ends
                      ) -> tuple[str, int, list[str], int]:
    """An attribute list loses what could run code or restyle the page: event
    handlers, `style`, and values with a script URL (attr_list sets any attribute).
    Returns (replacement, end, removed, scanned): Markdown takes the leftmost
    list on a line, so a '{' before `scanned` needs no look of its own."""
    closing = ends.after(_CLOSING_BRACE, start, limit)
    newline = ends.after(_NEWLINE, start, limit)
    if closing is None or (newline is not None and newline.start() < closing.start()):
        return "", start, [], start  # no '}' on this line: no attribute list
    opening = _ATTR_LIST_OPENING.match(body, start, limit)
    if opening is None:
        return "", start, [], start
    stop = min(limit, newline.start() if newline else limit, start + TAG_LIMIT)
    text = body[opening.end():stop]
    if "<" in text:  # read it as it will be once tags in it are removed ('on<b>click')
        removed, scanned = _risky_items(_WITHOUT_TAGS.sub("", text), 0)
        if not removed:
            return "", start, [], start  # its tags are still cleaned, one by one
        return "", closing.end(), removed, closing.end()  # the whole list goes
    removed, scanned = _risky_items(body, opening.end(), stop)
    if not removed:
        return "", start, [], scanned
    kept = _attribute_items_kept(body, opening.end(), scanned)
    return body[start:opening.end()] + kept, scanned, removed, scanned


def _risky_items(text: str, position: int, stop: int | None = None
                 ) -> tuple[list[str], int]:
    """What an attribute list from `position` sets that could run code or restyle
    the page, and where reading it stopped."""
    stop = len(text) if stop is None else stop
    removed: list[str] = []
    while position < stop:
        item = _ATTR_LIST_ITEM.match(text, position, stop)
        if item is None or not item.group():
            break
        risk = _item_risk(item)
        if risk:
            removed.append(risk)
        position = item.end()
    return removed, position


def _item_risk(item: re.Match[str]) -> str:
    key = (item.group(1) or item.group(2) or item.group(3) or "").lower()
    value = item.group()[len(key) + 1:].strip("'\"") if key else ""
    if key.startswith("on"):
        return f"the {key} event handler in an attribute list {{…}}"
    if key == "style":
        return "the style attribute in an attribute list {…}"
    if key and url_scheme(value).startswith(SCRIPT_SCHEMES):
        return f"the {url_scheme(value)} URL in {key} of an attribute list {{…}}"
    # An id becomes a table-of-contents link the theme prints unescaped.
    identifier = value if key == "id" else item.group()[1:] \
        if not key and item.group().startswith("#") else None
    if identifier is not None and not _PLAIN_ID.fullmatch(identifier):
        return "an id that is not letters, digits, '-', '_', ':' and '.' in an attribute list {…}"
    return ""


def _attribute_items_kept(body: str, position: int, stop: int) -> str:
    kept: list[str] = []
    while position < stop:
        item = _ATTR_LIST_ITEM.match(body, position, stop)
        if item is None or not item.group():
            break
        if item.group() != " " and not _item_risk(item):
            kept.append(item.group())
        position = item.end()
    return " ".join(kept) + (" " if kept and body[position - 1:position] == " " else "")


def _url_end(body: str, position: int, angle: bool, limit: int) -> int:
    """Where a link destination ends: at '>' in <…>, else at a blank or an unmatched ')'."""
    if angle:
        end = body.find(">", position, limit)
        newline = body.find("\n", position, limit)
        if end < 0 or 0 <= newline < end:
            return newline if newline >= 0 else limit
        return end
    depth = 0
    for index in range(position, limit):
        char = body[index]
        if char in " \t\n":
            return index
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return index
            depth -= 1
    return limit
