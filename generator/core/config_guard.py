"""What mkdocs.yml may ask for: nothing that runs code or reaches outside the portal.

A pull request can change mkdocs.yml, and MkDocs trusts it completely: its YAML
loader builds any Python object a `!!python/object/apply:` tag names (code runs
as the file is read), `hooks:` imports Python files, `INHERIT:` reads another
file, and `docs_dir`, `site_dir`, `theme.custom_dir` and the plugin's
`templates` may point anywhere — publishing a folder of the machine, or
replacing one with the site. So the file is screened before MkDocs or anything
else reads it, with PyYAML's composer, which builds no object: every node is
looked at, never constructed.

The screen fails closed: it reads the file as MkDocs' own (pure-Python) parser
does, and a file it cannot read, a tag it does not know, `!ENV` (which would copy
any environment variable, a CI secret say, into the site, or choose a folder the
screen never saw) and `<<` merge keys (which build keys the screen does not see)
are refused. `!!python/name:` stays allowed for the packages whose functions
mkdocs.yml legitimately names (Material's emoji, pymdownx's fences); `portal
build` and `portal serve` start MkDocs with `python -P`, so a folder of the
repository cannot stand in for one of those packages.

One job, the screen, kept whole past 400 lines: its messages send engineers to
this file's allow-lists, and a change to what mkdocs.yml may ask for is a
security review best read in one file, lists and the checks that read them.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from .problems import Problem, make_problem

CONFIG_FILE = "mkdocs.yml"
_PYTHON_TAG = "tag:yaml.org,2002:python/"
_NAME_TAG = _PYTHON_TAG + "name:"
# What mkdocs.yml may name, each an exact list: a prefix would let in whatever
# those modules import (material.plugins.blog.plugin.rmtree is shutil's), and
# Python-Markdown calls `module:Class` with the entry's options, so any installed
# function with keyword arguments (os:system) would run. An engineer extends
# these lists in a reviewed change to this file.
ALLOWED_NAMES = frozenset({  # functions for !!python/name:
    "material.extensions.emoji.twemoji", "material.extensions.emoji.to_svg",
    *(f"pymdownx.emoji.{name}" for name in (
        "twemoji", "emojione", "gemoji", "to_svg", "to_png", "to_png_sprite",
        "to_svg_sprite", "to_alt", "to_awesome")),
    "pymdownx.superfences.fence_code_format", "pymdownx.superfences.fence_div_format",
    "pymdownx.arithmatex.arithmatex_inline_format",
    "pymdownx.arithmatex.arithmatex_fenced_format",
    "markdown.extensions.toc.slugify", "markdown.extensions.toc.slugify_unicode",
})
_MARKDOWN_BUILT_INS = ("abbr", "admonition", "attr_list", "codehilite", "def_list", "extra",
                       "fenced_code", "footnotes", "legacy_attrs", "legacy_em", "md_in_html",
                       "meta", "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks")
ALLOWED_EXTENSIONS = frozenset({
    *_MARKDOWN_BUILT_INS, *(f"markdown.extensions.{name}" for name in _MARKDOWN_BUILT_INS),
    *(f"pymdownx.{name}" for name in (
        "arithmatex", "betterem", "caret", "critic", "details", "emoji", "escapeall", "extra",
        "fancylists", "highlight", "inlinehilite", "keys", "magiclink", "mark",
        "progressbar", "quotes", "saneheaders", "smartsymbols", "snippets", "striphtml",
        "superfences", "tabbed", "tasklist", "tilde", "blocks.admonition",
        "blocks.caption", "blocks.definition", "blocks.details", "blocks.html",
        "blocks.tab")),
})
ALLOWED_PLUGINS = frozenset({  # besides ours
    "search", "material/search", "tags", "material/tags", "offline", "material/offline",
    "meta", "material/meta"})
# Settings holding a folder MkDocs reads from or writes to, as key paths.
_FOLDERS = (("docs_dir",), ("site_dir",), ("theme", "custom_dir"))
_MAX_INHERIT = 5  # INHERIT chains deeper than this are refused
# Tags a value may carry: YAML's own, and MkDocs' !relative (a path inside the
# portal by construction). !!python/name: is looked at apart.
_CORE_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary", "omap",
    "pairs", "set", "value"))
_SAFE_TAGS = _CORE_TAGS | {"!relative"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Markdown extensions and MkDocs plugins that read other files into a page, or run
# page text as a template: a body could then pull in any file the build can read.
# (The plugin refuses them at build time too; see plugin.refuse_includes.)
INCLUDE_EXTENSIONS = ("markdown_include.include", "mdx_include", "pymdownx.snippets")
TEMPLATE_PLUGINS = ("macros", "include-markdown", "markdownextradata", "mkdocs-simple-hooks")
# URLs in mkdocs.yml that the theme puts into links, and the schemes they may use.
_URL_KEYS = ("repo_url", "edit_uri", "site_url")
_URL_SCHEMES = ("http:", "https:", "mailto:")
# Options of allowed plugins naming a file or folder (tags' export_file, meta's
# meta_file, search's jieba_dict): read or written beside the site, never elsewhere.
_PATH_OPTION = re.compile(r"file|dir|path|dict|icons")
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:")


def unsafe_config(root: Path) -> list[Problem]:
    """Every way root/mkdocs.yml (and what it inherits) asks to run code or reach
    outside the portal, each with its line. Empty when there is no such file."""
    problems: list[Problem] = []
    _screen(root, Path(root, CONFIG_FILE), problems, depth=0)
    return problems


def _screen(root: Path, path: Path, problems: list[Problem], depth: int) -> None:
    """Screen one file of the INHERIT chain (`depth` files below mkdocs.yml), then
    the file it inherits."""
    rel = _rel(root, path)

    def problem(line: int, detail: str, hint: str) -> None:
        problems.append(make_problem("unsafe-config", rel, line, detail=detail, hint=hint))

    node = _compose(path, rel, depth, problem)
    if node is None:
        return
    _screen_tags(node, problem)
    if not isinstance(node, yaml.MappingNode):
        return
    top = _mapping(node)
    if "hooks" in top:
        key, _ = top["hooks"]
        problem(key.start_mark.line + 1,
                "'hooks' runs Python files of the repository at every build",
                "Remove 'hooks' from mkdocs.yml: a pull request could change those "
                "files, and CI would run them. The portal needs no hooks.")
    _screen_folders(root, node, depth, problem)
    _screen_includes(root, node, problem)
    _screen_urls(node, problem)
    if "INHERIT" in top:
        _, value = top["INHERIT"]
        parent = _inside(root, path.parent, value, "INHERIT", problem)
        if parent is not None:
            if depth >= _MAX_INHERIT:
                problem(value.start_mark.line + 1, "INHERIT chains are nested too deeply",
                        "Inherit from one base file.")
            else:
                _screen(root, parent, problems, depth + 1)


def _compose(path: Path, rel: str, depth: int,
             problem: Callable[[int, str, str], None]) -> yaml.Node | None:
    """The file's YAML as nodes, built into no object; None when there is no file,
    it is empty, or it cannot be read as MkDocs would read it (then reported)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if depth == 0:
            return None  # no mkdocs.yml: the CLI says so
        problem(1, f"{rel} does not exist", "INHERIT a file of the repository.")
        return None
    except OSError as error:
        problem(1, f"{rel} cannot be read ({error.strerror})", "Make it a readable file.")
        return None
    try:
        # MkDocs' parser would also read UTF-16 and UTF-32: the screen reads only
        # UTF-8, so anything else is refused rather than read differently.
        text = raw.decode("utf-8-sig")
        return yaml.compose(text, Loader=yaml.SafeLoader)  # MkDocs' parser: pure Python
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        detail = "is not UTF-8" if isinstance(error, UnicodeDecodeError) else \
            f"is not YAML the screen can read: {str(error).splitlines()[0]}"
        line = getattr(getattr(error, "problem_mark", None), "line", 0) + 1
        problem(line, f"{rel} {detail}; it was not read",
                "Save it as plain UTF-8 YAML (no %YAML directive, no other encoding): "
                "what the screen cannot read, MkDocs must not read either.")
        return None


