"""Raw HTML tags in a body: the allow-lists, and each tag cleaned against them.

An element outside ALLOWED_TAGS loses its tags, and those in CONTENT_DROPPED
their content too; an allowed start tag is cleaned by nh3 and keeps only the
attributes in ALLOWED_ATTRIBUTES; comments go, and what starts like a tag but
is none is escaped so no browser reads a tag into it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown.inlinepatterns import AUTOLINK_RE, AUTOMAIL_RE

from .regions import SPACE, Ends
from .urls import url_scheme

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
_URL_ATTRIBUTES = {"href", "src", "cite"}
# Elements outside a table are dropped by an HTML parser: clean them inside one.
_CONTEXT = {
    "tr": "<table><tbody>", "td": "<table><tbody><tr>", "th": "<table><tbody><tr>",
    "tbody": "<table>", "thead": "<table>", "tfoot": "<table>", "caption": "<table>",
}
_VALUE = rf"""(?:[{SPACE}]*=[{SPACE}]*("[^"]*"|'[^']*'|[^{SPACE}<>]*))?"""
_NAME = rf"[^{SPACE}/<>][^{SPACE}/<>=]*"
# A start or end tag as a browser tokenises it (quotes respected, any line
# breaks), except that a '<' outside quotes ends it, as it does for Markdown.
TAG = re.compile(rf"<(/?)([A-Za-z][^{SPACE}/<>]*)((?:[{SPACE}/]+{_NAME}{_VALUE})*)"
                 rf"[{SPACE}/]*>")
ATTRIBUTE_NAME = re.compile(rf"[{SPACE}/]+({_NAME}){_VALUE}")
_AUTOLINK = re.compile(AUTOLINK_RE)
_AUTOMAIL = re.compile(AUTOMAIL_RE)
TAG_LIMIT = 4096  # a longer "tag" is shown as text
_PLAIN_NAME = re.compile(r"[a-z][a-z0-9-]*")
_OUTPUT_TAG = re.compile(r'<([a-z0-9]+)((?: [^\s="]+(?:="[^"]*")?)*) ?/?>')
_OUTPUT_VALUE = re.compile(r'="([^"]*)"')
_COMMENT_END = re.compile(r"--!?>")
_GREATER = re.compile(">")


def html_at(body: str, start: int, limit: int, in_raw: bool, ends: Ends
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
    window = min(limit, start + TAG_LIMIT)
    tag = TAG.match(body, start, window) if ends.after(_GREATER, start, window) else None
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
    return re.compile(rf"</{re.escape(name)}(?=[{SPACE}/>])[^>]*>", re.IGNORECASE)


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
    for attribute in ATTRIBUTE_NAME.finditer(token[len(name) + 1:-1]):
        before.setdefault(attribute.group(1).lower(), attribute.group(2) or "")
    after = {attribute.group(1) for attribute in ATTRIBUTE_NAME.finditer(kept[len(name) + 1:-1])}
    removed = []
    for attribute, value in before.items():
        if attribute in after:
            continue
        if attribute.startswith("on"):
            removed.append(f"the {attribute} event handler on <{name}>")
        elif attribute in _URL_ATTRIBUTES:
            scheme = url_scheme(value.strip("'\""))
            removed.append(f"the {scheme + ' ' if scheme else ''}URL in {attribute} of <{name}>")
        else:
            removed.append(f"the {attribute} attribute of <{name}>")
    return kept, tuple(removed)


def is_inert(text: str) -> bool:
    """Whether `text` read as a tag is no element a browser knows and sets neither
    event handlers nor style: <personas/x y.md> is a path, not a tag to clean."""
    tag = TAG.fullmatch(text)
    if tag is None or re.search(r"""[<"'`=]""", text[1:]):
        return False
    if tag.group(2).lower() in ALL_TAGS:
        return False
    names = [m.group(1).lower() for m in ATTRIBUTE_NAME.finditer(tag.group(3) or "")]
    return not any(name.startswith("on") or name == "style" for name in names)


# Every element a browser knows (is_inert, and the check after conversion).
ALL_TAGS = frozenset({
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
