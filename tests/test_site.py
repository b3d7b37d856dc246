"""The built portal, read as a browser would: the HTML of a real build.

The sample site is built once per session through the `portal` CLI and every
page is parsed with lxml; what the pages show is compared with the catalog and
the analysis computed in-process from the same files. Small portals written by
`make_portal` cover what the sample cannot (failing builds, strict mode,
template overrides, `portal generate`).

Every build pins the reference date (`--today` or SOURCE_DATE_EPOCH).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import posixpath
import re
import subprocess
import sys
import textwrap
from collections import Counter
from functools import cached_property
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest
from conftest import (
    BASE_FILES,
    MATERIAL_INDEX,
    MKDOCS_YML,
    REPO,
    TODAY,
    PortalFactory,
    copy_sample,
    run_portal,
    site_files,
)
from lxml.html import HtmlElement

from generator.check.pipeline import PortalResult, check_portal
from generator.core.model import DecisionStatus, Kind
from generator.site import analysis, history

EPOCH = "1795478400"  # SOURCE_DATE_EPOCH of TODAY, 2026-11-24 00:00 UTC
SECTIONS = ["Home", "Insights", "Decisions", "Personas", "Journeys", "Teams", "Tags",
            "What's new"]
SECTION_PAGES = ["index.html", "insights/index.html", "decisions/index.html",
                 "personas/index.html", "journeys/index.html", "teams/index.html",
                 "tags/index.html", "whats-new/index.html"]
# Pagefind, the default search, adds its search page to the nav after the sections.
NAV = [*SECTIONS, "Search"]
NAV_PAGES = [*SECTION_PAGES, "search/index.html"]
STATUS_LABELS = {"new": "New", "under-review": "Under review", "accepted": "Accepted",
                 "in-progress": "In progress", "done": "Done", "declined": "Declined",
                 "superseded": "Superseded"}
REPO_URL = "https://github.com/basketful/insight-portal"  # repo_url in the sample mkdocs.yml
# MkDocs refuses a missing docs_dir; the small portals get an empty one (dotfiles are
# excluded from the site). test_portal_without_docs_folder_builds covers its absence.
DOCS = {"docs/.keep": ""}
MATERIAL_YML = MKDOCS_YML + "theme:\n  name: material\n"  # the theme the portal is made for
CLOSED = {"done", "superseded"}
WEIGHTS = {"low": 1, "medium": 2, "high": 4, "critical": 8}
ENTRY_URL = re.compile(r"^(insights|personas|journeys)/([a-z0-9-]+)/index\.html$")


# --- reading the built site ----------------------------------------------------------


def has_class(name: str) -> str:
    """XPath predicate: the element's class attribute contains `name` as a word."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def text(element: HtmlElement) -> str:
    """The visible text, whitespace collapsed, without the toc permalink sign."""
    return " ".join(element.text_content().replace("¶", " ").split())


def leading_int(value: str) -> int:
    match = re.match(r"\s*(-?\d+)", value)
    assert match, f"no number at the start of {value!r}"
    return int(match.group(1))


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._pages: dict[str, HtmlElement] = {}

    @cached_property
    def html_files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def page(self, rel: str) -> HtmlElement:
        if rel not in self._pages:
            assert self.exists(rel), f"{rel} was not built"
            self._pages[rel] = lxml.html.parse(str(self.root / rel)).getroot()
        return self._pages[rel]

    def article(self, rel: str) -> HtmlElement:
        found = self.page(rel).xpath(f"//article[{has_class('md-content__inner')}]")
        assert len(found) == 1, f"{rel}: no single Material content article"
        return found[0]

    def ids(self, rel: str) -> set[str]:
        return {e.get("id") for e in self.page(rel).iter() if isinstance(e.tag, str)
                and e.get("id")}

    def resolve(self, page: str, href: str) -> tuple[str | None, str]:
        """The site file a relative (or site-absolute) href on `page` points to, and its
        fragment; None when it leaves the site."""
        parts = urlsplit(href)
        path = unquote(parts.path)
        if not path:
            return page, parts.fragment
        base = "" if path.startswith("/") else posixpath.dirname(page)
        target = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        if target == ".." or target.startswith("../"):
            return None, parts.fragment
        target = "" if target == "." else target
        if path.endswith("/") or not target or (self.root / target).is_dir():
            target = posixpath.join(target, "index.html")
        return target, parts.fragment

    def entry_of(self, page: str, href: str) -> tuple[str, str] | None:
        """(folder, id) when href on `page` points at an entry page."""
        target, _ = self.resolve(page, href)
        match = ENTRY_URL.match(target or "")
        return (match.group(1), match.group(2)) if match else None


def analysis_heats(catalog) -> list[analysis.JourneyHeat]:
    return [analysis.journey_heat(journey, catalog) for journey in catalog.journeys.values()]


def section(article: HtmlElement, starts_with: str, level: str = "h2") -> list[HtmlElement]:
    """The elements after the `level` heading whose text starts with `starts_with`, up to
    the next heading of that level. The last such heading counts: the generated sections
    follow the entry's own body, which may use the same words."""
    children = list(article)
    for index in reversed(range(len(children))):
        child = children[index]
        if child.tag == level and text(child).startswith(starts_with):
            following = []
            for element in children[index + 1:]:
                if element.tag == level:
                    break
                following.append(element)
            return following
    raise AssertionError(f"no <{level}> starting with {starts_with!r}")


def select(elements: list[HtmlElement], xpath: str = "descendant-or-self::a[@href]"
           ) -> list[HtmlElement]:
    """What `xpath` finds in each of `elements`, in document order."""
    return [found for element in elements for found in element.xpath(xpath)]


