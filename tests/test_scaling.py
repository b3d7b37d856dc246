"""No quadratic page: a portal with four times the insights has no bigger
pages, except the index data and exports that exist to hold every insight.

Built with the benchmark's synthetic corpus (same proportions at every size)
and the renderer the MkDocs plugin uses; sizes are compared page by page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_benchmarks import corpus

from generator.check.pipeline import check_portal
from generator.core.routes import INDEX_DATA
from generator.site.render import LIST_LIMIT, SiteRenderer

TODAY = dt.date(2026, 11, 24)
SMALL, LARGE = 400, 1600
# The files whose job is to hold every insight (fetched by the index pages' script,
# or downloaded by analysts), and the feed (one entry per change, by design).
GROWS_WITH_INSIGHTS = {INDEX_DATA, "feed.xml", "export/insights.json", "export/insights.csv",
                       "export/personas.json", "export/personas.csv",
                       "export/journeys.json", "export/journeys.csv"}
# Index pages that list every persona or journey: they grow with those (a few
# dozen in a real portal, and the corpus adds some per 500 insights), not with
# insights; compared per listed entry.
PER_ENTRY = {"personas/index.md": "personas/", "journeys/index.md": "journeys/"}
ALLOWED_GROWTH = 1.25  # vocabulary and numbers get a little longer; lists must not
# Team pages list up to LIST_LIMIT cards per section (waiting, fell to it, acting on,
# reviews due; and one per stage it owns): a small portal's teams have fewer, so they
# are checked against the limit.
TEAM_PAGES = "teams/"
TEAM_PAGE_CARDS = 4 * LIST_LIMIT + 12


def _page_sizes(root: Path, insights: int) -> dict[str, int]:
    corpus.generate(root, insights, seed=3)
    result = check_portal(root, TODAY, use_cache=False)
    assert result.errors == 0
    pages = {page.src_uri: page.content + "".join(page.stashed)
             for page in SiteRenderer(result.catalog, result.config, TODAY).files()}
    _CARDS.update({path: content.count('class="ip-card"') for path, content in pages.items()
                   if path.startswith(TEAM_PAGES)})
    return {path: len(content) for path, content in pages.items()}


_CARDS: dict[str, int] = {}  # cards on each team page, at either size


@pytest.fixture(scope="module")
def sizes(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, int], dict[str, int]]:
    return (_page_sizes(tmp_path_factory.mktemp("small"), SMALL),
            _page_sizes(tmp_path_factory.mktemp("large"), LARGE))


def _largest(sizes: dict[str, int], folder: str) -> int:
    return max(size for path, size in sizes.items()
               if path.startswith(folder) and path != f"{folder}index.md")


def test_shared_pages_do_not_grow_with_the_number_of_insights(sizes) -> None:
    small, large = sizes
    grown = {path: (small[path], large[path]) for path in small.keys() & large.keys()
             if path not in GROWS_WITH_INSIGHTS | PER_ENTRY.keys()
             and not path.startswith(TEAM_PAGES)
             and large[path] > small[path] * ALLOWED_GROWTH}
    assert not grown, grown
    assert {"index.md", "insights/index.md", "decisions/index.md", "whats-new/index.md"} \
        <= small.keys() & large.keys()


def test_team_pages_list_at_most_their_limit(sizes) -> None:
    _, large = sizes
    team_pages = [path for path in large if path.startswith(TEAM_PAGES) and path.endswith(".md")]
    assert len(team_pages) > 3
    assert max(_CARDS[path] for path in team_pages) <= TEAM_PAGE_CARDS
    assert max(_CARDS[path] for path in team_pages) > LIST_LIMIT  # the limit is reached


@pytest.mark.parametrize("folder", ["insights/", "personas/", "journeys/"])
def test_entry_pages_do_not_grow_with_the_number_of_insights(sizes, folder: str) -> None:
    small, large = sizes
    assert _largest(large, folder) <= _largest(small, folder) * ALLOWED_GROWTH


@pytest.mark.parametrize("index", PER_ENTRY)
def test_persona_and_journey_indexes_grow_only_with_their_entries(sizes, index: str) -> None:
    def per_entry(pages: dict[str, int]) -> float:
        entries = [path for path in pages if path.startswith(PER_ENTRY[index]) and path != index]
        return pages[index] / len(entries)

    small, large = sizes
    assert per_entry(large) <= per_entry(small) * ALLOWED_GROWTH


def test_the_index_data_does_grow_so_the_comparison_can_fail(sizes) -> None:
    small, large = sizes
    assert large[INDEX_DATA] > small[INDEX_DATA] * 3
