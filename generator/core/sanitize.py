"""Raw HTML in a Markdown body: what reaches the portal, and what is removed.

The researcher's Markdown is left as it is; only the raw HTML in it is cleaned,
tag by tag, with nh3 (the Python binding of the Rust sanitiser ammonia):

- an element outside ALLOWED_TAGS loses its tags; script, style, frames and
  the like (CONTENT_DROPPED) lose their content too;
- an allowed element keeps only the attributes in ALLOWED_ATTRIBUTES — never
  an event handler (`on…`), `style` or `id` — and no URL whose scheme could
  run code (`javascript:`, `vbscript:`, `data:`);
- HTML comments are dropped: they never showed on a page, and a comment is no
  safe place for notes in a published site; `<!…>` and `<?…>` show as text;
- a Markdown link or image whose URL could run code keeps its text but loses
  the URL (it points to `#`); an attribute list (`{: … }`, attr_list sets any
  attribute) loses event handlers, `style` and such URLs.

Code is left alone: fenced code blocks (as Python-Markdown finds them) and
code spans, except inside a raw HTML block, where Markdown does not apply and
backticks are just characters. `clean_body` returns the cleaned Markdown and
a `Removal` for every thing removed, with its line: the `html-removed` warning
and the rendered page come from the same call, so the warning lists exactly
what the page lacks. What is not recognised as a tag but starts like one is
escaped (`&lt;`), so it shows as text and no browser reads a tag into it.

Reading Markdown by regular expressions cannot match Python-Markdown in every
corner; the MkDocs plugin therefore checks each entry page's HTML once more
after conversion (`dangerous_html`) and removes, with a warning, anything left.
"""

from __future__ import annotations

import bisect
import heapq
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.inlinepatterns import AUTOLINK_RE, AUTOMAIL_RE

# Tags kept in bodies; everything else is removed when pages are rendered.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul", "var",
})
_GLOBAL_ATTRIBUTES = {"class", "title", "lang", "dir"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"},
    "details": {"open"},
}
# Removed with everything up to their end tag (nh3's clean_content_tags).
CONTENT_DROPPED = frozenset({
    "script", "style", "template", "iframe", "object", "noscript", "textarea", "title",
    "xmp", "noembed", "noframes", "select", "svg", "math",
})
# URL schemes that run code or smuggle documents; the rest pass (nh3's list for HTML).
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
_URL_ATTRIBUTES = {"href", "src", "cite"}

# Elements outside a table are dropped by an HTML parser: clean them inside one.
_CONTEXT = {
    "tr": "<table><tbody>", "td": "<table><tbody><tr>", "th": "<table><tbody><tr>",
    "tbody": "<table>", "thead": "<table>", "tfoot": "<table>", "caption": "<table>",
}

_SPACE = "\t\n\f\r "  # what HTML calls whitespace (no-break space is not)
_VALUE = rf"""(?:[{_SPACE}]*=[{_SPACE}]*("[^"]*"|'[^']*'|[^{_SPACE}<>]*))?"""
_NAME = rf"[^{_SPACE}/<>][^{_SPACE}/<>=]*"
# A start or end tag as a browser tokenises it (quotes respected, any line
# breaks), except that a '<' outside quotes ends it, as it does for Markdown.
_TAG = re.compile(rf"<(/?)([A-Za-z][^{_SPACE}/<>]*)((?:[{_SPACE}/]+{_NAME}{_VALUE})*)"
                  rf"[{_SPACE}/]*>")
