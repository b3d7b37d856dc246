"""Render the generated pages into the theme's templates on a second core.

Once every page's Markdown is converted (`on_env`), MkDocs renders each page
into the theme's templates and writes it, one page after another: at 10,000
insights about 15 s of Jinja in one process, the other core idle. Forked at
`on_env`, a worker does what MkDocs' `_build_page` does before the template's
output is handed to plugins — the page's template context, every plugin's
`on_page_context`, the template itself — for three generated pages in four, in
the order MkDocs builds them. MkDocs still builds each of those pages in this
process, so every plugin sees every page event here (search indexes the page,
`on_post_page` handlers run, MkDocs writes the file), but through a template
that prints the worker's HTML (`PASS_THROUGH`, in generator/mkdocs/overrides/).

Used only with the Material theme (whose template folder has that template)
and when no plugin other than search and the portal's handles
`on_page_context`: another plugin's handler could have side effects the
worker's copy of the build would lose. A page the worker could not render is
rendered here with its own template, as MkDocs would have; messages the worker
logged are logged again here, so `--strict` counts them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from jinja2 import Environment
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..check.parallel import FORK_MIN_ITEMS, worker_count
from . import SEARCH_PLUGINS
from .prerender import Ahead, capture_log, replay, worker_share

PASS_THROUGH = "insight-portal-prebuilt.html"  # prints the context's PREBUILT
PREBUILT = "ip_prebuilt"
MIN_PAGES = FORK_MIN_ITEMS
# The worker renders three pages in four; this process also runs every plugin's
# page events for all of them and writes every file (measured at 10,000
# insights: with 9 in 10 it waited 4 s for the worker, with 4 in 5 about 1.5 s).
_WORKER_SHARE = (3, 4)
_CHUNK = 20  # pages a message: ~1 MB of HTML
_NO_TEMPLATE = object()  # the page's meta had no `template`
KNOWN_CONTEXT_PLUGINS = frozenset({*SEARCH_PLUGINS, "insight-portal"})


@dataclass(slots=True)
class Prebuilt:
    html: str
    records: list[tuple[str, int, str]]  # (logger, level, message) logged meanwhile


class PageBuilder:
    """Renders a share of the pages in a worker; `context` hands each one's HTML
    to the pass-through template when MkDocs builds it."""

    def __init__(self, src_uris: Collection[str], files: Files, config: MkDocsConfig,
                 nav: Navigation, env: Environment, template_dirs: list[str]) -> None:
        self._env = env
        self._ahead: Ahead[Prebuilt] | None = None
        self._templates: dict[str, object] = {}  # the pages' own `template` meta
        if not usable(config, template_dirs):
            return
        # The same list, in the same order, MkDocs builds from.
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        targets = [file for file in doc_files if file.src_uri in src_uris and file.page]
        if worker_count(len(targets), MIN_PAGES) < 2:
            return
        mine = worker_share(targets, *_WORKER_SHARE)
        handlers = _context_handlers(config)
        ahead = Ahead([file.src_uri for file in mine],
                      lambda index: _build(mine[index], config, doc_files, nav, env, handlers),
                      _CHUNK)
        if not ahead.running:
            return  # no fork here: MkDocs renders every page itself
        self._ahead = ahead
        for file in mine:  # the worker has forked: its pages keep their own templates
            assert file.page is not None
            self._templates[file.src_uri] = file.page.meta.get("template", _NO_TEMPLATE)
            file.page.meta["template"] = PASS_THROUGH

    def context(self, context: TemplateContext, page: Page,
                prepare: Callable[[Page], None]) -> bool:
        """Put the page's HTML from the worker in `context`; False if the page is not
        the worker's, so MkDocs renders it with its own template as usual. A page the
        worker could not render is rendered here, after `prepare` (what this process
        does to a page it renders itself)."""
        template = self._templates.pop(page.file.src_uri, None)
        if template is None:
            return False
        if template is _NO_TEMPLATE:
            page.meta.pop("template", None)
        else:
            page.meta["template"] = template
        done = self._ahead.take(page.file.src_uri) if self._ahead is not None else None
        if done is None:  # the worker failed on it: render it here, as MkDocs would have
            name = template if isinstance(template, str) else "main.html"
            prepare(page)
            context[PREBUILT] = self._env.get_template(name).render(context)
        else:
            replay(done.records)
            context[PREBUILT] = done.html
        return True

    @property
    def rendered_elsewhere(self) -> int:
        return self._ahead.delivered if self._ahead is not None else 0

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead.close()
        self._ahead = None
        self._templates.clear()


def usable(config: MkDocsConfig, template_dirs: list[str]) -> bool:
    """Whether the worker may render pages: the pass-through template is there and
    every `on_page_context` handler is one whose effects the worker reproduces."""
    if not any(directory in config.theme.dirs for directory in template_dirs):
        return False
    return all(name in KNOWN_CONTEXT_PLUGINS for _, name in _context_plugins(config))


def _context_plugins(config: MkDocsConfig) -> list[tuple[Callable[..., object], str | None]]:
    """The `on_page_context` handlers in MkDocs' order, each with its plugin's name
    (None: a handler of no configured plugin)."""
    names = {id(plugin): name for name, plugin in config.plugins.items()}
    return [(handler, names.get(id(getattr(handler, "__self__", None))))
            for handler in config.plugins.events.get("page_context", [])]


def _context_handlers(config: MkDocsConfig) -> list[tuple[Callable[..., object], bool]]:
    """The `on_page_context` handlers in MkDocs' order, each with whether it is search's."""
    return [(handler, name in SEARCH_PLUGINS) for handler, name in _context_plugins(config)]


def _page_context(context: TemplateContext, page: Page, config: MkDocsConfig,
                  nav: Navigation, handlers: list[tuple[Callable[..., object], bool]]
                  ) -> TemplateContext:
    """Every plugin's `on_page_context`, as MkDocs runs them, but search's only where it
    changes the page (it strips `data-search-*` attributes); elsewhere it only adds the
    page to its index, which the parent does (0.6 ms a page)."""
    for handler, is_search in handlers:
        if is_search and "data-search-" not in (page.content or ""):
            continue
        result = handler(context, page=page, config=config, nav=nav)
        if result is not None:
            context = result  # type: ignore[assignment]
    return context


def _build(file: File, config: MkDocsConfig, doc_files: list[File], nav: Navigation,
           env: Environment, handlers: list[tuple[Callable[..., object], bool]]
           ) -> Prebuilt | None:
    """What MkDocs' _build_page does up to the template's output (in the worker)."""
    page = file.page
    assert page is not None
    config._current_page = page  # noqa: SLF001 - as _build_page sets it
    page.active = True
    try:
        with capture_log() as records:
            context = get_context(nav, doc_files, config, page)
            template = env.get_template(page.meta.get("template", "main.html"))
            context = _page_context(context, page, config, nav, handlers)
            html = template.render(context)
    except Exception:  # noqa: BLE001 - rendered (and reported) by MkDocs in the parent
        return None
    finally:
        page.active = False
        config._current_page = None  # noqa: SLF001
    page.content = None  # this copy of the page is done with
    return Prebuilt(html, records)
