"""The `portal new` group, and what its three commands share: [ROOT] and the
options every kind takes, whether to ask in a terminal, and writing the file
then saying what `portal check` makes of it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import click

from ...check.pipeline import check_portal
from ...check.report import format_problem
from .asking import Asker
from .portal import Portal, Refused

NEXT_STEP = "Edit it, then run `portal check`."


class _KindGroup(click.Group):
    """Accepts the folder names too: `portal new insights x` means `portal new insight x`."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name.endswith("s"):
            command = super().get_command(ctx, cmd_name[:-1])
        return command


@click.group("new", cls=_KindGroup, short_help="Write a new insight, persona or journey.")
def new() -> None:
    """Write a new insight, persona or journey from a template:
    `portal new insight|persona|journey SLUG [ROOT]`.

    The file gets every required field, in the documented order, with today's
    date. In a terminal, values not given by flags are asked for (with the
    existing personas, journeys and stages to pick from); otherwise they are left
    as placeholders that `portal check` reports line by line. ROOT is the
    portal's folder; without it, the nearest folder upward from here that holds
    mkdocs.yml. Exit status: 0 the file was written, 2 usage error (nothing
    written).
    """


def common_options(written_as: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """[ROOT] after the slug, --today (documented where the kind writes a date: a
    journey has none, and takes it hidden so one script can pass it to every
    kind), --interactive, and the deprecated --root DIR."""
    today_help = None if written_as is None else (
        f"Date written as {written_as} (default: $SOURCE_DATE_EPOCH, else the system date).")
    options = [
        click.argument("root", required=False, metavar="[ROOT]"),
        click.option("--root", "root_option", metavar="DIR", hidden=True),
        click.option("--today", metavar="YYYY-MM-DD", help=today_help,
                     hidden=written_as is None),
        click.option("--interactive/--no-interactive", default=None,
                     help="Ask for values not given by flags (default: only when standard "
                          "input is a terminal)."),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def with_root(*args: Any, root: str | None, root_option: str | None,
                      **kwargs: Any) -> Any:
            return command(*args, root=_root_given(root, root_option), **kwargs)

        decorated: Callable[..., Any] = with_root
        for option in reversed(options):
            decorated = option(decorated)
        return decorated
    return decorate


def _root_given(root: str | None, root_option: str | None) -> str | None:
    if root_option is None:
        return root
    if root is not None and root != root_option:
        raise click.UsageError(f"two portal folders given: '{root}' and --root "
                               f"'{root_option}'. Give one, after the id.")
    click.echo("Note: --root DIR is deprecated; give the folder after the id: "
               "portal new KIND SLUG DIR.", err=True)
    return root_option


def asker_for(interactive: bool | None) -> Asker:
    if interactive is None:
        try:
            interactive = sys.stdin is not None and sys.stdin.isatty()
        except ValueError:  # standard input closed
            interactive = False
    return Asker(interactive)


def write(portal: Portal, content: str) -> None:
    portal.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with portal.path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except FileExistsError:
        raise Refused(f"{portal.rel} already exists; nothing was written.") from None
    except OSError as error:
        raise Refused(f"cannot write {portal.rel}: {error.strerror}") from None
    click.echo(f"Wrote {portal.rel}")
    result = check_portal(portal.root, portal.today)
    problems = [p for p in result.problems if p.path == portal.rel]
    errors = sum(p.severity == "error" for p in problems)
    # The count names every line listed below it: errors, and warnings if any.
    counted = [_count(errors, "error"), _count(len(problems) - errors, "warning")]
    if errors:
        click.echo(f"Still to fill in: `portal check` reports "
                   f"{' and '.join(c for c in counted if c)}:")
    elif problems:
        click.echo(f"It passes `portal check`, with {counted[1]}:")
    else:
        click.echo("It passes `portal check`.")
    for problem in problems:
        click.echo("  " + format_problem(problem))
    click.echo(NEXT_STEP)


def _count(number: int, noun: str) -> str:
    return "" if not number else f"{number} {noun}{'s' if number != 1 else ''}"


CHOICE = {"case_sensitive": False}


def words(vocabulary: type[StrEnum]) -> list[str]:
    """The vocabulary's words as plain text (click would show an enum's member names)."""
    return [word.value for word in vocabulary]
