"""The `portal` command. A thin adapter: parsing options, choosing a formatter,
setting the exit status (0 clean, 1 problems, 2 usage error)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from . import __version__
from .config import CONFIG_FILE, TodayError, resolve_today
from .pipeline import check_portal
from .report import FORMATTERS

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _portal_root(root: str) -> Path:
    path = Path(root).resolve()
    if not path.is_dir():
        raise click.BadParameter(f"'{root}' is not a folder", param_hint="ROOT")
    if not (path / CONFIG_FILE).is_file():
        raise click.BadParameter(
            f"'{root}' has no {CONFIG_FILE}; give the portal root (the folder with {CONFIG_FILE})",
            param_hint="ROOT")
    return path


def _today(value: str | None) -> dt.date:
    try:
        return resolve_today(value)
    except TodayError as error:
        if value:
            raise click.BadParameter(str(error), param_hint="--today") from None
        raise click.UsageError(str(error)) from None


today_option = click.option(
    "--today", metavar="YYYY-MM-DD",
    help="Reference date for ages and future dates (default: $SOURCE_DATE_EPOCH, else the "
         "system date).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portal")
def main() -> None:
    """Insight Portal: validate and build a portal of customer insights."""


@main.command()
@click.argument("root", default=".")
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATTERS)),
              help="Output format (default: text, or github when GITHUB_ACTIONS=true).")
@click.option("--strict", is_flag=True,
              help="Treat warnings as errors (reminders about ages stay warnings).")
@today_option
def check(root: str, output_format: str | None, strict: bool, today: str | None) -> None:
    """Check every insight, persona and journey under ROOT and report all problems.

    Exit status: 0 no errors, 1 errors found, 2 usage error.
    """
    portal_root = _portal_root(root)
    reference_date = _today(today)
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    result = check_portal(portal_root, reference_date, strict=strict)
    sys.stdout.write(FORMATTERS[output_format](result))
    sys.exit(EXIT_PROBLEMS if result.errors else EXIT_CLEAN)
