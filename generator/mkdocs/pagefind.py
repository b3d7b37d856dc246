"""Pagefind, the portal's default search backend (`search: pagefind`).

Material's built-in search (`search: material`) ships the whole index to the
browser before it can answer (37 MB and 22 s to a first result at 10,000
insights). Pagefind splits its index into chunks and fetches only those a query
needs, so a query costs kilobytes whatever the size of the portal, and it
supports facet filters.

The plugin calls this module at four points:

- `configure` (on_config): disables MkDocs' / Material's own search plugin, so no
  `search_index.json` is built and the header box that needs it is not shown, and
  adds the search page to the nav and the header script to every page;
- `add_files` (on_files): the search page and its script;
- `mark_page` (on_post_page): entry pages get `data-pagefind-body` on their article,
  so only insight, persona and journey pages are indexed (never index or list
  pages), and insight pages get their facets as hidden `data-pagefind-filter`
  elements, taken from the catalog;
- `index_site` (on_post_build): runs the Pagefind indexer over the built site (while
  serving, in the background, so a reload does not wait for it).
"""

from __future__ import annotations

import atexit
import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..check.processes import terminate
from ..core.catalog import Catalog
from ..core.model import Insight
from ..core.routes import entry_at
from ..site.facets import SEARCH, facets_of
from . import SEARCH_PLUGINS
from .pagefind_parts import BUNDLE, ignore_permalinks

log = get_plugin_logger(__name__)

SEARCH_PAGE = "search/index.md"
NAV_TITLE = "Search"
SCRIPT = "assets/insight-portal-search.js"
# Pagefind is one of the package's dependencies: missing, the install is broken.
INSTALL_HINT = ("pip install 'pagefind[extended]>=1.1,<2' (or set `search: material` "
                "in the insight-portal plugin's options)")
INDEXED_FOLDERS = ("insights", "personas", "journeys")
# The search page's facets are the facet table's (generator/site/facets.py) that
# offer themselves to search: (key in the search page's URL, name as the page
# shows it). The search page fetches a facet's page lists (about 90 KB each at
# 40,000 insights) only when the reader opens its filters, never for a plain query.
FACETS = tuple((facet.key, facet.legend) for facet in facets_of(SEARCH))
FILTERS = tuple(name for _, name in FACETS)


def facet_order(catalog: Catalog) -> dict[str, list[str]]:
    """The facets whose options have an order of their own, as the insight index
    lists them (the search page lists the other facets' commonest values first)."""
    return {facet.key: [facet.label(value, catalog) for value in facet.order(catalog)]
            for facet in facets_of(SEARCH) if facet.always and facet.order}


SEARCH_PAGE_CONTENT = """\
---
title: Search
hide: [navigation, toc]
---

# Search

<div id="portal-search" class="ip-search" data-facets="{facets}" data-facet-order="{order}">
<noscript>Search needs JavaScript; the Insights page filters without it.</noscript>
</div>
"""


def enabled(backend: str) -> bool:
    return backend == "pagefind"


# --- on_config --------------------------------------------------------------------


def configure(config: MkDocsConfig) -> None:
    """Turn the built-in search off and wire the search page and header script in."""
    _background.stop()  # mkdocs serve: a rebuild starts; the last build's indexer is stale
    for name, plugin in config.plugins.items():
        if name in SEARCH_PLUGINS or name.endswith("/search"):
            _disable(config, name, plugin)
    if config.nav is not None and not _in_nav(config.nav, SEARCH_PAGE):
        config.nav.append({NAV_TITLE: SEARCH_PAGE})
    if SCRIPT not in [str(item) for item in config.extra_javascript]:
        config.extra_javascript.append(SCRIPT)


def _disable(config: MkDocsConfig, name: str, plugin: object) -> None:
    plugin_config = getattr(plugin, "config", None)
    if plugin_config is not None and "enabled" in plugin_config:
        # Material's search plugin: its events return at once, no index is written
        # and the theme leaves its header search box out.
        plugin_config["enabled"] = False
        return
    # MkDocs' own search plugin has no switch: unregister its event handlers.
    for handlers in config.plugins.events.values():
        handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]


