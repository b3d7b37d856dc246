"""The search page of Pagefind, the default search, in a real browser.

The sample portal, copied, built by the CLI with its index in parts of 8 pages (so
every test also checks that the parts are merged: each result, facet and count comes
from four Pagefind bundles), served under a sub-path (/portal/) as a project site would
be, and opened in headless Chromium (tests/browser_support.py). What a page should find
comes from the catalog.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from conftest import REPO, TODAY, run_portal
from test_accessibility import COLOUR_RULES, axe, report, switch_to_dark

from generator.core.catalog import Catalog
from generator.core.model import DecisionStatus, InsightSeverity
from generator.mkdocs.pagefind_parts import PART_PAGES_VARIABLE
from generator.site.render import STATUS_LABELS

if TYPE_CHECKING:
    from browser_support import Tab
    from playwright.sync_api import Browser

pytest_plugins = ["browser_support"]  # Chromium, `catalog`, `axe_source`

SUB_PATH = "portal/"
RESULT_LINKS = ".ip-search-results .ip-card-title a"


@pytest.fixture(scope="module")
def pagefind_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("search-page")
    source = base / "source"
    for folder in ("insights", "personas", "journeys", "docs"):
        shutil.copytree(REPO / folder, source / folder)
    shutil.copy(REPO / "mkdocs.yml", source / "mkdocs.yml")
    from browser_support import serve  # a plugin of this module: imported once pytest has it

    served = base / "served"
    done = run_portal("build", str(source), "--site-dir", str(served / SUB_PATH), "--today",
                      TODAY.isoformat(), "--strict", env={PART_PAGES_VARIABLE: "8"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Pagefind indexed \d+ pages in 4 parts", done.stderr), done.stderr
    with serve(served) as url:
        yield url + SUB_PATH


@pytest.fixture
def tab(chromium: Browser, pagefind_url: str) -> Iterator[Tab]:
    from browser_support import new_tab

    yield from new_tab(chromium, pagefind_url)


@pytest.fixture
def requested(tab: Tab) -> list[str]:
    """Paths the tab requests from now on, its search worker's requests included."""
    paths: list[str] = []
    tab.page.context.on("request", lambda request: paths.append(urlsplit(request.url).path))
    return paths


def search(tab: Tab, query: str = "", path: str = "search/") -> None:
    """Open the search page (with `path`'s query string), type `query`, and wait for the
    answer (when there is a query, from the field or the URL)."""
    tab.open(path)
    tab.page.wait_for_selector(".ip-view-search #ip-search-q")  # Pagefind has loaded
    if query:
        tab.page.fill("#ip-search-q", query)
    if query or "?" in path:
        wait_for_answer(tab)


def wait_for_answer(tab: Tab, line_test: str = "line => line") -> None:
    """Wait until the page is not busy and its results line passes `line_test` (JS). The
    line changes before the results' cards arrive; "not busy" means the cards are drawn."""
    tab.page.wait_for_function(
        f"() => !document.querySelector('.ip-view-search').hasAttribute('aria-busy') &&"
        f" ({line_test})(document.querySelector('.ip-results-line').textContent)")


def shown_paths(tab: Tab) -> list[str]:
    return tab.page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.pathname)")


def all_results(tab: Tab) -> list[str]:
    """Every result's path, pressing "Show more results" until all are shown."""
    more = tab.page.locator(".ip-search-more")
    while more.is_visible():
        count = tab.page.locator(RESULT_LINKS).count()
        more.click()
        tab.page.wait_for_function(
            f"() => document.querySelectorAll('{RESULT_LINKS}').length > {count}")
    return shown_paths(tab)


def matching_count(tab: Tab) -> int:
    line = tab.page.inner_text(".ip-results-line")
    found = re.match(r"([\d,]+) pages? match", line)
    assert found, line
    return int(found.group(1).replace(",", ""))


def open_filters(tab: Tab) -> None:
    tab.page.click(".ip-facets-toggle")
    tab.page.wait_for_selector("fieldset[data-facet]")
    wait_for_counts_to_settle(tab)


def wait_for_counts_to_settle(tab: Tab) -> None:
    """The facet list is busy while its counts are being worked out."""
    tab.page.wait_for_function(
        "() => !document.querySelector('#ip-search-facets').hasAttribute('aria-busy')")


def facet_counts(tab: Tab, key: str) -> dict[str, int]:
    """Each option of a facet, with the count it shows."""
    return tab.page.eval_on_selector_all(
        f"fieldset[data-facet='{key}'] label.ip-option",
        "labels => Object.fromEntries(labels.map(l => [l.querySelector('.ip-option-label')"
        ".textContent, Number(l.querySelector('.ip-count').textContent.replace(/[^0-9]/g, ''))]))")


