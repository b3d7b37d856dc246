"""Convert the generated pages' Markdown on a second core while MkDocs builds.

MkDocs converts pages one after another in one process: at 10,000 insights
that is a third of the build (about 17 s on 2 cores, one of them idle). Once
the file list and navigation are final (`on_nav`), a forked worker runs
MkDocs' own `Page.render` — the same Markdown extensions, link rewriting and
anchor collection — on three pages in five, in the order MkDocs will read
them, while MkDocs converts the other two itself. When MkDocs reads one of the
worker's pages, the plugin hands it the worker's result instead of converting
it again (see `plugin.py`):

- only if the Markdown MkDocs would convert is byte for byte what the worker
  converted (another plugin's `on_page_markdown` may have changed it);
- with everything `Page.render` sets: the HTML, the table of contents, the
  title found in the page, the anchors present and the links to anchors of
  other pages (MkDocs checks those after the build);
- and with every message the conversion logged replayed in this process, so
  MkDocs counts its warnings (`--strict`) as it would have.

With one core, or when the process cannot fork, MkDocs converts every page
itself; a worker that fails leaves its remaining pages to MkDocs as well.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import Pool

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from .parallel import stream_indexed, worker_count

MIN_PAGES = 400  # below this, forking costs more than it saves
# Of every five pages, the worker converts three and this process two: this
# process also runs every plugin's page events for all of them.
_WORKER_SHARE = (3, 5)


@dataclass(slots=True)
class Prerendered:
    """What `Page.render` set on one page, computed in a worker."""

    digest: str  # of the Markdown converted
    content: str
    toc: TableOfContents
    title: str | None
    anchor_ids: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None  # by target src_uri
    records: list[tuple[str, int, str]]  # (logger, level, message) logged meanwhile


def digest(markdown: str) -> str:
    return hashlib.blake2b(markdown.encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


class Prerenderer:
    """One forked worker converting a share of the pages, in the order MkDocs
    will ask for them, while this process converts the rest: both cores work
    and neither waits long for the other."""

    def __init__(self, src_uris: Iterable[str], files: Files, config: MkDocsConfig) -> None:
        self._ready: dict[str, Prerendered | None] = {}
        self._results: Iterator[list[tuple[str, Prerendered | None]]] | None = None
        self._pool: Pool | None = None
        self._assigned: set[str] = set()
        targets = [file for file in map(files.get_file_from_path, src_uris)
                   if file is not None and file.is_documentation_page()]
        if worker_count(len(targets), MIN_PAGES) < 2:
            return  # one core: the conversion would merely move, not shrink
        taken, of = _WORKER_SHARE
        mine = [file for index, file in enumerate(targets) if index % of < taken]
        started = stream_indexed(
            lambda index: (mine[index].src_uri, _render(mine[index], files, config)),
            len(mine), chunk_size=50)
        if started is None:
            return  # no fork here: MkDocs converts every page itself
        self._pool, self._results = started
        self._assigned = {file.src_uri for file in mine}

    def take(self, src_uri: str) -> Prerendered | None:
        """The worker's result for this page (waiting for it if need be), or None
        if the page is not the worker's or it could not convert it."""
        if src_uri not in self._assigned:
            return None
        self._assigned.discard(src_uri)
        while src_uri not in self._ready and self._results is not None:
            try:
                chunk = next(self._results)
            except Exception:  # noqa: BLE001 - done, or a lost worker: convert here instead
                self.close()
                break
            self._ready.update(chunk)
        return self._ready.pop(src_uri, None)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
        self._pool, self._results, self._assigned = None, None, set()
        self._ready.clear()


def apply(prerendered: Prerendered, page: Page, files: Files) -> str:
    """Set on `page` what `Page.render` would have; return the page's HTML."""
    page.content = prerendered.content
    page.toc = prerendered.toc
    page._title_from_render = prerendered.title  # noqa: SLF001 - what render() sets
    page.present_anchor_ids = prerendered.anchor_ids
    if prerendered.links_to_anchors is not None:
        page.links_to_anchors = {
            target: links for target, links in
            ((files.get_file_from_path(uri), links)
             for uri, links in prerendered.links_to_anchors.items()) if target is not None}
    for name, level, message in prerendered.records:
        logging.getLogger(name).log(level, message)
    return prerendered.content


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _render(file: File, files: Files, config: MkDocsConfig) -> Prerendered | None:
    # In a worker this page object is the worker's own: MkDocs makes its own later.
    page = file.page if file.page is not None else Page(None, file, config)
    logger = logging.getLogger("mkdocs")
    capture = _Capture()
    handlers, propagate = logger.handlers, logger.propagate
    logger.handlers, logger.propagate = [capture], False
    try:
        page.read_source(config)
        assert page.markdown is not None
        converted = digest(page.markdown)
        page.render(config, files)
    except Exception:  # noqa: BLE001 - MkDocs reports it when it renders the page itself
        return None
    finally:
        logger.handlers, logger.propagate = handlers, propagate
    links = page.links_to_anchors
    return Prerendered(
        converted, page.content or "", page.toc, page._title_from_render,  # noqa: SLF001
        page.present_anchor_ids,
        None if links is None else {target.src_uri: dict(found)
                                    for target, found in links.items()},
        capture.records)
