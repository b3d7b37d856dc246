"""`portal serve`: a live preview that renders each page when a browser asks for it.

`mkdocs serve` rebuilds the whole site after every save (84 s at 10,000
insights), and `mkdocs serve --dirty` re-renders only the saved file, so the
pages that depend on it — backlinks, indexes, heat maps — go stale. This server
does what `mkdocs build` does *before* it renders pages — the config, the
plugin events up to `on_nav` and `on_env`, the file list, the navigation and
the theme's Jinja environment — and then renders a page only when it is
requested: our Markdown (`SiteRenderer.file`), Python-Markdown, the theme
template and every plugin's page events, as `mkdocs build` would. The rendered
page is kept until the content changes.

After a save under insights/, personas/, journeys/ or templates/, it re-checks
the portal (a kept `Checker`: only changed files are read again; the corpus pass
runs in full, so every dependent page is right), swaps in a new SiteRenderer,
forgets every rendered page and tells the browsers to reload; each open page is
rendered afresh when its browser asks. A change to mkdocs.yml or docs/ sets
everything up again. Problems are printed as `portal check` prints them, and a
broken file never stops the server: the preview shows the entries that loaded.

Our plugin's `on_files` renders every page's Markdown up front, so this module
runs every other plugin's `on_files` and, in our plugin's place, lists the
same generated files with their content left to be rendered on request.

Search (Material's built-in search) needs every page: `search/search_index.json`
is built on the first request for it, in a background process (the page and
reloads never wait for it), and rebuilt in the background after the content
changes, serving the previous index meanwhile. Until the first one is ready,
the index of the last `portal build` (in site/) is served if there is one.
Pagefind's index is only ever served from the last `portal build`.

One job, kept whole (about 440 lines): the preview's site, MkDocs' state set up
once and pages rendered on request. Its HTTP server is preview_http.py, its
search index preview_search.py.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import _build_template, _populate_page, get_context
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError
from mkdocs.livereload import LiveReloadServer, _serve_url
from mkdocs.structure.files import File, Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from ..check.pipeline import Checker, PortalResult
from ..check.report import counts, format_problem, plural
from ..core.config import resolve_today
from ..core.config_guard import unsafe_config
from ..core.model import Kind
from ..site import history
from ..site.render import SiteRenderer
from . import SEARCH_PLUGINS, pagefind
from .plugin import InsightPortalPlugin, inclusion, put_generated
from .preview_http import Change, PreviewServer, Response
from .preview_search import SEARCH_INDEX, SearchIndex

log = logging.getLogger("mkdocs.portal.serve")



class PreviewSite:
    """The portal as MkDocs sees it before rendering pages; pages on demand."""

    def __init__(self, root: Path, dev_addr: str | None = None) -> None:
        self.root = root
        self.config_file = root / "mkdocs.yml"
        self.dev_addr = dev_addr
        self.site_dir = tempfile.mkdtemp(prefix="portal-serve-")  # nothing is written here
        self.check = Checker(root, keep=True)
        self.lock = threading.RLock()  # one render or refresh at a time
        self.generation = 0  # bumped by every refresh
        self.search = SearchIndex(self)

    # --- set-up and refresh --------------------------------------------------------------

    def setup(self) -> None:
        """Everything `mkdocs build` does before rendering pages (again, after a
        change to mkdocs.yml or docs/). On failure the previous state stays."""
        with self.lock:
            refused = unsafe_config(self.root)  # before MkDocs reads the file
            if refused:
                raise ConfigurationError("mkdocs.yml was not read:\n" + "\n".join(
                    format_problem(problem, hint=True) for problem in refused))
            config = load_config(config_file=str(self.config_file),
                                 **({"dev_addr": self.dev_addr} if self.dev_addr else {}))
            last_build = Path(config.site_dir)  # where `portal build` writes
            config.site_dir = self.site_dir
            config.plugins.on_startup(command="serve", dirty=False)
            host, port = config.dev_addr
            mount_path = urlsplit(config.site_url or "/").path
            config.site_url = _serve_url(host, port, mount_path)
            config = config.plugins.on_config(config)
            config.plugins.on_pre_build(config=config)
            plugin = next((p for p in config.plugins.values()
                           if isinstance(p, InsightPortalPlugin)), None)
            if plugin is None:
                raise NotConfigured(f"{self.config_file} does not list the insight-portal "
                                    "plugin")
            files = get_files(config)
            env = config.theme.get_env()
            files.add_files_from_theme(env, config)
            result = self._check()
            renderer = self._renderer(config, plugin, result)
            generated: set[str] = set()
            # Every plugin's on_files, in order; ours lists its files without rendering.
            for method in list(config.plugins.events["files"]):
                if getattr(method, "__self__", None) is plugin:
                    generated = self._add_generated(files, config, plugin, renderer, result,
                                                    previous=generated)
                else:
                    files = method(files, config=config) or files
            set_exclusions(files, config)
            nav = get_navigation(files, config)
            nav = config.plugins.on_nav(nav, config=config, files=files)
            env = config.plugins.on_env(env, config=config, files=files)
            self.config, self.plugin, self.files, self.nav, self.env = \
                config, plugin, files, nav, env
            self.mount_path, self.last_build = mount_path, last_build
            self.renderer, self.generated = renderer, generated
            self.in_nav = {page.file.src_uri for page in nav.pages}
            self._forget()

    def refresh(self, change: Change) -> None:
        """After a save: re-check, re-list the generated files, forget rendered pages."""
        if any(not self._is_content(Path(path)) for path in change.paths):
            self.shutdown_plugins()
            self.setup()
            return
        with self.lock:
            result = self._check(change)
            renderer = self._renderer(self.config, self.plugin, result)
            self.generated = self._add_generated(self.files, self.config, self.plugin,
                                                 renderer, result, previous=self.generated)
            self.renderer = renderer
            self._forget()

    def _is_content(self, path: Path) -> bool:
        """A content file or template override (a re-check); anything else sets up again."""
        folders = [self.root / kind.folder for kind in Kind]
        folders.append(self.root / self.plugin.config.templates)
        return any(path.is_relative_to(folder) for folder in folders)

    def _check(self, change: Change | None = None) -> PortalResult:
        started = time.perf_counter()
        if change is None:
            result = self.check.run(resolve_today(None))
        else:
            result = self.check.run(resolve_today(None), touched=change.paths,
                                    rescan=change.structure)
        report(result, time.perf_counter() - started, self.check.rechecked)
        return result

    def _renderer(self, config: MkDocsConfig, plugin: InsightPortalPlugin,
                  result: PortalResult) -> SiteRenderer:
        # As the plugin's on_files builds it; git history is read when the first
        # page is requested (see `_generated`), not on every save.
        return SiteRenderer(result.catalog, result.config, resolve_today(None),
                            template_dir=self.root / plugin.config.templates, root=self.root,
                            directory_urls=config.use_directory_urls,
                            site_name=plugin.site_name, site_url=config.site_url or "",
                            stash_html=True)

    def _add_generated(self, files: Files, config: MkDocsConfig, plugin: InsightPortalPlugin,
                       renderer: SiteRenderer, result: PortalResult, previous: set[str]
                       ) -> set[str]:
        """What our plugin's on_files adds to `files`, each file's content left
        empty until it is requested. Returns the generated src_uris."""
        uris = renderer.src_uris()
        for gone in previous.difference(uris):
            files.remove(files.get_file_from_path(gone))
        for uri in uris:
            if uri not in previous:
                put_generated(files, File.generated(config, uri, content="",
                                                    inclusion=inclusion(uri)))
        if not previous and pagefind.enabled(plugin.config.search):
            pagefind.add_files(files, config, result.catalog)
        plugin.speedups.start()
        plugin.catalog = result.catalog
        return set(uris)

    def _forget(self) -> None:
        """Drop every rendered page and look-up table (under the lock)."""
        self.generation += 1
        self.rendered: dict[str, bytes] = {}
        self.history: history.PortalHistory | None = None  # read on the first request
        self.by_dest = {file.dest_uri: file for file in self.files}
        self.doc_files = self.files.documentation_pages(inclusion=InclusionLevel.is_in_serve)

    def shutdown_plugins(self) -> None:
        with self.lock:
            if getattr(self, "config", None) is not None:
                self.config.plugins.on_shutdown()

    def close(self) -> None:
        self.search.stop()
        self.shutdown_plugins()
        shutil.rmtree(self.site_dir, ignore_errors=True)

    # --- requests ------------------------------------------------------------------------

    def respond(self, path: str) -> Response | None:
        """The response for a URL path under the mount path, or None (404)."""
        rel = path[len(self.mount_path):] if path.startswith(self.mount_path) else None
        if rel is None:
            return None
        rel = posixpath.normpath("/" + rel + ("index.html" if path.endswith("/") else ""))
        rel = rel.lstrip("/")
        if rel == SEARCH_INDEX:
            return self.search.respond()
        with self.lock:
            file = self.by_dest.get(rel)
            if file is None:
                if rel in self.config.theme.static_templates:
                    return Response("200 OK", self.render_template(rel),
                                    LiveReloadServer._guess_type(rel))
                if not path.endswith("/") and f"{rel}/index.html" in self.by_dest:
                    location = urllib.parse.quote(path) + "/"
                    return Response("302 Found", b"", headers=[("Location", location)])
                if self.last_build.is_dir() and rel.startswith(f"{pagefind.BUNDLE}/"):
                    return self._from_last_build(rel)
                return None
            if file.is_documentation_page():
                return Response("200 OK", self.render_page(file))
            return Response("200 OK", self._content(file), LiveReloadServer._guess_type(rel))

    def _content(self, file: File) -> bytes:
        if file.src_uri not in self.generated:
            return file.content_bytes
        cached = self.rendered.get(file.src_uri)
        if cached is None:
            content = self._generated(file.src_uri).content
            cached = content.encode("utf-8") if isinstance(content, str) else content
            self.rendered[file.src_uri] = cached
        return cached

    def _generated(self, src_uri: str) -> Any:
        if self.history is None:  # git's history, read once the content changed
            self.history = history.portal_history(
                self.root, self.renderer.catalog, self.renderer.today,
                self.renderer.config.persona_review_after_days)
            self.renderer.history = self.history
        generated = self.renderer.file(src_uri)
        if generated is None:  # listed by src_uris() but not rendered by file(): a bug
            raise LookupError(f"the renderer has no file {src_uri}")
        return generated

    def render_page(self, file: File) -> bytes:
        """One page, as `mkdocs build` would write it (`_populate_page` + `_build_page`)."""
        cached = self.rendered.get(file.src_uri)
        if cached is not None:
            return cached
        config = self.config
        if file.src_uri in self.generated:
            generated = self._generated(file.src_uri)
            file.content_string = generated.content
            file.edit_uri = generated.edit_path
            self.plugin.keep_aside(generated)
        # A nav page keeps the Page the nav holds; any other gets a fresh one.
        page = file.page if file.page is not None and file.src_uri in self.in_nav \
            else Page(None, file, config)
        _populate_page(page, config, self.files)
        config._current_page = page
        try:
            page.active = True
            context = get_context(self.nav, self.doc_files, config, page)
            template = self.env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config,
                                                     nav=self.nav)
            output = template.render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
            config._current_page = None
        html = output.encode("utf-8", errors="xmlcharrefreplace")
        self.rendered[file.src_uri] = html
        return html

    def render_template(self, name: str) -> bytes:
        """A theme's static template (404.html, sitemap.xml), as the build renders it."""
        key = f"template:{name}"
        cached = self.rendered.get(key)
        if cached is None:
            template = self.env.get_template(name)
            cached = _build_template(name, template, self.files, self.config, self.nav) \
                .encode("utf-8")
            self.rendered[key] = cached
        return cached

    def _from_last_build(self, rel: str) -> Response | None:
        target = (self.last_build / rel).resolve()
        if not target.is_relative_to(self.last_build.resolve()) or not target.is_file():
            return None
        return Response("200 OK", target.read_bytes(), LiveReloadServer._guess_type(rel))