def wait_for_counts(tab: Tab, key: str, counts: dict[str, int]) -> None:
    """Wait until a facet shows `counts` (they may follow the results)."""
    wait_for_counts_to_settle(tab)
    tab.page.wait_for_function(
        """([key, expected]) => Object.entries(expected).every(([value, n]) =>
            [...document.querySelectorAll(`fieldset[data-facet='${key}'] label.ip-option`)]
            .some(l => l.querySelector('.ip-option-label').textContent === value &&
                       l.querySelector('.ip-count').textContent === `(${n})`))""",
        arg=[key, counts])


def insight_path(insight_id: str) -> str:
    return f"/{SUB_PATH}insights/{insight_id}/"


# --- searching ---------------------------------------------------------------------------


def test_a_title_word_finds_its_insight_with_a_highlighted_excerpt(tab: Tab, catalog: Catalog
                                                                  ) -> None:
    insight = catalog.insights["live-van-tracker-delight"]
    search(tab, "tracker")
    paths = shown_paths(tab)
    assert insight_path(insight.id) in paths
    assert all(path.startswith(f"/{SUB_PATH}") for path in paths)  # the sub-path is kept
    card = tab.page.locator(".ip-search-results .ip-card", has=tab.page.locator(
        f"a[href$='insights/{insight.id}/']"))
    title = card.locator(".ip-card-title").inner_text()
    assert title == insight.title  # no "¶" from the heading's permalink
    assert card.locator(".ip-badge").first.inner_text() == STATUS_LABELS[insight.status]
    assert "tracker" in card.locator(".ip-search-excerpt mark").first.inner_text().lower()
    assert "?q=tracker" in tab.page.url  # the search can be bookmarked
    assert tab.console_errors == [] and tab.outside_requests == []


def test_a_plain_query_fetches_no_facet_data_until_filters_are_opened(
        tab: Tab, requested: list[str]) -> None:
    search(tab, "slot")
    assert matching_count(tab) > 0
    assert any("/pagefind/index/" in path for path in requested)  # the listener hears it
    assert not [path for path in requested if "/pagefind/filter/" in path]
    open_filters(tab)
    assert [path for path in requested if "/pagefind/filter/" in path]
    legends = tab.page.locator(".ip-facet-list legend").all_inner_texts()
    assert legends == ["Decision status", "Persona", "Journey", "Severity", "Kind",
                       "Evidence strength", "Tag"]


def test_no_match_says_so(tab: Tab) -> None:
    search(tab, "zzyzxnotaword")
    assert tab.page.inner_text(".ip-results-line") == "No page matches \u201czzyzxnotaword\u201d."
    assert shown_paths(tab) == []


# --- filters -----------------------------------------------------------------------------


def test_a_facet_alone_lists_exactly_its_insights(tab: Tab, catalog: Catalog) -> None:
    expected = {insight_path(i.id) for i in catalog.insights.values()
                if i.status is DecisionStatus.DONE}
    search(tab)
    open_filters(tab)
    option = tab.page.locator("fieldset[data-facet='status'] label.ip-option",
                              has_text=re.compile(r"^Done"))
    assert option.locator(".ip-count").inner_text() == f"({len(expected)})"
    option.locator("input").check()
    tab.page.wait_for_function("() => location.search.includes('status=Done')")
    wait_for_answer(tab)
    assert matching_count(tab) == len(expected)
    assert set(all_results(tab)) == expected
    assert "(1 selected)" in tab.page.inner_text(".ip-facets-toggle")


def test_a_query_and_a_facet_together_narrow_the_results(tab: Tab, catalog: Catalog) -> None:
    search(tab, "slot")
    everything = matching_count(tab)
    open_filters(tab)
    personas_before = facet_counts(tab, "persona")
    tab.page.locator("fieldset[data-facet='persona'] label.ip-option",
                     has_text="First-time buyer").locator("input").check()
    tab.page.wait_for_function("() => location.search.includes('persona=')")
    wait_for_answer(tab, f"line => line && !/^{everything} pages/.test(line)")
    narrowed = all_results(tab)
    first_timers = {insight_path(i.id) for i in catalog.insights.values()
                    if "first-time-buyer" in i.personas}
    assert narrowed and set(narrowed) <= first_timers
    assert 1 < len(narrowed) < everything
    # The line says what the filters took away.
    assert tab.page.inner_text(".ip-results-line") == (
        f"{len(narrowed)} pages match \u201cslot\u201d with these filters"
        f" ({everything} without them)")
    # The persona facet still counts what each persona would add to the query...
    wait_for_counts(tab, "persona", personas_before)
    # ...while every other facet counts within the narrowed results.
    assert sum(facet_counts(tab, "status").values()) == len(narrowed)


