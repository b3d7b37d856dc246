"""The pages of a standalone project: front matter a builder can print safely, and
the files of the portal's docs/ that the portal itself would publish.

The portal's plugin escapes every page's front matter before the theme prints it
(plugin.escape_meta), cleans hand-written pages as it cleans bodies, and leaves
out of the site what `portal check` reports in docs/ (plugin.drop_unpublishable).
A builder that runs no plugin does none of that, so the files are written that
way: front matter re-written as escaped plain YAML (a builder may read it with a
loader that builds objects), hand-written bodies cleaned, and only regular
files reached without leaving the repository copied.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ...core.loader import (
    MAX_FILE_BYTES,
    MAX_FRONT_MATTER_CHARS,
    in_repository,
    parse_yaml,
    read_source,
)
from ...core.sanitize import clean_body, svg_risk
from ...core.validate.corpus import SVG_SUFFIXES, markdown_of, svg_file_risk, theme_meta_problems
from .config import escaped

_YAML_META = re.compile(r"-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


def escaped_page(text: str, hand_written: bool = False) -> str:
    """A Markdown page with its front matter escaped as the plugin escapes it; a
    hand-written one also with its body cleaned and the theme fields it could
    not use dropped. Front matter that is no YAML mapping is dropped (MkDocs
    would show it as text; a builder could read it otherwise)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    body, _ = markdown_of(text)
    meta = _front_matter(text[:len(text) - len(body)])
    if hand_written:
        body = clean_body(body)[0]
        for field, _detail in theme_meta_problems(meta):
            meta.pop(field, None)
    if not meta:
        return body
    front = yaml.safe_dump(escaped(meta), allow_unicode=True, sort_keys=False,
                           default_flow_style=False)
    return f"---\n{front}---\n\n{body}"


def _front_matter(head: str) -> dict[Any, Any]:
    match = _YAML_META.match(head)
    if match is None or len(match.group(1)) > MAX_FRONT_MATTER_CHARS:
        return {}
    # The loader's YAML reader: plain values, within the limits on hostile input.
    meta, _ = parse_yaml(match.group(1), "", 2, [])
    return meta if isinstance(meta, dict) else {}


def hand_written(root: Path, docs: Path) -> Iterator[tuple[str, str | bytes]]:
    """(path in docs/, content) of each file of the portal's docs/ that its build
    publishes: Markdown pages escaped and cleaned, other files as they are."""
    for site_path, real in _publishable(root, docs):
        if site_path.endswith(".md"):
            try:
                raw = read_source(real)
                text = raw.decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue  # `portal check` reports it (not-utf8...)
            if len(raw) <= MAX_FILE_BYTES:
                yield site_path, escaped_page(text, hand_written=True)
        elif not site_path.lower().endswith(SVG_SUFFIXES) \
                or svg_file_risk(real, svg_risk) is None:
            try:
                yield site_path, real.read_bytes()
            except OSError:
                continue


def _publishable(root: Path, docs: Path) -> Iterator[tuple[str, Path]]:
    """(path in docs/, real path) of the regular files under docs/, as MkDocs finds
    them (linked folders followed, names starting with '.' and the top
    templates/ folder left out), none of them reached through a folder or link
    that leads out of the repository."""
    real_root = os.path.realpath(root)
    folders: list[tuple[str, tuple[str, ...]]] = [(str(docs), ())]
    entered: set[str] = set()
    while folders:
        folder, parts = folders.pop()
        real_folder = os.path.realpath(folder)
        if real_folder in entered or not in_repository(real_folder, real_root):
            continue
        entered.add(real_folder)
        try:
            items = sorted(os.scandir(folder), key=lambda item: item.name)
        except OSError:
            continue
        for item in items:
            if item.name.startswith(".") or (not parts and item.name == "templates"):
                continue
            real = os.path.realpath(item.path)
            if not in_repository(real, real_root):
                continue
            if os.path.isdir(real):
                folders.append((item.path, (*parts, item.name)))
            elif os.path.isfile(real):
                yield "/".join((*parts, item.name)), Path(real)