def _screen_tags(node: yaml.Node, problem: Callable[[int, str, str], None]) -> None:
    """Every tag in the file: YAML's own, or an allowed !!python/name:."""
    for tagged in _nodes(node):
        tag = tagged.tag
        if tag in _SAFE_TAGS:
            continue
        line = tagged.start_mark.line + 1
        if tag == _MERGE_TAG:
            problem(line, "a '<<' merge key builds keys the screen cannot see",
                    "Write the keys out instead of merging them in.")
        elif tag == "!ENV":
            problem(line, "'!ENV' copies an environment variable into the configuration "
                          "(a CI secret could end up in the published site)",
                    "Write the value itself into mkdocs.yml.")
        elif tag.startswith(_NAME_TAG) and tag[len(_NAME_TAG):] in ALLOWED_NAMES:
            continue
        elif tag.startswith(_PYTHON_TAG):
            problem(line, f"the YAML tag '!!{tag[len('tag:yaml.org,2002:'):]}' would make "
                          "MkDocs build a Python object, or import code, while reading the file",
                    "Remove the tag. mkdocs.yml may name only these functions with "
                    f"!!python/name: {', '.join(sorted(ALLOWED_NAMES))}.")
        else:
            problem(line, f"the YAML tag '{tag}' is not one the screen knows",
                    "Remove the tag.")


