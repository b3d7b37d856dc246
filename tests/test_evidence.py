"""Evidence strength, computed (issue 18, PRODUCT.md "Evidence strength"): the insight
page's evidence line, the level on cards, the index data and the exports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import lxml.html
import pytest
from conftest import BASE_FILES, MKDOCS_YML, TODAY, run_portal, write_portal
from test_teams import section as section_text

MATERIAL_YML = MKDOCS_YML + "theme:\n  name: material\n"
INSIGHT = "insights/fees-surprise.md"
TRIANGULATED = BASE_FILES[INSIGHT].replace(
    "            count: 12\n",
    "            count: 12\n"
    "          - {source: interview, date: 2026-09-01}\n"
    "          - {source: analytics, count: 3070, date: 2025-08-31}\n"
    "          - {source: support-ticket, ref: ZD-1002}\n")
SINGLE = BASE_FILES[INSIGHT].replace("Delivery fee surprises", "Old fee note").replace(
    "date: 2026-09-14", "date: 2025-06-01")
# A pain at the basket that only analytics shows: nobody has talked to a customer about it.
BLIND = BASE_FILES[INSIGHT].replace("Delivery fee surprises shoppers at checkout",
                                    "Baskets are abandoned after the first edit").replace(
    "stages: [checkout]", "stages: [basket]").replace(
    "source: support-ticket", "source: analytics").replace(
    "severity: high", "severity: low").replace("count: 12", "count: 9000")  # seen most
DELIGHT = BASE_FILES[INSIGHT].replace("Delivery fee surprises shoppers at checkout",
                                      "Shoppers love the reorder button").replace(
    "kind: pain", "kind: delight").replace("stages: [checkout]", "stages: [basket]")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_portal(tmp_path_factory.mktemp("evidence") / "portal",
                        {"docs/.keep": "", INSIGHT: TRIANGULATED,
                         "insights/old-fee-note.md": SINGLE,
                         "insights/basket-edits.md": BLIND,
                         "insights/reorder-button.md": DELIGHT}, MATERIAL_YML)
    out = root.parent / "site"
    result = run_portal("build", str(root), "--site-dir", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def line(site: Path, insight: str) -> str:
    page = lxml.html.parse(str(site / "insights" / insight / "index.html")).getroot()
    return " ".join(page.xpath("//p[@class='ip-evidence-line']")[0].text_content().split())


def test_three_methods_are_triangulated_with_voice_apart_from_behaviour(site: Path) -> None:
    assert line(site, "fees-surprise") == (
        "Triangulated · 3 methods — customer voice: support tickets, interviews; behaviour: "
        "analytics · 3,084 times seen · newest 2026-09-14")


def test_one_old_method_is_single_and_stale(site: Path) -> None:
    age = (TODAY - dt.date(2025, 6, 1)).days
    assert line(site, "old-fee-note") == (
        "Single method · 1 method — customer voice: support tickets · 12 times seen · newest "
        f"2025-06-01 Stale: {age} days old")


def test_every_card_names_the_level(site: Path) -> None:
    page = lxml.html.parse(str(site / "personas" / "shopper" / "index.html")).getroot()
    badges = {" ".join(b.text_content().split()) for b in page.xpath(
        "//article[contains(@class, 'ip-card')]//span[contains(@class, 'ip-strength')]")}
    assert badges >= {"Triangulated", "Single method"}


def test_the_index_data_and_exports_carry_it(site: Path) -> None:
    data = json.loads((site / "assets" / "insight-index.json").read_text(encoding="utf-8"))
    rows = {row["id"]: row for row in data["insights"]}
    assert (rows["fees-surprise"]["strength"], rows["fees-surprise"]["strengthRank"]) == \
        ("triangulated", 3)
    facet = next(f for f in data["facets"] if f["key"] == "strength")
    assert [label for _, label in facet["options"]] == ["Triangulated", "Single method"]
    assert rows["old-fee-note"]["strength"] == "single-method"
    exported = {r["id"]: r for r in json.loads(
        (site / "export" / "insights.json").read_text(encoding="utf-8"))}
    assert exported["fees-surprise"]["evidence_strength"] == "triangulated"
    assert exported["fees-surprise"]["times_seen"] == 3084


def home(site: Path) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / "index.html")).getroot().xpath("//article")[0]


def test_home_names_the_stages_no_customer_has_told_us_about(site: Path) -> None:
    blind = section_text(home(site), "blind")
    assert "Order › Basket: 1 open pain, evidence from analytics only (owner catalog-team)" \
        in blind
    assert "Checkout" not in blind  # its pains come with support tickets and interviews


def test_home_lists_delights_to_protect_with_stage_and_owner(site: Path) -> None:
    delights = section_text(home(site), "delights")
    assert "Shoppers love the reorder button — at Order › Basket, owner catalog-team" in delights


def test_the_whole_ranking_is_on_home_also_by_times_seen(site: Path) -> None:
    article = home(site)
    by_weight = [" ".join(row.xpath("./th")[0].text_content().split()) for row in article.xpath(
        ".//table[contains(@class, 'ip-moments-weight')]/tbody/tr")]
    by_seen = [" ".join(row.xpath("./th")[0].text_content().split()) for row in article.xpath(
        ".//table[contains(@class, 'ip-moments-frequency')]/tbody/tr")]
    assert by_weight[0].startswith("Checkout")  # weight 4 + 4 against the basket's 4
    assert sorted(by_weight) == sorted(by_seen)


def test_heat_map_colours_rise_with_each_cells_own_number(site: Path) -> None:
    table = lxml.html.parse(str(site / "journeys" / "order" / "index.html")).getroot().xpath(
        "//table[@class='ip-heat']")[0]
    checked = 0
    for row in table.xpath("./tbody/tr"):
        cells = [(int(td.text_content().split()[0]), int(td.get("class")[-1]))
                 for td in row.xpath("./td[starts-with(@class, 'ip-heat-l')]")]
        if not cells:
            continue
        checked += 1
        by_number = [level for _, level in sorted(cells)]
        assert by_number == sorted(by_number), row.xpath("./th")[0].text_content()
        assert all(level == 0 for number, level in cells if number == 0)
        assert max(level for _, level in cells) == 4  # the largest of the row is darkest
    assert checked >= 3
