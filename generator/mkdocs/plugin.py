"""The MkDocs plugin: a thin adapter that runs the pipeline in `on_files` and
hands the rendered pages to MkDocs as generated files.

Validation errors end the build with one message listing all of them; warnings
go through the plugin logger so `mkdocs build --strict` fails on them;
reminders (decision debt) and notices (no site_url) are logged as info, because
they must never fail a build.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import Environment, TemplateError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..check.pipeline import check_portal
from ..check.report import format_problem
from ..core.catalog import Catalog
from ..core.config import resolve_today
from ..core.config_guard import INCLUDE_EXTENSIONS, TEMPLATE_PLUGINS, extension_name
from ..core.loader import MAX_FILE_BYTES, in_repository, read_source
from ..core.model import Entry, Kind
from ..core.problems import Severity, make_problem
from ..core.routes import ASSETS, SECTIONS
from ..core.sanitize import clean_body, dangerous_html, is_plain, nesting_depth, svg_risk
from ..core.validate.corpus import SVG_SUFFIXES, svg_file_risk, theme_meta_problems
from ..site import history, lastmod
from ..site.html_stash import restore_blocks, search_view
from ..site.render import GeneratedFile, SiteRenderer, TemplateFailure, template_failure
from ..site.sandbox import ClosedSandbox, sandboxed_copy
from . import SEARCH_PLUGINS, budget, pagefind, prebuild, prerender
from .options import PortalPluginConfig

log = get_plugin_logger(__name__)

REQUIRED_EXTENSIONS = ("attr_list", "admonition", "toc")
MKDOCS_BUILT_INS = ("tables", "fenced_code")  # MkDocs always adds them (and toc)
# Options of those that shape no HTML a body could abuse (see _without_dangerous_html).
TRUSTED_OPTIONS = {"toc": {"permalink", "permalink_title", "title", "toc_depth"}}
SPILL_BYTES = 1024 * 1024  # generated files at least this large wait on disk
NOINDEX = '<meta name="robots" content="noindex, nofollow">'
# By the time a plugin runs, MkDocs has read mkdocs.yml and imported its hooks:
# failing now protects nothing. `portal build`, `serve` and `generate` refuse such a
# file before MkDocs starts; plain `mkdocs build` trusts it, as MkDocs always does,
# and the build says what `portal check` would refuse.
TRUSTED_ALREADY = "unsafe-config"
# Logged once a build, at info level: a missing site_url must not fail --strict.
SITE_URL_NOTICE = ("notice: mkdocs.yml has no site_url: the sitemap lists no pages and feed "
                   "links are relative; set it to the address the portal is published at")


class InsightPortalPlugin(BasePlugin[PortalPluginConfig]):
    # While previewing, a broken file must never stop the server: problems are
    # logged and the site is rendered from the entries that did load.
    serving = False
    site_name = "Insight Portal"  # mkdocs.yml's site_name as text (see escape_site_texts)
    other_extensions = False  # Markdown extensions beyond the portal's own (on_config)
    _theme_env: Environment | None = None  # to see whether a page's template loads
    catalog = None  # the last build's Catalog, for the search backend's page facets
    # When each page last changed, for the sitemap (see lastmod); None while serving.
    page_dates: dict[str, dt.date] | None = None

    def __init__(self) -> None:
        super().__init__()
        self.stashed: dict[str, tuple[str, ...]] = {}
        self.body_spans: dict[str, tuple[int, int]] = {}  # see GeneratedFile.body_span
        self.ledger = budget.Ledger()  # each page's time (see budget.py)
        self.files: Files | None = None
        self.generated: list[str] = []  # src_uris of the pages on_files added
        self.ours: set[str] = set()  # the same, to look up
        self.spill_dir: str | None = None  # large generated files wait here (a build)
        # Pages converted by workers (see prerender), and the Markdown set aside
        # for each page MkDocs was given nothing to convert for.
        self.prerenderer: prerender.Prerenderer | None = None
        self.blanked: dict[str, tuple[prerender.Prerendered, str]] = {}
        self.converted_elsewhere = 0
        self.nav: Navigation | None = None
        self.page_builder: prebuild.PageBuilder | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    @event_priority(100)  # first: Material's search plugin renders theme templates in its own
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.theme.custom_dir:  # theme templates from the repository: sandboxed
            sandbox_theme(config.theme)
        if not config.site_url and not self.serving:
            log.info(SITE_URL_NOTICE)
        self._theme_env = None
        self.root = Path(config.config_file_path).resolve().parent
        for kind in Kind:  # `mkdocs serve` rebuilds when content changes
            folder = self.root / kind.folder
            if folder.is_dir():
                config.watch.append(str(folder))
        templates = self.root / self.config.templates  # template overrides
        if templates.is_dir():
            config.watch.append(str(templates))
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        self.other_extensions = any(
            name not in REQUIRED_EXTENSIONS + MKDOCS_BUILT_INS
            for name in config.markdown_extensions) or any(
            set(options) - TRUSTED_OPTIONS.get(name, set())
            for name, options in config.mdx_configs.items())
        refuse_includes(config, self.root)
        for name in ASSETS:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            if f"assets/{name}" not in [str(item) for item in target]:
                target.append(f"assets/{name}")
        config.theme["font"] = False  # internal portal: no requests to Google Fonts
        self.site_name = escape_site_texts(config)
        add_theme_overrides(config)
        if config.nav is None:  # sections only: a nav listing every page is quadratic
            config.nav = [{title: page} for title, page in SECTIONS.items()]
        if pagefind.enabled(self.config.search):
            pagefind.configure(config)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        drop_unpublishable(files, config, self.root)
        today = resolve_today(None)
        result = check_portal(self.root, today)
        errors = [p for p in result.problems
                  if p.severity is Severity.ERROR and p.rule != TRUSTED_ALREADY]
        for problem in result.problems:
            if problem.rule == TRUSTED_ALREADY:
                log.warning(format_problem(problem))
            elif problem.severity is Severity.WARNING:
                (log.info if problem.is_reminder else log.warning)(format_problem(problem))
        if errors and self.serving:
            for problem in errors:
                log.error(format_problem(problem, hint=True))
            log.error(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the portal "
                      "content; the preview shows the entries that loaded. Fix them and save.")
        elif errors:
            listing = "\n".join(format_problem(p, hint=True) for p in errors)
            raise PluginError(
                f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the portal content "
                f"(run `portal check` for details):\n{listing}")

        events = history.events(self.root, result.catalog, today)
        try:  # an override that fails is one line naming it, never a traceback
            renderer = SiteRenderer(result.catalog, result.config, today,
                                    template_dir=self.root / self.config.templates, root=self.root,
                                    directory_urls=config.use_directory_urls,
                                    events=events,
                                    site_name=self.site_name, site_url=config.site_url or "",
                                    stash_html=True)
            self.stashed, self.generated, self.ours, self.blanked = {}, [], set(), {}
            self.body_spans = {}
            sections = set(SECTIONS.values())
            for generated in renderer.files():
                existing = files.get_file_from_path(generated.src_uri)
                if existing is not None:
                    files.remove(existing)
                inclusion = InclusionLevel.INCLUDED if generated.src_uri in sections \
                    else InclusionLevel.NOT_IN_NAV
                file = self._generated_file(config, generated.src_uri, generated.content,
                                            inclusion)
                if generated.edit_path:  # "edit this page" opens the researcher's file
                    file.edit_uri = generated.edit_path
                self.keep_aside(generated)
                self.generated.append(generated.src_uri)
                self.ours.add(generated.src_uri)
                files.append(file)
        except TemplateFailure as error:
            raise PluginError(str(error)) from None
        self.catalog = result.catalog
        if not self.serving:  # the sitemap dates pages from their content, not the build
            self._date_pages(result.catalog, events, today, config)
        if pagefind.enabled(self.config.search):
            pagefind.add_files(files, config, result.catalog)
        return files

    def keep_aside(self, generated: GeneratedFile) -> None:
        """What the plugin needs of a generated page once MkDocs converts it."""
        if generated.stashed:
            self.stashed[generated.src_uri] = generated.stashed
        if generated.body_span is not None:
            self.body_spans[generated.src_uri] = generated.body_span

    def _generated_file(self, config: MkDocsConfig, src_uri: str, content: str,
                        inclusion: InclusionLevel) -> File:
        """A generated file; a large one that is no page (the exports: 240 MB at
        40,000 insights) waits on disk rather than in memory until MkDocs copies it."""
        if self.serving or src_uri.endswith(".md") or len(content) < SPILL_BYTES:
            return File.generated(config, src_uri, content=content, inclusion=inclusion)
        if self.spill_dir is None:
            # In the site folder: MkDocs empties it before the next build, and
            # `portal build` deletes a failed build's folder, so nothing is left behind.
            os.makedirs(config.site_dir, exist_ok=True)
            self.spill_dir = tempfile.mkdtemp(prefix=".insight-portal-", dir=config.site_dir)
        path = Path(self.spill_dir, *src_uri.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="")
        return File.generated(config, src_uri, abs_src_path=str(path), inclusion=inclusion)

    def _remove_spilled(self) -> None:
        if self.spill_dir is not None:
            shutil.rmtree(self.spill_dir, ignore_errors=True)
            self.spill_dir = None

    def _date_pages(self, catalog: Catalog, events: list[history.Event], today: dt.date,
                    config: MkDocsConfig) -> None:
        folders = [kind.folder for kind in Kind]
        docs = Path(config.docs_dir).resolve()
        self.docs_prefix = docs.relative_to(self.root).as_posix() + "/" \
            if docs.is_relative_to(self.root) else None
        if self.docs_prefix:
            folders.append(self.docs_prefix)
        self.changed = lastmod.git_last_changed(self.root, folders)
        self.today = today
        self.page_dates = lastmod.page_dates(catalog, events, self.changed, today,
                                             SECTIONS.values())

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        # MkDocs dates every page with the build's day (sitemap <lastmod>, and the
        # gzip header of sitemap.xml.gz); the date the content last changed is
        # what a crawler wants, and the same in every build of one commit.
        if self.page_dates is None:
            return page
        date = self.page_dates.get(page.file.src_uri)
        if date is None and not page.file.generated_by and self.docs_prefix is not None:
            changed = self.changed.get(self.docs_prefix + page.file.src_uri)  # hand-written
            date = changed if changed and changed <= self.today else None
        page.update_date = (date or self.today).isoformat()
        return page

    @event_priority(-100)  # last: every plugin's on_files and on_nav has run
    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # The live preview renders a page when it is asked for, not all up front.
        self._stop_prerendering()
        if self.serving:  # `portal serve` runs no on_files of ours
            drop_unpublishable(files, config, self.root)
        self.nav = nav
        self.files = files
        self.ledger = budget.Ledger()
        if not self.serving:
            index_within_budget(config, self._timed, self.ledger, self._search_notice)
            self.prerenderer = prerender.Prerenderer(self.generated, files, config,
                                                     prepare=self._keep_budget)
        return nav

    def _stop_prerendering(self) -> None:
        if self.prerenderer is not None:
            self.prerenderer.close()
            self.prerenderer = None
        self.blanked.clear()

    def _stop_prebuilding(self) -> None:
        if self.page_builder is not None:
            if self.page_builder.rendered_elsewhere:
                log.debug(f"{self.page_builder.rendered_elsewhere} pages were rendered into "
                          "the theme on a second core")
            self.page_builder.close()
            self.page_builder = None

    @event_priority(0)  # after the meta plugin adds .meta.yml (50), before tags reads (-50)
    def _escape_page_meta(self, markdown: str, page: Page, config: MkDocsConfig,
                          files: Files) -> str:
        if not page.file.generated_by:
            self._drop_bad_theme_meta(page, config)
        escape_meta(page.meta)
        return markdown

    def _drop_bad_theme_meta(self, page: Page, config: MkDocsConfig) -> None:
        """`hide` or `template` the theme could not use (a traceback in its
        rendering) are dropped with a warning, as `portal check` reports them."""
        problems = theme_meta_problems(page.meta)
        template = page.meta.get("template")
        if isinstance(template, str):
            if self._theme_env is None:
                self._theme_env = config.theme.get_env()
            try:
                self._theme_env.get_template(template)
            except Exception:  # noqa: BLE001 - not found, or a template that fails
                problems.append(("template", f"names '{template}', which the theme "
                                             "cannot load"))
        for field, detail in problems:
            page.meta.pop(field, None)
            log.warning(format_problem(make_problem(
                "page-meta", _repository_path(page.file.abs_src_path, self.root), 2,
                field=field, detail=detail)))

    @event_priority(-100)  # last: sees the Markdown MkDocs is about to convert
    def _convert_or_take(self, markdown: str, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        if not page.file.generated_by:  # hand-written (docs/): cleaned as bodies are
            markdown = clean_body(markdown)[0]
        if page.file.generated_by and not self.serving and page.file.src_uri in self.ours:
            # Read into page.markdown now: the generated text need not stay in
            # memory as well until the build ends (~150 MB at 40,000 insights).
            page.file.content_string = ""
        done = self.prerenderer.take(page.file.src_uri) if self.prerenderer else None
        if done is None or done.digest != prerender.digest(markdown):
            # Not the worker's page, or changed since: MkDocs converts it.
            self._keep_budget(page)
            return markdown
        self.blanked[page.file.src_uri] = (done, markdown)
        return ""  # converted already: MkDocs converts nothing (see on_page_content)

    on_page_markdown = CombinedEvent(_escape_page_meta, _convert_or_take)

    def _timed(self, page: Page) -> bool:
        """Whether the page budget covers the page: it carries text from the
        repository (an entry's body, a page of docs/). The portal's own index
        pages, which grow with the portal, are not timed."""
        return not page.file.generated_by or \
            _entry_of(self.catalog, page.file.src_uri) is not None

    def _keep_budget(self, page: Page) -> None:
        if self._timed(page):
            budget.guard_render(page, self._notice_writer(page, budget.took("convert")),
                                self.ledger)

    def _notice_writer(self, page: Page, reason: str) -> Callable[[str, bool], str]:
        """What a page over budget shows: its Markdown with a notice in place of the
        entry's body (or, `whole`, the notice alone). The first call reports it."""
        entry = _entry_of(self.catalog, page.file.src_uri)
        path = entry.origin.path if entry is not None else \
            _repository_path(page.file.abs_src_path, self.root)
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

    def _search_notice(self, page: Page, config: MkDocsConfig) -> None:
        """Search could not index the page within the budget: the page, with the
        notice in place of its text, for search to index instead."""
        html = self._render_notice(page, config, budget.took("index for search"))
        page.content = config.plugins.on_page_content(html, page=page, config=config,
                                                      files=self.files)

    def _render_notice(self, page: Page, config: MkDocsConfig, reason: str) -> str:
        """Render the page again with the notice in place of its text; its HTML."""
        notice = self._notice_writer(page, reason)
        page.markdown = notice(page.markdown or "", False)
        budget.render_within_budget(page, config, self.files, notice)
        return page.content or ""

    @event_priority(100)  # first: other plugins see the page's text
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files
                        ) -> str:
        blanked = self.blanked.pop(page.file.src_uri, None)
        if blanked is not None:
            done, page.markdown = blanked
            html = prerender.apply(done, page, files)
            self.converted_elsewhere += 1
        if self._timed(page) and nesting_depth(html, budget.MAX_NESTING) > budget.MAX_NESTING:
            html = self._render_notice(page, config,
                                       f"nests HTML elements over {budget.MAX_NESTING} deep")
        escape_toc_ids(page.toc)
        # Our own HTML skipped Python-Markdown (see html_stash). While Material's
        # search reads the page it sees each block as plain text; without search
        # the blocks go straight back in.
        html = self._without_dangerous_html(html, page, config)
        blocks = self.stashed.get(page.file.src_uri, ())
        if self.config.search == "material" and any(
                name in config.plugins for name in SEARCH_PLUGINS):
            return search_view(html, blocks)
        return restore_blocks(html, blocks)

    def _without_dangerous_html(self, html: str, page: Page, config: MkDocsConfig) -> str:
        """The last check of an entry page or a hand-written one (see
        generator/core/sanitize.py): after Markdown conversion, nothing that could run
        code may be left. Bodies and docs/ pages were cleaned before conversion,
        and `portal check` listed what went; this only acts where Markdown read
        one differently, and says so."""
        if not page.file.generated_by:  # hand-written: a few pages, each looked at
            path, line = _repository_path(page.file.abs_src_path, self.root), 1
        else:
            entry = _entry_of(self.catalog, page.file.src_uri)
            # The rest of an entry page is template output, escaped; a plain body
            # (most of them) cannot have become anything that runs code — with
            # the portal's own Markdown extensions. Others (emoji, fences) turn
            # plain text into HTML their options shape: then every page is read.
            if entry is None or (is_plain(entry.body) and not self.other_extensions):
                return html
            path, line = entry.origin.path, entry.origin.body_line
        try:
            with self.ledger.spend(page.file.src_uri) as left:
                cleaned = budget.run_in_thread(dangerous_html, html, left)
        except budget.OverBudget:  # the notice in its place is safe
            return self._render_notice(page, config, budget.took("check for safety"))
        if cleaned is None:
            return html
        log.warning(format_problem(make_problem(
            "html-removed", path, line,
            what="HTML that could run code, found once Markdown was converted,")))
        return cleaned

    @event_priority(-100)  # last: after search has read the page
    def on_page_context(self, context: TemplateContext, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        if self.page_builder is not None and self.page_builder.context(
                context, page, prepare=self._restore_blocks):
            return context  # rendered by the worker (see prebuild.py)
        self._restore_blocks(page)
        return context

    def _restore_blocks(self, page: Page) -> None:
        page.content = restore_blocks(page.content or "", self.stashed.get(page.file.src_uri, ()))

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if pagefind.enabled(self.config.search):
            output = pagefind.mark_page(output, page.file.src_uri, self.catalog)
        if not self.serving:
            # MkDocs keeps every page's HTML until the build ends (about 1 GB at
            # 40,000 insights); once written, nothing reads it again.
            page.content = None
            self.stashed.pop(page.file.src_uri, None)
            self.body_spans.pop(page.file.src_uri, None)
            self.ledger.forget(page.file.src_uri)
            if page.file.src_uri in self.ours:  # likewise its Markdown (~150 MB)
                page.markdown = None
        return add_noindex(output)

    @event_priority(-100)  # last: the worker forks with the environment MkDocs will use
    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        if config.theme.custom_dir:  # sandboxed already (sandbox_theme): made sure of
            env = sandboxed(env)
        self._stop_prerendering()  # every page has been converted by now
        if self.converted_elsewhere:
            log.debug(f"{self.converted_elsewhere} pages were converted on a second core")
        self.converted_elsewhere = 0
        self._stop_prebuilding()
        if not self.serving and self.nav is not None:
            self.page_builder = prebuild.PageBuilder(self.ours, files, config, self.nav, env,
                                                     [str(OVERRIDES)])
        return env

    def on_build_error(self, error: Exception) -> None:
        self._stop_prerendering()
        self._stop_prebuilding()
        self._remove_spilled()

    def on_post_build(self, config: MkDocsConfig) -> None:
        self._stop_prebuilding()
        self._remove_spilled()
        if pagefind.enabled(self.config.search):  # indexes the built pages, every rebuild
            pagefind.index_site(config.site_dir, background=self.serving)

    def on_post_template(self, output_content: str, template_name: str,
                         config: MkDocsConfig) -> str:
        return add_noindex(output_content) if template_name.endswith(".html") else \
            output_content


class ThemeSandbox(ClosedSandbox):
    """The sandbox for the theme's templates, failing in one line: a template the
    sandbox refuses, or that does not parse, ends the build with a message naming
    it (a PluginError), never a traceback."""

    def handle_exception(self, source: str | None = None) -> NoReturn:
        try:
            super().handle_exception(source)  # re-raises, with template lines
        except TemplateError as error:
            raise PluginError(f"theme {template_failure(error)}") from None


def sandboxed(env: Environment) -> Environment:
    """The theme's environment, rendering in the closed sandbox (generator/site/sandbox.py):
    a `custom_dir` template (a pull request may change it) can neither reach
    Python's internals nor call MkDocs' objects' methods. Only then: the sandbox
    costs time."""
    return env if isinstance(env, ThemeSandbox) else sandboxed_copy(env, ThemeSandbox)


def sandbox_theme(theme: Any) -> None:
    """Every environment the theme hands out is sandboxed: MkDocs builds pages with
    one, and plugins ask for their own (Material's search and blog plugins render
    translations with `theme.get_env()` in on_config, before any on_env)."""
    if getattr(theme, "_portal_sandboxed", False):
        return
    unsandboxed = type(theme).get_env
    theme.get_env = lambda: sandboxed(unsandboxed(theme))
    theme._portal_sandboxed = True


def escape_site_texts(config: MkDocsConfig) -> str:
    """mkdocs.yml's texts as the theme prints them (unescaped, like page meta):
    site name, description, author, repository name, nav titles, the palette's
    toggle names and everything under `extra` escaped, the copyright line (HTML
    by design) cleaned. (URLs with a script scheme are refused before: see
    config_guard.) Returns the site name as text, for the feed."""
    site_name = config.site_name
    for key in ("site_name", "site_description", "site_author", "repo_name"):
        if isinstance(config[key], str):
            config[key] = html.escape(config[key])
    if isinstance(config.nav, list):
        config.nav = _escaped_nav(config.nav)
    if config.theme.get("palette"):
        config.theme["palette"] = _escaped(config.theme["palette"])
    config.extra = _escaped(dict(config.extra))
    if isinstance(config.copyright, str):
        cleaned = dangerous_html(config.copyright)
        if cleaned is not None:
            config.copyright = cleaned
    return site_name


def _escaped_nav(nav: list) -> list:
    """A nav with every title escaped; page paths and addresses as they are."""
    return [{html.escape(str(title)): _escaped_nav(target) if isinstance(target, list)
             else target for title, target in item.items()} if isinstance(item, dict)
            else item for item in nav]


def escape_toc_ids(toc: Any) -> None:
    """Material prints a heading's link (`#` + its id) into the table of contents
    unescaped: an id written in a body's attribute list (`{id='x" onfocus=…'}`) or
    made by a toc `separator` would break out of the attribute. The heading itself
    is escaped by Markdown; its toc entry is escaped here."""
    for item in toc or ():
        if item.id and html.escape(item.id) != item.id:
            item.id = html.escape(item.id)
        escape_toc_ids(item.children)


def escape_meta(meta: dict) -> None:
    """Every text in a page's front matter, HTML-escaped in place.

    MkDocs treats a page's title as HTML (a title taken from the page's heading
    is), and Material prints `page.meta.title`, `description` and the like into
    `<title>`, the header and the tabs unescaped. So a title written as
    `Checkout <img src=x onerror=...>` must reach the theme as text already
    escaped: it then shows literally everywhere, whichever template prints it.
    Generated pages and hand-written pages alike, whatever the theme.
    """
    for key, value in meta.items():
        meta[key] = _escaped(value)


def _escaped(value: object) -> object:
    """Text escaped; numbers, booleans, dates and None as they are; anything else
    (bytes from !!binary, sets, pairs, keys of mappings) as escaped text, for the
    theme prints it with str()."""
    if isinstance(value, str):
        return html.escape(value)
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {_escaped(key) if isinstance(key, str) else html.escape(str(key)):
                _escaped(item) for key, item in value.items()}
    return html.escape(str(value))


def drop_unpublishable(files: Files, config: MkDocsConfig, root: Path) -> None:
    """Leave out of the site every file of docs/ that is a symbolic link out of the
    repository, or reached through a linked folder that leads out (even one that
    leads back in), anything there that is no regular file, and pages too large
    or not UTF-8: `portal check` reports them (outside-link, not-a-file,
    file-too-large, not-utf8), and they must not be published, nor stop MkDocs,
    where the build goes on (`portal serve`)."""
    docs = os.path.abspath(config.docs_dir)
    real_root = os.path.realpath(root)
    inside: dict[str, bool] = {}  # folder -> whether the way to it stays in the repository

    def stays_inside(folder: str) -> bool:
        if folder not in inside:
            parent = os.path.dirname(folder)
            inside[folder] = in_repository(os.path.realpath(folder), real_root) and (
                folder == docs or parent == folder or stays_inside(parent))
        return inside[folder]

    for file in list(files):
        source = file.abs_src_path
        if file.generated_by or not source or not source.startswith(docs + os.sep):
            continue  # generated, or the theme's
        real = os.path.realpath(source)
        if not in_repository(real, real_root) or not stays_inside(os.path.dirname(source)) \
                or not os.path.isfile(real) \
                or (file.is_documentation_page() and not _readable_page(real)) \
                or (source.lower().endswith(SVG_SUFFIXES)
                    and svg_file_risk(Path(real), svg_risk)):
            files.remove(file)  # `portal check` says why (..., active-image)


def _readable_page(path: str) -> bool:
    try:
        raw = read_source(path)
        raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    return len(raw) <= MAX_FILE_BYTES


def _repository_path(source: str | None, root: Path) -> str:
    """A hand-written page's path as `portal check` reports it."""
    return Path(os.path.relpath(source, root)).as_posix() if source else "docs"


def _entry_of(catalog: Catalog | None, src_uri: str) -> Entry | None:
    folder, _, name = src_uri.partition("/")
    if catalog is None or "/" in name or not name.endswith(".md"):
        return None
    entries = {"insights": catalog.insights, "personas": catalog.personas,
               "journeys": catalog.journeys}.get(folder)
    return entries.get(name[:-3]) if entries is not None else None


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


def refuse_includes(config: MkDocsConfig, root: Path) -> None:
    """Content outside insights/, personas/ and journeys/ never reaches the site:
    refuse to build with a plugin that renders page text as a template or includes
    files, or with an include extension — except pymdownx.snippets when every
    base_path is one of the content folders (or inside one), restrict_base_path
    stays on and url_download off."""
    for name in TEMPLATE_PLUGINS:
        if name in config.plugins:
            raise PluginError(
                f"the '{name}' plugin renders page text as a template or includes files, so "
                "an insight's body could read files from outside the portal; remove it from "
                "mkdocs.yml (Insight Portal pages never need it)")
    content = [os.path.realpath(root / kind.folder) for kind in Kind]
    for extension in config.markdown_extensions:
        name = extension if isinstance(extension, str) else ""
        if extension_name(name) not in INCLUDE_EXTENSIONS:  # `module:Class` too
            continue
        if extension_name(name) != "pymdownx.snippets":
            raise PluginError(
                f"the Markdown extension '{name}' includes files into pages, so an insight's "
                "body could read files from outside the portal; remove it from mkdocs.yml, "
                "or use pymdownx.snippets with base_path set to content folders")
        options = config.mdx_configs.get(name, {})
        bases = options.get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else list(bases)
        outside = [str(base) for base in bases
                   if not any(os.path.realpath(base) == folder
                              or os.path.realpath(base).startswith(folder + os.sep)
                              for folder in content)]
        if outside or options.get("restrict_base_path", True) is not True \
                or options.get("url_download", False) is not False:
            raise PluginError(
                "pymdownx.snippets could read files from outside insights/, personas/ and "
                "journeys/ into the site: set its base_path to those folders (e.g. "
                "base_path: [insights, personas, journeys]), keep restrict_base_path on and "
                f"url_download off in mkdocs.yml (base_path now: {bases})")


OVERRIDES = Path(__file__).parent / "overrides"


def add_theme_overrides(config: MkDocsConfig) -> None:
    """Material partials fixed for accessibility (generator/mkdocs/overrides/), searched before
    Material's own templates but after the portal's `custom_dir`, which still wins."""
    if config.theme.name != "material" or str(OVERRIDES) in config.theme.dirs:
        return
    dirs = config.theme.dirs
    custom = config.theme.custom_dir
    dirs.insert(1 if custom and dirs and dirs[0] == custom else 0, str(OVERRIDES))


_CHARSET = re.compile(r"<meta charset=[^>]*>", re.IGNORECASE)


def add_noindex(html: str) -> str:
    """Internal by default: search engines must not index customer evidence."""
    if NOINDEX in html:
        return html
    charset = _CHARSET.search(html)
    if charset:
        return html[:charset.end()] + f"\n{NOINDEX}" + html[charset.end():]
    return html.replace("<head>", f"<head>\n{NOINDEX}", 1)