def _screen_folders(root: Path, node: yaml.MappingNode, depth: int,
                    problem: Callable[[int, str, str], None]) -> None:
    """The folders MkDocs reads from or writes to, and the template folders the
    theme copies: inside the portal, and holding no link out of it."""
    # MkDocs reads these relative to the main mkdocs.yml, in whichever file they are.
    templates: list[Path] = [root / "templates"] if depth == 0 else []
    for keys in _FOLDERS:
        found = _lookup(node, keys)
        if found is not None:
            folder = _inside(root, root, found, ".".join(keys), problem)
            if folder is not None and keys == ("theme", "custom_dir"):
                templates.append(folder)
    for plugin in _plugin_option_nodes(node, "templates"):
        folder = _inside(root, root, plugin, "insight-portal: templates", problem)
        templates += [folder] if folder is not None else []
    for folder in templates:  # the theme copies their files, links followed
        for link, target in _links_out(root, folder):
            problem(1, f"'{_rel(root, link)}' is a symbolic link to '{target}', outside the "
                       "portal: the theme would publish or render it",
                    "Copy what you need into the repository instead of linking to it.")


def extension_name(entry: str) -> str:
    """A Markdown extension's module, however mkdocs.yml spells it (`module:Class`)."""
    return entry.split(":", 1)[0].strip()


def _screen_includes(root: Path, node: yaml.MappingNode,
                     problem: Callable[[int, str, str], None]) -> None:
    """Extensions and plugins that read files into pages (see plugin.refuse_includes)."""
    for name, line, options in _named_entries(_lookup(node, ("plugins",))):
        if name in TEMPLATE_PLUGINS:
            problem(line, f"the '{name}' plugin renders page text as a template or includes "
                          "files, so a body could read files from outside the portal",
                    "Remove it from mkdocs.yml: Insight Portal pages never need it.")
        elif name in ALLOWED_PLUGINS and isinstance(options, dict):
            for option, value in options.items():
                if _PATH_OPTION.search(str(option)) and isinstance(value, str) \
                        and (os.path.isabs(value) or ".." in Path(value).parts):
                    problem(line, f"the '{name}' plugin's option '{option}' points out of "
                                  f"the portal's folders ('{value}')",
                            "Name a file inside the docs or site folder, without '..'.")
        elif name not in ALLOWED_PLUGINS and name != "insight-portal":
            problem(line, f"the plugin '{name}' is not one the portal knows to be safe: "
                          "plugins run code of their own, and may read or build other files",
                    "Remove it, or have an engineer add it to ALLOWED_PLUGINS in "
                    "generator/core/config_guard.py. Allowed: "
                    f"{', '.join(sorted(ALLOWED_PLUGINS))}.")
    content = [root / folder for folder in ("insights", "personas", "journeys")]
    for name, line, options in _named_entries(_lookup(node, ("markdown_extensions",))):
        module = extension_name(name)
        _screen_extension_paths(root, name, line, options, problem)
        _screen_callables(name, line, options, problem)
        if name != module or module not in ALLOWED_EXTENSIONS:
            problem(line, f"the Markdown extension '{name}' is not one the portal knows to be "
                          "safe: Markdown imports and calls what an entry names",
                    "Use an extension by its name (no ':Class'); have an engineer add a "
                    "new one to ALLOWED_EXTENSIONS in generator/core/config_guard.py.")
            continue
        if module not in INCLUDE_EXTENSIONS:
            continue
        if module != "pymdownx.snippets":
            problem(line, f"the Markdown extension '{name}' includes files into pages",
                    "Remove it, or use pymdownx.snippets with base_path set to content "
                    "folders.")
            continue
        bases = options.get("base_path", ["."]) if isinstance(options, dict) else ["."]
        bases = [bases] if isinstance(bases, str) else bases
        outside = not isinstance(bases, list) or any(
            not isinstance(base, str) or not any(_within(root / base, folder)
                                                 for folder in content)
            for base in bases)
        if outside or options.get("restrict_base_path", True) is not True \
                or options.get("url_download", False) is not False:
            problem(line, "pymdownx.snippets could read files from outside insights/, "
                          "personas/ and journeys/ into the site",
                    "Set its base_path to those folders (base_path: [insights, personas, "
                    "journeys]), keep restrict_base_path on and url_download off.")