def _in_nav(nav: object, target: str) -> bool:
    if isinstance(nav, str):
        return nav == target
    if isinstance(nav, dict):
        return any(_in_nav(value, target) for value in nav.values())
    if isinstance(nav, list):
        return any(_in_nav(item, target) for item in nav)
    return False


# --- on_files ---------------------------------------------------------------------


def add_files(files: Files, config: MkDocsConfig, catalog: Catalog) -> None:
    """The search page (in the nav) and the script that runs it over Pagefind's API."""
    script = resources.files("generator.site").joinpath("assets", Path(SCRIPT).name)
    content = {
        SEARCH_PAGE: SEARCH_PAGE_CONTENT.format(facets=html.escape(json.dumps(FACETS)),
                                                order=html.escape(json.dumps(facet_order(catalog)))),
        SCRIPT: script.read_text(encoding="utf-8").replace(
            "__SEARCH_PAGE__", "search/" if config.use_directory_urls else "search/index.html"),
    }
    for src_uri, text in content.items():
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            if src_uri == SEARCH_PAGE:  # a hand-written docs/search/index.md wins
                continue
            files.remove(existing)
        files.append(File.generated(config, src_uri, content=text,
                                    inclusion=InclusionLevel.INCLUDED))


# --- on_post_page -----------------------------------------------------------------