_ATTRIBUTE_NAME = re.compile(rf"[{_SPACE}/]+({_NAME}){_VALUE}")
_AUTOLINK = re.compile(AUTOLINK_RE)
_AUTOMAIL = re.compile(AUTOMAIL_RE)
_FENCED = FencedBlockPreprocessor.FENCED_BLOCK_RE
_TRIGGER = re.compile(r"<|\]\(|\{(?=:?[ ]*[^}\n ])")
_REFERENCE_TRIGGER = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)  # slow: when needed
# attr_list: `{: #id .class key=value }` after a block, heading or inline element
_ATTR_LIST_OPENING = re.compile(r"\{\:?[ ]*(?=[^\}\n ])")
_CLOSING_BRACE = re.compile(r"\}")
_NEWLINE = re.compile(r"\n")
_ATTR_LIST_ITEM = re.compile(r"""([^ =}]+)=".*?"|([^ =}]+)='.*?'|([^ =}]+)=[^ =}]+|[^ =}]+| """)
_TAG_LIMIT = 4096  # a longer "tag" is shown as text
_WITHOUT_TAGS = re.compile(r"<[^>]*>?")
_PLAIN_NAME = re.compile(r"[a-z][a-z0-9-]*")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_:.\-]+")
_URL_LIMIT = 1024  # characters of a link destination read for its scheme
_REFERENCE = re.compile(r" {0,3}\[[^\]\n]+\]:[ \t]*\n?[ \t]*")
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
_OUTPUT_TAG = re.compile(r'<([a-z0-9]+)((?: [^\s="]+(?:="[^"]*")?)*) ?/?>')
_OUTPUT_VALUE = re.compile(r'="([^"]*)"')


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
    ends = _Ends(body)
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
            if start < listed or not _may_be_attribute_list(body, start, ends):
                continue
        else:
            # an inline link's (url), or a reference definition's [label]: url
            url_start = start + 2 if token == "](" else _REFERENCE.match(body, start).end()
            if not _link_may_matter(body, url_start):
                continue  # the usual link: nothing to clean, no need to know where code is
        if code is None:
            code, raw = _regions(body)
            code_starts = [begin for begin, _ in code]
        if _in(code, start):
            continue
        # Code spans come first in Markdown: nothing read here may reach into one.
        following = bisect.bisect_right(code_starts, start)
        limit = code_starts[following] if following < len(code_starts) else len(body)
        if token == "<":
            replacement, end, removed = _html_at(body, start, limit, _in(raw, start), ends)
        elif token[0] == "{":
            replacement, end, removed, listed = _attribute_list_at(body, start, limit, ends)
        else:
            replacement, end, removed = _link_at(body, start, url_start, limit)
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


def _may_be_attribute_list(body: str, start: int, ends: _Ends) -> bool:
    closing = ends.after(_CLOSING_BRACE, start, len(body))
    newline = ends.after(_NEWLINE, start, len(body))
    return closing is not None and (newline is None or closing.start() < newline.start())


def _link_may_matter(body: str, url_start: int) -> bool:
    """Whether a link destination is <in angle brackets> or has a script scheme."""
    window = body[url_start:url_start + _URL_LIMIT].lstrip(" \t\n")
    if window.startswith("<"):
        return True
    if "<" in window:
        window = _WITHOUT_TAGS.sub("", window)
    return _scheme(window).startswith(_SCRIPT_SCHEMES)


# --- raw HTML ---------------------------------------------------------------------------

class _Ends:
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


_COMMENT_END = re.compile(r"--!?>")
_GREATER = re.compile(">")


