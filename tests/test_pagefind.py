"""Pagefind, the default search backend: the portal indexed by Pagefind instead of
Material's search (`search: material`).

A small portal is built once with the option (and Material's `search` plugin listed, to
show it is turned off) and read back with lxml: the Pagefind bundle, the pages it indexes
and their facets, the search page and the header script; then the index in parts. No
browser here: tests/test_search_page.py searches in Chromium, and the browser
measurement is benchmarks/search.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from conftest import TODAY, run_portal, write_portal

from generator.mkdocs import pagefind, pagefind_parts

PAGEFIND_YML = """\
site_name: Test portal
theme:
  name: material
plugins:
  - search
  - insight-portal:
      search: pagefind
markdown_extensions:
  - toc:
      permalink: true
"""

# A second insight with other facets than the base one: two personas, two tags, no
# journey, an alias (its redirect page must not be indexed).
EXTRA = {
    "docs/.keep": "",
    "personas/night-owl.md": """\
        ---
        name: Night owl
        summary: Orders after midnight.
        goals: [order late]
        frustrations: [no late slots]
        owner: research-team
        last_reviewed: 2026-10-01
        ---
        """,
    "insights/late-slots.md": """\
        ---
        title: Late delivery slots sell out
        summary: Evening slots are gone by noon.
        kind: need
        personas: [shopper, night-owl]
        severity: critical
        confidence: high
        tags: [delivery-slots, mobile]
        evidence:
          - source: survey
          - source: analytics
        created: 2026-09-01
        authors: [dana]
        decision:
          status: new
        aliases: [evening-slots]
        ---
        Shoppers want a zebrafish-rare word to search for.
        """,
}

EXPECTED_FILTERS = {
    "insights/fees-surprise/index.html": {
        "Decision status": ["Accepted"], "Kind": ["Pain"],
        "Severity": ["High"], "Persona": ["Shopper"], "Journey": ["Order"], "Tag": ["fees"],
        "Evidence strength": ["Single method"]},
    "insights/late-slots/index.html": {
        "Decision status": ["New"], "Kind": ["Need"],
        "Severity": ["Critical"], "Persona": ["Night owl", "Shopper"],
        "Tag": ["delivery-slots", "mobile"], "Evidence strength": ["Corroborated"]},
    "personas/shopper/index.html": {},
    "personas/night-owl/index.html": {},
    "journeys/order/index.html": {},
}


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return run_portal("build", str(root), "--site-dir", str(site), "--today",
                      TODAY.isoformat(), "--strict")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("pagefind")
    root = write_portal(base / "portal", EXTRA, PAGEFIND_YML)
    result = build(root, base / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Pagefind indexed 5 pages" in result.stderr, result.stderr
    return base / "site"


def page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / path).read_bytes())


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith("pagefind/"))


def filters_of(document: lxml.html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in document.xpath("//*[@data-pagefind-filter]"):
        key, _, value = element.get("data-pagefind-filter").partition(":")
        found.setdefault(key, []).append(value)
    return {key: sorted(values) for key, values in found.items()}


def test_pagefind_bundle_is_written_and_material_index_is_not(site: Path) -> None:
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    assert list((site / "pagefind" / "index").glob("*.pf_index"))
    assert list((site / "pagefind" / "filter").glob("*.pf_filter"))
    assert not (site / "search" / "search_index.json").exists()
    # Material's header search box needs its plugin's index: it is not rendered.
    assert not page(site, "index.html").xpath('//*[@data-md-component="search"]')


def test_only_entry_pages_are_indexed(site: Path) -> None:
    entry = re.compile(r"^(insights|personas|journeys)/([a-z0-9-]+)/index\.html$")
    bodies = {path for path in html_pages(site)
              if page(site, path).xpath("//*[@data-pagefind-body]")}
    assert bodies == set(EXPECTED_FILTERS)
    # Index and list pages, the alias redirect and the search page exist but are not indexed.
    for path in ("index.html", "insights/index.html", "personas/index.html",
                 "decisions/index.html", "insights/evening-slots/index.html",
                 "search/index.html"):
        assert (site / path).is_file(), path
        assert path not in bodies
    assert all(entry.match(path) for path in bodies)
    # The body is the article, not the whole page with its nav and footer.
    for path in bodies:
        (body,) = page(site, path).xpath("//*[@data-pagefind-body]")
        assert body.tag == "article"
    entry_json = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry_json["languages"]["en"]["page_count"] == len(EXPECTED_FILTERS)


def test_pages_carry_their_facets(site: Path) -> None:
    for path, expected in EXPECTED_FILTERS.items():
        assert filters_of(page(site, path)) == expected, path
        assert set(expected) <= set(pagefind.FILTERS)
    # Facets are not page text: they sit in a hidden element Pagefind does not index.
    (holder,) = page(site, "insights/late-slots/index.html").xpath(
        "//*[@data-pagefind-filter]/..")
    assert holder.get("hidden") is not None and holder.get("data-pagefind-ignore") is not None
    assert filters_of(page(site, "insights/index.html")) == {}


def test_search_page_is_in_the_nav_and_mounts_the_ui(site: Path) -> None:
    home = page(site, "index.html")
    links = [(a.get("href"), " ".join(a.text_content().split()))
             for a in home.xpath('//nav[contains(@class, "md-nav")]//a')]
    assert ("search/", "Search") in links
    search = page(site, "search/index.html")
    assert search.xpath('//*[@id="portal-search"]')
    assert search.xpath("//noscript")
    script = "assets/insight-portal-search.js"
    for path in ("index.html", "search/index.html", "insights/late-slots/index.html"):
        sources = page(site, path).xpath("//script/@src")
        assert any(src.endswith(script) for src in sources), path
    text = (site / script).read_text(encoding="utf-8")
    assert "__SEARCH_PAGE__" not in text and '"search/"' in text
    # No request leaves the site: the script only builds URLs from its own location.
    assert not re.search(r"https?://", text)


def test_permalinks_and_cards_of_other_insights_are_not_indexed(site: Path) -> None:
    document = page(site, "insights/late-slots/index.html")
    headerlinks = document.xpath('//article//a[contains(@class, "headerlink")]')
    assert headerlinks and all(a.get("data-pagefind-ignore") is not None for a in headerlinks)
    # A card links to an insight: its title and summary are that page's words.
    cards = page(site, "personas/shopper/index.html").xpath(
        '//article//article[contains(@class, "ip-card")][.//*[contains(@class, "ip-card-title")]]')
    assert cards and all(card.get("data-pagefind-ignore") is not None for card in cards)
    # The badges under the title: a result shows them as chips, and facets filter by
    # them; as text they would fill every excerpt with "Done High severity Pain".
    badges = document.xpath('//article/p[contains(@class, "ip-card-meta")]')[0]
    assert "Critical" in badges.text_content() and badges.get("data-pagefind-ignore") is not None


def test_search_page_names_its_facets(site: Path) -> None:
    (container,) = page(site, "search/index.html").xpath('//*[@id="portal-search"]')
    assert json.loads(container.get("data-facets")) == [list(f) for f in pagefind.FACETS]
    assert [name for _, name in pagefind.FACETS] == list(pagefind.FILTERS)
    order = json.loads(container.get("data-facet-order"))
    assert order["status"][:2] == ["New", "Under review"]
    assert order["severity"] == ["Critical", "High", "Medium", "Low"]


def test_search_page_url_without_directory_urls(tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", {"docs/.keep": ""},
                        PAGEFIND_YML + "use_directory_urls: false\n")
    result = build(root, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (tmp_path / "site" / "assets" / "insight-portal-search.js").read_text()
    assert '"search/index.html"' in text
    assert (tmp_path / "site" / "search" / "index.html").is_file()
    assert (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()


def test_default_backend_is_pagefind(tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", {"docs/.keep": ""},
                        PAGEFIND_YML.replace("      search: pagefind\n",
                                             "      undecided_after_days: 30\n"))
    result = build(root, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "search" / "index.html").is_file()
    assert not (site / "search" / "search_index.json").exists()


def test_search_material_keeps_materials_own_search(tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", {"docs/.keep": ""},
                        PAGEFIND_YML.replace("search: pagefind", "search: material"))
    result = build(root, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    assert (site / "search" / "search_index.json").is_file()
    assert not (site / "pagefind").exists()
    assert not (site / "search" / "index.html").exists()
    insight = (site / "insights" / "fees-surprise" / "index.html").read_bytes()
    # Not marked for Pagefind (the templates' data-pagefind-ignore are harmless).
    assert b"data-pagefind-body" not in insight and b"data-pagefind-filter" not in insight


def test_unknown_backend_is_a_config_error(tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", {},
                        PAGEFIND_YML.replace("search: pagefind", "search: lunr"))
    result = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert result.returncode != 0
    assert "option 'search' must be pagefind or material" in result.stdout + result.stderr


def test_mark_page_leaves_other_pages_alone() -> None:
    html = '<html><body><article class="md-content__inner">x</article></body></html>'
    for src_uri in ("index.md", "insights/index.md", "tags/index.md", "search/index.md",
                    "insights/sub/page.md"):
        assert pagefind.mark_page(html, src_uri, None) == html, src_uri
    marked = pagefind.mark_page(html, "personas/shopper.md", None)
    assert '<article data-pagefind-body class="md-content__inner">' in marked
    assert "data-pagefind-filter" not in marked  # facets are for insights


def test_missing_pagefind_is_a_clear_error(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagefind.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(pagefind.PluginError, match=re.escape(pagefind.INSTALL_HINT)):
        pagefind.index_site(tmp_path, [])


def test_failing_indexer_is_a_clear_error(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 3, "", "Error: something broke\n")

    monkeypatch.setattr(pagefind.subprocess, "run", fail)
    with pytest.raises(pagefind.PluginError, match="indexing failed \\(exit 3\\)"):
        pagefind.index_site(tmp_path, [])


def test_serve_indexes_in_the_background(tmp_path: Path) -> None:
    (tmp_path / "insights" / "a").mkdir(parents=True)
    (tmp_path / "insights" / "a" / "index.html").write_text(
        '<html lang="en"><body><article data-pagefind-body><h1>Address form</h1>'
        "<p>Postcode rejected.</p></article></body></html>", encoding="utf-8")
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "stale.pf_index").write_text("old", encoding="utf-8")
    pagefind.index_site(tmp_path, ["insights/a/index.html"], background=True)  # returns at once
    assert not (tmp_path / "pagefind" / "stale.pf_index").exists()
    pagefind._background.wait(timeout=60)
    assert (tmp_path / "pagefind" / "pagefind.js").is_file()
    assert list((tmp_path / "pagefind" / "index").glob("*.pf_index"))


# --- the index in parts (pagefind_parts.py) --------------------------------------------


@pytest.mark.parametrize(("pages", "size", "sizes"), [
    (0, 3, [0]), (3, 3, [3]), (4, 3, [2, 2]), (7, 3, [2, 2, 3]), (9, 3, [3, 3, 3])])
def test_parts_are_as_few_as_can_be_and_even(pages: int, size: int, sizes: list[int]) -> None:
    names = [f"insights/i{n}/index.html" for n in reversed(range(pages))]
    parts = pagefind_parts.parts_of(names, size)
    assert [len(part) for part in parts] == sizes
    assert [page for part in parts for page in part] == sorted(names)


def test_a_large_portal_is_indexed_in_parts_the_search_page_merges(tmp_path: Path) -> None:
    """Five entry pages in parts of two: three Pagefind bundles, each page in exactly
    one, and the list the search page reads to merge them."""
    root = write_portal(tmp_path / "portal", EXTRA, PAGEFIND_YML)
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat(), env={pagefind_parts.PART_PAGES_VARIABLE: "2"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Pagefind indexed 5 pages in 3 parts" in result.stderr, result.stderr
    manifest = json.loads((site / "pagefind" / "portal-parts.json").read_text())
    assert manifest == {"parts": ["parts/1/", "parts/2/"]}
    bundles = [site / "pagefind", *(site / "pagefind" / part for part in manifest["parts"])]
    counts = []
    for bundle in bundles:
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        counts.append(sum(language["page_count"] for language in entry["languages"].values()))
    assert counts == [1, 2, 2]
    assert not (site / pagefind_parts.STAGING).exists()  # the staging folder is gone
    script = (site / "assets" / "insight-portal-search.js").read_text()
    assert "portal-parts.json" in script and "mergeIndex" in script


def test_a_new_portal_without_entries_builds_a_search_that_finds_its_home(tmp_path: Path
                                                                        ) -> None:
    """Pagefind writes no index of no page: a portal with no entry yet (the README's
    first step for a new organisation) indexes its home page instead of failing."""
    root = write_portal(tmp_path / "portal", {"docs/.keep": ""}, PAGEFIND_YML, base=False)
    site = tmp_path / "site"
    result = build(root, site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Pagefind indexed 1 page in 1 part" in result.stderr, result.stderr
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "index.html").read_text().count("data-pagefind-ignore class=\"headerlink")


def test_a_pagefind_module_in_the_repository_never_runs(tmp_path: Path) -> None:
    """The indexer is started as `python -P -m …`: a `pagefind` package added to the
    repository by a pull request is not imported from the working directory."""
    root = write_portal(tmp_path / "portal", {"docs/.keep": ""}, PAGEFIND_YML)
    marker = tmp_path / "ran"
    for name in ("pagefind", "generator"):  # `generator` too: the parts runner's package
        (root / name).mkdir(exist_ok=True)
        (root / name / "__init__.py").write_text(
            f"open({str(marker)!r}, 'a').write({name!r})\n", encoding="utf-8")
        (root / name / "__main__.py").write_text(
            f"open({str(marker)!r}, 'a').write({name!r})\n", encoding="utf-8")
    # The `portal` script as a user runs it (`python -m generator` would import the
    # fake package from the working directory before anything of ours runs).
    portal = Path(sys.executable).with_name("portal")
    result = subprocess.run([str(portal), "build", ".", "--site-dir", str(tmp_path / "site"),
                             "--today", TODAY.isoformat()], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()
    assert not marker.exists(), marker.read_text()
