"""End to end in a real browser: the sample portal as a reader meets it.

Headless Debian Chromium driven by Playwright, on the sample built once per session and
served from a local port (tests/browser_support.py). Expected values come from the
pipeline (the catalog, generator.site.analysis), never from the page itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from generator.core.catalog import Catalog
from generator.core.model import Insight
from generator.site import analysis

if TYPE_CHECKING:
    from browser_support import Tab

pytest_plugins = ["browser_support"]  # the served sample, Chromium, `tab`, `catalog`

MAX_TABS = 80  # Tab presses allowed to reach a control from the top of a page
# Search is Pagefind's (the default backend): a field in every page's header sends its
# query to the search page, which lists the results as cards (insight-portal-search.js).
HEADER_FIELD = "#ip-search-field"
RESULT_LINKS = ".ip-search-results .ip-card-title a"


# --- helpers ---------------------------------------------------------------------------


def listed_ids(tab: Tab) -> list[str]:
    """Ids of the insights the index shows, in order, once it has rendered."""
    tab.page.wait_for_selector(".ip-app:not([aria-busy]) .ip-results-line")
    hrefs = tab.page.eval_on_selector_all(
        ".ip-cards .ip-card-title a", "links => links.map(a => a.getAttribute('href'))")
    return [re.search(r"insights/([a-z0-9-]+)/", href).group(1) for href in hrefs]


def facet_option(tab: Tab, facet: str, label: str):  # noqa: ANN201 - a Playwright Locator
    return tab.page.locator(f"fieldset[data-facet='{facet}'] label.ip-option").filter(
        has=tab.page.locator(".ip-option-label", has_text=re.compile(
            rf"^{re.escape(label)}$")))


def ids_where(catalog: Catalog, test: Callable[[Insight], bool]) -> set[str]:
    return {insight.id for insight in catalog.insights.values() if test(insight)}


def in_facet(facet: str, value: str) -> Callable[[Insight], bool]:
    """Whether an insight has `value` in the index's `facet`, read from the catalog."""
    def test(i: Insight) -> bool:
        match facet:
            case "status":
                return i.status is not None and i.status.value == value
            case "persona":
                return value in i.personas
            case "journey":
                return i.journey == value
            case "stage":
                return value in {f"{i.journey}/{stage}" for stage in i.stages}
            case "severity":
                return i.severity is not None and i.severity.value == value
            case "kind":
                return i.kind is not None and i.kind.value == value
            case "source":
                return any(e.source is not None and e.source.value == value
                           for e in i.evidence)
            case "tag":
                return value in i.tags
        raise AssertionError(f"unknown facet {facet}")
    return test


def wait_for_hash(tab: Tab, part: str) -> None:
    """The index writes its state into the URL a moment after a change."""
    tab.page.wait_for_function("(part) => location.hash.includes(part)", arg=part)


def tab_until(tab: Tab, selector: str) -> list[str]:
    """Press Tab from the top of the page until focus is on `selector`; returns the
    focus path. Fails if it takes more than MAX_TABS presses."""
    path = []
    for _ in range(MAX_TABS):
        tab.page.keyboard.press("Tab")
        path.append(tab.page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''); }"))
        if tab.page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return path
    raise AssertionError(f"{MAX_TABS} Tab presses never reached {selector}: {path}")


def search_answer(tab: Tab, query: str) -> list[str]:
    """On the search page, opened with `query`: wait for its answer (Pagefind loaded, the
    query in the page's field, the results drawn); the results' hrefs."""
    tab.page.wait_for_url(re.compile(r"/search/\?q="))
    tab.page.wait_for_selector(".ip-view-search #ip-search-q")  # Pagefind has loaded
    assert tab.page.input_value("#ip-search-q") == query
    tab.page.wait_for_function(
        "() => !document.querySelector('.ip-view-search').hasAttribute('aria-busy')"
        " && document.querySelector('.ip-results-line').textContent")
    return tab.page.eval_on_selector_all(RESULT_LINKS,
                                         "links => links.map(a => a.getAttribute('href'))")


