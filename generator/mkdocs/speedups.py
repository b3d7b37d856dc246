"""The build's speed machinery, behind one object: what lets 10,000 insights
build in seconds, kept out of the plugin's events.

- **Stashed HTML** (generator/site/html_stash.py): a generated page's own HTML
  blocks skip Python-Markdown as placeholders and go back in after conversion.
  Templates may rely on it only as html_stash.py says (a block is one HTML
  element with no blank line in it).
- **Spilled files**: a generated file of 1 MB or more that is no page (the
  exports) waits on disk, not in memory, until MkDocs copies it.
- **Conversion on a second core** (prerender.py): forked workers convert the
  generated pages' Markdown while MkDocs converts the rest.
- **Theme rendering on a second core** (prebuild.py).
- **Forgetting**: a written page's HTML and Markdown are dropped at once.

The preview (`portal serve`) renders a page when it is asked for: it uses the
stash only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..site.html_stash import restore_blocks, search_view
from ..site.render import GeneratedFile
from . import prebuild, prerender

log = get_plugin_logger(__name__)

SPILL_BYTES = 1024 * 1024  # generated files at least this large wait on disk


class BuildSpeedups:
    def __init__(self, serving: bool) -> None:
        self.serving = serving
        self.stashed: dict[str, tuple[str, ...]] = {}  # a page's HTML blocks, by src_uri
        self.body_spans: dict[str, tuple[int, int]] = {}  # see GeneratedFile.body_span
        self.generated: list[str] = []  # src_uris of the generated files, in order
        self.ours: set[str] = set()  # the same, to look up
        self.spill_dir: str | None = None  # large generated files wait here (a build)
        # Pages converted by workers, and the Markdown set aside for each page
        # MkDocs was given nothing to convert for.
        self.prerenderer: prerender.Prerenderer | None = None
        self.blanked: dict[str, tuple[prerender.Prerendered, str]] = {}
        self.converted_elsewhere = 0
        self.page_builder: prebuild.PageBuilder | None = None

    # --- the generated files (on_files) ----------------------------------------------

    def start(self) -> None:
        """A new set of generated files (a build, or the preview's rebuild)."""
        self.stashed.clear()
        self.body_spans.clear()
        self.blanked.clear()
        self.generated, self.ours = [], set()

    def file(self, config: MkDocsConfig, generated: GeneratedFile,
             inclusion: InclusionLevel) -> File:
        """The MkDocs file of a generated one; what it needs once converted is kept."""
        self.keep_aside(generated)
        self.generated.append(generated.src_uri)
        self.ours.add(generated.src_uri)
        content = generated.content
        if self.serving or generated.src_uri.endswith(".md") or len(content) < SPILL_BYTES:
            return File.generated(config, generated.src_uri, content=content,
                                  inclusion=inclusion)
        return File.generated(config, generated.src_uri, inclusion=inclusion,
                              abs_src_path=self._spill(config, generated.src_uri, content))

    def keep_aside(self, generated: GeneratedFile) -> None:
        """What a generated page needs once MkDocs converts it."""
        if generated.stashed:
            self.stashed[generated.src_uri] = generated.stashed
        if generated.body_span is not None:
            self.body_spans[generated.src_uri] = generated.body_span

    def _spill(self, config: MkDocsConfig, src_uri: str, content: str | bytes) -> str:
        """Write a large file aside (the exports: 240 MB at 40,000 insights)."""
        if self.spill_dir is None:
            # In the site folder: MkDocs empties it before the next build, and
            # `portal build` deletes a failed build's folder, so nothing is left behind.
            os.makedirs(config.site_dir, exist_ok=True)
            self.spill_dir = tempfile.mkdtemp(prefix=".insight-portal-", dir=config.site_dir)
        path = Path(self.spill_dir, *src_uri.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return str(path)

    # --- converting Markdown (on_nav, on_page_markdown, on_page_content) ---------------

    def start_converting(self, files: Files, config: MkDocsConfig,
                         prepare: Callable[[Page], None]) -> None:
        """Workers convert our pages' Markdown from now on (a build only);
        `prepare` readies a page for its conversion, where it happens."""
        self.stop_converting()
        if not self.serving:
            self.prerenderer = prerender.Prerenderer(self.generated, files, config,
                                                     prepare=prepare)

    def take_converted(self, page: Page, markdown: str,
                       convert_here: Callable[[Page], None]) -> str:
        """The Markdown MkDocs is to convert: nothing for a page a worker converted
        already (see `converted`); else the page's own, `convert_here` readied."""
        if page.file.generated_by and not self.serving and page.file.src_uri in self.ours:
            # Read into page.markdown now: the generated text need not stay in
            # memory as well until the build ends (~150 MB at 40,000 insights).
            page.file.content_string = ""
        done = self.prerenderer.take(page.file.src_uri) if self.prerenderer else None
        if done is None or done.digest != prerender.digest(markdown):
            # Not the worker's page, or changed since: MkDocs converts it.
            convert_here(page)
            return markdown
        self.blanked[page.file.src_uri] = (done, markdown)
        return ""

    def converted(self, html: str, page: Page, files: Files) -> str:
        """The page's HTML: the worker's, for a page it converted."""
        blanked = self.blanked.pop(page.file.src_uri, None)
        if blanked is None:
            return html
        done, page.markdown = blanked
        self.converted_elsewhere += 1
        return prerender.apply(done, page, files)

    def stop_converting(self) -> None:
        if self.prerenderer is not None:
            self.prerenderer.close()
            self.prerenderer = None
        self.blanked.clear()

    # --- the stashed blocks ---------------------------------------------------------

    def with_blocks(self, html: str, page: Page, for_search: bool) -> str:
        """The page's HTML with its stashed blocks back in; while a search plugin
        reads it (`for_search`), each block as plain text, restored later."""
        blocks = self.stashed.get(page.file.src_uri, ())
        return search_view(html, blocks) if for_search else restore_blocks(html, blocks)

    def restore_blocks(self, page: Page) -> None:
        page.content = restore_blocks(page.content or "", self.stashed.get(page.file.src_uri, ()))

    # --- rendering into the theme (on_env, on_page_context) --------------------------

    def start_rendering(self, files: Files, config: MkDocsConfig, nav: Navigation | None,
                        env: Environment, template_dirs: list[str]) -> None:
        """Every page is converted by now: a worker renders our pages into the theme."""
        self.stop_converting()
        if self.converted_elsewhere:
            log.debug(f"{self.converted_elsewhere} pages were converted on a second core")
        self.converted_elsewhere = 0
        self._stop_rendering()
        if not self.serving and nav is not None:
            self.page_builder = prebuild.PageBuilder(self.ours, files, config, nav, env,
                                                     template_dirs)

    def rendered_elsewhere(self, context: TemplateContext, page: Page) -> bool:
        """Whether the worker rendered the page (else: restore its blocks for MkDocs)."""
        if self.page_builder is not None and self.page_builder.context(
                context, page, prepare=self.restore_blocks):
            return True
        self.restore_blocks(page)
        return False

    def _stop_rendering(self) -> None:
        if self.page_builder is not None:
            if self.page_builder.rendered_elsewhere:
                log.debug(f"{self.page_builder.rendered_elsewhere} pages were rendered into "
                          "the theme on a second core")
            self.page_builder.close()
            self.page_builder = None

    # --- after each page, after the build ------------------------------------------------

    def forget(self, page: Page) -> None:
        """A written page: MkDocs would keep its HTML until the build ends (about
        1 GB at 40,000 insights), and nothing reads it again."""
        if self.serving:
            return
        page.content = None
        self.stashed.pop(page.file.src_uri, None)
        self.body_spans.pop(page.file.src_uri, None)
        if page.file.src_uri in self.ours:  # likewise its Markdown (~150 MB)
            page.markdown = None

    def stop(self, building: bool = True) -> None:
        """The build ended (or failed: `building` False stops the conversion too)."""
        if not building:
            self.stop_converting()
        self._stop_rendering()
        if self.spill_dir is not None:
            shutil.rmtree(self.spill_dir, ignore_errors=True)
            self.spill_dir = None
