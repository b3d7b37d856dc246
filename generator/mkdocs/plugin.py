"""The MkDocs plugin: a thin adapter that runs the pipeline in `on_files` and
hands the rendered pages to MkDocs as generated files. Its events only: what
makes a build fast is speedups.py, the page budget page_budget.py, and what
keeps the theme safe hardening.py.

Validation errors end the build with one message listing all of them; warnings
go through the plugin logger so `mkdocs build --strict` fails on them;
reminders (decision debt) and notices (no site_url) are logged as info, because
they must never fail a build.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from pathlib import Path

from jinja2 import Environment
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
from ..core.model import Kind
from ..core.problems import Severity, make_problem
from ..core.routes import ASSETS, SECTIONS, entry_at
from ..core.sanitize import clean_body, dangerous_html, is_plain, nesting_depth
from ..core.validate.corpus import theme_meta_problems
from ..site import history, lastmod, timeline
from ..site.git_log import GitLog
from ..site.render import SiteRenderer, TemplateFailure
from . import SEARCH_PLUGINS, budget, pagefind
from .hardening import (  # noqa: F401 - OVERRIDES and add_theme_overrides: tests import them here
    OVERRIDES,
    add_noindex,
    add_theme_overrides,
    drop_unpublishable,
    escape_meta,
    escape_site_texts,
    escape_toc_ids,
    refuse_includes,
    sandbox_theme,
    sandboxed,
)
from .options import PortalPluginConfig
from .page_budget import PageBudgets, repository_path
from .speedups import BuildSpeedups

log = get_plugin_logger(__name__)

REQUIRED_EXTENSIONS = ("attr_list", "admonition", "toc")
MKDOCS_BUILT_INS = ("tables", "fenced_code")  # MkDocs always adds them (and toc)
# Options of those that shape no HTML a body could abuse (see _without_dangerous_html).
TRUSTED_OPTIONS = {"toc": {"permalink", "permalink_title", "title", "toc_depth"}}
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
    # When each page last changed, for the sitemap (see lastmod); None while serving.
    page_dates: dict[str, dt.date] | None = None

    def __init__(self) -> None:
        super().__init__()
        self.speedups = BuildSpeedups(serving=False)
        self.budgets = PageBudgets(Path("."), self.speedups.body_spans)
        self.nav: Navigation | None = None
        self.git: GitLog | None = None  # the history being read since on_config
        self.git_changes: Future[dict[str, list[timeline.GitChange]]] | None = None  # its steps
        self.search_pages: list[str] = []  # the pages marked for Pagefind, by address

    @property
    def catalog(self) -> Catalog | None:
        """The last build's catalog, for page budgets and search facets."""
        return self.budgets.catalog

    @catalog.setter
    def catalog(self, catalog: Catalog | None) -> None:
        self.budgets.catalog = catalog

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        self.speedups.serving = self.serving

    @event_priority(100)  # first: Material's search plugin renders theme templates in its own
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.theme.custom_dir:  # theme templates from the repository: sandboxed
            sandbox_theme(config.theme)
        if not config.site_url and not self.serving:
            log.info(SITE_URL_NOTICE)
        self._theme_env = None
        self.search_pages = []
        self.root = Path(config.config_file_path).resolve().parent
        self.budgets.root = self.root
        # git's history, and the status in each insight version, are read
        # meanwhile, on the second core (see git_log.py, timeline.py).
        self.git = None if self.serving else GitLog.start(self.root)
        self.git_changes = None if self.git is None else \
            timeline.status_changes_in_background(self.root, self.git)
        for kind in Kind:  # `mkdocs serve` rebuilds when content changes
            folder = self.root / kind.folder
            if folder.is_dir():
                config.watch.append(str(folder))
        templates = self.root / self.config.templates  # template overrides
        if templates.is_dir():
            config.watch.append(str(templates))
        self._markdown_extensions(config)
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

    def _markdown_extensions(self, config: MkDocsConfig) -> None:
        """The portal's own extensions added; whether there are others (then every
        entry page gets the last safety check, see _without_dangerous_html)."""
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        self.other_extensions = any(
            name not in REQUIRED_EXTENSIONS + MKDOCS_BUILT_INS
            for name in config.markdown_extensions) or any(
            set(options) - TRUSTED_OPTIONS.get(name, set())
            for name, options in config.mdx_configs.items())

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        drop_unpublishable(files, config, self.root)
        today = resolve_today(None)
        result = check_portal(self.root, today)
        self._report(result.problems)
        git, self.git = self.git or GitLog.start(self.root), None
        changes, self.git_changes = self.git_changes, None
        past = history.portal_history(self.root, result.catalog, today,
                                      result.config.persona_review_after_days,
                                      changes.result() if changes is not None else
                                      timeline.git_status_changes(self.root, git))
        try:  # an override that fails is one line naming it, never a traceback
            renderer = SiteRenderer(result.catalog, result.config, today,
                                    template_dir=self.root / self.config.templates, root=self.root,
                                    directory_urls=config.use_directory_urls,
                                    history=past,
                                    site_name=self.site_name, site_url=config.site_url or "",
                                    stash_html=True)
            self.speedups.start()
            for generated in renderer.files():
                file = self.speedups.file(config, generated, inclusion(generated.src_uri))
                if generated.edit_path:  # "edit this page" opens the researcher's file
                    file.edit_uri = generated.edit_path
                put_generated(files, file)
        except TemplateFailure as error:
            raise PluginError(str(error)) from None
        self.catalog = result.catalog
        if not self.serving:  # the sitemap dates pages from their content, not the build
            shared = [uri for uri in renderer.src_uris()  # made from every entry
                      if uri.endswith(".md") and entry_at(result.catalog, uri) is None]
            if pagefind.enabled(self.config.search) and \
                    files.get_file_from_path(pagefind.SEARCH_PAGE) is None:
                shared.append(pagefind.SEARCH_PAGE)  # its facets come from every insight
            self._date_pages(result.catalog, past.events, today, config, git, shared)
        if pagefind.enabled(self.config.search):
            pagefind.add_files(files, config, result.catalog)
        return files

    def _report(self, problems: list) -> None:
        """Warnings and reminders logged; errors end a build (the preview goes on)."""
        errors = [p for p in problems
                  if p.severity is Severity.ERROR and p.rule != TRUSTED_ALREADY]
        for problem in problems:
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

    def keep_aside(self, generated: object) -> None:
        """For the preview, which adds the generated files itself (devserver.py)."""
        self.speedups.keep_aside(generated)  # type: ignore[arg-type]

    def _date_pages(self, catalog: Catalog, events: list[history.Event], today: dt.date,
                    config: MkDocsConfig, git: GitLog, shared: list[str]) -> None:
        folders = [kind.folder for kind in Kind]
        docs = Path(config.docs_dir).resolve()
        self.docs_prefix = docs.relative_to(self.root).as_posix() + "/" \
            if docs.is_relative_to(self.root) else None
        if self.docs_prefix:
            folders.append(self.docs_prefix)
        self.changed = lastmod.git_last_changed(self.root, folders, git)
        self.today = today
        self.page_dates = lastmod.page_dates(catalog, events, self.changed, today, shared)

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
        if self.serving:  # `portal serve` runs no on_files of ours
            drop_unpublishable(files, config, self.root)
        self.nav = nav
        self.budgets.start(config, files, building=not self.serving)
        # The live preview renders a page when it is asked for, not all up front.
        self.speedups.start_converting(files, config, prepare=self.budgets.guard_conversion)
        return nav

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
                "page-meta", repository_path(page.file.abs_src_path, self.root), 2,
                field=field, detail=detail)))

    @event_priority(-100)  # last: sees the Markdown MkDocs is about to convert
    def _convert_or_take(self, markdown: str, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        if not page.file.generated_by:  # hand-written (docs/): cleaned as bodies are
            markdown = clean_body(markdown)[0]
        return self.speedups.take_converted(page, markdown, self.budgets.guard_conversion)

    on_page_markdown = CombinedEvent(_escape_page_meta, _convert_or_take)

    @event_priority(100)  # first: other plugins see the page's text
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files
                        ) -> str:
        html = self.speedups.converted(html, page, files)
        if self.budgets.timed(page) \
                and nesting_depth(html, budget.MAX_NESTING) > budget.MAX_NESTING:
            html = self.budgets.render_notice(
                page, config, f"nests HTML elements over {budget.MAX_NESTING} deep")
        escape_toc_ids(page.toc)
        html = self._without_dangerous_html(html, page, config)
        # Our own HTML skipped Python-Markdown (see html_stash). While Material's
        # search reads the page it sees each block as plain text; without search
        # the blocks go straight back in.
        return self.speedups.with_blocks(html, page, for_search=self.config.search == "material"
                                         and any(name in config.plugins
                                                 for name in SEARCH_PLUGINS))

    def _without_dangerous_html(self, html: str, page: Page, config: MkDocsConfig) -> str:
        """The last check of an entry page or a hand-written one (see
        generator/core/sanitize/): after Markdown conversion, nothing that could run
        code may be left. Bodies and docs/ pages were cleaned before conversion,
        and `portal check` listed what went; this only acts where Markdown read
        one differently, and says so."""
        if not page.file.generated_by:  # hand-written: a few pages, each looked at
            path, line = repository_path(page.file.abs_src_path, self.root), 1
        else:
            entry = entry_at(self.catalog, page.file.src_uri)
            # The rest of an entry page is template output, escaped; a plain body
            # (most of them) cannot have become anything that runs code — with
            # the portal's own Markdown extensions. Others (emoji, fences) turn
            # plain text into HTML their options shape: then every page is read.
            if entry is None or (is_plain(entry.body) and not self.other_extensions):
                return html
            path, line = entry.origin.path, entry.origin.body_line
        try:
            with self.budgets.ledger.spend(page.file.src_uri) as left:
                cleaned = budget.run_in_thread(dangerous_html, html, left)
        except budget.OverBudget:  # the notice in its place is safe
            return self.budgets.render_notice(page, config, budget.took("check for safety"))
        if cleaned is None:
            return html
        log.warning(format_problem(make_problem(
            "html-removed", path, line,
            what="HTML that could run code, found once Markdown was converted,")))
        return cleaned

    @event_priority(-100)  # last: after search has read the page
    def on_page_context(self, context: TemplateContext, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        self.speedups.rendered_elsewhere(context, page)  # see prebuild.py
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if pagefind.enabled(self.config.search) and pagefind.indexed(page.file.src_uri,
                                                                     self.catalog):
            output = pagefind.mark_page(output, page.file.src_uri, self.catalog)
            self.search_pages.append(page.file.dest_uri)
        if not self.serving:
            self.speedups.forget(page)
            self.budgets.ledger.forget(page.file.src_uri)
        return add_noindex(output)

    @event_priority(-100)  # last: the worker forks with the environment MkDocs will use
    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        if config.theme.custom_dir:  # sandboxed already (sandbox_theme): made sure of
            env = sandboxed(env)
        self.speedups.start_rendering(files, config, self.nav, env, [str(OVERRIDES)])
        return env

    def on_build_error(self, error: Exception) -> None:
        self.speedups.stop(building=False)

    def on_post_build(self, config: MkDocsConfig) -> None:
        self.speedups.stop()
        if pagefind.enabled(self.config.search):  # indexes the built pages, every rebuild
            pagefind.index_site(config.site_dir, self.search_pages, background=self.serving)

    def on_post_template(self, output_content: str, template_name: str,
                         config: MkDocsConfig) -> str:
        return add_noindex(output_content) if template_name.endswith(".html") else \
            output_content


def put_generated(files: Files, file: File) -> None:
    """Add a generated file; it replaces a hand-written one at the same path."""
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)


def inclusion(src_uri: str) -> InclusionLevel:
    """The sections are in the nav; every other generated page is reached by links."""
    return InclusionLevel.INCLUDED if src_uri in _SECTION_PAGES else InclusionLevel.NOT_IN_NAV


_SECTION_PAGES = frozenset(SECTIONS.values())
