"""The page budget in the build (see budget.py for the timer itself): which
pages it covers, the notice a page over it shows, and search held to it.

A page that carries repository text (an entry's body, a page of docs/) gets one
account: converting its Markdown, the last safety check and search indexing all
spend from it. A page over budget keeps its title, badges and panels; a notice
linking to the source file takes its body's place, and a `page-budget` warning
names the file.
"""

from __future__ import annotations

import html
import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..check.report import format_problem
from ..core.catalog import Catalog
from ..core.problems import make_problem
from ..core.routes import entry_at
from . import budget

log = get_plugin_logger(__name__)


def repository_path(source: str | None, root: Path) -> str:
    """A hand-written page's path as `portal check` reports it."""
    return Path(os.path.relpath(source, root)).as_posix() if source else "docs"


class PageBudgets:
    """The budget of every page of one build. `catalog`, `files` and `body_spans`
    are the build's (set by the plugin as it learns them)."""

    def __init__(self, root: Path, body_spans: dict[str, tuple[int, int]]) -> None:
        self.root = root
        self.body_spans = body_spans  # see GeneratedFile.body_span
        self.catalog: Catalog | None = None
        self.files: Files | None = None
        self.ledger = budget.Ledger()

    def start(self, config: MkDocsConfig, files: Files, building: bool) -> None:
        """A new round of pages; a build also holds search to the budget."""
        self.files = files
        self.ledger = budget.Ledger()
        if building:
            index_within_budget(config, self.timed, self.ledger, self.search_notice)

    def timed(self, page: Page) -> bool:
        """Whether the budget covers the page: it carries text from the repository
        (an entry's body, a page of docs/). The portal's own index pages, which
        grow with the portal, are not timed."""
        return not page.file.generated_by or entry_at(self.catalog, page.file.src_uri) is not None

    def guard_conversion(self, page: Page) -> None:
        """Convert the page's Markdown within its budget (MkDocs converts it next)."""
        if self.timed(page):
            budget.guard_render(page, self.notice_writer(page, budget.took("convert")),
                                self.ledger)

    def notice_writer(self, page: Page, reason: str) -> Callable[[str, bool], str]:
        """What a page over budget shows: its Markdown with a notice in place of the
        entry's body (or, `whole`, the notice alone). The first call reports it."""
        entry = entry_at(self.catalog, page.file.src_uri)
        path = entry.origin.path if entry is not None else \
            repository_path(page.file.abs_src_path, self.root)
        reported = False

        def notice(markdown: str, whole: bool) -> str:
            nonlocal reported
            if not reported:
                reported = True
                log.warning(format_problem(make_problem(
                    "page-budget", path, 1, reason=reason,
                    what="its text" if entry is None else "the body"), hint=True))
            self.ledger.settle(page.file.src_uri)
            text = budget_notice(path, page.edit_url, reason)
            span = self.body_spans.get(page.file.src_uri)
            if whole or span is None or span[0] + span[1] > len(markdown):
                return text
            length, tail = span
            return markdown[:len(markdown) - tail - length] + text + markdown[len(markdown) - tail:]

        return notice

    def render_notice(self, page: Page, config: MkDocsConfig, reason: str) -> str:
        """Render the page again with the notice in place of its text; its HTML."""
        notice = self.notice_writer(page, reason)
        page.markdown = notice(page.markdown or "", False)
        budget.render_within_budget(page, config, self.files, notice)
        return page.content or ""

    def search_notice(self, page: Page, config: MkDocsConfig) -> None:
        """Search could not index the page within the budget: the page, with the
        notice in place of its text, for search to index instead."""
        html = self.render_notice(page, config, budget.took("index for search"))
        page.content = config.plugins.on_page_content(html, page=page, config=config,
                                                      files=self.files)


def budget_notice(path: str, source_url: str | None, reason: str) -> str:
    """The notice a page over the budget shows in place of its text (Markdown)."""
    name = f"<code>{html.escape(path)}</code>"
    link = f'<a href="{html.escape(source_url)}">{name}</a>' if source_url else name
    return (f'\n\n!!! warning "Too slow to show here"\n\n'
            f"    This text {reason}, so the portal shows this notice in its place. "
            f"Read it in its source file, {link}.\n\n")


def index_within_budget(config: MkDocsConfig, timed: Callable[[Page], bool],
                        ledger: budget.Ledger,
                        renotice: Callable[[Page, MkDocsConfig], None]) -> None:
    """Search (Material's, or MkDocs' own) reads each page with an HTML parser that
    slows down with every open tag and heading: it indexes a page within the page
    budget, and a page over it is indexed (and shown) with a notice in place of
    its text."""
    events = config.plugins.events["page_context"]
    for position, event in enumerate(events):
        search = getattr(event, "__self__", None)
        if _index_entries(search) is None or getattr(event, "__name__", "") != "on_page_context":
            continue

        def guarded(search: Any, context: TemplateContext, *, page: Page,
                    config: MkDocsConfig, nav: Navigation, index: Any = event) -> Any:
            entries = _index_entries(search)
            if not timed(page) or entries is None:
                return index(context, page=page, config=config, nav=nav)
            for attempt in range(2):
                before = len(entries)
                try:
                    with ledger.spend(page.file.src_uri) as left, \
                            budget.within(left if not attempt else None):
                        return index(context, page=page, config=config, nav=nav)
                except budget.OverBudget:
                    del entries[before:]  # what it indexed of the page before time ran out
                if attempt:
                    return context  # even the notice: left out of search, reported already
                renotice(page, config)
            return context

        # Bound to the search plugin, as the handler it wraps: prebuild.py knows
        # handlers by their plugin.
        events[position] = types.MethodType(guarded, search)


def _index_entries(search: Any) -> list | None:
    """The list a search plugin adds each page's entries to (Material's or MkDocs')."""
    index = getattr(search, "search_index", None)
    entries = getattr(index, "entries", getattr(index, "_entries", None))
    return entries if isinstance(entries, list) else None
