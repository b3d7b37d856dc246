"""Portal settings: the plugin's options in mkdocs.yml, and the reference date.

Read without MkDocs, so `portal check` stays fast and works even where the
MkDocs configuration itself has unrelated problems.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from .config_guard import unsafe_config
from .loader import describe_type, parse_yaml
from .model import LineMap
from .problems import Problem, make_problem

PLUGIN_NAME = "insight-portal"
CONFIG_FILE = "mkdocs.yml"


# The plugin's options, declared once: each field of PortalConfig is an option
# under `- insight-portal:` in mkdocs.yml. Its kind says how `portal check`
# reads it (below) and how the MkDocs adapter declares it to MkDocs
# (generator/mkdocs/options.py); its help is what `portal check` hints.
OptionKind = Literal["days", "names", "patterns", "folder", "choice"]


def _option(kind: OptionKind, default: Any, help: str, example: str,
            choices: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"kind": kind, "help": help, "example": example,
                                            "choices": choices})


@dataclass(frozen=True, slots=True)
class PortalConfig:
    undecided_after_days: int = _option(
        "days", 30, "an insight still new or under review after this many days is a reminder",
        "30")
    persona_review_after_days: int = _option(
        "days", 180, "a persona not reviewed for this many days is a reminder", "180")
    evidence_stale_after_days: int = _option(
        "days", 365, "evidence whose newest item is older than this many days is stale",
        "365")
    digest_days: int = _option(
        "days", 7, "Home's This week lists what changed in this many days before Today", "7")
    teams: frozenset[str] | None = _option(  # None: any owner name is accepted
        "names", None, "when given, every owner must be one of these teams",
        "[research-team, checkout-team]")
    tags: frozenset[str] | None = _option(
        "names", None, "when given, every tag must be one of these",
        "[fees, onboarding]")
    personal_data_allow: tuple[re.Pattern[str], ...] = _option(
        "patterns", (), "text that looks like personal data but is safe (regular expressions)",
        "['@example\\.com$']")
    templates: str = _option(
        "folder", "templates", "the portal's folder of template overrides", "templates")
    search: str = _option(  # generator/mkdocs/pagefind.py
        "choice", "pagefind", "the search backend: Pagefind's chunked index with facet "
        "filters, or Material's built-in search (the whole index loads in the browser)",
        "material", choices=("pagefind", "material"))


@dataclass(frozen=True, slots=True)
class Option:
    """One plugin option, as PortalConfig declares it."""
    name: str
    kind: OptionKind
    default: Any
    help: str
    example: str
    choices: tuple[str, ...]


OPTIONS: tuple[Option, ...] = tuple(
    Option(item.name, item.metadata["kind"], item.default, item.metadata["help"],
           item.metadata["example"], item.metadata["choices"])
    for item in fields(PortalConfig))
OPTION_NAMES = tuple(option.name for option in OPTIONS)


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
    declared = {option.name: option for option in OPTIONS}
    values: dict[str, Any] = {}
    for key, value in options.items():
        option = declared.get(key)
        if option is None:
            problems.append(make_problem(
                "invalid-config", CONFIG_FILE, lines.line(*base, key),
                detail=f"unknown option '{key}' for plugin {PLUGIN_NAME}",
                hint=f"Options are: {', '.join(OPTION_NAMES)}."))
            continue
        def line(*at: str | int, key: str = key) -> int:
            return lines.line(*base, key, *at)

        parsed = _READERS[option.kind](option, value, line, problems)
        if parsed is not _BAD:
            values[key] = parsed
    return PortalConfig(**values)


_BAD = object()  # what a reader returns for a value it reported


def _bad(option: Option, line: int, detail: str, problems: list[Problem]) -> object:
    problems.append(make_problem("invalid-config", CONFIG_FILE, line, detail=detail,
                                 hint=f"For example '{option.name}: {option.example}'."))
    return _BAD


def _read_days(option: Option, value: Any, line: Callable[..., int],
               problems: list[Problem]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return _bad(option, line(), f"option '{option.name}' must be a whole number of days, "
                                    f"not {describe_type(value)}", problems)
    return value


def _read_folder(option: Option, value: Any, line: Callable[..., int],
                 problems: list[Problem]) -> Any:
    if not isinstance(value, str):
        return _bad(option, line(), f"option '{option.name}' must be a folder name, not "
                                    f"{describe_type(value)}", problems)
    return value


def _read_choice(option: Option, value: Any, line: Callable[..., int],
                 problems: list[Problem]) -> Any:
    if value not in option.choices:
        return _bad(option, line(), f"option '{option.name}' must be "
                                    f"{' or '.join(option.choices)}, not {value!r}", problems)
    return value


def _read_texts(option: Option, value: Any, line: Callable[..., int],
                problems: list[Problem]) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return _bad(option, line(), f"option '{option.name}' must be a list of text, not "
                                    f"{describe_type(value)}", problems)
    return value


def _read_names(option: Option, value: Any, line: Callable[..., int],
                problems: list[Problem]) -> Any:
    texts = _read_texts(option, value, line, problems)
    return texts if texts is _BAD else frozenset(texts)


def _read_patterns(option: Option, value: Any, line: Callable[..., int],
                   problems: list[Problem]) -> Any:
    texts = _read_texts(option, value, line, problems)
    if texts is _BAD:
        return _BAD
    patterns = []
    for index, pattern in enumerate(texts):
        try:
            patterns.append(re.compile(pattern))
        except re.error as error:
            problems.append(make_problem(
                "invalid-config", CONFIG_FILE, line(index),
                detail=f"'{pattern}' under {option.name} is not a valid regular expression: "
                       f"{error}",
                hint="Escape special characters, e.g. '@example\\.com$'."))
    return tuple(patterns)


_READERS: dict[OptionKind, Callable[[Option, Any, Callable[..., int], list[Problem]], Any]] = {
    "days": _read_days, "names": _read_names, "patterns": _read_patterns,
    "folder": _read_folder, "choice": _read_choice,
}


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
