"""A standalone project: the portal as files that a builder reading mkdocs.yml but
running no MkDocs plugin (Zensical) builds as it is.

`portal generate --out DIR` writes it: DIR/docs/ (the generated pages, data,
exports and assets, and the portal's hand-written pages: pages.py),
DIR/mkdocs.yml (config.py) and DIR/overrides/ (one template: every page says
noindex, as the plugin makes it say). The folder is filled next to the old
docs/ and swapped in once complete, so a failed run leaves the last project as
it was, and a page deleted from the portal does not linger in it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..render import SiteRenderer
from .config import (
    DOCS,
    OVERRIDES,
    config_text,
    read_portal_config,
    renderer_settings,
    standalone_config,
)
from .links import mark_bodies, source_relative
from .pages import escaped_page, hand_written

__all__ = ["Refused", "check_out", "read_portal_config", "renderer_settings", "write_project"]

CONFIG = "mkdocs.yml"
HEADER = ("# Written by `portal generate` from the portal's mkdocs.yml; it is rewritten\n"
          "# on every run. Build it here with `zensical build` (or `mkdocs build`).\n")
MAIN_OVERRIDE = """\
{#- Written by `portal generate`: as in the portal's own build, no page is for
    search engines (the portal carries customer evidence). -#}
{% extends "base.html" %}
{% block extrahead %}
  <meta name="robots" content="noindex, nofollow">
{% endblock %}
"""
_STAGING = ".docs-writing-"


class Refused(Exception):
    """A folder the project must not be written into; the message says why."""


def check_out(out: Path, root: Path, protected: Sequence[Path]) -> None:
    """Refuse a folder that holds the portal or overlaps its sources (writing
    mkdocs.yml and docs/ there would replace the portal's own), or that holds
    files of someone else's (docs/ is replaced whole)."""
    out = out.resolve()
    if root.resolve().is_relative_to(out):
        raise Refused(f"{out} holds the portal itself; give a folder of its own")
    for folder in protected:
        folder = folder.resolve()
        if out.is_relative_to(folder) or folder.is_relative_to(out):
            raise Refused(f"{out} overlaps the portal's {folder}")
    if out.is_dir() and any(out.iterdir()) and not _ours(out):
        raise Refused(f"{out} holds files that `portal generate` did not write; give a new "
                      "or empty folder (docs/ in it is replaced on every run)")


def _ours(out: Path) -> bool:
    try:
        with open(out / CONFIG, encoding="utf-8") as config:
            return config.read(len(HEADER)) == HEADER
    except (OSError, UnicodeDecodeError):
        return False


def write_project(out: Path, root: Path, docs: Path, renderer: SiteRenderer,
                  portal: dict[str, Any]) -> int:
    """Write the project into `out` (checked with check_out first) from the
    renderer's files, the portal's docs/ and its configuration (as
    read_portal_config reads it). Returns how many files it wrote."""
    mark_bodies(renderer.env)
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob(f"{_STAGING}*"):  # an interrupted run's
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=out))
    try:
        written: set[str] = set()
        real_docs, real_root = os.path.realpath(docs), os.path.realpath(root)
        if real_docs != real_root and not real_root.startswith(real_docs + os.sep):
            for path, content in hand_written(root, docs):
                _write(staging / path, content)
                written.add(path)
        for generated in renderer.files():  # a generated page replaces a hand-written one
            content = generated.content
            if generated.src_uri.endswith(".md") and isinstance(content, str):
                content = escaped_page(source_relative(content, generated.src_uri,
                                                       renderer.directory_urls))
            _write(staging / generated.src_uri, content)
            written.add(generated.src_uri)
        _write(out / OVERRIDES / "main.html", MAIN_OVERRIDE)
        _write(out / CONFIG, config_text(standalone_config(portal), HEADER))
        _replace(out / DOCS, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(written) + 2


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")


def _replace(target: Path, new: Path) -> None:
    """`new` in place of `target` (the last run's docs/, or nothing)."""
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    new.rename(target)
