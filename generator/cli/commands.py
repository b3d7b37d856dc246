"""The `portal` command. A thin adapter: parsing options, choosing a formatter,
setting the exit status (0 clean, 1 problems, 2 usage error)."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import signal
import sys
from pathlib import Path

import click

from .. import __version__
from ..check.pipeline import check_portal
from ..check.report import FORMATTERS, format_problem, format_text
from ..core.config import CONFIG_FILE, docs_dir, mkdocs_setting
from ..core.config_guard import unsafe_config
from ..core.model import Kind
from .options import (
    EXIT_CLEAN,
    EXIT_PROBLEMS,
    reference_day,
    resolve_root,
    root_argument,
    today_option,
)

# `python -m mkdocs` would put the current folder first on the import path: run in
# a portal, a folder of the repository named like any module MkDocs imports
# (yaml/, markdown/, mkdocs/) would run instead of it. -P leaves it out.
SAFE_PATH = ("-P",)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portal")
def main() -> None:
    """Insight Portal: validate and build a portal of customer insights.

    Run a command anywhere inside a portal: it works on the nearest folder upward
    that holds mkdocs.yml, or on the ROOT you give (`portal check path/to/portal`).
    """


@main.command(short_help="Check every entry and report all problems.")
@root_argument
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATTERS)),
              help="Output format (default: text, or github when GITHUB_ACTIONS=true).")
@click.option("--strict", is_flag=True,
              help="Treat warnings as errors (reminders are never promoted).")
@click.option("--no-cache", is_flag=True,
              help="Check every file afresh, without reading or writing .portal-cache/.")
@today_option
def check(root: str | None, output_format: str | None, strict: bool, no_cache: bool,
          today: str | None) -> None:
    """Check every insight, persona and journey of the portal and report all problems.

    ROOT is the portal's folder (the one with mkdocs.yml); without it, the nearest
    folder upward from here that holds mkdocs.yml, as git finds its repository.

    Exit status: 0 no errors, 1 errors found, 2 usage error.
    """
    portal_root = resolve_root(root)
    reference_date = reference_day(today)
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    result = check_portal(portal_root, reference_date, strict=strict, use_cache=not no_cache,
                          need_catalog=False)
    sys.stdout.write(FORMATTERS[output_format](result))
    sys.exit(EXIT_PROBLEMS if result.errors else EXIT_CLEAN)


def _epoch(day: dt.date) -> str:
    """`day` as SOURCE_DATE_EPOCH (midnight UTC), how MkDocs and the plugin read --today."""
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))


def _ensure_docs_dir(root: Path) -> None:
    docs = docs_dir(root)
    if not docs.exists():  # MkDocs refuses to start without it; a portal may have no pages
        docs.mkdir(parents=True)
        click.echo(f"Created {docs.relative_to(root)}/ for hand-written pages "
                   f"(MkDocs needs the folder).", err=True)


def _mkdocs(command: str, root: Path, today: str | None, *args: str) -> None:
    """Run `mkdocs COMMAND` on the portal; --today reaches the plugin (and MkDocs'
    own dates) as SOURCE_DATE_EPOCH, the reproducible-builds convention."""
    # Material's banner about MkDocs 2 would bury our messages; mkdocs is pinned <2.
    environment = {"NO_MKDOCS_2_WARNING": "1", **os.environ}
    if today:
        day = reference_day(today)
        environment["SOURCE_DATE_EPOCH"] = _epoch(day)
    _ensure_docs_dir(root)
    config = str(root / CONFIG_FILE)
    sys.stdout.flush()
    sys.stderr.flush()
    # Replace this process with MkDocs, so signals (Ctrl-C, a CI runner's
    # SIGTERM) reach the server itself and no orphan keeps serving; MkDocs'
    # exit status (0 built, 1 failed) becomes ours.
    # An ignored SIGINT (a background job) would survive the exec: Ctrl-C must stop it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execve(sys.executable,
              [sys.executable, *SAFE_PATH, "-m", "mkdocs", command, "-f", config, *args],
              environment)

@main.command(short_help="Check, then build the static site.")
@root_argument
@click.option("--site-dir", type=click.Path(file_okay=False),
              help="Where to write the site (default: mkdocs.yml's site_dir, else site/ in "
                   "ROOT).")
@click.option("--strict", is_flag=True, help="Fail on warnings (reminders never fail).")
@today_option
def build(root: str | None, site_dir: str | None, strict: bool, today: str | None) -> None:
    """Check the content and build the portal's static site (wraps `mkdocs build`).

    ROOT is the portal's folder (the one with mkdocs.yml); without it, the nearest
    folder upward from here that holds mkdocs.yml, as git finds its repository.

    The site is built in a new folder next to the site folder and swapped in only
    when the build succeeded: a failed or interrupted build leaves the previous
    site as it was.
    """
    from ..mkdocs.publish import (
        UnsafeSiteDir,
        build_and_swap,
        check_site_dir,
        failure_line,
        mkdocs_command,
    )

    portal_root = resolve_root(root)
    _refuse_unsafe_config(portal_root)
    day = reference_day(today)
    site = Path(site_dir).resolve() if site_dir else _configured_site_dir(portal_root)
    try:
        check_site_dir(site, portal_root,
                       [docs_dir(portal_root).resolve(),
                        *(portal_root / kind.folder for kind in Kind)])
    except UnsafeSiteDir as error:
        raise click.BadParameter(str(error), param_hint="--site-dir") from None
    try:
        _ensure_docs_dir(portal_root)
    except OSError as error:  # a read-only checkout, say: one line, no traceback
        click.echo(failure_line(error, site, doing=f"creating {docs_dir(portal_root)}"),
                   err=True)
        sys.exit(EXIT_PROBLEMS)
    # One reference date for the whole build, even one that runs past midnight:
    # the plugin and MkDocs' own dates both read it from SOURCE_DATE_EPOCH.
    environment = {"NO_MKDOCS_2_WARNING": "1", **os.environ,
                   "SOURCE_DATE_EPOCH": _epoch(day)}
    config = str(portal_root / CONFIG_FILE)

    def command(staging: Path) -> list[str]:
        return mkdocs_command("build", "-f", config, "--site-dir", str(staging),
                              *(["--strict"] if strict else []))

    sys.stdout.flush()
    sys.stderr.flush()
    # A full disk or a read-only folder ends in one line there (exit 1), not a traceback.
    sys.exit(build_and_swap(command, environment, site,
                            echo=lambda message: click.echo(message, err=True)))


def _configured_site_dir(root: Path) -> Path:
    """mkdocs.yml's `site_dir` (relative to the file, as MkDocs reads it), else site/."""
    value = mkdocs_setting(root, "site_dir") or "site"
    if not isinstance(value, str):
        raise click.UsageError(f"could not read site_dir from {CONFIG_FILE}: give --site-dir")
    return (root / value).resolve()