def _screen_callables(name: str, line: int, options: object,
                      problem: Callable[[int, str, str], None]) -> None:
    """Zensical (Material's successor) reads `{object: module.function, kwds: …}` in
    an extension's options as a function to call, as `!!python/name:` names one for
    MkDocs: the same allow-list holds for both."""
    for named in _callables(options):
        if named not in ALLOWED_NAMES:
            problem(line, f"the Markdown extension '{name}' names '{named}' for Zensical to "
                          "call (an 'object:' option)",
                    "Name one of the functions in ALLOWED_NAMES in "
                    "generator/core/config_guard.py, or remove the option.")


def _callables(options: object) -> Iterator[str]:
    """Every `object:` value in an extension's options, however deep."""
    if isinstance(options, dict):
        if "object" in options:
            yield str(options["object"])
        for value in options.values():
            yield from _callables(value)
    elif isinstance(options, list):
        for item in options:
            yield from _callables(item)


def _screen_extension_paths(root: Path, name: str, line: int, options: object,
                            problem: Callable[[int, str, str], None]) -> None:
    """Folders and files an extension's options name (emoji's custom_icons...):
    inside the portal, without '..', and holding no link out of it."""
    for option, value in _path_options(options):
        paths = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for path in (item for item in paths if isinstance(item, str)):
            if os.path.isabs(path) or ".." in Path(path).parts or not _within(root / path, root):
                problem(line, f"the option '{option}' of '{name}' points out of the portal "
                              f"('{path}')",
                        "Name a folder or file inside the repository, without '..'.")
                continue
            for link, target in _links_out(root, root / path):
                problem(line, f"'{_rel(root, link)}' (read by '{name}') is a symbolic link "
                              f"to '{target}', outside the portal",
                        "Copy what you need into the repository instead.")


def _screen_urls(node: yaml.MappingNode, problem: Callable[[int, str, str], None]) -> None:
    """URLs the theme links to: a web or mail address, or a relative one."""
    candidates = [(key, _lookup(node, (key,))) for key in _URL_KEYS]
    social = _lookup(node, ("extra", "social"))
    if isinstance(social, yaml.SequenceNode):
        candidates += [("extra.social link", _lookup(item, ("link",))) for item in social.value]
    candidates.append(("extra.homepage", _lookup(node, ("extra", "homepage"))))
    candidates += [("nav", target) for target in _nav_targets(_lookup(node, ("nav",)))]
    for what, value in candidates:
        if not isinstance(value, yaml.ScalarNode):
            continue
        # As a browser reads an href: entities decoded, spaces and controls dropped.
        url = "".join(char for char in html.unescape(value.value) if char > " ").lower()
        scheme = _SCHEME.match(url)
        if scheme and scheme.group() not in _URL_SCHEMES:
            scheme = scheme.group()
            problem(value.start_mark.line + 1,
                    f"'{what}' is a '{scheme}' URL, which the theme would put in a link",
                    "Use an http(s) address or a relative one.")


