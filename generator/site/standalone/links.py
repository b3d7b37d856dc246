"""Links in the generated pages' HTML, as a builder that reads them from the source
file writes them.

The templates link pages with relative URLs as MkDocs lays the site out
(Linker): from `insights/x.md`, published at `insights/x/`, the persona `p` is
`../../personas/p/`. MkDocs leaves raw HTML as it is, so that is what the
browser follows. Zensical reads every relative `href` and `src`, raw HTML
included, as it reads a Markdown link — relative to the source file's folder,
`insights/` — and writes it relative to the page again: the same link would
come out one folder too high. So in the standalone project each such URL of an
entry page's template output is written relative to its source folder
(`../personas/p/`), which Zensical turns back into the URL the portal build has.

Bodies are left as written: the researcher's Markdown links (`../personas/p.md`)
are read from the source file by every builder. They are told apart from the
template's HTML by marking them while the page renders (`mark_bodies`), as the
portal's build does to keep its own HTML out of Python-Markdown's way.
"""

from __future__ import annotations

import posixpath
import re
import secrets
from typing import Any

import jinja2
from markupsafe import Markup

_NONCE = secrets.token_hex(8)  # a body cannot guess it (and `portal check` refuses
_START = f"\ue001ip-body-{_NONCE}\ue001"  # private-use characters in any text)
_END = f"\ue002ip-body-{_NONCE}\ue002"
_BODY = re.compile(f"{_START}(.*?){_END}", re.DOTALL)
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)"')
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:")


def mark_bodies(env: jinja2.Environment) -> None:
    """Make the `safe_body` filter mark where each body starts and ends."""
    shown = env.filters["safe_body"]

    def marked(body: Any) -> Markup:
        return Markup(_START) + shown(body) + Markup(_END)

    env.filters["safe_body"] = marked


def source_relative(markdown: str, src_uri: str, directory_urls: bool) -> str:
    """A generated page (with its bodies marked) with the template's links
    relative to its source folder, and the marks gone."""
    stem = src_uri.removesuffix(".md")
    name = posixpath.basename(stem)
    if not directory_urls or not src_uri.endswith(".md") or name == "index":
        return _BODY.sub(r"\1", markdown)  # published in the source's own folder
    parts: list[str] = []
    position = 0
    for body in _BODY.finditer(markdown):
        parts.append(_rewritten(markdown[position:body.start()], name))
        parts.append(body.group(1))
        position = body.end()
    parts.append(_rewritten(markdown[position:], name))
    return "".join(parts)


def _rewritten(html: str, folder: str) -> str:
    """Each relative URL written from the page's folder (`folder`/, inside the
    source's) rewritten from the source's folder."""
    def relative(match: re.Match[str]) -> str:
        url = match.group(2)
        if not url or url.startswith(("/", "#")) or _SCHEME.match(url):
            return match.group(0)
        cut = min((url.index(mark) for mark in "?#" if mark in url), default=len(url))
        path, rest = url[:cut], url[cut:]
        moved = posixpath.normpath(posixpath.join(folder, path))
        if moved == ".":  # the source's folder (Zensical writes it `.././`: the same URL)
            moved = "./"
        elif path == "" or path.endswith("/"):
            moved += "/"
        return f'{match.group(1)}{moved}{rest}"'

    return _URL_ATTRIBUTE.sub(relative, html)
