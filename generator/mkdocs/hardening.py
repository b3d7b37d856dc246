"""Everything the repository gives the theme, made safe: a pull request can
change mkdocs.yml, docs/ and the theme's templates, so the theme renders in a
sandbox, every text it prints unescaped is escaped first, files that must not be
published are dropped, includes from outside the content are refused, and every
page says `noindex`.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import Environment, TemplateError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from ..core.config_guard import INCLUDE_EXTENSIONS, TEMPLATE_PLUGINS, extension_name
from ..core.loader import MAX_FILE_BYTES, in_repository, read_source
from ..core.model import Kind
from ..core.sanitize import dangerous_html, svg_risk
from ..core.validate.corpus import SVG_SUFFIXES, svg_file_risk
from ..site.render import template_failure
from ..site.sandbox import ClosedSandbox, sandboxed_copy

NOINDEX = '<meta name="robots" content="noindex, nofollow">'


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
