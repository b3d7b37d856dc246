"""Portal settings: the plugin's options in mkdocs.yml, and the reference date.

Read without MkDocs, so `portal check` stays fast and works even where the
MkDocs configuration itself has unrelated problems.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config_guard import unsafe_config
from .loader import describe_type, parse_yaml
from .model import LineMap
from .problems import Problem, make_problem

PLUGIN_NAME = "insight-portal"
CONFIG_FILE = "mkdocs.yml"


@dataclass(frozen=True, slots=True)
class PortalConfig:
    undecided_after_days: int = 30
    persona_review_after_days: int = 180
    teams: frozenset[str] | None = None  # None: any owner name is accepted
    tags: frozenset[str] | None = None
    personal_data_allow: tuple[re.Pattern[str], ...] = field(default=())
    templates: str = "templates"  # the portal's folder of template overrides
    search: str = "material"  # search backend: material | pagefind (generator/mkdocs/pagefind.py)


_INT_OPTIONS = ("undecided_after_days", "persona_review_after_days")
_LIST_OPTIONS = ("teams", "tags", "personal_data_allow")
_TEXT_OPTIONS = ("templates",)  # used by the site generator only
_CHOICE_OPTIONS = {"search": ("material", "pagefind")}  # used by the site generator only
OPTIONS = _INT_OPTIONS + _LIST_OPTIONS + _TEXT_OPTIONS + tuple(_CHOICE_OPTIONS)


def load_config(root: Path) -> tuple[PortalConfig, list[Problem]]:
    """The plugin options from `root/mkdocs.yml`; bad options become problems."""
    path = root / CONFIG_FILE
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(make_problem("invalid-config", CONFIG_FILE, 1,
                                     detail=f"cannot read {CONFIG_FILE}: {error}",
                                     hint="Save mkdocs.yml as UTF-8."))
        return PortalConfig(), problems
    data, lines = parse_yaml(text.replace("\r\n", "\n"), CONFIG_FILE, first_line=1,
                             problems=problems, lenient_tags=True)
    problems.extend(unsafe_config(root))
    if not isinstance(data, dict):
        return PortalConfig(), problems

    options, options_line = _plugin_options(data.get("plugins"))
    if options is None:
        return PortalConfig(), problems
    return _parse_options(options, options_line, lines, problems), problems


def _plugin_options(plugins: Any) -> tuple[dict[str, Any] | None, tuple]:
    """Find `- insight-portal: {...}` in the plugins list (or mapping)."""
    if isinstance(plugins, dict):
        value = plugins.get(PLUGIN_NAME)
        if PLUGIN_NAME in plugins:
            return (value if isinstance(value, dict) else {}), ("plugins", PLUGIN_NAME)
    if isinstance(plugins, list):
        for index, entry in enumerate(plugins):
            if entry == PLUGIN_NAME:
                return {}, ("plugins", index)
            if isinstance(entry, dict) and PLUGIN_NAME in entry:
                value = entry[PLUGIN_NAME]
                return (value if isinstance(value, dict) else {}), ("plugins", index, PLUGIN_NAME)
    return None, ()


def _parse_options(options: dict[str, Any], base: tuple, lines: LineMap,
                   problems: list[Problem]) -> PortalConfig:
    def line(*key: str | int) -> int:
        return lines.line(*base, *key)

    def bad(key: str, detail: str, hint: str) -> None:
        problems.append(make_problem("invalid-config", CONFIG_FILE, line(key), detail=detail,
                                     hint=hint))

    values: dict[str, Any] = {}
    for key, value in options.items():
        if key not in OPTIONS:
            bad(key, f"unknown option '{key}' for plugin {PLUGIN_NAME}",
                f"Options are: {', '.join(OPTIONS)}.")
        elif key in _CHOICE_OPTIONS:
            if value not in _CHOICE_OPTIONS[key]:
                choices = " or ".join(_CHOICE_OPTIONS[key])
                bad(key, f"option '{key}' must be {choices}, not {value!r}",
                    f"For example '{key}: {_CHOICE_OPTIONS[key][-1]}'.")
            else:
                values[key] = value
        elif key in _TEXT_OPTIONS:
            if not isinstance(value, str):
                bad(key, f"option '{key}' must be a folder name, not {describe_type(value)}",
                    f"For example '{key}: templates'.")
            else:
                values[key] = value
        elif key in _INT_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                bad(key, f"option '{key}' must be a whole number of days, not "
                         f"{describe_type(value)}", f"For example '{key}: 30'.")
            else:
                values[key] = value
        elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            bad(key, f"option '{key}' must be a list of text, not {describe_type(value)}",
                f"For example '{key}: [research-team, checkout-team]'.")
        elif key == "personal_data_allow":
            patterns = []
            for index, pattern in enumerate(value):
                try:
                    patterns.append(re.compile(pattern))
                except re.error as error:
                    problems.append(make_problem(
                        "invalid-config", CONFIG_FILE, line(key, index),
                        detail=f"'{pattern}' under personal_data_allow is not a valid "
                               f"regular expression: {error}",
                        hint="Escape special characters, e.g. '@example\\.com$'."))
            values[key] = tuple(patterns)
        else:
            values[key] = frozenset(value)
    return PortalConfig(**values)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def mkdocs_setting(root: Path, key: str) -> Any:
    """A top-level setting of root/mkdocs.yml, read safely (None if absent or unreadable)."""
    problems: list[Problem] = []
    try:
        text = (root / CONFIG_FILE).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    data, _ = parse_yaml(text, CONFIG_FILE, 1, problems, lenient_tags=True)
    return data.get(key) if isinstance(data, dict) else None


def docs_dir(root: Path) -> Path:
    """The hand-written pages folder MkDocs will read (its `docs_dir`, default docs/)."""
    value = mkdocs_setting(root, "docs_dir")
    return root / (value if isinstance(value, str) and value else "docs")


class TodayError(ValueError):
    """The reference date given by the user cannot be read."""


def resolve_today(option: str | None, environ: Mapping[str, str] | None = None) -> dt.date:
    """The reference date for every age: --today, else SOURCE_DATE_EPOCH, else the clock."""
    environ = os.environ if environ is None else environ
    if option:
        try:
            if not _ISO_DATE.fullmatch(option):
                raise ValueError
            return dt.date.fromisoformat(option)
        except ValueError:
            raise TodayError(f"'{option}' is not a date as YYYY-MM-DD") from None
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise TodayError(
                f"SOURCE_DATE_EPOCH must be seconds since 1970 (an integer), not '{epoch}'"
            ) from None
    return dt.date.today()