def test_values_of_one_facet_are_alternatives(tab: Tab, catalog: Catalog) -> None:
    statuses = {status: {insight_path(i.id) for i in catalog.insights.values()
                         if i.status is status}
                for status in (DecisionStatus.DONE, DecisionStatus.NEW)}
    search(tab)
    open_filters(tab)
    totals = facet_counts(tab, "status")
    done = tab.page.locator("fieldset[data-facet='status'] label.ip-option",
                            has_text=re.compile(r"^Done")).locator("input")
    done.focus()
    tab.page.keyboard.press("Space")
    wait_for_answer(tab)
    # Choosing "Done" leaves the other statuses' counts as they were: ticking "New"
    # as well adds its pages, it does not narrow to nothing.
    wait_for_counts(tab, "status", totals)
    assert tab.page.evaluate("() => document.activeElement.checked")  # focus stays put
    tab.page.locator("fieldset[data-facet='status'] label.ip-option",
                     has_text=re.compile(r"^New")).locator("input").check()
    tab.page.wait_for_function("() => location.search.includes('status=New')")
    wait_for_answer(tab, f"line => /^{totals['Done'] + totals['New']} pages/.test(line)")
    assert set(all_results(tab)) == statuses[DecisionStatus.DONE] | statuses[DecisionStatus.NEW]
    # An option that would list nothing cannot be chosen.
    options = tab.page.eval_on_selector_all(
        "fieldset[data-facet] label.ip-option input",
        "boxes => boxes.map(b => [b.closest('label').querySelector('.ip-count').textContent,"
        " b.checked, b.disabled])")
    assert all(disabled == (count == "(0)" and not checked)
               for count, checked, disabled in options), options


def test_status_and_severity_are_listed_in_their_own_order(tab: Tab, catalog: Catalog
                                                           ) -> None:
    search(tab)
    open_filters(tab)
    statuses = {i.status for i in catalog.insights.values()}
    severities = {i.severity for i in catalog.insights.values()}

    def labels(key: str) -> list[str]:
        return tab.page.locator(f"fieldset[data-facet='{key}'] .ip-option-label").all_inner_texts()

    assert labels("status") == [STATUS_LABELS[s] for s in DecisionStatus if s in statuses]
    assert labels("severity") == [s.value.capitalize() for s in reversed(InsightSeverity)
                                  if s in severities]


def test_a_link_in_the_insight_index_s_words_opens_the_same_filters(tab: Tab,
                                                                     catalog: Catalog) -> None:
    """status=new,under-review&persona=busy-parent, as the index writes its address."""
    wanted = {DecisionStatus.NEW, DecisionStatus.UNDER_REVIEW}
    expected = {insight_path(i.id) for i in catalog.insights.values()
                if i.status in wanted and "busy-parent" in i.personas}
    search(tab, path="search/?status=new,under-review&persona=busy-parent")
    chosen = tab.page.locator("label.ip-option:has(input:checked) .ip-option-label"
                              ).all_inner_texts()
    assert sorted(chosen) == ["Busy parent", "New", "Under review"]
    assert set(all_results(tab)) == expected
    assert "status=New&status=Under+review&persona=Busy+parent" in tab.page.url


def test_a_shared_link_opens_with_its_filters_applied(tab: Tab, catalog: Catalog) -> None:
    expected = {insight_path(i.id) for i in catalog.insights.values()
                if i.status is DecisionStatus.NEW}
    search(tab, path="search/?status=New")
    assert tab.page.get_attribute(".ip-facets-toggle", "aria-expanded") == "true"
    box = tab.page.locator("fieldset[data-facet='status'] label.ip-option",
                           has_text=re.compile(r"^New")).locator("input")
    assert box.is_checked()
    assert set(all_results(tab)) == expected


# --- keyboard and accessibility ------------------------------------------------------------


def test_keyboard_alone_searches_and_reaches_more_results(tab: Tab) -> None:
    tab.open("")
    tab.page.keyboard.press("/")  # the header's field
    tab.page.keyboard.type("slot")
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(re.compile(r"/search/\?q=slot"))
    search(tab, path=tab.page.url.split(SUB_PATH, 1)[1])
    assert tab.page.input_value("#ip-search-q") == "slot"
    assert matching_count(tab) > 10  # more than one batch
    tab.page.locator(".ip-search-more").focus()
    tab.page.keyboard.press("Enter")
    # Focus moves to the first new result, so a keyboard reader carries on from there.
    tab.page.wait_for_function(
        f"() => document.activeElement === document.querySelectorAll('{RESULT_LINKS}')[10]")


def test_on_a_phone_the_filters_lead_down_to_the_results(tab: Tab) -> None:
    tab.page.set_viewport_size({"width": 390, "height": 844})
    search(tab, "slot")
    open_filters(tab)
    jump = tab.page.locator(".ip-facets-results")
    assert jump.inner_text() == f"Show the {matching_count(tab)} results"
    jump.click()
    assert tab.page.evaluate("() => document.activeElement.closest('.ip-search-results') !== null")
    tab.page.set_viewport_size({"width": 1280, "height": 800})
    assert not jump.is_visible()  # wide, the facets sit side by side above the results


def test_axe_finds_no_violation_on_the_search_page(axe_source: str, tab: Tab) -> None:
    search(tab, "slot")
    open_filters(tab)
    violations = axe(tab, axe_source)
    assert violations == [], report(violations)
    switch_to_dark(tab)
    violations = axe(tab, axe_source, COLOUR_RULES)
    assert violations == [], "dark scheme:\n" + report(violations)
    assert tab.console_errors == []
