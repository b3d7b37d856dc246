"""What every command shares: where the portal is (ROOT, else found upward), the
reference date, and the exit statuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..core.config import CONFIG_FILE, TodayError, resolve_today

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class NoPortal(click.ClickException):
    """No ROOT given and no mkdocs.yml upward: one line, exit status 2."""

    exit_code = EXIT_USAGE


def find_portal_root(start: Path) -> Path | None:
    """The nearest folder holding mkdocs.yml, from `start` upward, as git finds its
    repository; the search ends at a repository's top (a folder with .git), so a
    repository without a portal never picks up an unrelated mkdocs.yml above it."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def resolve_root(root: str | None) -> Path:
    """ROOT as given (it must hold mkdocs.yml), else the portal around the current folder."""
    if root is None:
        here = Path.cwd()
        found = find_portal_root(here)
        if found is None:
            raise NoPortal(f"no {CONFIG_FILE} in {here} or any folder above it. Run this "
                           f"inside a portal, or give the portal's folder as ROOT.")
        return found
    path = Path(root).resolve()
    if not path.is_dir():
        raise click.BadParameter(f"'{root}' is not a folder", param_hint="ROOT")
    if not (path / CONFIG_FILE).is_file():
        raise click.BadParameter(
            f"'{root}' has no {CONFIG_FILE}; give the portal root (the folder with {CONFIG_FILE})",
            param_hint="ROOT")
    return path


def reference_day(value: str | None) -> dt.date:
    try:
        return resolve_today(value)
    except TodayError as error:
        if value:
            raise click.BadParameter(str(error), param_hint="--today") from None
        raise click.UsageError(str(error)) from None


# Every command that reads a portal takes it as an optional last argument.
root_argument = click.argument("root", required=False, metavar="[ROOT]")

today_option = click.option(
    "--today", metavar="YYYY-MM-DD",
    help="Reference date for ages and future dates (default: $SOURCE_DATE_EPOCH, else the "
         "system date).")
