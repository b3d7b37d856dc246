"""Pages converted on the second core (generator/mkdocs/prerender.py) are exactly the
pages MkDocs would have converted itself, and what the conversion logs still
reaches the build's log."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import site_files, with_material_search
from test_benchmarks import corpus

from generator.check.parallel import WORKERS_VARIABLE
from generator.mkdocs import prebuild, prerender

TODAY = "2026-11-24"
INSIGHTS = 450  # above prerender.MIN_PAGES
HOOK = '''
def on_page_markdown(markdown, page, **kwargs):
    if page.file.src_uri.startswith("insights/") and page.file.src_uri != "insights/index.md":
        return markdown + "\\n\\nAdded-by-a-hook.\\n"
    return markdown
'''
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
needs_two_cores = pytest.mark.skipif((cores or 1) < 2, reason="the second core is what is tested")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portal")
    corpus.generate(root, INSIGHTS, seed=5)
    return root


def _mkdocs_build(root: Path, site: Path, workers: str | None = None
                  ) -> subprocess.CompletedProcess[str]:
    """`mkdocs build -v`, so that the plugin's debug line on the second core shows."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("GITHUB_ACTIONS", WORKERS_VARIABLE)}
    environment.update({"SOURCE_DATE_EPOCH": "1795478400", "NO_MKDOCS_2_WARNING": "1"})
    if workers is not None:
        environment[WORKERS_VARIABLE] = workers
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-v", "-f", str(root / "mkdocs.yml"),
         "--site-dir", str(site)], capture_output=True, text=True, env=environment,
        timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


def _tree(site: Path, *, pagefind: bool = True) -> dict[str, bytes]:
    """The site's files and their bytes: with Pagefind (the default search), all but
    its bundle, which differs from run to run on the same pages (upstream,
    Pagefind/pagefind#638) and must be there; with Material's search, every file."""
    return {rel: (site / rel).read_bytes() for rel in site_files(site, pagefind=pagefind)}


Built = tuple[Path, subprocess.CompletedProcess[str]]  # a site and its build's output


def _same_site(built: Built, reference: Built, search: str) -> None:
    """`built` is the `reference` site, file for file; with Pagefind, whose bundle is
    left out, the indexer was given as many pages."""
    pagefind = search == "pagefind"
    assert _tree(built[0], pagefind=pagefind) == _tree(reference[0], pagefind=pagefind)
    if pagefind:
        indexed = [re.findall(r"Pagefind indexed (\d+ pages? in \d+ parts?)", b[1].stderr)
                   for b in (built, reference)]
        assert indexed[0] == indexed[1] and len(indexed[0]) == 1, indexed


