"""The mkdocs.yml of a standalone project, for builders that run no MkDocs plugins.

Zensical reads mkdocs.yml but runs no third-party plugin, so what the portal's
plugin adds at build time (its CSS and JavaScript, the nav of sections, the
escaping of the configuration's texts) is written into the file instead. The
file is built from known keys only, as plain values, and written with
yaml.safe_dump: Zensical loads it with PyYAML's full loader, imports every
function an emoji, fence or slug option names and calls the `{object, kwds}`
form of those options, so nothing reaches it that could run code — no tag, no
hooks, no theme folder of the repository (its mkdocs_theme.yml would be loaded
the same way), and function names only from config_guard.ALLOWED_NAMES.

The portal's mkdocs.yml has been screened by config_guard before this reads it;
it is read again here with PyYAML's safe loader, which builds plain values only.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import Any

import yaml

from ...core.config import CONFIG_FILE, PLUGIN_NAME
from ...core.config_guard import (
    ALLOWED_EXTENSIONS,
    ALLOWED_NAMES,
    INCLUDE_EXTENSIONS,
    extension_name,
)
from ...core.routes import ASSETS, SECTIONS
from ...core.sanitize import dangerous_html

DOCS = "docs"
SITE = "site"
OVERRIDES = "overrides"
# The plugin adds these to every build (see generator/mkdocs/plugin.py).
REQUIRED_EXTENSIONS = ("attr_list", "admonition", "toc")
# MkDocs plugins that Zensical runs itself (without their options, which differ).
KEPT_PLUGINS = ("tags", "offline")
# Extension options Zensical resolves to a Python function by name, or calls
# (zensical/config.py, `_resolve_*`). `slugify` is only ever called there.
_NAMED_FUNCTIONS = ("emoji_index", "emoji_generator")
_NAMED_IN_ITEMS = {"custom_fences": ("format", "validator"), "custom_inline": ("format",)}
_CALLED = ("slugify",)
_MAX_INHERIT = 5
_TEXTS = ("site_name", "site_description", "site_author", "repo_name")
_URLS = ("site_url", "repo_url", "edit_uri")


class _Reader(yaml.SafeLoader):
    """The safe loader, reading `!!python/name:` as the name it gives (an allowed
    one; None otherwise) and MkDocs' `!relative` as its text."""


_Reader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:",
    lambda loader, suffix, node: suffix if suffix in ALLOWED_NAMES else None)
_Reader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_Reader.add_constructor("!relative", lambda loader, node: loader.construct_scalar(node))
_Reader.add_constructor("!ENV", lambda loader, node: None)


def read_portal_config(root: Path) -> dict[str, Any]:
    """root/mkdocs.yml as plain values, with what it INHERITs merged in as MkDocs
    merges it (mappings key by key, the rest replaced)."""
    return _read(root, root / CONFIG_FILE, 0)


def _read(root: Path, path: Path, depth: int) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Reader)  # noqa: S506 - safe
    if not isinstance(data, dict):
        return {}
    parent = data.pop("INHERIT", None)
    if not isinstance(parent, str) or depth >= _MAX_INHERIT:
        return data
    parent_path = path.parent / parent
    real, top = os.path.realpath(parent_path), os.path.realpath(root)
    if not real.startswith(top + os.sep) or not os.path.isfile(real):
        return data  # config_guard refuses it before anything reads the file
    return _merged(_read(root, parent_path, depth + 1), data)


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merged(merged[key], value) \
            if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def directory_urls(portal: dict[str, Any]) -> bool:
    """How the pages link to each other: the portal's `use_directory_urls`."""
    return portal.get("use_directory_urls", True) is not False


def renderer_settings(portal: dict[str, Any]) -> dict[str, Any]:
    """What the SiteRenderer takes from mkdocs.yml, as the plugin hands it over."""
    name, url = portal.get("site_name"), portal.get("site_url")
    return {"directory_urls": directory_urls(portal),
            "site_name": name if isinstance(name, str) else "Insight Portal",
            "site_url": url if isinstance(url, str) else ""}


def standalone_config(portal: dict[str, Any]) -> dict[str, Any]:
    """The configuration of the standalone project, from the portal's (as
    read_portal_config reads it): docs/ and site/ beside the file, the plugin's
    additions written in, only keys this function knows."""
    config: dict[str, Any] = {"site_name": "Insight Portal"}
    for key in _TEXTS:
        if isinstance(portal.get(key), str):
            config[key] = html.escape(portal[key])  # the theme prints them unescaped
    for key in _URLS:  # screened by config_guard: web, mail or relative addresses
        if isinstance(portal.get(key), str):
            config[key] = portal[key]
    if isinstance(portal.get("copyright"), str):  # HTML by design: cleaned
        config["copyright"] = dangerous_html(portal["copyright"]) or portal["copyright"]
    config["use_directory_urls"] = directory_urls(portal)
    config.update(docs_dir=DOCS, site_dir=SITE, theme=_theme(portal.get("theme")),
                  nav=_nav(portal.get("nav")),
                  markdown_extensions=_extensions(portal.get("markdown_extensions")))
    config["extra_css"] = _files(portal.get("extra_css"), ".css")
    config["extra_javascript"] = _files(portal.get("extra_javascript"), ".js")
    if isinstance(portal.get("extra"), dict):
        config["extra"] = escaped(portal["extra"])
    config["plugins"] = _plugins(portal.get("plugins"))
    return config