def _refuse_unsafe_config(root: Path) -> None:
    """Before MkDocs reads mkdocs.yml: nothing in it may run code or reach outside
    the portal (see config_guard.py). Listed like `portal check`, exit status 1."""
    refused = unsafe_config(root)
    if refused:
        for problem in refused:
            click.echo(format_problem(problem, hint=True), err=True)
        click.echo(f"{CONFIG_FILE} was not read, and nothing was built.", err=True)
        sys.exit(EXIT_PROBLEMS)


@main.command(short_help="Preview the portal, reloading as you edit.")
@root_argument
@click.option("--dev-addr", metavar="HOST:PORT", default="127.0.0.1:8000", show_default=True,
              help="Address to serve the preview on.")
@click.option("--full", is_flag=True,
              help="Run `mkdocs serve` instead: it rebuilds the whole site after every save "
                   "(minutes for a large portal).")
@today_option
def serve(root: str | None, dev_addr: str, full: bool, today: str | None) -> None:
    """Preview the portal with live reload while you edit.

    ROOT is the portal's folder (the one with mkdocs.yml); without it, the nearest
    folder upward from here that holds mkdocs.yml, as git finds its repository.

    Pages are rendered when the browser asks for them, so a save shows within a
    second even in a large portal; problems are printed here as `portal check`
    prints them, and a broken file never stops the preview.
    """
    portal_root = resolve_root(root)
    _refuse_unsafe_config(portal_root)
    if full:
        _mkdocs("serve", portal_root, today, "--dev-addr", dev_addr)
    from mkdocs.exceptions import MkDocsException

    from ..mkdocs.devserver import CannotServe, NotConfigured
    from ..mkdocs.devserver import serve as preview

    day = reference_day(today)  # also refuses a bad SOURCE_DATE_EPOCH before anything starts
    if today:  # the plugin and MkDocs read the date from here, as under `mkdocs serve`
        os.environ["SOURCE_DATE_EPOCH"] = _epoch(day)
    _ensure_docs_dir(portal_root)
    try:
        preview(portal_root, dev_addr)
    except NotConfigured as error:
        click.echo(f"{error}: running `mkdocs serve` instead.", err=True)
        _mkdocs("serve", portal_root, today, "--dev-addr", dev_addr)
    except MkDocsException as error:
        raise click.ClickException(str(error)) from None
    except CannotServe as error:
        raise click.ClickException(str(error)) from None


