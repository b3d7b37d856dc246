"""Team pages and feeds, decision flow, and outcomes against metrics (issue 17):
built into a temporary folder and read as HTML and Atom."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
import pytest
from conftest import MKDOCS_YML, TODAY, PortalFactory, run_portal, write_portal

from generator.core.model import DecisionStatus
from generator.site import flow
from generator.site.timeline import Step

ATOM = "{http://www.w3.org/2005/Atom}"
MATERIAL_YML = MKDOCS_YML + "theme:\n  name: material\n"

JOURNEY = """\
---
title: Order
summary: From basket to doorstep.
personas: [shopper]
owner: cx-team
stages:
  - id: basket
    name: Basket
    owner: catalog-team
  - id: delivery
    name: Delivery
    owner: delivery-ops
    metrics:
      - name: On-time deliveries
        value: 0.91
        target: 0.95
        unit: ratio
        as_of: 2026-11-20
        history:
          - {as_of: 2026-05-01, value: 0.88}
          - {as_of: 2026-08-01, value: 0.93}
          - {as_of: 2026-10-01, value: 0.96}
---
"""


def insight(title: str, decision: str, created: str = "2026-08-01", stage: str = "delivery",
            extra: str = "") -> str:
    return f"""\
---
title: {title}
summary: What we saw about {title.lower()}.
kind: pain
personas: [shopper]
journey: order
stages: [{stage}]
severity: high
confidence: medium
evidence: [{{source: interview, date: 2026-07-20}}]
created: {created}
authors: [dana]
decision:
{decision}
{extra}---
Body.
"""


FILES = {
    "docs/.keep": "",
    "journeys/order.md": JOURNEY,
    # No decision owner, at a stage delivery-ops owns: it falls to them.
    # It names a metric, but is not decided yet: no outcome to show.
    "insights/late-vans.md": insight("Late vans give no warning",
                                     "  status: new\n  metric: On-time deliveries"),
    # Decided (accepted) on 2026-05-02 to move the on-time metric: 0.88 then, 0.91 now.
    "insights/slot-buffer.md": insight(
        "Slots are too tight", "  status: in-progress\n  owner: delivery-ops\n"
        "  date: 2026-05-10\n  metric: On-time deliveries\n  history:\n"
        "    - {status: new, date: 2026-04-01}\n"
        "    - {status: accepted, date: 2026-05-02}\n", created="2026-04-01"),
    # Decided this week: an event of delivery-ops'.
    "insights/cold-bags.md": insight(
        "Chilled bags arrive warm", "  status: accepted\n  owner: delivery-ops\n"
        "  date: 2026-11-20\n  history:\n    - {status: new, date: 2026-11-01}\n",
        created="2026-11-01"),
    # Another team's, at another stage.
    "insights/fees-surprise.md": insight(
        "Fees surprise shoppers", "  status: done\n  owner: catalog-team\n"
        "  date: 2026-10-30\n  outcome: Fees shown from the basket on.\n  history:\n"
        "    - {status: new, date: 2026-09-20}\n    - {status: accepted, date: 2026-10-02}\n",
        created="2026-09-20", stage="basket"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_portal(tmp_path_factory.mktemp("teams") / "portal", FILES, MATERIAL_YML)
    (root / "insights" / "fees-surprise.md").write_text(FILES["insights/fees-surprise.md"],
                                                       encoding="utf-8")
    out = root.parent / "site"
    result = run_portal("build", str(root), "--site-dir", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / path)).getroot().xpath("//article")[0]


def words(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().split())


def section(article: lxml.html.HtmlElement, heading_id: str) -> str:
    """The text from the heading with that id to the next h2."""
    heading = article.xpath(f".//h2[@id='{heading_id}']")[0]
    parts = []
    for node in heading.itersiblings():
        if node.tag == "h2":
            break
        parts.append(words(node))
    return " ".join(parts)


def test_a_team_page_shows_what_waits_what_fell_to_it_and_its_week(site: Path) -> None:
    article = page(site, "teams/delivery-ops/index.html")
    summary = words(article.xpath(".//p[@class='ip-summary']")[0])
    waited = (TODAY - dt.date(2026, 8, 1)).days
    assert summary.startswith("1 insight waits on delivery-ops for a decision (1 fell to it as "
                              f"stage owner), 1 for over 30 days; the oldest has waited {waited}")
    assert section(article, "waiting") == "No insight delivery-ops owns waits for a decision."
    fallen = section(article, "fell-to-team")
    assert "Late vans give no warning" in fallen
    assert f"waiting {waited} days — falls to delivery-ops as stage owner" in fallen
    acting = section(article, "acting")
    assert acting.index("Slots are too tight") < acting.index("Chilled bags arrive warm")
    assert "Fees surprise" not in fallen + acting  # catalog-team's
    week = section(article, "this-week")
    assert "Decided: New → Accepted Chilled bags arrive warm" in week
    assert "Off target On-time deliveries at Delivery" in week
    assert "Fees surprise" not in week
    assert "On-time deliveries: 0.91, target 0.95" in section(article, "stages")


def test_a_team_feed_lists_its_events_only(site: Path) -> None:
    feed = ET.parse(site / "teams" / "delivery-ops" / "feed.xml").getroot()
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert "New → Accepted: Chilled bags arrive warm" in titles
    assert "Off target: On-time deliveries at Delivery (Order)" in titles
    assert "New insight: Late vans give no warning" in titles  # fell to the team
    assert not any("Fees surprise" in title for title in titles)
    # No site_url: links are relative to the feed, two folders down.
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == \
        "../../teams/delivery-ops/feed.xml"
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href").startswith("../../")
    catalog = ET.parse(site / "teams" / "catalog-team" / "feed.xml").getroot()
    assert any("Fees surprise" in entry.find(f"{ATOM}title").text
               for entry in catalog.findall(f"{ATOM}entry"))


def test_the_insight_page_says_whose_desk_it_is_on(site: Path) -> None:
    panel = words(page(site, "insights/late-vans/index.html").xpath(
        ".//div[@class='ip-panel']")[0])
    waited = (TODAY - dt.date(2026, 8, 1)).days
    assert f"Waiting {waited} days for a decision — falls to delivery-ops as stage owner" \
        in panel
    link = page(site, "insights/late-vans/index.html").xpath(
        ".//div[@class='ip-panel']//a[text()='delivery-ops']")[0]
    assert link.get("href") == "../../teams/delivery-ops/"


def test_a_decision_with_a_metric_shows_the_reading_then_and_now(site: Path) -> None:
    panel = words(page(site, "insights/slot-buffer/index.html").xpath(
        ".//div[@class='ip-panel']")[0])
    assert "On-time deliveries at Delivery: 0.88 on 2026-05-01, before the decision of " \
           "2026-05-02 → 0.91 on 2026-11-20, target 0.95 better since" in panel
    assert "In progress for 198 days — with delivery-ops" in panel
    journey = words(page(site, "journeys/order/index.html"))
    assert "Slots are too tight (In progress, delivery-ops): On-time deliveries at Delivery: " \
           "0.88 on 2026-05-01, before the decision of 2026-05-02 → 0.91" in journey


def test_a_metric_that_went_off_target_this_week_is_on_home(site: Path) -> None:
    week = section(page(site, "index.html"), "this-week")
    assert "2026-11-20 Off target On-time deliveries at Delivery — 0.91, target 0.95" in week


def test_teams_are_ranked_by_decision_debt(site: Path) -> None:
    rows = page(site, "teams/index.html").xpath(".//table[@class='ip-teams']/tbody/tr")
    names = [words(row.xpath("./th")[0]) for row in rows]
    assert names[0] == "delivery-ops"  # late-vans has waited over 30 days
    assert set(names) == {"delivery-ops", "catalog-team", "cx-team", "research-team"}


def test_the_sparkline_draws_the_metric_readings(site: Path) -> None:
    cell = page(site, "journeys/order/index.html").xpath(
        ".//table[@class='ip-metrics']//svg")[0]
    assert "0.88 on 2026-05-01 to 0.91 on 2026-11-20" in cell.get("aria-label")


def days(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def test_flow_figures_match_a_hand_computed_fixture() -> None:
    """Five insights; time to decision 10, 20, 30, 40, 100 days: median 30, p90 the
    5th of 5 (ceil(0.9 * 5) = 5) = 100. Time to done 5 and 15: median 10, p90 15."""
    from generator.core.model import Decision, Insight, LineMap, Origin

    def made(created: str, steps: list[tuple[DecisionStatus, str]], owner: str = "ops"):
        item = Insight(id=created, origin=Origin("x.md", LineMap(())), title="t", summary="s",
                       kind=None, personas=[], journey="order", stages=["delivery"], severity=None,
                       confidence=None, tags=[], evidence=[], created=days(created),
                       authors=[], decision=Decision(status=steps[-1][0], owner=owner,
                                                     date=None, rationale=None, link=None,
                                                     review_by=None, outcome=None,
                                                     metric=None, history=[]),
                       related=[], supersedes=[], aliases=[])
        return flow.lead(item, [Step(status, days(day)) for status, day in steps])

    N, A, D = DecisionStatus.NEW, DecisionStatus.ACCEPTED, DecisionStatus.DONE
    leads = [made("2026-01-01", [(N, "2026-01-01"), (A, "2026-01-11"), (D, "2026-01-16")]),
             made("2026-02-01", [(N, "2026-02-01"), (A, "2026-02-21"), (D, "2026-03-08")]),
             made("2026-03-01", [(N, "2026-03-01"), (DecisionStatus.DECLINED, "2026-03-31")]),
             made("2026-04-01", [(N, "2026-04-01"), (A, "2026-05-11")]),
             made("2026-05-01", [(N, "2026-05-01"), (A, "2026-08-09")], owner="cx"),
             made("2026-06-01", [(N, "2026-06-01")])]  # undecided: not counted
    result = flow.decision_flow(leads)
    assert result.overall.to_decision == [10, 20, 30, 40, 100]
    assert (result.overall.decision_median, result.overall.decision_p90) == (30, 100)
    assert (result.overall.done_median, result.overall.done_p90) == (10, 15)
    assert (result.by_team["ops"].decision_median, result.by_team["ops"].decision_p90) == (25, 40)
    assert list(result.by_month) == ["2026-01", "2026-02", "2026-03", "2026-05", "2026-08"]
    assert result.by_stage[("order", "delivery")].decided == 5


def test_the_team_page_shows_its_flow(site: Path) -> None:
    flow_text = section(page(site, "teams/catalog-team/index.html"), "flow")
    # fees-surprise: created 09-20, accepted 10-02 (12 days), done 10-30 (28 days).
    assert "Time to decision median 12 days, 90th percentile 12 days (1 decision)" in flow_text
    assert "Time to done median 28 days, 90th percentile 28 days (1 done)" in flow_text


def test_a_team_name_is_escaped_and_its_address_is_a_slug(make_portal: PortalFactory,
                                                          tmp_path: Path) -> None:
    hostile = '"<img src=x onerror=alert(1)>"'
    root = make_portal({"docs/.keep": ""}, mkdocs_yml=MATERIAL_YML)
    persona = root / "personas" / "shopper.md"
    persona.write_text(persona.read_text(encoding="utf-8").replace(
        "owner: research-team", f"owner: {hostile}"), encoding="utf-8")
    out = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    team = out / "teams" / "img-src-x-onerror-alert-1" / "index.html"
    html = team.read_text(encoding="utf-8")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_team_name_is_never_read_as_markdown(make_portal: PortalFactory,
                                               tmp_path: Path) -> None:
    """Team names sit in sentences of the page: Markdown there would make links."""
    name = "Ops & *Co* [x](javascript:alert(1))"
    root = make_portal({"docs/.keep": ""}, mkdocs_yml=MATERIAL_YML)
    insight = root / "insights" / "fees-surprise.md"
    insight.write_text(insight.read_text(encoding="utf-8").replace(
        "status: accepted\n  owner: checkout-team", f"status: under-review\n  owner: '{name}'"),
        encoding="utf-8")
    out = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    team = lxml.html.parse(str(out / "teams" / "ops-co-x-javascript-alert-1" / "index.html"))
    article = team.getroot().xpath("//article")[0]
    assert not article.xpath(".//a[starts-with(@href, 'javascript')]")
    assert not article.xpath(".//em")
    assert name in words(article)


@pytest.mark.parametrize(("better", "values", "off"), [
    ("higher", [0.96, 0.93, 0.97, 0.91], ["2026-08-01", "2026-11-20"]),
    ("lower", [0.96, 0.93, 0.97, 0.91], ["2026-10-01"]),  # 0.95 or less is good
    ("higher", [0.90, 0.91, 0.92, 0.93], []),  # never met, so never went off
])
def test_a_metric_goes_off_target_when_a_reading_misses_after_one_met(
        better: str, values: list[float], off: list[str]) -> None:
    from generator.core.model import Better, Metric, Reading
    dates = ["2026-05-01", "2026-08-01", "2026-10-01"]
    metric = Metric(name="m", value=values[-1], target=0.95, unit=None, better=Better(better),
                    as_of=days("2026-11-20"),
                    history=[Reading(as_of=days(d), value=v)
                             for d, v in zip(dates, values[:3], strict=True)])
    assert [d.isoformat() for d in metric.went_off_target()] == off
    assert metric.reading_on(days("2026-09-30")) == (days("2026-08-01"), values[1])
    assert metric.reading_on(days("2026-04-30")) is None


def test_a_body_may_link_to_a_team_page_and_its_feed(make_portal: PortalFactory) -> None:
    from generator.check.pipeline import check_portal
    root = make_portal()
    insight = root / "insights" / "fees-surprise.md"
    insight.write_text(insight.read_text(encoding="utf-8") + (
        "\nOwned by [checkout](../teams/checkout-team/index.md), whose "
        "[feed](../teams/checkout-team/feed.xml) we read; not [nobody](../teams/nobody/index.md)."
        "\n"), encoding="utf-8")
    broken = [p.message for p in check_portal(root, TODAY, use_cache=False).problems
              if p.rule == "broken-link"]
    assert len(broken) == 1 and "teams/nobody/index.md" in broken[0], broken


def test_a_docs_page_may_link_to_a_team_page(make_portal: PortalFactory) -> None:
    from generator.check.pipeline import check_portal
    root = make_portal({"docs/about.md": "# About\n\n[Checkout](teams/checkout-team/index.md) "
                                         "and [its feed](teams/checkout-team/feed.xml).\n"})
    assert [p for p in check_portal(root, TODAY, use_cache=False).problems
            if p.rule == "broken-link"] == []


@pytest.mark.parametrize(("better", "then", "now", "improved"), [
    ("higher", 0.80, 0.90, True), ("higher", 0.90, 0.85, False),
    ("lower", 0.80, 0.90, False), ("lower", 0.90, 0.85, True), ("higher", 0.9, 0.9, None)])
def test_an_outcome_is_better_when_the_metric_moved_its_good_way(
        better: str, then: float, now: float, improved: bool | None) -> None:
    from generator.core.model import Better, Metric
    from generator.site.outcomes import Outcome
    metric = Metric(name="m", value=now, target=0.95, unit=None, better=Better(better),
                    as_of=days("2026-11-01"), history=[])
    outcome = Outcome(None, None, metric, days("2026-06-01"), (days("2026-05-01"), then),
                      (days("2026-11-01"), now))
    assert outcome.improved is improved


def test_an_undecided_insight_has_no_outcome_yet(site: Path) -> None:
    """late-vans is new: naming a metric does not make it a decision."""
    panel = words(page(site, "insights/late-vans/index.html").xpath(
        ".//div[@class='ip-panel']")[0])
    assert "Metric" not in panel