def config_text(config: dict[str, Any], header: str) -> str:
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False,
                                   default_flow_style=False)


def _theme(theme: Any) -> dict[str, Any]:
    """Zensical's own theme in Material's look (its `classic` variant), without web
    fonts, with the portal's features and palette; its templates overridden only
    by ours (see MAIN_OVERRIDE), never by the portal's custom_dir."""
    given = theme if isinstance(theme, dict) else {}
    result: dict[str, Any] = {"name": "material", "variant": "classic", "font": False,
                              "custom_dir": OVERRIDES}
    for key in ("language", "direction", "logo", "favicon"):
        if isinstance(given.get(key), str):
            result[key] = given[key]
    features = given.get("features")
    if isinstance(features, list):
        result["features"] = [item for item in features if isinstance(item, str)]
    if isinstance(given.get("palette"), dict | list):
        result["palette"] = escaped(given["palette"])  # the toggles' names are printed
    if isinstance(given.get("icon"), dict):
        result["icon"] = _plain(given["icon"])
    return result


def _nav(nav: Any) -> list[Any]:
    """The portal's nav, titles escaped; else the plugin's: the sections only."""
    if isinstance(nav, list):
        return _escaped_nav(nav)
    return [{html.escape(title): page} for title, page in SECTIONS.items()]


def _escaped_nav(nav: list[Any]) -> list[Any]:
    items: list[Any] = []
    for item in nav:
        if isinstance(item, str):
            items.append(item)
        elif isinstance(item, dict):
            items.append({html.escape(str(title)): _escaped_nav(target)
                          if isinstance(target, list) else target
                          for title, target in item.items() if isinstance(target, str | list)})
    return items


def _named(value: Any) -> list[tuple[Any, Any]]:
    """(name, options) of each entry of a `markdown_extensions:` or `plugins:` list
    (a bare name has no options), or of such a mapping."""
    if isinstance(value, dict):
        return list(value.items())
    entries: list[tuple[Any, Any]] = []
    for item in value if isinstance(value, list) else ():
        entries += list(item.items()) if isinstance(item, dict) else [(item, None)]
    return entries


def _extensions(extensions: Any) -> list[Any]:
    """The portal's Markdown extensions that config_guard allows, by name, without
    those that include files (their folders are not in the project), each with
    the options Zensical can take safely; then the ones the plugin requires."""
    entries = _named(extensions)
    result: list[Any] = []
    names: set[str] = set()
    for name, options in entries:
        if not isinstance(name, str) or name in names or extension_name(name) != name \
                or name not in ALLOWED_EXTENSIONS or name in INCLUDE_EXTENSIONS:
            continue
        names.add(name)
        kept = _safe_options(options)
        result.append({name: kept} if kept else name)
    result += [name for name in REQUIRED_EXTENSIONS if name not in names]
    return result


def _safe_options(options: Any) -> dict[str, Any]:
    """An extension's options without any that Zensical would turn into a call of
    something other than an allowed function."""
    if not isinstance(options, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in options.items():
        if key in _CALLED:
            continue
        if key in _NAMED_FUNCTIONS:
            if isinstance(value, str) and value in ALLOWED_NAMES:
                kept[key] = value
            continue
        if key in _NAMED_IN_ITEMS:
            fields = _NAMED_IN_ITEMS[key]
            value = [item for item in value if isinstance(item, dict) and all(
                isinstance(item[field], str) and item[field] in ALLOWED_NAMES
                for field in fields if field in item)] if isinstance(value, list) else []
        kept[str(key)] = _plain(value)
    return kept


def _plain(value: Any) -> Any:
    """Text, numbers, booleans, lists and mappings; a mapping naming an `object`
    (Zensical's form of a call) and anything else left out (as None)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict) and "object" not in value:
        return {str(key): _plain(item) for key, item in value.items()}
    return None


def _files(given: Any, suffix: str) -> list[Any]:
    """The portal's extra_css or extra_javascript, then the plugin's asset."""
    items: list[Any] = []
    for item in given if isinstance(given, list) else []:
        if isinstance(item, str):
            items.append(item)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            items.append({key: item[key] for key in ("path", "type", "async", "defer")
                          if isinstance(item.get(key), str | bool)})
    for name in ASSETS:
        path = f"assets/{name}"
        if name.endswith(suffix) and path not in items:
            items.append(path)
    return items


def _plugins(plugins: Any) -> list[Any]:
    """Zensical's search (on when the portal has search: MkDocs', Material's or
    Pagefind through our plugin), and the Material plugins it runs itself."""
    entries = _named(plugins)
    names = [name.removeprefix("material/") for name, _ in entries if isinstance(name, str)]
    pagefind = any(name == PLUGIN_NAME and isinstance(options, dict)
                   and options.get("search") == "pagefind" for name, options in entries)
    kept: list[Any] = [name for name in KEPT_PLUGINS if name in names]
    search = "search" in names or pagefind
    return [{"search": {"enabled": search}}, *kept]


def escaped(value: Any) -> Any:
    """Text HTML-escaped (the theme prints configuration and front matter as they
    are, as Material does: see plugin.escape_meta); numbers, booleans, dates and
    None as they are; anything else as escaped text."""
    if isinstance(value, str):
        return html.escape(value)
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    if isinstance(value, list | tuple):
        return [escaped(item) for item in value]
    if isinstance(value, dict):
        return {html.escape(str(key)): escaped(item) for key, item in value.items()}
    return html.escape(str(value))