def quote_only_word(catalog: Catalog) -> tuple[str, str]:
    """A word found only in one insight's evidence quotes (not in its title, summary or
    body, nor anywhere in another insight): (word, insight id)."""
    def text(insight: Insight, quotes: bool) -> str:
        parts = [insight.title or "", insight.summary or "", insight.body]
        if quotes:
            parts += [evidence.quote or "" for evidence in insight.evidence]
        return " ".join(parts).lower()

    everything = {insight.id: text(insight, True) for insight in catalog.insights.values()}
    for insight in sorted(catalog.insights.values(), key=lambda i: i.id):
        own = text(insight, False)
        for evidence in insight.evidence:
            for word in re.findall(r"[a-z]{7,}", (evidence.quote or "").lower()):
                if word not in own and sum(word in t for t in everything.values()) == 1:
                    return word, insight.id
    raise AssertionError("no evidence quote has a word of its own in the sample")


# --- the home page -----------------------------------------------------------------------


def test_home_page_loads_without_console_errors_or_outside_requests(tab: Tab) -> None:
    page = tab.open("")
    page.wait_for_load_state("networkidle")  # late requests too: search index, worker
    assert page.title().endswith("Basketful Insight Portal")
    assert page.locator(".ip-stats").first.is_visible()
    assert tab.outside_requests == []
    assert tab.console_errors == []


# --- the insight index -------------------------------------------------------------------


def test_facet_filters_narrow_the_index_as_the_catalog_says(tab: Tab, catalog: Catalog
                                                            ) -> None:
    everyone = set(catalog.insights)
    tab.open("insights/")
    assert set(listed_ids(tab)) == everyone

    # The persona with most insights, short of all of them; then a severity within it.
    persona = max(catalog.personas, key=lambda p: (
        len(ids_where(catalog, lambda i: p in i.personas)) < len(everyone),
        len(ids_where(catalog, lambda i: p in i.personas))))
    of_persona = ids_where(catalog, lambda i: persona in i.personas)
    assert 0 < len(of_persona) < len(everyone)
    option = facet_option(tab, "persona", catalog.personas[persona].name)
    assert option.locator(".ip-count").text_content() == str(len(of_persona))
    option.locator("input").check()
    assert set(listed_ids(tab)) == of_persona
    wait_for_hash(tab, f"persona={persona}")

    # Then a severity that narrows further: facets combine with "and".
    severity, both = next(
        (s.value, matching) for s in sorted({i.severity for i in catalog.insights.values()
                                             if i.severity}, key=lambda s: s.value)
        if 0 < len(matching := of_persona & ids_where(catalog, in_facet("severity", s.value)))
        < len(of_persona))
    facet_option(tab, "severity", severity.capitalize()).locator("input").check()
    assert set(listed_ids(tab)) == both
    count = len(both)
    assert tab.page.locator(".ip-results-line").text_content() == (
        "Showing 1 of 1 insight" if count == 1 else f"Showing 1\u2013{count} of {count} insights")

    # Two values of one facet widen (either), and a shared link restores the filters.
    tag_counts: dict[str, int] = {}
    for insight in catalog.insights.values():
        for tag in insight.tags:
            tag_counts[tag] = tag_counts.get(tag, 0) + 1
    first, second = sorted(tag_counts, key=lambda t: (-tag_counts[t], t))[:2]
    either = ids_where(catalog, lambda i: first in i.tags or second in i.tags)
    tab.open(f"insights/#tag={first},{second}")
    tab.page.reload()
    assert set(listed_ids(tab)) == either
    assert either > ids_where(catalog, lambda i: first in i.tags)


# --- search ------------------------------------------------------------------------------


def test_search_finds_an_insight_by_a_word_of_its_evidence_quote(tab: Tab, catalog: Catalog
                                                                 ) -> None:
    word, insight_id = quote_only_word(catalog)
    page = tab.open("")
    page.locator(HEADER_FIELD).click()
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    found = search_answer(tab, word)
    assert any(re.search(rf"insights/{insight_id}/(#.*)?$", href) for href in found), \
        (word, found, page.inner_text(".ip-results-line"))
    assert tab.console_errors == []
    assert tab.outside_requests == []


# --- the journey heat map ----------------------------------------------------------------


HEAT_TABLE = """table => {
  const rows = [...table.querySelectorAll('tbody tr')].map(tr => [
    tr.querySelector('th').textContent.trim(),
    [...tr.querySelectorAll('td')].map(td => ({
      text: td.textContent.replace(/\\s+/g, ' ').trim(),
      level: (td.className.match(/ip-heat-l(\\d)/) || [null, null])[1],
      background: getComputedStyle(td).backgroundColor,
    })),
  ]);
  const stages = [...table.querySelectorAll('thead th')].slice(1).map(th => th.textContent.trim());
  const box = table.getBoundingClientRect();
  return { stages, rows, width: box.width, height: box.height };
}"""

