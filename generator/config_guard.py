"""What mkdocs.yml may ask for: nothing that runs code or reaches outside the portal.

A pull request can change mkdocs.yml, and MkDocs trusts it completely: its YAML
loader builds any Python object a `!!python/object/apply:` tag names (code runs
as the file is read), `hooks:` imports Python files, `INHERIT:` reads another
file, and `docs_dir`, `site_dir`, `theme.custom_dir` and the plugin's
`templates` may point anywhere — publishing a folder of the machine, or
replacing one with the site. So the file is screened before MkDocs or anything
else reads it, with PyYAML's composer, which builds no object: every node is
looked at, never constructed.

`!!python/name:` stays allowed for the packages whose functions mkdocs.yml
legitimately names (Material's emoji, pymdownx's fences); `portal build` and
`portal serve` start MkDocs with `python -P`, so a folder of the repository
cannot stand in for one of those packages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from .problems import Problem, make_problem

CONFIG_FILE = "mkdocs.yml"
_PYTHON_TAG = "tag:yaml.org,2002:python/"
_NAME_TAG = _PYTHON_TAG + "name:"
# Modules mkdocs.yml may name with !!python/name: (installed packages only).
ALLOWED_NAMES = ("material.", "pymdownx.", "markdown.")
# Settings holding a folder MkDocs reads from or writes to, as key paths.
_FOLDERS = (("docs_dir",), ("site_dir",), ("theme", "custom_dir"))
_MAX_INHERIT = 5  # INHERIT chains deeper than this are refused
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def unsafe_config(root: Path) -> list[Problem]:
    """Every way root/mkdocs.yml (and what it inherits) asks to run code or reach
    outside the portal, each with its line. Empty when there is no such file."""
    problems: list[Problem] = []
    _screen(root, Path(root, CONFIG_FILE), problems, depth=0)
    return problems


def _screen(root: Path, path: Path, problems: list[Problem], depth: int) -> None:
    rel = _rel(root, path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return  # unreadable: load_config reports it, and MkDocs will not start
    if node is None:
        return

    def problem(line: int, detail: str, hint: str) -> None:
        problems.append(make_problem("unsafe-config", rel, line, detail=detail, hint=hint))

    for tagged in _nodes(node):
        tag = tagged.tag
        if not tag.startswith(_PYTHON_TAG):
            continue
        name = tag[len(_NAME_TAG):] if tag.startswith(_NAME_TAG) else ""
        if name and name.startswith(ALLOWED_NAMES):
            continue
        problem(tagged.start_mark.line + 1,
                f"the YAML tag '!!{tag[len('tag:yaml.org,2002:'):]}' would make MkDocs "
                "build a Python object, or import code, while reading the file",
                "Remove the tag. mkdocs.yml may only name functions of Material "
                f"and pymdownx with !!python/name: ({', '.join(ALLOWED_NAMES)}).")
    if not isinstance(node, yaml.MappingNode):
        return
    top = _mapping(node)
    if "hooks" in top:
        key, _ = top["hooks"]
        problem(key.start_mark.line + 1,
                "'hooks' runs Python files of the repository at every build",
                "Remove 'hooks' from mkdocs.yml: a pull request could change those "
                "files, and CI would run them. The portal needs no hooks.")
    for keys in _FOLDERS:
        found = _lookup(node, keys)
        if found is not None:
            _inside(root, path.parent, found, ".".join(keys), problem)
    for plugin in _plugin_option_nodes(node, "templates"):
        _inside(root, path.parent, plugin, "insight-portal: templates", problem)
    if "INHERIT" in top:
        _, value = top["INHERIT"]
        parent = _inside(root, path.parent, value, "INHERIT", problem)
        if parent is not None:
            if depth >= _MAX_INHERIT:
                problem(value.start_mark.line + 1, "INHERIT chains are nested too deeply",
                        "Inherit from one base file.")
            else:
                _screen(root, parent, problems, depth + 1)


def _inside(root: Path, base: Path, node: yaml.Node, what: str,
            problem: Callable[[int, str, str], None]) -> Path | None:
    """The path a setting names, if it lies inside the portal (links resolved)."""
    if not isinstance(node, yaml.ScalarNode) or not node.value:
        return None
    target = Path(base, node.value)
    real, top = os.path.realpath(target), os.path.realpath(root)
    if real == top or real.startswith(top + os.sep):
        return target
    problem(node.start_mark.line + 1,
            f"'{what}' points to '{node.value}', outside the portal ('{real}')",
            "Keep every folder and file mkdocs.yml names inside the repository: outside "
            "it, the build could publish, or replace, any folder of the machine. To write "
            "the site elsewhere, pass `portal build --site-dir DIR`.")
    return None


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
