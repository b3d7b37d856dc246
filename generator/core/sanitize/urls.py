"""The scheme a browser reads from a URL, and the schemes that may run code."""

from __future__ import annotations

import html
import re

# URL schemes that run code or smuggle documents; the rest pass (nh3's list for HTML).
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


def url_scheme(url: str) -> str:
    """The scheme a browser reads from `url` as written in a body ('file:',
    'javascript:'; entities decoded, blanks dropped, lower case), or ''."""
    if "&" in url:
        url = html.unescape(url)
    colon = url.find(":")
    if colon < 0:
        return ""  # the usual relative link
    url = _BLANKS.sub("", url[:colon + 1])
    match = _SCHEME.fullmatch(url)
    return match.group().lower() if match else ""


_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
