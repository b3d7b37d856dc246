"""Accessibility: axe-core finds nothing on any page type of the sample portal.

axe (npm package axe-core, pinned in package.json, installed by `npm ci`) is injected into
each page after it has loaded and run with its default rule set — every WCAG 2.0/2.1/2.2
A and AA rule plus its best practices. Light scheme at desktop width with every rule, then
the same page switched to the dark scheme with the rules that depend on colour; Material's
search dialog open with results (the sample built once more with `search: material`:
Pagefind's search page, the default, is tests/test_search_page.py's); and the narrow
(phone) layout of the pages that change most with width.

Material for MkDocs' own defaults fail some rules; the fixes live in
generator/site/assets/insight-portal.css and generator/mkdocs/overrides/ (see the comments there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import REPO, TODAY, copy_sample, run_portal

from generator.core.catalog import Catalog
from generator.core.model import DecisionStatus, Insight

if TYPE_CHECKING:
    from collections.abc import Callable

    from browser_support import Tab
    from playwright.sync_api import Browser

pytest_plugins = ["browser_support"]  # the served sample, Chromium, `tab`, `catalog`

COLOUR_RULES = ["color-contrast", "link-in-text-block"]
PAGE_TYPES = ["home", "insight", "insight (superseded)", "persona", "journey",
              "insights index", "decision log", "tags", "what's new", "personas index",
              "journeys index", "teams index", "team"]
PHONE = {"width": 390, "height": 844}

# Off-screen cards skip layout (content-visibility: auto) until scrolled to, and axe reads
# every element's geometry at once: scroll through the page first so each has its size.
RENDER_ALL = """async () => {
  const frame = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
    scrollTo(0, y);
    await frame();
  }
  scrollTo(0, 0);
  await frame();
}"""

RUN_AXE = """async (rules) => {
  const options = { resultTypes: ["violations"] };
  if (rules) options.runOnly = { type: "rule", values: rules };
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


def richest(insights: list[Insight]) -> Insight:
    """The insight whose page has the most parts: evidence, related, decision details."""
    def parts(i: Insight) -> tuple[int, str]:
        decision = i.decision
        filled = sum(bool(x) for x in (i.related, i.supersedes, i.tags, i.stages, decision
                                       and decision.rationale, decision and decision.link,
                                       decision and decision.outcome))
        return (filled + len(i.evidence), i.id)
    return max(insights, key=parts)


def page_path(page_type: str, catalog: Catalog) -> str:
    insights = list(catalog.insights.values())
    match page_type:
        case "home":
            return ""
        case "insight":
            return f"insights/{richest(insights).id}/"
        case "insight (superseded)":
            superseded = [i for i in insights if i.status is DecisionStatus.SUPERSEDED]
            return f"insights/{richest(superseded).id}/"
        case "persona":
            persona = max(catalog.personas, key=lambda p: len(catalog.insights_of_persona[p]))
            return f"personas/{persona}/"
        case "journey":
            journey = max(catalog.journeys, key=lambda j: len(catalog.insights_of_journey[j]))
            return f"journeys/{journey}/"
        case "insights index":
            return "insights/"
        case "decision log":
            return "decisions/"
        case "tags":
            return "tags/"
        case "what's new":
            return "whats-new/"
        case "personas index":
            return "personas/"
        case "journeys index":
            return "journeys/"
        case "teams index":
            return "teams/"
        case "team":  # the stage owner of the hottest stages: every section has something
            return "teams/delivery-ops/"
    raise AssertionError(page_type)


def ready(tab: Tab, path: str) -> None:
    page = tab.open(path)
    if page.locator(".ip-app").count():  # the index and the log render from their data
        page.wait_for_selector(".ip-app:not([aria-busy]) .ip-results-line")
    page.evaluate(RENDER_ALL)


def axe(tab: Tab, source: str, rules: list[str] | None = None) -> list[dict[str, Any]]:
    if not tab.page.evaluate("() => typeof axe === 'object'"):
        tab.page.add_script_tag(content=source)
    return tab.page.evaluate(RUN_AXE, rules)


def report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {node}" for node in v["nodes"][:5]]
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def switch_to_dark(tab: Tab) -> None:
    """As a reader does: the palette toggle in the header (transitions are off: the
    context asks for reduced motion, so colours are final at once)."""
    tab.page.locator("label[title='Switch to dark mode']").click()
    tab.page.wait_for_selector("body[data-md-color-scheme='slate']")


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_axe_finds_no_violation(axe_source: str, tab: Tab, catalog: Catalog, page_type: str
                                ) -> None:
    ready(tab, page_path(page_type, catalog))
    violations = axe(tab, axe_source)
    assert violations == [], f"{page_type}:\n{report(violations)}"
    # The same page in the dark scheme: the rules that depend on colour.
    switch_to_dark(tab)
    violations = axe(tab, axe_source, COLOUR_RULES)
    assert violations == [], f"{page_type}, dark scheme:\n{report(violations)}"
    assert tab.console_errors == []
    assert tab.outside_requests == []


@pytest.fixture(scope="module")
def material_search_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample (copied) built with Material's own search, `search: material`, served."""
    from browser_support import serve  # a plugin of this module: imported once pytest has it

    base = tmp_path_factory.mktemp("material-search")
    root = copy_sample(base / "portal", material_search=True)
    done = run_portal("build", str(root), "--site-dir", str(base / "site"), "--today",
                      TODAY.isoformat(), "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    with serve(base / "site") as url:
        yield url


@pytest.fixture
def material_tab(chromium: Browser, material_search_url: str) -> Iterator[Tab]:
    from browser_support import new_tab

    yield from new_tab(chromium, material_search_url)


def test_axe_finds_no_violation_in_the_open_search_dialog(axe_source: str, material_tab: Tab
                                                          ) -> None:
    tab = material_tab

    def search() -> None:
        tab.page.locator("input.md-search__input").click()
        tab.page.keyboard.type("delivery")
        tab.page.wait_for_selector("a.md-search-result__link mark")

    tab.open("")
    search()
    violations = axe(tab, axe_source)
    assert violations == [], f"search:\n{report(violations)}"
    tab.open("")
    switch_to_dark(tab)
    search()
    violations = axe(tab, axe_source, COLOUR_RULES)
    assert violations == [], f"search, dark scheme:\n{report(violations)}"
    assert tab.console_errors == []
    assert tab.outside_requests == []


@pytest.mark.parametrize("page_type", ["home", "insights index", "journey"])
def test_axe_finds_no_violation_on_a_phone(
        axe_source: str, make_tab: Callable[..., Tab], catalog: Catalog, page_type: str
) -> None:
    tab = make_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    ready(tab, page_path(page_type, catalog))
    toggle = tab.page.locator(".ip-facets-toggle")
    if toggle.count() and toggle.is_visible():  # the index folds its filters away
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    violations = axe(tab, axe_source)
    assert violations == [], f"{page_type}, phone:\n{report(violations)}"


def test_search_partial_override_differs_from_materials_only_by_the_dialog_name() -> None:
    """generator/mkdocs/overrides/partials/search.html is a copy of Material's: when Material
    changes its partial, the copy must be refreshed (copy it, add the aria-label again)."""
    import material

    theirs = (Path(material.__file__).parent / "templates" / "partials" / "search.html"
              ).read_text(encoding="utf-8")
    ours = (REPO / "generator" / "mkdocs" / "overrides" / "partials" / "search.html").read_text(
        encoding="utf-8")

    def body(template: str) -> str:
        return re.sub(r"^\{#-.*?-#\}\n", "", template, flags=re.DOTALL)

    assert ' aria-label="{{ lang.t(\'search\') }}"' in ours
    assert body(ours).replace(' aria-label="{{ lang.t(\'search\') }}">', ">", 1) == body(theirs)


def test_theme_overrides_come_after_the_portals_own_custom_dir(tmp_path: Path) -> None:
    from mkdocs.config import load_config

    from generator.mkdocs.plugin import OVERRIDES, add_theme_overrides

    (tmp_path / "docs").mkdir()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\ntheme:\n  name: material\n  custom_dir: mine\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    add_theme_overrides(config)
    add_theme_overrides(config)  # idempotent: portal serve sets a config up more than once
    dirs = config.theme.dirs
    assert dirs[:2] == [str(tmp_path / "mine"), str(OVERRIDES)]
    assert dirs.count(str(OVERRIDES)) == 1
