"""Stashing the portal's own HTML away from Python-Markdown (a build speed-up)
must not change a single page: every page of the sample, and of a portal whose
bodies carry raw HTML, converts to the same HTML with and without the stash."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from conftest import REPO, TODAY, PortalFactory
from test_rules import INSIGHT, changed

from generator.check.pipeline import check_portal
from generator.site.html_stash import placeholder, restore_blocks, search_view, stash_blocks
from generator.site.render import SiteRenderer

# What MkDocs gives Python-Markdown for the sample's mkdocs.yml.
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition"]


def _pages(root: Path, stash: bool) -> dict[str, object]:
    result = check_portal(root, TODAY, use_cache=False)
    renderer = SiteRenderer(result.catalog, result.config, TODAY, stash_html=stash)
    return {f.src_uri: f for f in renderer.files() if f.src_uri.endswith(".md")}


def _convert(text: str) -> str:
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return markdown.Markdown(extensions=EXTENSIONS).convert(body)


def _assert_same_html(root: Path) -> int:
    plain, stashed = _pages(root, stash=False), _pages(root, stash=True)
    assert plain.keys() == stashed.keys()
    blocks = 0
    for src_uri, page in stashed.items():
        blocks += len(page.stashed)
        html = restore_blocks(_convert(page.content), page.stashed)
        assert html == _convert(plain[src_uri].content), src_uri
        assert "ip-stash" not in html, src_uri
    return blocks


def test_stashed_pages_convert_to_the_same_html_for_the_sample() -> None:
    assert _assert_same_html(REPO) > 100  # the stash is really in use


def test_bodies_with_raw_html_and_markdown_are_never_stashed(make_portal: PortalFactory
                                                             ) -> None:
    body = ("\n<div class=\"note\">\n<p>Raw HTML from the researcher</p>\n\n</div>\n\n"
            "A paragraph with *emphasis* after it.\n\n<p>loose</p>\n")
    root = make_portal({INSIGHT: changed(INSIGHT, "---\nSeen in", "---\n" + body + "\nSeen in")})
    _assert_same_html(root)
    page = _pages(root, stash=True)["insights/fees-surprise.md"]
    assert "Raw HTML from the researcher" in page.content  # left for Python-Markdown
    assert not any("Raw HTML" in block for block in page.stashed)


@pytest.mark.parametrize("html", ["<p>no placeholders</p>", ""])
def test_restore_without_blocks_returns_the_page_unchanged(html: str) -> None:
    assert restore_blocks(html, ()) == html


def test_stash_round_trip_keeps_bodies_in_place() -> None:
    from generator.site.html_stash import BODY_MARK

    text, blocks, tail = stash_blocks(f"<div>a</div>\n\n{BODY_MARK}\n\n<p>b</p>\n",
                                      ["<div>body</div>"])
    assert tail == len(f"\n\n{placeholder(1)}\n")  # where the body ends, from the end
    assert blocks == ("<div>a</div>", "<p>b</p>")
    assert text == f"{placeholder(0)}\n\n<div>body</div>\n\n{placeholder(1)}\n"


def test_search_sees_each_block_as_its_text_and_the_page_gets_the_block_back() -> None:
    blocks = ('<dl class="ip-facts">\n<dt>Owner</dt><dd>checkout-team</dd>\n</dl>',)
    html = f"<h2>Decision</h2>\n<p>{placeholder(0)}</p>\n<p>body</p>"
    view = search_view(html, blocks)
    assert "<p>Owner checkout-team</p>" in view and "<dt>" not in view
    assert "\ue000" not in view  # the placeholder never reaches the search text
    # the newline a raw HTML block has after it in Python-Markdown's output
    assert restore_blocks(view, blocks) == html.replace(f"<p>{placeholder(0)}</p>",
                                                        blocks[0] + "\n")
    assert restore_blocks(html, blocks) == restore_blocks(view, blocks)


def test_cards_linking_to_other_insights_are_not_searchable_text() -> None:
    """Navigation is what a template marks for Pagefind to skip: Material's search
    view skips it too; an unmarked block stays searchable."""
    cards = ('<div class="ip-cards">\n<article class="ip-card" data-pagefind-ignore>\n'
             '<h3 class="ip-card-title"><a href="../other/">Another insight</a></h3>\n'
             '</article>\n</div>',
             '<div class="ip-panel"><p>Our own words</p></div>')
    for index, searchable in ((0, False), (1, True)):
        view = search_view(f"<p>{placeholder(0 if index == 0 else 1)}</p>", cards)
        assert ("Another insight" in view or "Our own words" in view) is searchable
        assert restore_blocks(view, cards) == cards[index]