def card_ids(site: Site, page: str, elements: list[HtmlElement]) -> list[str]:
    """Ids of the insights whose cards appear in `elements`, in order."""
    ids = []
    for link in select(elements, f".//*[{has_class('ip-card-title')}]/a[@href]"):
        entry = site.entry_of(page, link.get("href"))
        assert entry and entry[0] == "insights", f"{page}: card link {link.get('href')}"
        ids.append(entry[1])
    return ids


def facts(dl: HtmlElement) -> dict[str, HtmlElement]:
    """<dt> text -> its <dd> in a definition list."""
    terms = dl.xpath("./dt")
    return {text(dt): dt.getnext() for dt in terms}


# --- the sample site, built once ------------------------------------------------------


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory
                 ) -> tuple[subprocess.CompletedProcess[str], Path]:
    site_dir = tmp_path_factory.mktemp("sample") / "site"
    result = run_portal("build", str(REPO), "--site-dir", str(site_dir), "--strict",
                        "--today", TODAY.isoformat())
    return result, site_dir


@pytest.fixture(scope="session")
def site(sample_build: tuple[subprocess.CompletedProcess[str], Path]) -> Site:
    result, site_dir = sample_build
    assert result.returncode == 0, result.stdout + result.stderr
    return Site(site_dir)