@main.command(short_help="Write a project that builds without the plugin (Zensical).")
@root_argument
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the project into: new, empty, or written by this "
                   "command before.")
@today_option
def generate(root: str | None, out_dir: str, today: str | None) -> None:
    """Check the content, then write a project that builders reading mkdocs.yml but
    running no MkDocs plugins (Zensical) build as it is: DIR/mkdocs.yml, DIR/docs/
    (generated pages, data, exports, assets and the portal's docs/ pages) and
    DIR/overrides/. Build it with `zensical build` in DIR.

    ROOT is the portal's folder (the one with mkdocs.yml); without it, the nearest
    folder upward from here that holds mkdocs.yml, as git finds its repository.

    Exit status: 0 written, 1 errors found (nothing written), 2 usage error.
    """
    # The site's modules load only for the commands that render.
    from ..site import history, standalone
    from ..site.render import SiteRenderer, TemplateFailure

    portal_root = resolve_root(root)
    _refuse_unsafe_config(portal_root)
    reference_date = reference_day(today)
    result = check_portal(portal_root, reference_date)
    if result.errors:
        sys.stdout.write(format_text(result))
        sys.exit(EXIT_PROBLEMS)
    out, docs = Path(out_dir).resolve(), docs_dir(portal_root)
    sources = [docs, *(portal_root / kind.folder for kind in Kind)]
    try:
        standalone.check_out(out, portal_root, sources)
    except standalone.Refused as error:
        raise click.BadParameter(str(error), param_hint="--out") from None
    portal = standalone.read_portal_config(portal_root)
    try:
        renderer = SiteRenderer(result.catalog, result.config, reference_date,
                                template_dir=portal_root / result.config.templates,
                                root=portal_root,
                                history=history.portal_history(
                                    portal_root, result.catalog, reference_date,
                                    result.config.persona_review_after_days),
                                **standalone.renderer_settings(portal))
        count = standalone.write_project(out, portal_root, docs, renderer, portal)
    except TemplateFailure as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a full disk, a read-only folder: one line, exit status 1
        raise click.ClickException(f"could not write {out}: {error}") from None
    click.echo(f"Wrote {count} files to {out}\n"
               f"Build it with: cd {shlex.quote(str(out))} && zensical build")


# Commands that live in their own modules.
from .decide import decide  # noqa: E402
from .json_schema import schema  # noqa: E402
from .scaffold import new  # noqa: E402

main.add_command(new)
main.add_command(decide)
# `portal --help` lists each command by this phrase (click would cut the first line).
schema.short_help = schema.short_help or "Print the JSON Schema of a kind's front matter."
main.add_command(schema)
