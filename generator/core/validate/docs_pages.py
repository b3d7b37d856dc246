"""Hand-written pages in docs/, under the content folders' rules: how MkDocs
reads their meta-data and Markdown, their links, their raw HTML, and SVG images
that could run script.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

from ..catalog import Catalog
from ..loader import (
    MAX_FILE_BYTES,
    MAX_FRONT_MATTER_CHARS,
    DocsFile,
    SourceFile,
    discover_docs,
    parse_yaml,
    read_source,
)
from ..problems import Problem, make_problem
from .id_hints import IdHints
from .links import Site, docs_folder


def check_hand_written(root: Path, files: list[SourceFile]) -> list[Problem]:
    """docs/ under the content folders' rules: symbolic links out of the repository
    (`outside-link`), pages that are too large or not UTF-8, raw HTML the page will
    lose (`html-removed`, as in bodies: the plugin cleans the page with the same
    call), and relative links — Markdown or raw HTML — that are broken or leave
    the site (`broken-link`). `files`: the entries found, which links may reach.
    Read afresh on every check: docs/ holds a few pages, not thousands."""
    from ..sanitize import clean_body  # loaded only when there are pages to check
    from .body import relative_links

    problems: list[Problem] = []
    docs = docs_folder(root)
    if docs is None:
        return problems
    for image, what in active_images(root, root / docs):
        problems.append(make_problem("active-image", image, 1, what=what))
    pages = discover_docs(root, root / docs, problems)
    if not pages:
        return problems
    catalog = Catalog()
    for source in files:
        catalog.file_ids[source.kind].add(source.id)
    site = Site(root, files, IdHints(catalog), {}, docs)
    for page in pages:
        text = _page_text(page, problems)
        if text is None:
            continue
        markdown, first_line = markdown_of(text)
        for field, detail in theme_meta_problems(page_meta(text)):
            problems.append(make_problem("page-meta", page.rel, 2, field=field, detail=detail))
        for removal in clean_body(markdown)[1]:
            problems.append(make_problem("html-removed", page.rel, first_line + removal.line,
                                         what=removal.what))
        repo_folder, site_folder = posixpath.dirname(page.rel), posixpath.dirname(page.site)
        for link in relative_links(markdown, first_line):
            reason, suggestion = site.why_broken(repo_folder, site_folder, link.target)
            if reason:
                problems.append(make_problem("broken-link", page.rel, link.line,
                                             target=link.target, reason=reason,
                                             suggestion=suggestion))
    return problems


def _page_text(page: DocsFile, problems: list[Problem]) -> str | None:
    """A page's text, as the entries' files are read: bounded, never from a pipe."""
    try:
        raw = read_source(page.file)
    except OSError as error:
        problems.append(make_problem("not-a-file", page.rel, 1,
                                     what=f"a file that cannot be read ({error.strerror})"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(make_problem("file-too-large", page.rel, 1,
                                     limit=f"{MAX_FILE_BYTES // (1024 * 1024)} MB"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        problems.append(make_problem("not-utf8", page.rel, line, bad_line=line))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# MkDocs' reading of a page's meta-data (mkdocs/utils/meta.py, get_data): what it
# strips before Markdown sees the rest. Not imported: mkdocs.utils costs a check 0.1 s.
_YAML_META = re.compile(r"-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_META_LINE = re.compile(r"[ ]{0,3}[A-Za-z0-9_-]+:")
_META_MORE = re.compile(r"[ ]{4}|\t")
SVG_SUFFIXES = (".svg", ".svgz")
_SVG_LIMIT = 5 * 1024 * 1024  # bytes of an SVG read to look for anything active


def active_images(root: Path, docs: Path) -> list[tuple[str, str]]:
    """(repository path, what) of each SVG image under docs/ that could run script
    (see sanitize.svg_risk); a compressed or unreadable one counts as such."""
    from ..sanitize import svg_risk

    found = []
    for folder, _, names in os.walk(docs):
        for name in sorted(names):
            if not name.lower().endswith(SVG_SUFFIXES):
                continue
            path = Path(folder, name)
            what = svg_file_risk(path, svg_risk)
            if what:
                found.append((path.relative_to(root).as_posix(), what))
    return found


def svg_file_risk(path: Path, svg_risk: Callable[[str], str | None]) -> str | None:
    if path.name.lower().endswith(".svgz"):
        return "compressed content the portal cannot look into"
    try:
        with open(path, "rb") as stream:
            data = stream.read(_SVG_LIMIT + 1)
    except OSError:
        return None  # unreadable: MkDocs cannot publish it either
    if len(data) > _SVG_LIMIT:
        return "more than 5 MB the portal did not look into"
    return svg_risk(data.decode("utf-8", errors="replace"))


def page_meta(text: str) -> dict:
    """A hand-written page's YAML meta-data as MkDocs reads it ({} when none)."""
    meta = _YAML_META.match(text)
    if meta is None or len(meta.group(1)) > MAX_FRONT_MATTER_CHARS:
        return {}
    value = parse_yaml(meta.group(1), "", 2, [])[0]
    return value if isinstance(value, dict) else {}


def theme_meta_problems(meta: dict) -> list[tuple[str, str]]:
    """(field, what is wrong) for the meta-data keys the theme reads with a type in
    mind: a wrong one ends the theme's rendering with a traceback."""
    found = []
    hide = meta.get("hide")
    if hide is not None and not (isinstance(hide, list)
                                 and all(isinstance(item, str) for item in hide)):
        found.append(("hide", "is not a list of words"))
    template = meta.get("template")
    if template is not None and not isinstance(template, str):
        found.append(("template", "is not a template's name"))
    return found


def markdown_of(text: str) -> tuple[str, int]:
    """A hand-written page's Markdown as MkDocs converts it, meta-data stripped,
    and the file line it starts on."""
    start = 0
    meta = _YAML_META.match(text)
    if meta is not None:
        problems: list[Problem] = []  # MkDocs keeps the text unless it reads a mapping
        if len(meta.group(1)) <= MAX_FRONT_MATTER_CHARS and isinstance(
                parse_yaml(meta.group(1), "", 2, problems)[0], dict):
            start = meta.end()
    else:  # MultiMarkdown: `key: value` lines (and their indented continuations) up top
        position, keyed = 0, False
        while position < len(text):
            end = text.find("\n", position)
            end = len(text) if end < 0 else end
            line = text[position:end]
            if not line.strip():
                position = end + 1
                break
            if _META_LINE.match(line):
                keyed = True
            elif not (keyed and _META_MORE.match(line)):
                break
            position = end + 1
        start = min(position, len(text)) if keyed else 0
    while text.startswith("\n", start):
        start += 1
    return text[start:], text.count("\n", 0, start) + 1