class NotConfigured(RuntimeError):
    """The portal's mkdocs.yml does not use our plugin: nothing to preview this way."""


class CannotServe(RuntimeError):
    """The address is taken, or not ours to bind."""


def report(result: PortalResult, seconds: float, rechecked: int) -> None:
    """Errors and warnings as `portal check` prints them; reminders as a count."""
    for problem in result.problems:
        if not problem.is_reminder:
            print(format_problem(problem, hint=True), file=sys.stderr)
    line = (f"Checked {plural(result.files_checked, 'file')} ({rechecked} checked afresh) in "
            f"{seconds:.2f} s: {counts(result)}"
            + (" (`portal check` lists them)" if result.reminders else ""))
    if result.errors:
        line += ". The preview shows the entries that loaded; fix the errors and save."
    print(line, file=sys.stderr, flush=True)


def build_search_index(root: Path, output: Path) -> None:
    """In the background process: every page through the events search listens to."""
    parent = os.getppid()
    site = PreviewSite(root)
    try:
        site.setup()
        config = site.config
        for file in site.doc_files:
            if os.getppid() != parent:  # the server is gone: so is the reason to build
                sys.exit(1)
            if file.src_uri in site.generated:
                generated = site._generated(file.src_uri)
                file.content_string = generated.content
                site.plugin.keep_aside(generated)
            page = file.page if file.page is not None else Page(None, file, config)
            _populate_page(page, config, site.files)
            context = get_context(site.nav, site.doc_files, config, page)
            config.plugins.on_page_context(context, page=page, config=config, nav=site.nav)
        search = next(config.plugins[name] for name in reversed(SEARCH_PLUGINS)
                      if name in config.plugins)
        search.on_post_build(config=config)
        shutil.move(Path(config.site_dir) / SEARCH_INDEX, output)
    finally:
        site.close()


