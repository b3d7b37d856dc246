"""Convert the generated pages' Markdown on a second core while MkDocs builds.

MkDocs converts pages one after another in one process: at 10,000 insights
that is a third of the build (about 17 s on 2 cores, one of them idle). Once
the file list and navigation are final (`on_nav`), a forked worker runs
MkDocs' own `Page.render` — the same Markdown extensions, link rewriting and
anchor collection — on eleven pages in twenty, in the order MkDocs will read
them, while MkDocs converts the others itself. When MkDocs reads one of the
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

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from ..check.parallel import FORK_MIN_ITEMS, Stream, stream_indexed, worker_count

MIN_PAGES = FORK_MIN_ITEMS
# Of every twenty pages, the worker converts eleven and this process nine: this
# process also reads every page and runs every plugin's page events for all of
# them (measured at 10,000 insights: with 3 in 5 it waited 2-3 s for the worker).
_WORKER_SHARE = (11, 20)
R = TypeVar("R")


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


class Ahead(Generic[R]):
    """A forked worker computing one result per key, in the order this process will
    ask for them, while this process does other work; `take` waits when need be."""

    def __init__(self, keys: list[str], job: Callable[[int], R], chunk_size: int) -> None:
        self._ready: dict[str, R | None] = {}
        self._assigned: set[str] = set()
        self._stream: Stream[tuple[str, R | None]] | None = stream_indexed(
            lambda index: (keys[index], job(index)), len(keys), chunk_size)
        self._chunks: Iterator[list[tuple[str, R | None]]] | None = None
        self.delivered = 0  # results taken
        if self._stream is not None:
            self._chunks = iter(self._stream)
            self._assigned = set(keys)

    def take(self, key: str) -> R | None:
        """The worker's result for `key`, or None if the key is not the worker's or
        it could not compute it."""
        if key not in self._assigned:
            return None
        self._assigned.discard(key)
        while key not in self._ready and self._chunks is not None:
            try:
                chunk = next(self._chunks)
            except Exception:  # noqa: BLE001 - done, or a lost worker: compute here instead
                self.close()
                break
            self._ready.update(chunk)
        result = self._ready.pop(key, None)
        self.delivered += result is not None
        return result

    @property
    def running(self) -> bool:
        """Whether a worker was started (False: the process could not fork)."""
        return self._stream is not None

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        self._stream, self._chunks, self._assigned = None, None, set()
        self._ready.clear()


def worker_share(files: list[File], taken: int, of: int) -> list[File]:
    """`taken` of every `of` files, spread evenly, so neither process waits long."""
    return [file for index, file in enumerate(files) if index % of < taken]


class Prerenderer:
    """One forked worker converting a share of the pages, in the order MkDocs
    will ask for them, while this process converts the rest: both cores work
    and neither waits long for the other."""

    def __init__(self, src_uris: Iterable[str], files: Files, config: MkDocsConfig,
                 prepare: Callable[[Page], None] = lambda page: None) -> None:
        """`prepare` sees each page before it is rendered (the plugin sets its budget)."""
        self._ahead: Ahead[Prerendered] | None = None
        targets = [file for file in map(files.get_file_from_path, src_uris)
                   if file is not None and file.is_documentation_page()]
        if worker_count(len(targets), MIN_PAGES) < 2:
            return  # one core: the conversion would merely move, not shrink
        mine = worker_share(targets, *_WORKER_SHARE)
        self._ahead = Ahead([file.src_uri for file in mine],
                            lambda index: _render(mine[index], files, config, prepare),
                            chunk_size=50)

    def take(self, src_uri: str) -> Prerendered | None:
        """The worker's result for this page (waiting for it if need be), or None
        if the page is not the worker's or it could not convert it."""
        return self._ahead.take(src_uri) if self._ahead is not None else None

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead.close()
        self._ahead = None


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
    replay(prerendered.records)
    return prerendered.content


def replay(records: list[tuple[str, int, str]]) -> None:
    """Log here what a worker logged, so MkDocs counts its warnings (--strict)."""
    for name, level, message in records:
        logging.getLogger(name).log(level, message)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


@contextlib.contextmanager
def capture_log() -> Iterator[list[tuple[str, int, str]]]:
    """(logger, level, message) of everything MkDocs and its plugins log meanwhile,
    kept instead of printed (in a worker: the parent replays them)."""
    logger = logging.getLogger("mkdocs")
    capture = _Capture()
    handlers, propagate = logger.handlers, logger.propagate
    logger.handlers, logger.propagate = [capture], False
    try:
        yield capture.records
    finally:
        logger.handlers, logger.propagate = handlers, propagate


def _render(file: File, files: Files, config: MkDocsConfig,
            prepare: Callable[[Page], None] = lambda page: None) -> Prerendered | None:
    # In a worker this page object is the worker's own: MkDocs makes its own later.
    page = file.page if file.page is not None else Page(None, file, config)
    try:
        with capture_log() as records:
            page.read_source(config)
            assert page.markdown is not None
            converted = digest(page.markdown)
            prepare(page)
            page.render(config, files)
    except Exception:  # noqa: BLE001 - MkDocs reports it when it renders the page itself
        return None
    links = page.links_to_anchors
    return Prerendered(
        converted, page.content or "", page.toc, page._title_from_render,  # noqa: SLF001
        page.present_anchor_ids,
        None if links is None else {target.src_uri: dict(found)
                                    for target, found in links.items()},
        records)