def _html_at(body: str, start: int, limit: int, in_raw: bool, ends: _Ends
             ) -> tuple[str, int, list[str]]:
    """(replacement, end, removed) for the `<` at `start`, reading no further than
    `limit`; end == start: leave it as it is."""
    if not in_raw:  # Markdown's own <https://…> and <name@host> links
        for pattern in (_AUTOLINK, _AUTOMAIL):
            match = pattern.match(body, start, limit)
            if match:
                return body[start:match.end()], match.end(), []
    if body.startswith("<!--", start, limit):
        if body.startswith(("<!-->", "<!--->"), start, limit):
            return "", body.index(">", start) + 1, []
        comment = ends.after(_COMMENT_END, start + 4, limit)
        return ("", comment.end(), []) if comment else ("&lt;", start + 1, [])
    if body.startswith(("<!", "<?"), start, limit):
        # <!DOCTYPE …>, <![CDATA[…]]>, <?…?>: shown as text, what follows is read
        return "&lt;", start + 1, []
    window = min(limit, start + _TAG_LIMIT)
    tag = _TAG.match(body, start, window) if ends.after(_GREATER, start, window) else None
    if tag is None:
        following = body[start + 1:start + 2]
        if following.isascii() and (following.isalpha() or following == "/"):
            return "&lt;", start + 1, []  # starts like a tag: make sure it never is one
        return "", start, []  # 'a < b', '<3': text
    closing, name = tag.group(1), tag.group(2).lower()
    if closing:  # an end tag does nothing but end: written plainly, it stays
        return (f"</{name}>" if _PLAIN_NAME.fullmatch(name) else ""), tag.end(), []
    if name in CONTENT_DROPPED:
        close = ends.after(_end_tag(name), tag.end(), limit)
        if close is not None:
            return "", close.end(), [f"<{name}> and its content"]
        if limit < len(body):  # code follows: Markdown keeps it apart, so only the tag goes
            return "", tag.end(), [f"<{name}>"]
        return "", len(body), [f"<{name}> and everything after it (it is never closed)"]
    if name not in ALLOWED_TAGS:
        return "", tag.end(), [f"<{name}>"]
    replacement, removed = _clean_start_tag(tag.group(), name)
    return replacement, tag.end(), list(removed)


@lru_cache(maxsize=64)
def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(name)}(?=[{_SPACE}/>])[^>]*>", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _clean_start_tag(token: str, name: str) -> tuple[str, tuple[str, ...]]:
    """An allowed start tag as nh3 leaves it, and the attributes it took away."""
    context = _CONTEXT.get(name, "")
    cleaned = nh3.clean(context + token, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                        link_rel=None)
    for match in _OUTPUT_TAG.finditer(cleaned):
        if match.group(1) == name:
            kept = match.group()
            break
    else:  # nh3 dropped the element itself
        return "", (f"<{name}>",)
    # A '<' or '>' inside a value would let Markdown's reading of the tag differ
    # from a browser's: write them as entities.
    kept = _OUTPUT_VALUE.sub(lambda m: '="' + m.group(1).replace("<", "&lt;")
                             .replace(">", "&gt;") + '"', kept)
    before = {}
    for attribute in _ATTRIBUTE_NAME.finditer(token[len(name) + 1:-1]):
        before.setdefault(attribute.group(1).lower(), attribute.group(2) or "")
    after = {attribute.group(1) for attribute in _ATTRIBUTE_NAME.finditer(kept[len(name) + 1:-1])}
    removed = []
    for attribute, value in before.items():
        if attribute in after:
            continue
        if attribute.startswith("on"):
            removed.append(f"the {attribute} event handler on <{name}>")
        elif attribute in _URL_ATTRIBUTES:
            scheme = _scheme(value.strip("'\""))
            removed.append(f"the {scheme + ' ' if scheme else ''}URL in {attribute} of <{name}>")
        else:
            removed.append(f"the {attribute} attribute of <{name}>")
    return kept, tuple(removed)


def _scheme(url: str) -> str:
    """The scheme a browser would read from a URL (entities decoded, blanks dropped)."""
    if "&" in url:
        url = html.unescape(url)
    colon = url.find(":")
    if colon < 0:
        return ""  # the usual relative link
    url = _BLANKS.sub("", url[:colon + 1])
    match = _SCHEME.fullmatch(url)
    return match.group().lower() if match else ""


def url_scheme(url: str) -> str:
    """The scheme a browser reads from `url` as written in a body ('file:',
    'javascript:'; entities decoded, blanks dropped, lower case), or ''."""
    return _scheme(url)


_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


# --- Markdown links -------------------------------------------------------------------