def _configure_logging() -> None:
    from mkdocs.__main__ import ColorFormatter  # MkDocs' own terminal format

    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "name", "") == "MkDocsStreamHandler" for h in logger.handlers):
        stream = logging.StreamHandler()
        stream.setFormatter(ColorFormatter())
        stream.name = "MkDocsStreamHandler"
        logger.addHandler(stream)
    logger.setLevel(logging.INFO)
    logger.propagate = False


_SERVER_PID = os.getpid()


def _raise_interrupt(signum: int, frame: object) -> None:
    """SIGINT and SIGTERM stop the server through every `finally`. A forked
    worker of the check inherits this handler: it just dies, as by default."""
    if os.getpid() != _SERVER_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    raise KeyboardInterrupt


def serve(root: Path, dev_addr: str | None = None) -> None:
    """Run the preview until SIGINT or SIGTERM; then stop cleanly (no orphans,
    no temporary folder left behind)."""
    global _SERVER_PID
    _configure_logging()
    _SERVER_PID = os.getpid()
    # SIGINT too: a server started with it ignored (`portal serve &` in a
    # script) would otherwise not stop on Ctrl-C.
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    started = time.perf_counter()
    site = PreviewSite(root, dev_addr)
    try:
        try:
            site.setup()
        except KeyboardInterrupt:
            return
        host, port = site.config.dev_addr
        server = PreviewServer(site, host, port)
        server.watch(site.config.docs_dir)
        if site.config.config_file_path:
            server.watch(site.config.config_file_path)
        for item in site.config.watch:
            server.watch(item)
        log.info(f"Ready in {time.perf_counter() - started:.1f} s; pages are rendered when "
                 f"requested")
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        except OSError as error:
            if server.serve_thread.ident is not None:  # not a failure to bind: a bug
                raise
            raise CannotServe(f"cannot serve on {host}:{port}: {error.strerror}") from None
        finally:
            server.shutdown()
    finally:
        site.close()


def _search_index_main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # clean up when the server stops
    build_search_index(Path(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":  # the background search-index builder (see SearchIndex)
    sys.exit(_search_index_main(sys.argv[1:]))