_ARTICLE = re.compile(r"<article\b", re.IGNORECASE)
_ARTICLE_END = re.compile(r"<article\b[^>]*>", re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def indexed(src_uri: str, catalog: Catalog | None) -> bool:
    """Whether the page is indexed for search: an entry's page (insights/,
    personas/ and journeys/, not their index pages, not a hand-written page there)."""
    folder, _, rest = src_uri.partition("/")
    entry_id = rest[:-3] if rest.endswith(".md") else ""
    if folder not in INDEXED_FOLDERS or not entry_id or "/" in entry_id or entry_id == "index":
        return False
    return catalog is None or entry_at(catalog, src_uri) is not None


def mark_page(output: str, src_uri: str, catalog: Catalog | None) -> str:
    """Mark an entry page's article as Pagefind's body and add its facets; any
    other page is left alone (once any page has `data-pagefind-body`, Pagefind
    skips every page without it)."""
    if not indexed(src_uri, catalog):
        return output
    folder, _, rest = src_uri.partition("/")
    entry_id = rest[:-3]
    facets = insight_facets(catalog.insights[entry_id], catalog) \
        if folder == "insights" and catalog is not None else []
    output = ignore_permalinks(output)
    spans = "".join(f'<span data-pagefind-filter="{html.escape(key)}:{html.escape(value)}">'
                    "</span>" for key, value in facets)
    hidden = f'<div hidden data-pagefind-ignore>{spans}</div>' if spans else ""
    article = _ARTICLE_END.search(output)
    if article:
        start = article.start()
        return (output[:start] + "<article data-pagefind-body"
                + output[start + len("<article"):article.end()] + hidden
                + output[article.end():])
    body = _BODY.search(output)  # a theme without <article>: the whole body
    if body:
        return (output[:body.start()] + "<body data-pagefind-body"
                + output[body.start() + len("<body"):body.end()] + hidden
                + output[body.end():])
    return output


def insight_facets(insight: Insight, catalog: Catalog) -> list[tuple[str, str]]:
    """(facet, value) pairs of an insight, in the words its page uses."""
    return [(facet.legend, facet.label(value, catalog))
            for facet in facets_of(SEARCH) for value in facet.values(insight)]


# --- on_post_build ----------------------------------------------------------------

_SUMMARY = re.compile(r"Indexed (\d+ pages? in \d+ parts?)")


def index_site(site_dir: str | Path, pages: Sequence[str], *, background: bool = False
               ) -> None:
    """Run the Pagefind indexer over `pages` of the built site (the paths of the
    pages `mark_page` marked, relative to it), in parts (pagefind_parts.py); its
    bundle goes to pagefind/.

    `background` (mkdocs serve): the indexer runs after the build returns, so the
    browser reloads without waiting for it; search answers from the new index a few
    seconds later (about 2 s per 1,000 pages on 2 cores). A newer build stops it.
    """
    if importlib.util.find_spec("pagefind") is None:
        raise PluginError("search: pagefind needs the Pagefind indexer, which is not "
                          f"installed in this Python environment. Install it with: {INSTALL_HINT}")
    site = Path(site_dir)
    shutil.rmtree(site / BUNDLE, ignore_errors=True)  # no stale chunks from the last build
    listing = "\n".join(pages)
    if background:
        _background.start(site, listing)
        return
    start = time.perf_counter()
    try:
        completed = subprocess.run(_command(site), input=listing, capture_output=True,
                                   text=True, check=False, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PluginError(f"search: pagefind: the indexer could not run: {error}") from None
    log.info(_outcome(site, completed.returncode, completed.stdout + completed.stderr,
                      time.perf_counter() - start))


def _command(site: Path) -> list[str]:
    # -P: nothing is imported from the working directory (the repository).
    return [sys.executable, "-P", "-m", "generator.mkdocs.pagefind_parts", str(site)]


def _outcome(site: Path, returncode: int, output: str, seconds: float) -> str:
    """The log line of a finished indexer run; a failed run raises PluginError."""
    output = output.strip()
    if returncode:
        if "pagefind_bin" in output or "executable" in output.lower():
            output += f"\n(the Pagefind binary is missing; reinstall with: {INSTALL_HINT})"
        tail = "\n".join(output.splitlines()[-15:])
        raise PluginError(f"search: pagefind: indexing failed (exit {returncode}):\n{tail}")
    if not (site / BUNDLE / "pagefind.js").is_file():
        raise PluginError(f"search: pagefind: the indexer wrote no {BUNDLE}/pagefind.js:\n"
                          f"{output[-2000:]}")
    summary = _SUMMARY.search(output)
    return f"Pagefind indexed {summary.group(1) if summary else 'the pages'} in {seconds:.1f} s"


class _BackgroundIndexer:
    """At most one indexer process at a time, for mkdocs serve."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[str] | None = None
        self.thread: threading.Thread | None = None

    def start(self, site: Path, listing: str) -> None:
        self.stop()
        started = time.perf_counter()
        try:
            process = subprocess.Popen(_command(site), stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True)
        except OSError as error:
            raise PluginError(f"search: pagefind: the indexer could not run: {error}") from None
        thread = threading.Thread(target=self._finish, args=(process, site, listing, started),
                                  name="pagefind-indexer", daemon=True)
        with self.lock:
            self.process, self.thread = process, thread
        log.info("Pagefind is indexing the preview in the background; search is ready "
                 "when it reports")
        thread.start()

    def _finish(self, process: subprocess.Popen[str], site: Path, listing: str,
                started: float) -> None:
        try:
            output, _ = process.communicate(listing)
        except (OSError, ValueError):  # stopped for a newer build while being fed
            return
        with self.lock:
            current = process is self.process
        if not current or process.returncode < 0:  # stopped for a newer build
            return
        try:
            log.info(_outcome(site, process.returncode, output, time.perf_counter() - started))
        except PluginError as error:
            log.warning(str(error))

    def stop(self) -> None:
        with self.lock:
            process, self.process = self.process, None
        terminate(process, timeout=10)

    def wait(self, timeout: float | None = None) -> None:
        """Until the running indexer has finished and reported (for tests)."""
        with self.lock:
            thread = self.thread
        if thread is not None:
            thread.join(timeout)


_background = _BackgroundIndexer()
atexit.register(_background.stop)