def _link_at(body: str, start: int, url_start: int, limit: int
             ) -> tuple[str, int, list[str]]:
    """A Markdown link destination at `url_start` whose scheme could run code loses it."""
    position = url_start
    while position < limit and body[position] in " \t\n":
        position += 1
    angle = body.startswith("<", position, limit)
    url_begins = position + 1 if angle else position
    # Read as it will be once tags in it are removed ('java<b>script:')
    scheme = _scheme(_WITHOUT_TAGS.sub("", body[url_begins:min(limit, url_begins + _URL_LIMIT)]))
    if not scheme.startswith(_SCRIPT_SCHEMES):
        if not angle:
            return "", start, []
        # <a destination>: keep it whole, unless it could also be read as an element
        # that does something (Markdown reads it as HTML when the link does not parse)
        end = _url_end(body, url_begins, angle, limit)
        if not body.startswith(">", end, limit) or not _inert(body[position:end + 1]):
            return "", start, []
        return body[start:end + 1], end + 1, []
    end = _url_end(body, url_begins, angle, limit)
    if angle and body.startswith(">", end, limit):
        end += 1
    return body[start:url_start] + "#", end, [f"the {scheme} URL of a Markdown link"]


def _inert(text: str) -> bool:
    """Whether `text` read as a tag is no element a browser knows and sets neither
    event handlers nor style: <personas/x y.md> is a path, not a tag to clean."""
    tag = _TAG.fullmatch(text)
    if tag is None or re.search(r"""[<"'`=]""", text[1:]):
        return False
    if tag.group(2).lower() in _ALL_TAGS:
        return False
    names = [m.group(1).lower() for m in _ATTRIBUTE_NAME.finditer(tag.group(3) or "")]
    return not any(name.startswith("on") or name == "style" for name in names)