def _links_out(root: Path, folder: Path) -> Iterator[tuple[Path, str]]:
    """Symbolic links under `folder` (files or folders) that lead out of the portal."""
    if not folder.is_dir():
        return
    for current, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(current, name)
            if path.is_symlink() and not _within(path, root):
                yield path, os.readlink(path)


def _path_options(options: object) -> Iterator[tuple[str, object]]:
    """(name, value) of every option, however deeply nested, that names a file or
    folder (emoji's options: custom_icons, snippets' base_path...)."""
    if isinstance(options, dict):
        for key, value in options.items():
            if _PATH_OPTION.search(str(key)):
                yield str(key), value
            else:
                yield from _path_options(value)
    elif isinstance(options, list):
        for item in options:
            yield from _path_options(item)


def _nav_targets(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """The pages and addresses a nav lists (its titles left out)."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nav_targets(item)
    elif isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            yield from _nav_targets(value)


def _named_entries(node: yaml.Node | None) -> Iterator[tuple[str, int, dict]]:
    """(name, line, options) of each entry of a plugins or markdown_extensions list
    (or mapping); options as plain values, {} when there are none."""
    pairs: list[tuple[yaml.Node, yaml.Node | None]] = []
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                pairs.append((item, None))
            elif isinstance(item, yaml.MappingNode):
                pairs.extend(item.value)
    elif isinstance(node, yaml.MappingNode):
        pairs.extend(node.value)
    for key, value in pairs:
        if isinstance(key, yaml.ScalarNode):
            yield key.value, key.start_mark.line + 1, _plain(value)


def _plain(node: yaml.Node | None) -> object:
    """A node's value as plain data, without constructing anything tagged."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:bool":
            return node.value.lower() in ("true", "yes", "on")
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {key.value: _plain(value) for key, value in node.value
                if isinstance(key, yaml.ScalarNode)}
    return {}


def _inside(root: Path, base: Path, node: yaml.Node, what: str,
            problem: Callable[[int, str, str], None]) -> Path | None:
    """The path a setting names, if it lies inside the portal (links resolved)."""
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        problem(node.start_mark.line + 1, f"'{what}' is not a plain folder or file name",
                "Write the path itself, relative to mkdocs.yml.")
        return None
    if not node.value:
        return None
    target = Path(base, node.value)
    if _within(target, root):
        return target
    problem(node.start_mark.line + 1,
            f"'{what}' points to '{node.value}', outside the portal "
            f"('{os.path.realpath(target)}')",
            "Keep every folder and file mkdocs.yml names inside the repository: outside "
            "it, the build could publish, or replace, any folder of the machine. To write "
            "the site elsewhere, pass `portal build --site-dir DIR`.")
    return None


def _within(path: Path, folder: Path) -> bool:
    """Whether `path`, links resolved, is `folder` or lies in it."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top + os.sep)


def _nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    """Every node once (aliases point at nodes already seen), iteratively."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {key.value: (key, value) for key, value in node.value
            if isinstance(key, yaml.ScalarNode)}


def _lookup(node: yaml.Node, keys: tuple[str, ...]) -> yaml.Node | None:
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        found = _mapping(node).get(key)
        if found is None:
            return None
        node = found[1]
    return node


def _plugin_option_nodes(node: yaml.Node, option: str) -> Iterator[yaml.Node]:
    """The value of `option` under `- insight-portal:` in the plugins list or mapping."""
    plugins = _lookup(node, ("plugins",))
    entries: list[yaml.Node] = []
    if isinstance(plugins, yaml.SequenceNode):
        entries = [item for item in plugins.value if isinstance(item, yaml.MappingNode)]
    elif isinstance(plugins, yaml.MappingNode):
        entries = [plugins]
    for entry in entries:
        found = _lookup(entry, ("insight-portal", option))
        if found is not None:
            yield found


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