def _material_search(portal: Path, copy: Path) -> Path:
    """A copy of `portal` searched with Material's search, whose index the build
    fills page by page (on_page_context), wherever the page was rendered."""
    import shutil

    shutil.copytree(portal, copy)
    config = copy / "mkdocs.yml"
    config.write_text(with_material_search(config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    return copy


@needs_two_cores
@pytest.mark.parametrize("search", ["pagefind", "material"])
def test_the_second_core_writes_the_site_one_process_writes(portal: Path, tmp_path: Path,
                                                            search: str) -> None:
    if search == "material":
        portal = _material_search(portal, tmp_path / "portal")
    two = _mkdocs_build(portal, tmp_path / "two")
    one = _mkdocs_build(portal, tmp_path / "one", workers="1")
    # Both workers really were used (Markdown, then templates)...
    assert "converted on a second core" in two.stderr
    assert "rendered into the theme on a second core" in two.stderr
    assert "on a second core" not in one.stderr  # ...and really were not
    _same_site((tmp_path / "two", two), (tmp_path / "one", one), search)


@needs_two_cores
def test_a_page_another_plugin_changed_is_converted_as_changed(portal: Path,
                                                               tmp_path: Path) -> None:
    (portal / "hook.py").write_text(HOOK, encoding="utf-8")
    config = portal / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "\nhooks:\n  - hook.py\n", encoding="utf-8")
    try:
        _mkdocs_build(portal, tmp_path / "site")
    finally:
        config.write_text(original, encoding="utf-8")
        (portal / "hook.py").unlink()
    pages = [path for path in (tmp_path / "site" / "insights").glob("*/index.html")
             if "<title>Moved</title>" not in path.read_text(encoding="utf-8")]  # renamed ids
    assert len(pages) == INSIGHTS
    missing = [page.parent.name for page in pages
               if "Added-by-a-hook." not in page.read_text(encoding="utf-8")]
    assert not missing


def test_what_a_conversion_logs_is_logged_again_in_the_build(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture
                                                             ) -> None:
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.pages import Page

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n[gone](missing.md)\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    files = get_files(config)
    mkdocs_logger = logging.getLogger("mkdocs")
    handlers = list(mkdocs_logger.handlers)
    with caplog.at_level(logging.INFO):
        done = prerender._render(files.get_file_from_path("index.md"), files, config)
        assert not caplog.records  # kept, not logged, while converting
    assert mkdocs_logger.handlers == handlers  # the logger is as it was
    assert done is not None and "<h1" in done.content
    assert [level for _, level, message in done.records if "missing.md" in message] \
        == [logging.WARNING]
    page = Page(None, files.get_file_from_path("index.md"), config)
    with caplog.at_level(logging.INFO):
        html = prerender.apply(done, page, files)
    assert html == done.content and page.content == done.content
    assert page.toc.items[0].title == "Home"
    assert [r.levelno for r in caplog.records if "missing.md" in r.getMessage()] \
        == [logging.WARNING]


def test_a_small_portal_is_converted_by_mkdocs_alone(tmp_path: Path) -> None:
    """Below MIN_PAGES nothing forks: the build must not even start a worker."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    files = get_files(config)
    prerenderer = prerender.Prerenderer(["index.md"], files, config)
    assert prerenderer.take("index.md") is None


CONTEXT_HOOK = '''
def on_page_context(context, page, **kwargs):
    context["seen_by_hook"] = True
    return context
'''


def _material_config(root: Path, extra: str = "") -> object:
    from mkdocs.config import load_config

    from generator.mkdocs.plugin import add_theme_overrides

    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\nplugins:\n  - search\n" + extra,
        encoding="utf-8")
    config = load_config(str(root / "mkdocs.yml"))
    add_theme_overrides(config)
    return config


def test_templates_are_rendered_elsewhere_only_when_every_page_context_handler_is_known(
        tmp_path: Path) -> None:
    from generator.mkdocs.plugin import OVERRIDES

    assert prebuild.usable(_material_config(tmp_path / "plain"), [str(OVERRIDES)])
    # A hook's on_page_context could do work a worker's copy of the build would lose.
    (tmp_path / "hooked").mkdir()
    (tmp_path / "hooked" / "hook.py").write_text(CONTEXT_HOOK, encoding="utf-8")
    hooked = _material_config(tmp_path / "hooked", "hooks:\n  - hook.py\n")
    assert not prebuild.usable(hooked, [str(OVERRIDES)])
    # Without the portal's template folder there is no pass-through template.
    assert not prebuild.usable(_material_config(tmp_path / "other"), ["/nowhere"])


# Hook code that ends any process but the build's own (a second-core worker) on its
# 75th call: after the template worker has sent three chunks of 20 pages, or the
# Markdown worker one chunk of 50.
END_A_WORKER_MIDWAY = '''
import os

BUILD_PROCESS = os.getpid()
calls_here = 0

def end_a_worker_midway():
    global calls_here
    if os.getpid() != BUILD_PROCESS:
        calls_here += 1
        if calls_here == 75:
            os._exit(3)
'''
# A filter the theme's main.html runs on every page.
DYING_HOOK = END_A_WORKER_MIDWAY + '''
def _end_the_worker_midway(html):
    end_a_worker_midway()
    return html

def on_env(env, **kwargs):
    env.filters["end_the_worker_midway"] = _end_the_worker_midway
'''
DYING_TEMPLATE = ('{% extends "base.html" %}\n'
                  '{% block content %}{{ super() | end_the_worker_midway }}{% endblock %}\n')
# A Markdown extension whose preprocessor runs on every page.
DYING_EXTENSION_HOOK = END_A_WORKER_MIDWAY + '''
from markdown import Extension
from markdown.preprocessors import Preprocessor

class EndTheWorkerMidway(Preprocessor):
    def run(self, lines):
        end_a_worker_midway()
        return lines

class EndTheWorkerMidwayExtension(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.register(EndTheWorkerMidway(md), "end-the-worker-midway", 0)

def on_config(config, **kwargs):
    config.markdown_extensions.append(EndTheWorkerMidwayExtension())
    return config
'''


def _with_hook(portal: Path, copy: Path, hook: str, main_html: str | None = None) -> Path:
    """A copy of `portal` with `hook` (and a theme override of main.html)."""
    import shutil

    shutil.copytree(portal, copy)
    (copy / "hook.py").write_text(hook, encoding="utf-8")
    config = copy / "mkdocs.yml"
    text = config.read_text(encoding="utf-8") + "\nhooks:\n  - hook.py\n"
    if main_html is not None:
        (copy / "overrides").mkdir()
        (copy / "overrides" / "main.html").write_text(main_html, encoding="utf-8")
        assert "  name: material\n" in text
        text = text.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    config.write_text(text, encoding="utf-8")
    return copy


@needs_two_cores
@pytest.mark.parametrize(("hook", "main_html", "worker_did"), [
    (DYING_EXTENSION_HOOK, None, "50 pages were converted on a second core"),
    (DYING_HOOK, DYING_TEMPLATE, "60 pages were rendered into the theme on a second core")],
    ids=["markdown-worker", "template-worker"])
@pytest.mark.parametrize("search", ["pagefind", "material"])
def test_pages_a_lost_worker_did_not_send_are_done_by_the_build(
        portal: Path, tmp_path: Path, hook: str, main_html: str | None, worker_did: str,
        search: str) -> None:
    if search == "material":
        portal = _material_search(portal, tmp_path / "material")
    copy = _with_hook(portal, tmp_path / "portal", hook, main_html)
    lost = _mkdocs_build(copy, tmp_path / "lost")
    one = _mkdocs_build(copy, tmp_path / "one", workers="1")
    # The worker did its first pages before it ended...
    assert worker_did in lost.stderr
    # ...and the build did the rest itself: the site is the one-process site.
    _same_site((tmp_path / "lost", lost), (tmp_path / "one", one), search)

