"""After conversion: the plugin's last check of a page's HTML, and how deep its
elements nest (measured before anything parses it)."""

from __future__ import annotations

import re

import nh3

from .tags import ALL_TAGS, CONTENT_DROPPED

_DANGEROUS_TAGS = CONTENT_DROPPED | {
    "applet", "base", "basefont", "button", "embed", "form", "frame", "frameset", "input",
    "link", "meta", "param", "plaintext", "portal", "slot", "head", "html", "body",
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_EVERY_PREFIX = set(_LETTERS) | {"_", "-", ":"}
# Every attribute but event handlers: 'o' only when not followed by 'n'.
_NO_HANDLERS = (_EVERY_PREFIX - {"o"}) | {f"o{c}" for c in _LETTERS + "-_:" if c != "n"}
_LOOSE = {"tags": set(ALL_TAGS), "clean_content_tags": set(), "strip_comments": False,
          "link_rel": None, "generic_attribute_prefixes": _EVERY_PREFIX,
          "url_schemes": {"javascript", "vbscript", "data", "http", "https", "mailto", "tel",
                          "ftp"}}
_STRICT = {"tags": set(ALL_TAGS - _DANGEROUS_TAGS),
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
