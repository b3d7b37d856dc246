"""Shared fixtures: small portals written into tmp_path.

`make_portal` writes a minimal valid corpus — one persona, one journey with two
stages, one insight using both — and then the files a test passes, so each test
shows only what it breaks.
"""

from __future__ import annotations

import datetime as dt
import os
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