def _attribute_list_at(body: str, start: int, limit: int, ends: _Ends
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
    stop = min(limit, newline.start() if newline else limit, start + _TAG_LIMIT)
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
    if key and _scheme(value).startswith(_SCRIPT_SCHEMES):
        return f"the {_scheme(value)} URL in {key} of an attribute list {{…}}"
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


# --- where Markdown does not apply ----------------------------------------------------

def _regions(body: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
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
        if _in(fences, offsets[index]):
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
        opens = re.compile(rf"<{name}(?=[{_SPACE}/>]|$)", re.IGNORECASE)
        closes = re.compile(rf"</{name}(?=[{_SPACE}/>]|$)", re.IGNORECASE)
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
        if not line.strip() or _in(fences, offset) or _in(raw, offset):
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


def _in(ranges: list[tuple[int, int]], position: int) -> bool:
    """Whether `position` lies in one of `ranges` (sorted, not overlapping)."""
    index = bisect.bisect_right(ranges, (position, _AFTER_EVERYTHING)) - 1
    return index >= 0 and ranges[index][0] <= position < ranges[index][1]


_AFTER_EVERYTHING = 1 << 62


# --- after conversion: the plugin's last check ------------------------------------------

_ALL_TAGS = frozenset({
    "a", "abbr", "acronym", "address", "applet", "area", "article", "aside", "audio", "b",
    "base", "basefont", "bdi", "bdo", "big", "blink", "blockquote", "body", "br", "button",
    "canvas", "caption", "center", "cite", "code", "col", "colgroup", "data", "datalist", "dd",
    "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt", "em", "embed", "fieldset",
    "figcaption", "figure", "font", "footer", "form", "frame", "frameset", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "img", "input",
    "ins", "kbd", "label", "legend", "li", "link", "main", "map", "mark", "marquee", "math",
    "menu", "meta", "meter", "nav", "noembed", "noframes", "noscript", "object", "ol",
    "optgroup", "option", "output", "p", "param", "picture", "plaintext", "portal", "pre",
    "progress", "q", "rp", "rt", "ruby", "s", "samp", "script", "search", "section", "select",
    "slot", "small", "source", "span", "strike", "strong", "style", "sub", "summary", "sup",
    "svg", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time",
    "title", "tr", "track", "tt", "u", "ul", "var", "video", "wbr", "xmp",
})
_DANGEROUS_TAGS = CONTENT_DROPPED | {
    "applet", "base", "basefont", "button", "embed", "form", "frame", "frameset", "input",
    "link", "meta", "param", "plaintext", "portal", "slot", "head", "html", "body",
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_EVERY_PREFIX = set(_LETTERS) | {"_", "-", ":"}
# Every attribute but event handlers: 'o' only when not followed by 'n'.
_NO_HANDLERS = (_EVERY_PREFIX - {"o"}) | {f"o{c}" for c in _LETTERS + "-_:" if c != "n"}
_LOOSE = {"tags": set(_ALL_TAGS), "clean_content_tags": set(), "strip_comments": False,
          "link_rel": None, "generic_attribute_prefixes": _EVERY_PREFIX,
          "url_schemes": {"javascript", "vbscript", "data", "http", "https", "mailto", "tel",
                          "ftp"}}
_STRICT = {"tags": set(_ALL_TAGS - _DANGEROUS_TAGS),
           "clean_content_tags": {"script", "style"}, "strip_comments": False,
           "link_rel": None, "generic_attribute_prefixes": _NO_HANDLERS,
           "url_schemes": {"http", "https", "mailto", "tel", "ftp"}}


# Elements that never hold others, or that the next sibling closes: they add no depth.
_FLAT = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr", "p", "li", "dt", "dd", "option", "tr",
                   "td", "th", "rt", "rp"})
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*>")


def nesting_depth(converted: str, limit: int) -> int:
    """How deep HTML elements nest (at most limit + 1: it stops counting there).
    An HTML parser's work per tag grows with the depth (nh3 takes 1.5 s for
    20,000 unclosed <div>s and grows with the square), so a page is measured
    before it is parsed. One pass; unclosed tags count as open."""
    if converted.count("<") <= limit:
        return 0  # too few tags to nest that deep
    depth = deepest = 0
    for match in _TAG_TOKEN.finditer(converted):
        if match.group(2).lower() in _FLAT or match.group(0).endswith("/>"):
            continue
        if match.group(1):
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def dangerous_html(converted: str) -> str | None:
    """None when HTML (a body after Markdown conversion) holds nothing that could
    run code; else that HTML cleaned by nh3. Both readings parse the HTML the way
    a browser does, so what differs is exactly what a strict cleaner removes."""
    if "<" not in converted:
        return None
    loose = nh3.clean(converted, **_LOOSE)
    strict = nh3.clean(converted, **_STRICT)
    return None if loose == strict else strict


# SVG images in docs/ are published as files: opened on their own, an SVG runs
# its scripts with the site's origin. No cleaner for SVG is at hand (nh3 drops it
# whole), so one that holds anything active is refused (see svg_risk).
_SVG_ELEMENT = re.compile(r"<\s*(?:script|foreignobject|iframe|embed|object|handler|listener)\b")
_SVG_HANDLER = re.compile(r"[\s\"'/]on[a-z]+\s*=")
_SVG_URL = re.compile(r"""(?:href|src|values|to|from|by)\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)""")


def svg_risk(text: str) -> str | None:
    """What in an SVG image could run, or None: script-capable elements, event
    handlers, DOCTYPE or entity declarations, script URLs (entities decoded)."""
    lowered = html.unescape(text).lower()
    if _SVG_ELEMENT.search(lowered):
        return "a script, handler or embedded document"
    if "<!doctype" in lowered or "<!entity" in lowered:
        return "a DOCTYPE or entity declaration"
    if _SVG_HANDLER.search(lowered):
        return "an event handler (on…)"
    for value in _SVG_URL.findall(lowered):
        compact = "".join(char for char in value if char > " ")
        if "javascript:" in compact or "vbscript:" in compact or "data:" in compact:
            return "a script or data: URL"
    return None