@pytest.fixture(scope="session")
def material_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The sample (copied, without its git history) built with Material's own search,
    `search: material`, instead of Pagefind."""
    base = tmp_path_factory.mktemp("material-search")
    root = copy_sample(base / "portal", material_search=True)
    result = run_portal("build", str(root), "--site-dir", str(base / "site"), "--strict",
                        "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    return Site(base / "site")


@pytest.fixture(scope="session")
def sample() -> PortalResult:
    result = check_portal(REPO, TODAY)
    assert result.errors == 0
    return result


@pytest.fixture(scope="session")
def mkdocs_build(tmp_path_factory: pytest.TempPathFactory
                 ) -> tuple[subprocess.CompletedProcess[str], Path]:
    site_dir = tmp_path_factory.mktemp("mkdocs") / "site"
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(REPO / "mkdocs.yml"),
         "-d", str(site_dir), "--strict"],
        capture_output=True, text=True, env=env, timeout=120, cwd=site_dir.parent)
    return result, site_dir


def build(root: Path, site_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_portal("build", str(root), "--site-dir", str(site_dir),
                      "--today", TODAY.isoformat(), *args)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


# --- 1. both build commands -----------------------------------------------------------


def test_portal_build_strict_succeeds_on_the_sample(
        sample_build: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, site_dir = sample_build
    assert result.returncode == 0, output(result)
    assert "Traceback" not in output(result)
    assert (site_dir / "index.html").is_file()
    # Reminders (decision debt) are reported, but they never fail --strict.
    assert "[decision-overdue]" in output(result)


def test_mkdocs_build_strict_succeeds_and_matches_portal_build(
        site: Site, mkdocs_build: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, site_dir = mkdocs_build
    assert result.returncode == 0, output(result)
    built = Site(site_dir)
    assert built.html_files == site.html_files
    # Same reference date, same plugin: `portal build` only wraps `mkdocs build`.
    for rel in ["index.html", "insights/late-van-no-warning/index.html",
                "journeys/online-grocery-order/index.html", "personas/busy-parent/index.html"]:
        assert (site_dir / rel).read_bytes() == (site.root / rel).read_bytes(), rel


# --- 2. insight pages -------------------------------------------------------------------


def test_every_insight_page_shows_title_status_decision_and_evidence(
        site: Site, sample: PortalResult) -> None:
    catalog = sample.catalog
    assert catalog.insights
    failures: list[str] = []

    def check(condition: bool, message: str) -> None:
        if not condition:
            failures.append(message)

    for id, insight in sorted(catalog.insights.items()):
        rel = f"insights/{id}/index.html"
        if not site.exists(rel):
            failures.append(f"{rel} missing")
            continue
        article = site.article(rel)
        h1 = article.xpath("./h1")
        check(len(h1) == 1 and text(h1[0]) == insight.title, f"{id}: title")
        check(site.page(rel).findtext(".//title").startswith(insight.title), f"{id}: <title>")

        status = insight.status.value
        badges = article.xpath(f"./p[{has_class('ip-card-meta')}]"
                               f"/span[{has_class('ip-status-' + status)}]")
        check([text(b) for b in badges] == [STATUS_LABELS[status]], f"{id}: status badge")

        panels = article.xpath(f".//div[{has_class('ip-panel')}]/dl")
        check(len(panels) == 1, f"{id}: one decision panel")
        if not panels:
            continue
        decision = facts(panels[0])
        check(text(decision["Status"]) == STATUS_LABELS[status], f"{id}: panel status")
        owner = insight.decision.owner
        check(text(decision["Owner"]) == (owner or "No owner yet"), f"{id}: owner")
        decided = insight.decision.date
        check(text(decision["Decided"]) == (decided.isoformat() if decided else "Not yet"),
              f"{id}: decision date")
        rationale = insight.decision.rationale
        if rationale:
            check("Rationale" in decision and text(decision["Rationale"]) == " ".join(
                rationale.split()), f"{id}: rationale")
        else:
            check("Rationale" not in decision, f"{id}: rationale shown without one")
        if insight.decision.outcome:
            check("Outcome" in decision and text(decision["Outcome"]) == " ".join(
                insight.decision.outcome.split()), f"{id}: outcome")
        if insight.decision.link:
            check(decision["Tracked in"].xpath("./a/@href") == [insight.decision.link],
                  f"{id}: decision link")

        evidence = section(article, "Evidence")
        cards = select(evidence, f".//article[{has_class('ip-card')}]")
        check(len(cards) == len(insight.evidence), f"{id}: one card per evidence item")
        quotes = [text(q) for q in select(evidence, f".//blockquote[{has_class('ip-quote')}]")]
        expected = [" ".join(e.quote.split()) for e in insight.evidence if e.quote]
        check(quotes == expected, f"{id}: evidence quotes {quotes} != {expected}")

        edit = site.page(rel).xpath(f"//a[{has_class('md-content__button')}][@rel='edit']")
        check(len(edit) == 1 and edit[0].get("href") ==
              f"{REPO_URL}/edit/main/insights/{id}.md", f"{id}: edit link")

        where = facts(section(article, "Who and where")[0])
        personas = [site.entry_of(rel, a.get("href")) for a in where["Personas"].xpath(".//a")]
        check(personas == [("personas", p) for p in insight.personas], f"{id}: personas")
        if insight.journey:
            check([site.entry_of(rel, a.get("href")) for a in where["Journey"].xpath(".//a")]
                  == [("journeys", insight.journey)], f"{id}: journey link")
            stage_links = [site.resolve(rel, a.get("href")) for a in
                           where["Stages"].xpath(".//a")] if "Stages" in where else []
            check(stage_links == [(f"journeys/{insight.journey}/index.html", f"stage-{s}")
                                  for s in insight.stages], f"{id}: stage links")

        superseded_by = catalog.superseded_by.get(id, [])
        if superseded_by:
            note = article.xpath(f".//div[{has_class('admonition')}]"
                                 f"[p[{has_class('admonition-title')}]='Superseded']//a/@href")
            check({site.entry_of(rel, h)[1] for h in note} == set(superseded_by),
                  f"{id}: superseded-by note")
        referred = [i for i in catalog.related_from.get(id, []) if i not in insight.related]
        if referred:
            check(set(card_ids(site, rel, section(article, "Referred to by", "h3")))
                  == set(referred), f"{id}: backlinks")
    assert not failures, "\n".join(failures)


def test_persona_and_journey_pages_have_an_edit_link_to_their_file(
        site: Site, sample: PortalResult) -> None:
    for kind, entries in (("personas", sample.catalog.personas),
                          ("journeys", sample.catalog.journeys)):
        for id in entries:
            rel = f"{kind}/{id}/index.html"
            hrefs = site.page(rel).xpath(f"//a[{has_class('md-content__button')}]"
                                         "[@rel='edit']/@href")
            assert hrefs == [f"{REPO_URL}/edit/main/{kind}/{id}.md"], rel


# --- 3. persona pages -----------------------------------------------------------------


def test_persona_page_lists_exactly_the_insights_that_reference_it(
        site: Site, sample: PortalResult) -> None:
    catalog = sample.catalog
    for id, persona in sorted(catalog.personas.items()):
        rel = f"personas/{id}/index.html"
        article = site.article(rel)
        assert text(article.xpath("./h1")[0]) == persona.name
        expected = set(catalog.insights_of_persona.get(id, []))
        insights = section(article, "Insights")
        listed = card_ids(site, rel, insights)
        assert len(listed) == len(set(listed)), f"{rel}: an insight listed twice"
        assert set(listed) == expected, rel
        heading = [h for h in article.xpath("./h2") if text(h).startswith("Insights")][0]
        assert text(heading) == f"Insights ({len(expected)})"
        # Grouped by status: every card sits under the heading of its own status.
        status = None
        for element in insights:
            if element.tag == "h3":
                status = text(element).rsplit(" (", 1)[0]
            for link in element.xpath(f".//*[{has_class('ip-card-title')}]/a/@href"):
                insight = catalog.insights[site.entry_of(rel, link)[1]]
                assert status == STATUS_LABELS[insight.status.value], (rel, insight.id)
        journeys = [site.entry_of(rel, a.get("href"))
                    for a in select(section(article, "Journeys"))]
        assert journeys == [("journeys", j) for j in catalog.journeys_of_persona.get(id, [])]


# --- 4. journey heat map ------------------------------------------------------------------


def heat_table(site: Site, rel: str) -> tuple[list[HtmlElement], dict[str, list[HtmlElement]]]:
    tables = site.article(rel).xpath(f".//table[{has_class('ip-heat')}]")
    assert len(tables) == 1, f"{rel}: one heat map"
    columns = tables[0].xpath("./thead/tr/th")[1:]
    rows = {text(tr.xpath("./th")[0]): tr.xpath("./td") for tr in tables[0].xpath("./tbody/tr")}
    return columns, rows


def test_journey_heat_map_numbers_equal_the_analysis(site: Site, sample: PortalResult) -> None:
    catalog = sample.catalog
    assert catalog.journeys
    for id, journey in sorted(catalog.journeys.items()):
        rel = f"journeys/{id}/index.html"
        heat = analysis.journey_heat(journey, catalog)
        columns, rows = heat_table(site, rel)
        stage_ids = [s.id for s in journey.stages]
        assert [site.resolve(rel, c.xpath(".//a/@href")[0])[1] for c in columns] == [
            f"stage-{s}" for s in stage_ids], f"{rel}: stage columns in journey order"
        for label, attribute in [("Open pains", "pains"), ("Weighted score", "weight"),
                                 ("Times seen (evidence)", "evidence"),
                                 ("Undecided pains", "undecided"), ("Delights", "delights")]:
            shown = [leading_int(text(cell)) for cell in rows[label]]
            assert shown == [getattr(s, attribute) for s in heat.stages], f"{rel}: {label}"
        assert [text(c) for c in rows["Stage owner"]] == [s.owner for s in journey.stages]
        # The definitions (PRODUCT.md) once more, straight from the catalog: open pains
        # leave out done and superseded; weights are low 1, medium 2, high 4, critical 8.
        open_pains = [[i for i in (catalog.insights[x] for x in
                                   catalog.insights_of_stage.get((id, stage), []))
                       if i.kind.value == "pain" and i.status.value not in CLOSED]
                      for stage in stage_ids]
        assert [leading_int(text(c)) for c in rows["Open pains"]] == [
            len(pains) for pains in open_pains], rel
        assert [leading_int(text(c)) for c in rows["Weighted score"]] == [
            sum(WEIGHTS[i.severity.value] for i in pains) for pains in open_pains], rel
        for cell, stage in zip(rows["Undecided pains"], heat.stages, strict=True):
            flagged = bool(cell.xpath(f".//*[{has_class('ip-flag')}]"))
            assert flagged == (stage.undecided > 0), f"{rel}: undecided mark"
        for persona in heat.personas:
            shown = [int(text(c)) for c in rows[catalog.personas[persona].name]]
            assert shown == [s.by_persona.get(persona, 0) for s in heat.stages], (rel, persona)
        hot = [s.stage.id for s in heat.hot_spots]
        marked = [stage for stage, column in zip(stage_ids, columns, strict=True)
                  if "ip-hot" in column.get("class", "").split()]
        assert marked == hot, f"{rel}: hot-spot column"
        if any(s.pains for s in heat.stages):
            assert hot, f"{rel}: a journey with pains has a hot spot"
        # Each stage has its own section, in order, with the anchor the map links to.
        anchors = [h.get("id") for h in site.article(rel).xpath("./h3")
                   if (h.get("id") or "").startswith("stage-")]
        assert anchors == [f"stage-{s}" for s in stage_ids]


def test_sample_heat_maps_mark_a_hot_spot(site: Site, sample: PortalResult) -> None:
    marked = [text(column) for id in sample.catalog.journeys
              for column in heat_table(site, f"journeys/{id}/index.html")[0]
              if "ip-hot" in column.get("class", "").split()]
    assert marked, "the sample should show at least one hot spot"


# --- 5. exports -------------------------------------------------------------------------


def test_insights_json_export_equals_the_catalog(site: Site, sample: PortalResult) -> None:
    rows = json.loads((site.root / "export/insights.json").read_text(encoding="utf-8"))
    catalog = sample.catalog
    assert [row["id"] for row in rows] == sorted(catalog.insights)
    for row in rows:
        insight = catalog.insights[row["id"]]
        assert row["title"] == insight.title
        assert row["decision"]["status"] == insight.status.value
        assert row["decision"]["owner"] == insight.decision.owner
        assert row["personas"] == insight.personas
        assert row["path"] == f"insights/{insight.id}.md"


def test_insights_csv_export_has_a_header_and_one_row_per_insight(
        site: Site, sample: PortalResult) -> None:
    content = (site.root / "export/insights.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(content))
    assert {"id", "title", "decision.status", "decision.owner"} <= set(reader.fieldnames or [])
    rows = list(reader)
    catalog = sample.catalog
    assert sorted(row["id"] for row in rows) == sorted(catalog.insights)
    for row in rows:
        insight = catalog.insights[row["id"]]
        assert row["decision.status"] == insight.status.value
        assert row["decision.owner"] == (insight.decision.owner or "")


@pytest.mark.parametrize("kind", ["personas", "journeys"])
def test_persona_and_journey_exports_exist(site: Site, sample: PortalResult, kind: str) -> None:
    entries = sample.catalog.entries(Kind(kind[:-1]))
    rows = json.loads((site.root / f"export/{kind}.json").read_text(encoding="utf-8"))
    assert [row["id"] for row in rows] == sorted(entries)
    table = list(csv.DictReader(io.StringIO(
        (site.root / f"export/{kind}.csv").read_text(encoding="utf-8"))))
    assert sorted(row["id"] for row in table) == sorted(entries)


# --- 6. private by default ----------------------------------------------------------------

EXTERNAL = re.compile(r"^\s*(https?:|//)", re.IGNORECASE)


def test_every_page_carries_noindex_except_404(site: Site) -> None:
    assert len(site.html_files) > 20
    for rel in site.html_files:
        if rel == "404.html":
            continue  # see test_404_page_carries_noindex
        robots = site.page(rel).xpath("//head/meta[@name='robots']/@content")
        assert robots and robots[0].replace(" ", "").startswith("noindex"), rel


def test_404_page_carries_noindex(site: Site) -> None:
    robots = site.page("404.html").xpath("//head/meta[@name='robots']/@content")
    assert robots and robots[0].replace(" ", "").startswith("noindex")


def test_robots_txt_disallows_everything(site: Site) -> None:
    lines = [line.strip() for line in (site.root / "robots.txt").read_text().splitlines()]
    assert "User-agent: *" in lines and "Disallow: /" in lines


def external_loads(site: Site) -> list[str]:
    """Every resource a page of `site` would fetch from another host."""
    offending = []
    for rel in site.html_files:
        page = site.page(rel)
        for element in page.xpath("//script[@src] | //img[@src] | //iframe[@src] | "
                                  "//source[@src] | //video[@src] | //audio[@src] | "
                                  "//embed[@src] | //link[@href] | //object[@data]"):
            url = element.get("src") or element.get("href") or element.get("data")
            if EXTERNAL.match(url):
                offending.append(f"{rel}: <{element.tag}> {url}")
        for refresh in page.xpath("//meta[@http-equiv='refresh']/@content"):
            if EXTERNAL.match(refresh.split("url=", 1)[-1]):
                offending.append(f"{rel}: refresh to {refresh}")
    return offending


def test_no_page_loads_anything_from_another_host(site: Site) -> None:
    offending = external_loads(site)
    assert not offending, "\n".join(offending)


def test_stylesheets_import_nothing_from_another_host(site: Site) -> None:
    sheets = list(site.root.rglob("*.css"))
    assert any(p.name == "insight-portal.css" for p in sheets)
    pattern = re.compile(r"""(url\(\s*["']?|@import\s+["'])\s*(https?:)?//""", re.IGNORECASE)
    for sheet in sheets:
        assert not pattern.search(sheet.read_text(encoding="utf-8")), sheet


# --- 7. navigation ----------------------------------------------------------------------


def check_navigation(site: Site, rel: str) -> None:
    """Tabs and the primary sidebar list the sections, then Search, and no entry page."""
    page = site.page(rel)
    tabs = page.xpath(f"//nav[{has_class('md-tabs')}]//a[{has_class('md-tabs__link')}]")
    if tabs:  # the sample turns on navigation.tabs
        assert [text(a) for a in tabs] == NAV, rel
        assert [site.resolve(rel, a.get("href"))[0] for a in tabs] == NAV_PAGES, rel
    primary = page.xpath(f"//nav[{has_class('md-nav--primary')}]")
    assert len(primary) == 1, rel
    items = primary[0].xpath(f"./ul/li[{has_class('md-nav__item')}]")
    labels = [text(li.xpath(f"./*[{has_class('md-nav__link')}]")[0]) for li in items]
    assert labels == NAV, rel
    # Below the sections there is only the current page's table of contents.
    for link in primary[0].xpath(
            f".//a[@href][not(ancestor::nav[{has_class('md-nav--secondary')}])]"):
        target, _ = site.resolve(rel, link.get("href"))
        assert target in NAV_PAGES or target == rel, (rel, link.get("href"))


def test_navigation_lists_only_the_sections(site: Site, sample: PortalResult) -> None:
    checked = 0
    for rel in site.html_files:
        if rel == "404.html":
            continue  # site-absolute links, checked by the link test
        if not site.page(rel).xpath(f"//nav[{has_class('md-nav--primary')}]"):
            assert "/index.html" in rel and site.page(rel).xpath(
                "//meta[@http-equiv='refresh']"), f"{rel}: neither a page nor a redirect"
            continue
        check_navigation(site, rel)
        checked += 1
    assert checked >= len(SECTIONS) + len(sample.catalog.insights)


# --- 8. links and anchors -----------------------------------------------------------------

SKIP_SCHEMES = ("http", "https", "mailto", "javascript", "data", "tel")


def test_every_internal_link_and_anchor_resolves(site: Site) -> None:
    broken: list[str] = []
    checked = 0
    for rel in site.html_files:
        page = site.page(rel)
        ids = [e.get("id") for e in page.iter() if isinstance(e.tag, str) and e.get("id")]
        duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
        if duplicates:
            broken.append(f"{rel}: duplicate ids {duplicates}")
        for element in page.xpath("//*[@href or @src or @data-src]"):
            url = element.get("href") or element.get("src") or element.get("data-src")
            parts = urlsplit(url)
            if parts.scheme in SKIP_SCHEMES or parts.netloc:
                continue
            if parts.scheme:
                broken.append(f"{rel}: unexpected URL scheme {url}")
                continue
            target, fragment = site.resolve(rel, url)
            checked += 1
            if target is None or not site.exists(target):
                broken.append(f"{rel}: {url} -> {target} does not exist")
            elif fragment and "=" not in fragment and target.endswith(".html") \
                    and unquote(fragment) not in site.ids(target):
                broken.append(f"{rel}: {url} -> no id {fragment!r} in {target}")
    assert checked >= 10 * len(site.html_files)  # the crawl did look at the pages
    assert not broken, "\n".join(broken)


def test_filter_links_point_at_the_index_with_a_filter_state(site: Site) -> None:
    """`insights/#tag=fees` is a filter state for the index's script, not an anchor."""
    tags = site.article("tags/index.html")
    hrefs = tags.xpath(f".//ul[{has_class('ip-tags')}]//a/@href")
    assert hrefs
    for href in hrefs:
        target, fragment = site.resolve("tags/index.html", href)
        assert target == "insights/index.html" and fragment.startswith("tag="), href


# --- 9. aliases -------------------------------------------------------------------------


def test_alias_redirects_to_the_renamed_insight(site: Site, sample: PortalResult) -> None:
    assert sample.catalog.aliases[Kind.INSIGHT].get("surprise-delivery-fee") == \
        "delivery-fee-revealed-too-late"
    aliases = [(kind, alias, id) for kind in Kind
               for alias, id in sample.catalog.aliases[kind].items()]
    for kind, alias, id in aliases:
        rel = f"{kind.folder}/{alias}/index.html"
        page = site.page(rel)
        refresh = page.xpath("//meta[@http-equiv='refresh']/@content")
        assert len(refresh) == 1, rel
        delay, url = refresh[0].split(";", 1)
        assert delay.strip() == "0" and url.strip().lower().startswith("url=")
        new = f"{kind.folder}/{id}/index.html"
        assert site.resolve(rel, url.strip()[4:])[0] == new, rel
        assert [site.resolve(rel, h)[0] for h in page.xpath("//link[@rel='canonical']/@href")] \
            == [new]
        assert [site.resolve(rel, h)[0] for h in page.xpath("//body//a/@href")] == [new]
        assert page.xpath("//meta[@name='robots']/@content")[0].startswith("noindex")
        assert site.exists(new)


# --- 10-13. small portals ---------------------------------------------------------------


def test_invalid_corpus_fails_the_build_with_file_and_line(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    typo = BASE_FILES["insights/fees-surprise.md"].replace("personas: [shopper]",
                                                           "personas: [shoper]")
    root = make_portal({**DOCS, "insights/fees-surprise.md": typo})
    result = build(root, tmp_path / "site", "--strict")
    assert result.returncode != 0
    text_out = output(result)
    assert "insights/fees-surprise.md:5:" in text_out  # line of `personas:`
    assert "shoper" in text_out and "[unknown-persona]" in text_out
    assert 'Did you mean "shopper"?' in text_out
    assert "Traceback" not in text_out
    assert not (tmp_path / "site" / "index.html").exists()


DONE_WITHOUT_OUTCOME = BASE_FILES["insights/fees-surprise.md"].replace(
    "status: accepted", "status: done")

OLD_NEW_INSIGHT = """\
    ---
    title: Shoppers cannot find the slot calendar
    summary: The slot calendar hides below the basket on small screens.
    kind: pain
    personas: [shopper]
    journey: order
    stages: [basket]
    severity: low
    confidence: low
    evidence:
      - source: interview
    created: 2026-01-01
    authors: [sam]
    decision:
      status: new
    ---
    Nobody has looked at this yet.
    """


def test_warnings_fail_strict_build_but_not_a_normal_one(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal({**DOCS, "insights/fees-surprise.md": DONE_WITHOUT_OUTCOME})
    strict = build(root, tmp_path / "strict", "--strict")
    assert strict.returncode != 0
    assert "[done-without-outcome]" in output(strict)
    assert "Traceback" not in output(strict)
    relaxed = build(root, tmp_path / "relaxed")
    assert relaxed.returncode == 0, output(relaxed)
    assert "[done-without-outcome]" in output(relaxed)
    assert (tmp_path / "relaxed" / "insights/fees-surprise/index.html").is_file()


def test_reminders_never_fail_a_strict_build(make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal({**DOCS, "insights/slot-calendar-hidden.md": OLD_NEW_INSIGHT},
                       mkdocs_yml=MATERIAL_YML)
    result = build(root, tmp_path / "site", "--strict")
    assert result.returncode == 0, output(result)
    assert ": reminder: insight has waited" in output(result)
    assert "[decision-overdue]" in output(result)
    home = Site(tmp_path / "site")
    # Without a `nav:` or a theme `font:` in mkdocs.yml, the plugin's defaults apply:
    # the sections (and the search page) only, and no Google Fonts.
    check_navigation(home, "index.html")
    check_navigation(home, "insights/slot-calendar-hidden/index.html")
    assert not external_loads(home), external_loads(home)
    debt = card_ids(home, "index.html",
                    section(home.article("index.html"), "Waiting too long"))
    assert debt == ["slot-calendar-hidden"]
    waiting = (TODAY - dt.date(2026, 1, 1)).days
    assert f"waiting {waiting} days" in text(home.article("index.html"))


def test_portal_template_override_changes_the_insight_page(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    packaged = resources.files("generator.site").joinpath("templates", "insight.md.j2").read_text(
        encoding="utf-8")
    marker = '<p class="portal-override">Overridden by this portal</p>\n'
    root = make_portal({**DOCS, "templates/insight.md.j2": packaged + "\n" + marker},
                       mkdocs_yml=MATERIAL_YML)
    result = build(root, tmp_path / "site", "--strict")
    assert result.returncode == 0, output(result)
    built = Site(tmp_path / "site")
    rel = "insights/fees-surprise/index.html"
    assert [text(p) for p in built.article(rel).xpath(
        f".//p[{has_class('portal-override')}]")] == ["Overridden by this portal"]
    # The rest of the page still comes from the packaged template and macros.
    assert text(built.article(rel).xpath("./h1")[0]) == \
        "Delivery fee surprises shoppers at checkout"
    assert not built.page("personas/shopper/index.html").xpath(
        f"//p[{has_class('portal-override')}]")


def test_generate_writes_pages_exports_and_assets(make_portal: PortalFactory,
                                                  tmp_path: Path) -> None:
    root = make_portal()
    out = tmp_path / "generated"
    result = run_portal("generate", str(root), "--out", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 0, output(result)
    docs = out / "docs"  # beside the mkdocs.yml written for other builders (test_zensical)
    page = (docs / "insights/fees-surprise.md").read_text(encoding="utf-8")
    assert page.startswith("---\ntitle: ")
    assert "# Delivery fee surprises shoppers at checkout" in page
    for name in ["index.md", "insights/index.md", "decisions/index.md", "personas/index.md",
                 "journeys/index.md", "tags/index.md", "personas/shopper.md",
                 "journeys/order.md", "assets/insight-portal.css", "assets/insight-portal.js",
                 "assets/insight-index.json", "robots.txt"]:
        assert (docs / name).is_file(), name
    for kind in ("insights", "personas", "journeys"):
        for extension in ("json", "csv"):
            assert (docs / f"export/{kind}.{extension}").stat().st_size > 0
    assert [row["id"] for row in json.loads((docs / "export/insights.json").read_text())] == [
        "fees-surprise"]


def test_generate_refuses_an_invalid_corpus(make_portal: PortalFactory, tmp_path: Path) -> None:
    typo = BASE_FILES["insights/fees-surprise.md"].replace("journey: order", "journey: ordr")
    root = make_portal({"insights/fees-surprise.md": typo})
    out = tmp_path / "generated"
    result = run_portal("generate", str(root), "--out", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 1
    assert "insights/fees-surprise.md:6:" in result.stdout
    assert "[unknown-journey]" in result.stdout
    assert "Traceback" not in output(result)
    assert not out.exists() or not any(out.iterdir())


def test_portal_without_docs_folder_builds(make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal()
    assert not (root / "docs").exists()
    result = build(root, tmp_path / "site", "--strict")
    assert result.returncode == 0, output(result)


# --- 14. home page ----------------------------------------------------------------------


def test_home_counts_decision_statuses_like_the_catalog(site: Site, sample: PortalResult) -> None:
    insights = list(sample.catalog.insights.values())
    expected = Counter(i.status.value for i in insights)
    article = site.article("index.html")
    stats = article.xpath(f".//a[{has_class('ip-stat')}]")
    shown: dict[str, int] = {}
    total = None
    for stat in stats:
        value = int(text(stat.xpath(f".//*[{has_class('ip-stat-value')}]")[0]))
        badge = stat.xpath(".//span[starts-with(@class, 'ip-badge ip-status-')]")
        if badge:
            status = badge[0].get("class").split("ip-status-")[1].split()[0]
            assert text(badge[0]) == STATUS_LABELS[status]
            shown[status] = value
            target, fragment = site.resolve("index.html", stat.get("href"))
            assert (target, fragment) == ("decisions/index.html", f"status={status}")
        elif "insights" in text(stat):
            total = value
    assert shown == {s.value: expected.get(s.value, 0) for s in DecisionStatus}
    assert total == len(insights)
    # The decision log's fallback shows the same counts.
    log = site.article("decisions/index.html").xpath(".//li")
    assert {li.xpath("./span")[0].get("class").split("ip-status-")[1]: int(text(li).rsplit(
        ":", 1)[1]) for li in log} == shown


def test_home_lists_decision_debt(site: Site, sample: PortalResult) -> None:
    insights = sorted(sample.catalog.insights.values(), key=lambda i: i.id)
    debt = analysis.decision_debt(insights, TODAY, sample.config.undecided_after_days,
                                  sample.catalog)
    oldest = sorted((w for waiting in debt.values() for w in waiting),
                    key=lambda w: (-w.age, w.insight.id))
    assert {"late-van-no-warning", "chilled-items-arrive-warm"} <= {w.insight.id for w in oldest}
    article = site.article("index.html")
    waiting_section = section(article, "Waiting too long")
    table = "descendant-or-self::table[contains(@class, 'ip-debt')]/tbody/tr"
    rows = [[text(cell) for cell in row.xpath("./td")] for row in select(waiting_section, table)]
    assert rows == [[owner, str(len(w)), f"{w[0].age} days",
                     f"All {len(w)} with no owner" if owner == "no owner yet"
                     else f"All {len(w)} waiting on {owner}"]
                    for owner, w in debt.items()]
    # late-van-no-warning has no decision owner: it is on its stage owner's desk.
    assert [w.fallen for w in debt["delivery-ops"] if w.insight.id == "late-van-no-warning"] \
        == [True]
    assert card_ids(site, "index.html", waiting_section) == [w.insight.id for w in oldest[:10]]
    notes = [text(span) for span in select(
        waiting_section, f".//p[{has_class('ip-card-meta')}]/span[starts-with(., 'waiting')]")]
    owners = {w.insight.id: owner for owner, waiting in debt.items() for w in waiting}
    assert notes == [f"waiting {w.age} days · {owners[w.insight.id]}"
                     + (" (fell to it as stage owner)" if w.fallen else "") for w in oldest[:10]]


def test_home_opens_with_this_week_and_shows_journey_hot_spots(
        site: Site, sample: PortalResult) -> None:
    catalog = sample.catalog
    article = site.article("index.html")
    # The first screen: the heaviest moments beside This week, before any other section.
    [top] = article.xpath(f"./div[{has_class('ip-home-top')}]")
    assert article.index(top) < article.index(article.xpath("./h2")[0])
    assert [text(h) for h in top.xpath(".//h2")] == ["Moments that matter", "This week"]
    weights = [int(text(row.xpath("./td")[1])) for row in top.xpath(".//tbody/tr")]
    heaviest = sorted((s.weight for h in analysis_heats(catalog) for s in h.stages),
                      reverse=True)
    assert weights == heaviest[:5]
    week = history.portal_history(REPO, catalog, TODAY, 180).since(
        TODAY - dt.timedelta(days=sample.config.digest_days))
    lines = top.xpath(f".//section[{has_class('ip-home-week')}]//li")
    assert [line.xpath("./time")[0].get("datetime") for line in lines] == [
        event.date.isoformat() for event in week[:8]]
    for line, event in zip(lines, week, strict=False):
        folder = {history.PERSONA_DUE: "personas", history.METRIC_OFF: "journeys"}.get(
            event.kind, "insights")
        assert site.entry_of("index.html", line.xpath("./a")[-1].get("href")) == (
            folder, event.entry_id)
    items = select(section(article, "Journey hot spots"), "./li")
    assert len(items) == len(catalog.journeys)
    for item, (id, journey) in zip(items, sorted(catalog.journeys.items()), strict=True):
        links = [site.resolve("index.html", a.get("href")) for a in item.xpath(".//a")]
        heat = analysis.journey_heat(journey, catalog)
        assert links == [(f"journeys/{id}/index.html", "")] + [
            (f"journeys/{id}/index.html", f"stage-{s.stage.id}") for s in heat.hot_spots]


# --- known bugs (strict xfails: they start failing once fixed, so the marker goes) --------


def dedented(name: str) -> str:
    return textwrap.dedent(BASE_FILES[name])


def test_decision_link_with_a_script_url_never_becomes_a_link(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    insight = dedented("insights/fees-surprise.md").replace(
        "  date: 2026-10-02\n", '  date: 2026-10-02\n  link: "javascript:alert(1)"\n')
    root = make_portal({**DOCS, "insights/fees-surprise.md": insight},
                       mkdocs_yml=MATERIAL_YML)
    result = build(root, tmp_path / "site")
    if result.returncode != 0:  # rejected by the checker: fine, if it says why
        assert "link" in output(result) and "Traceback" not in output(result)
        return
    page = Site(tmp_path / "site").page("insights/fees-surprise/index.html")
    assert not page.xpath("//a[starts-with(normalize-space(@href), 'javascript:')]")


def test_insight_title_is_shown_as_written(make_portal: PortalFactory, tmp_path: Path) -> None:
    title = 'Price "per kg" next to price *each* confuses shoppers'
    insight = dedented("insights/fees-surprise.md").replace(
        "title: Delivery fee surprises shoppers at checkout", f"title: '{title}'")
    root = make_portal({**DOCS, "insights/fees-surprise.md": insight},
                       mkdocs_yml=MATERIAL_YML)
    result = build(root, tmp_path / "site", "--strict")
    assert result.returncode == 0, output(result)
    built = Site(tmp_path / "site")
    assert text(built.article("insights/fees-surprise/index.html").xpath("./h1")[0]) == title


def test_links_point_at_files_when_directory_urls_are_off(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal(DOCS, mkdocs_yml=MATERIAL_YML + "use_directory_urls: false\n")
    result = build(root, tmp_path / "site", "--strict")
    assert result.returncode == 0, output(result)
    built = Site(tmp_path / "site")
    assert built.exists("insights/fees-surprise.html")
    directory_links = []
    for rel in built.html_files:
        if rel == "404.html":
            continue
        for href in built.page(rel).xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), parts.path))
            if not (built.root / target).is_file():
                directory_links.append(f"{rel}: {href}")
    assert not directory_links, "\n".join(directory_links)


# --- full-text search ------------------------------------------------------------------


def test_search_index_covers_quotes_tags_and_bodies(material_site: Site, sample: PortalResult
                                                    ) -> None:
    """Material's search index (Pagefind's: test_pagefind.py, test_search_page.py)."""
    index = json.loads((material_site.root / MATERIAL_INDEX).read_text(encoding="utf-8"))
    insight = sample.catalog.insights["delivery-fee-revealed-too-late"]
    page = [doc for doc in index["docs"]
            if doc["location"].startswith("insights/delivery-fee-revealed-too-late/")]
    words = " ".join(doc["title"] + " " + doc["text"] for doc in page)
    quote = next(e.quote for e in insight.evidence if e.quote)
    assert quote.split()[1] in words  # a word from an evidence quote
    assert insight.tags[0] in words
    assert "usability round" in words  # from the body
    assert insight.title in words
    assert insight.decision.owner in words  # from the decision panel


@pytest.mark.parametrize("built", ["site", "material_site"])
def test_no_stash_placeholder_reaches_the_site_or_the_search_index(
        built: str, request: pytest.FixtureRequest) -> None:
    """Pagefind indexes the pages' HTML; Material writes search_index.json."""
    site: Site = request.getfixturevalue(built)
    leaked = [str(path.relative_to(site.root)) for path in site.root.rglob("*")
              if path.suffix in (".html", ".json") and "ip-stash" in path.read_text("utf-8")]
    assert not leaked
    if built == "material_site":  # the index was there to be read
        assert (site.root / MATERIAL_INDEX).is_file()


def test_home_decision_debt_shows_the_ten_longest_waits_and_links_to_the_rest(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    waiting = BASE_FILES["insights/fees-surprise.md"].replace(
        "status: accepted", "status: under-review")
    root = make_portal({f"insights/waiting-{n:02d}.md": waiting for n in range(12)})
    site_dir = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site_dir), "--today", "2026-11-24")
    assert result.returncode == 0, result.stdout + result.stderr
    home = lxml.html.parse(str(site_dir / "index.html")).getroot()
    cards = home.xpath("//article[contains(@class, 'ip-card')][.//span[contains(., 'waiting')]]")
    assert len(cards) == 10
    [more] = home.xpath("//a[starts-with(normalize-space(.), 'All 12 waiting')]")
    assert more.get("href") == "teams/checkout-team/"
    team = lxml.html.parse(str(site_dir / "teams/checkout-team/index.html")).getroot()
    [log] = team.xpath("//a[normalize-space(.) = 'all of them in the decision log']")
    assert log.get("href") == "../../decisions/#status=new,under-review&owner=checkout-team"


@pytest.mark.parametrize("directory_urls", [True, False])
def test_links_between_pages_match_posix_relative_paths(directory_urls: bool) -> None:
    from generator.site.render import Linker

    pages = ["index.md", "insights/index.md", "insights/a-b.md", "personas/p.md",
             "journeys/j.md", "tags/index.md", "assets/insight-index.json", "feed.xml",
             "insights/a-b/index.md", "insights/a.md"]
    for page in pages:
        link = Linker(page, directory_urls)
        base = link.page_url if link.page_url.endswith("/") else posixpath.dirname(link.page_url)
        for target in pages:
            url = link.url_of(target)
            expected = posixpath.relpath(url or ".", base or ".")
            if expected == ".":
                expected = "./"
            elif url == "" or url.endswith("/"):
                expected += "/"
            assert link.to(target) == expected, (page, target)
            assert link.to(target, "x") == expected + "#x"


def test_large_generated_files_wait_on_disk_and_arrive_whole(tmp_path: Path,
                                                             monkeypatch) -> None:
    """Exports above SPILL_BYTES are written to a folder in the site and copied from
    there (not held in memory); the site is the same, and the folder is gone."""
    from mkdocs.commands.build import build as mkdocs_build_in_process
    from mkdocs.config import load_config

    from generator.mkdocs import speedups

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795478400")
    sites = {}
    for name, threshold in (("memory", speedups.SPILL_BYTES), ("disk", 1)):
        monkeypatch.setattr(speedups, "SPILL_BYTES", threshold)
        sites[name] = tmp_path / name
        config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(sites[name]))
        # As `mkdocs build` does: MkDocs keeps a plugin instance between configs in one
        # process, and an in-process preview (PreviewSite) may have set it up for serving.
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build_in_process(config)
        finally:
            config.plugins.on_shutdown()
    spilled = ["export/insights.json", "export/insights.csv", "feed.xml"]
    for rel in spilled:
        assert (sites["disk"] / rel).read_bytes() == (sites["memory"] / rel).read_bytes()
    assert not list(sites["disk"].glob(".insight-portal-*"))
    # The same files (all but Pagefind's bundle, whose file names change from run to run).
    assert site_files(sites["disk"]) == site_files(sites["memory"])
