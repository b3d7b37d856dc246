"""Shared fixtures: small portals written into tmp_path.

`make_portal` writes a minimal valid corpus — one persona, one journey with two
stages, one insight using both — and then the files a test passes, so each test
shows only what it breaks.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)  # every test pins the reference date

MKDOCS_YML = """\
site_name: Test portal
plugins:
  - insight-portal:
      undecided_after_days: 30
      persona_review_after_days: 180
"""

BASE_FILES = {
    "personas/shopper.md": """\
        ---
        name: Shopper
        summary: Buys groceries online every week.
        goals: [get the weekly shop done fast]
        frustrations: [surprise fees]
        owner: research-team
        last_reviewed: 2026-10-01
        ---
        A short profile.
        """,
    "journeys/order.md": """\
        ---
        title: Order
        summary: From basket to doorstep.
        personas: [shopper]
        owner: cx-team
        stages:
          - id: basket
            name: Basket
            owner: catalog-team
          - id: checkout
            name: Checkout
            owner: checkout-team
            metrics:
              - name: Checkout completion
                value: 0.71
                target: 0.85
                unit: ratio
                as_of: 2026-10-01
        ---
        """,
    "insights/fees-surprise.md": """\
        ---
        title: Delivery fee surprises shoppers at checkout
        summary: Shoppers abandon when the fee first appears at checkout.
        kind: pain
        personas: [shopper]
        journey: order
        stages: [checkout]
        severity: high
        confidence: medium
        tags: [fees]
        evidence:
          - source: support-ticket
            ref: ZD-1001
            date: 2026-09-14
            quote: "Why is there a fee now?"
            count: 12
        created: 2026-09-20
        authors: [dana]
        decision:
          status: accepted
          owner: checkout-team
          date: 2026-10-02
        ---
        Seen in [the shopper persona](../personas/shopper.md).
        """,
}

PortalFactory = Callable[..., Path]

# --- the search backend ---------------------------------------------------------------
#
# Pagefind is the default (generator/mkdocs/pagefind.py). A test about Material's own
# search (search/search_index.json, its header dialog, the preview's index) builds its
# portal with `search: material` in the plugin's options: with_material_search().

PLUGIN_ENTRY = "  - insight-portal"
MATERIAL_OPTION = "      search: material\n"
# Where the two backends write their index, relative to the site.
PAGEFIND_BUNDLE = "pagefind"
MATERIAL_INDEX = "search/search_index.json"


def with_material_search(mkdocs_yml: str = MKDOCS_YML) -> str:
    """`mkdocs_yml` (the fixtures' or the sample's) with Material's search as the
    backend: `search: material` among the insight-portal plugin's options, and
    MkDocs' `search` plugin listed, which Material's search needs."""
    lines = mkdocs_yml.splitlines(keepends=True)
    entries = [index for index, line in enumerate(lines)
               if line.rstrip(": \n") == PLUGIN_ENTRY]
    assert len(entries) == 1, f"no single '{PLUGIN_ENTRY}' entry in:\n{mkdocs_yml}"
    assert not re.search(r"^ +search:", mkdocs_yml, re.MULTILINE), "a backend is set already"
    lines[entries[0]] = PLUGIN_ENTRY + ":\n" + MATERIAL_OPTION
    if "  - search\n" not in lines:
        plugins = lines.index("plugins:\n")
        lines.insert(plugins + 1, "  - search\n")
    return "".join(lines)


def site_files(site: Path, *, pagefind: bool = True) -> list[str]:
    """The files of a built site that two builds of one portal must share byte for
    byte, as sorted relative paths.

    With Pagefind (`pagefind`, the default backend) its bundle is left out, and must be
    there: Pagefind's filter and meta files, and the entry file naming them, differ
    from run to run on the same pages (upstream, Pagefind/pagefind#638). Without it,
    every file counts, Material's search index included."""
    bundle = site / PAGEFIND_BUNDLE
    if pagefind:
        assert (bundle / "pagefind.js").is_file(), f"{site}: no Pagefind bundle"
    else:
        assert not bundle.exists(), f"{site}: a Pagefind bundle with search: material"
        assert (site / MATERIAL_INDEX).is_file(), f"{site}: no {MATERIAL_INDEX}"
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*")
                  if path.is_file() and not (pagefind and path.is_relative_to(bundle)))


SAMPLE_FOLDERS = ("insights", "personas", "journeys", "docs")


def copy_sample(root: Path, *, material_search: bool = False) -> Path:
    """A copy of the repository's sample portal (its content and mkdocs.yml, without
    its git history) in `root`; `material_search`: with Material's search instead of
    Pagefind (with_material_search)."""
    for folder in SAMPLE_FOLDERS:
        shutil.copytree(REPO / folder, root / folder)
    mkdocs_yml = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        with_material_search(mkdocs_yml) if material_search else mkdocs_yml, encoding="utf-8")
    return root


def write_portal(root: Path, files: dict[str, str | bytes | None],
                 mkdocs_yml: str = MKDOCS_YML, base: bool = True) -> Path:
    """Write the base corpus plus `files` (None deletes a base file) under root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    merged: dict[str, str | bytes | None] = {**(BASE_FILES if base else {}), **files}
    for name, content in merged.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    for kind in ("insights", "personas", "journeys"):
        (root / kind).mkdir(exist_ok=True)
    return root


@pytest.fixture
def make_portal(tmp_path: Path) -> PortalFactory:
    def factory(files: dict[str, str | bytes | None] | None = None, *,
                mkdocs_yml: str = MKDOCS_YML, base: bool = True) -> Path:
        return write_portal(tmp_path / "portal", files or {}, mkdocs_yml, base)
    return factory


def run_portal(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """Run the `portal` CLI as a user would, in a subprocess."""
    # A test's outcome must not depend on the CI it runs in.
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, env=environment, timeout=120)
