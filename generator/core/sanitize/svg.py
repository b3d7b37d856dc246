"""SVG images in docs/: published as files, so one that holds anything active is refused."""

from __future__ import annotations

import html
import re

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