TRANSPARENT = "rgba(0, 0, 0, 0)"


def number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


@pytest.mark.parametrize("journey_id", ["online-grocery-order", "missing-item-resolution"])
def test_journey_heat_map_shows_the_analysis_numbers(tab: Tab, catalog: Catalog,
                                                     journey_id: str) -> None:
    journey = catalog.journeys[journey_id]
    heat = analysis.journey_heat(journey, catalog)
    page = tab.open(f"journeys/{journey_id}/")
    table = page.locator("table.ip-heat").first
    assert table.is_visible()
    shown = table.evaluate(HEAT_TABLE)
    assert shown["width"] > 300 and shown["height"] > 100
    assert shown["stages"] == [stage.stage.name for stage in heat.stages]
    rows = dict(shown["rows"])

    assert [number(c["text"]) for c in rows["Open pains"]] == [s.pains for s in heat.stages]
    assert [number(c["text"]) for c in rows["Times seen (evidence)"]] == \
        [s.evidence for s in heat.stages]
    assert [number(c["text"]) for c in rows["Weighted score"]] == [s.weight for s in heat.stages]
    assert [number(c["text"]) for c in rows["Delights"]] == [s.delights for s in heat.stages]
    undecided = rows["Undecided pains"]
    assert [number(c["text"].split()[0]) for c in undecided] == \
        [s.undecided for s in heat.stages]
    assert ["undecided" in c["text"] for c in undecided] == [s.undecided > 0 for s in heat.stages]
    assert [c["text"] for c in rows["Pains with a decision owner"]] == [
        "\u2013" if s.owned_share is None else f"{round(s.owned_share * 100)}%"
        for s in heat.stages]
    assert [c["text"] for c in rows["Stage owner"]] == [s.stage.owner for s in heat.stages]
    for persona in heat.personas:
        assert [number(c["text"]) for c in rows[catalog.personas[persona].name]] == \
            [s.by_persona.get(persona, 0) for s in heat.stages]

    # Drawn as heat: each cell's level from the one scale of all journeys, coloured
    # unless cold.
    scale = analysis.heat_scale([analysis.journey_heat(j, catalog)
                                 for j in catalog.journeys.values()])
    cells = rows["Open pains"]
    levels = [scale.level(s.pains, "pains") for s in heat.stages]
    assert [int(c["level"]) for c in cells] == levels
    assert [c["background"] != TRANSPARENT for c in cells] == [level > 0 for level in levels]
    assert max(levels) > 0
    assert tab.console_errors == []


# --- keyboard only ----------------------------------------------------------------------


def test_keyboard_alone_reaches_the_facet_filters(tab: Tab, catalog: Catalog) -> None:
    tab.open("insights/")
    listed_ids(tab)
    path = tab_until(tab, "fieldset.ip-facet input[type=checkbox]")
    focused = tab.page.evaluate(
        "() => [document.activeElement.name, document.activeElement.value,"
        " getComputedStyle(document.activeElement).outlineStyle]")
    assert focused[2] != "none", "the focused filter shows no focus outline"
    facet, value = focused[0].removeprefix("ip-"), focused[1]
    tab.page.keyboard.press("Space")
    expected = ids_where(catalog, in_facet(facet, value))
    assert set(listed_ids(tab)) == expected != set(catalog.insights), path
    wait_for_hash(tab, f"{facet}={value}")


def test_keyboard_alone_reaches_search_and_opens_a_result(tab: Tab, catalog: Catalog) -> None:
    word, insight_id = quote_only_word(catalog)
    tab.open("")
    tab_until(tab, HEADER_FIELD)
    tab.page.keyboard.type(word)
    tab.page.keyboard.press("Enter")
    search_answer(tab, word)
    # From the top of the search page, Tab by Tab to the insight's result.
    tab_until(tab, f"{RESULT_LINKS}[href$='insights/{insight_id}/']")
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(re.compile(rf"insights/{insight_id}/$"))
    assert tab.page.locator("h1").first.is_visible()
