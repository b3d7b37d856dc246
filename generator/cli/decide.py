"""`portal decide ID --status S`: move an insight to a new decision status.

The file's `decision:` is edited line by line (core/decision_edit.py): the old
status goes to `decision.history` (seeded from git when the file has none),
`decision.date` becomes Today, the given keys are set, and no other line
changes. The new text is checked as `portal check` would check it — the file
on its own, then the whole portal with it in place of the old one — before
anything is written; a refusal writes nothing (exit status 2).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from ..check.file_pass import check_file
from ..check.pipeline import check_portal
from ..check.report import format_problem
from ..check.result import PortalResult
from ..core.catalog import Catalog
from ..core.config import PortalConfig
from ..core.decision_edit import (
    DecisionEdit,
    EditRefused,
    PastStatus,
    edit_decision,
    expected_data,
)
from ..core.loader import SourceFile, discover, parse
from ..core.model import DecisionStatus, Entry, Insight, Kind
from ..core.problems import Problem, Severity
from ..core.suggest import Suggester, did_you_mean
from ..core.validate.corpus import check_corpus
from .options import reference_day, resolve_root
from .scaffold.portal import Refused

STATUSES = [status.value for status in DecisionStatus]


@click.command("decide", short_help="Move an insight to a new decision status.")
@click.argument("insight_id", metavar="ID")
@click.argument("root", required=False, metavar="[ROOT]")
@click.option("--status", "status_word", required=True, metavar="STATUS",
              help=f"The new status: {', '.join(STATUSES)}.")
@click.option("--owner", metavar="TEAM",
              help="The team accountable for acting (needed unless the status is new or "
                   "the file names one).")
@click.option("--rationale", metavar="TEXT", help="Why (needed to decline).")
@click.option("--link", metavar="URL", help="The tracker or roadmap item.")
@click.option("--review-by", metavar="YYYY-MM-DD", help="When the decision is revisited.")
@click.option("--outcome", metavar="TEXT", help="What changed (expected once done).")
@click.option("--note", metavar="TEXT",
              help="A line kept in history with the status being LEFT (what happened "
                   "while it had that status), not with the new one.")
@click.option("--today", metavar="YYYY-MM-DD",
              help="The date written as decision.date (default: $SOURCE_DATE_EPOCH, else "
                   "the system date).")
@click.option("--root", "root_option", metavar="DIR", help="The portal's folder, as ROOT.")
def decide(insight_id: str, root: str | None, status_word: str, owner: str | None,
           rationale: str | None, link: str | None, review_by: str | None,
           outcome: str | None, note: str | None, today: str | None,
           root_option: str | None) -> None:
    """Move insight ID (or a former id in its `aliases`) to a new decision status.

    The old status is appended to `decision.history` as {status, date, note},
    dated when it began (the old decision.date, else the commit that changed
    the status to it, else the insight's `created`); a file without `history:`
    first gets the earlier statuses its git history shows. `decision.date` becomes today,
    and --owner, --rationale, --link, --review-by and --outcome are set when
    given. Every other line of the file stays byte for byte as it was. A
    `decision:` written in flow style ({…}) is refused: write it as a block.

    ROOT (or --root DIR) is the portal's folder; without it, the nearest folder
    upward from here that holds mkdocs.yml.

    Nothing is written when the result would not pass `portal check`, nor for an
    unknown id, status or team, the status the insight already has, or a file
    with errors already. Exit status: 0 written, 2 refused (nothing written).
    """
    if root_option is not None and root is not None and root != root_option:
        raise click.UsageError(f"two portal folders given: '{root}' and --root "
                               f"'{root_option}'. Give one.")
    portal_root = resolve_root(root_option or root)
    day = reference_day(today)
    request = Request(_status(status_word), day, owner, rationale, link,
                      _date(review_by, "--review-by"), outcome, note)
    result = check_portal(portal_root, day)
    insight = _insight(result, insight_id)
    _refuse_early(result, insight, request)
    move = _move(portal_root, insight, request)
    warnings = _check_after(result, insight, move, day)
    _write(portal_root / insight.origin.path, move.raw)
    click.echo(_summary(insight, request, move))
    for problem in warnings:
        click.echo("  " + format_problem(problem, hint=True))


@dataclass(frozen=True, slots=True)
class Request:
    """What the command was asked to do."""
    status: DecisionStatus
    today: dt.date
    owner: str | None
    rationale: str | None
    link: str | None
    review_by: dt.date | None
    outcome: str | None
    note: str | None

    def values(self) -> dict[str, str | dt.date]:
        """The decision's keys to set, in the documented order."""
        given = {"status": self.status.value, "owner": self.owner, "date": self.today,
                 "rationale": self.rationale, "link": self.link,
                 "review_by": self.review_by, "outcome": self.outcome}
        return {key: value for key, value in given.items() if value is not None}


@dataclass(frozen=True, slots=True)
class Move:
    """The edit, the new file's bytes, and where its history came from."""
    edit: DecisionEdit
    raw: bytes
    source: SourceFile
    from_git: int  # history items read from git


def _status(word: str) -> DecisionStatus:
    if word in STATUSES:
        return DecisionStatus(word)
    raise Refused(f"'{word}' is not a decision status. "
                  f"{did_you_mean(word, STATUSES) or 'Statuses: ' + ', '.join(STATUSES) + '.'}")


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return reference_day(value)
    except click.BadParameter:
        raise click.BadParameter(f"'{value}' is not a date as YYYY-MM-DD",
                                 param_hint=option) from None


def _insight(result: PortalResult, word: str) -> Insight:
    """The insight named by `word`, its id or a former id (`aliases`)."""
    catalog = result.catalog
    assert catalog is not None  # check_portal builds it unless told not to
    insight = catalog.insights.get(word)
    renamed = catalog.aliases[Kind.INSIGHT].get(word)
    if insight is None and renamed is not None:
        click.echo(f"Note: '{word}' is a former id of {renamed} (in its aliases).", err=True)
        insight = catalog.insights[renamed]
    if insight is not None:
        return insight
    if catalog.exists(Kind.INSIGHT, word):  # the file is there but could not be read
        _refuse_errors([p for p in result.problems if p.severity is Severity.ERROR
                        and p.path.startswith("insights/") and p.path.endswith(f"/{word}.md")],
                       f"insight {word}")
    raise Refused(f"there is no insight '{word}'. {_id_hint(catalog, word)}")


def _id_hint(catalog: Catalog, word: str) -> str:
    ids = Suggester([*catalog.file_ids[Kind.INSIGHT], *catalog.aliases[Kind.INSIGHT]])
    return ids.did_you_mean(word) or f"Insight ids are file names in insights/: " \
                                      f"{ids.sample(5)}."


def _refuse_errors(problems: list[Problem], what: str) -> None:
    if problems:
        listed = "\n".join(format_problem(problem, hint=True) for problem in problems)
        raise Refused(f"{what} has errors already; nothing was written. Fix them first "
                      f"(`portal check` lists them):\n{listed}")


def _refuse_early(result: PortalResult, insight: Insight, request: Request) -> None:
    """What can be refused before editing, in the command's own terms."""
    rel, decision = insight.origin.path, insight.decision
    _refuse_errors([p for p in result.problems
                    if p.path == rel and p.severity is Severity.ERROR], rel)
    assert decision is not None and decision.status is not None  # else an error above
    line = insight.origin.line("decision", "status")
    if request.status is decision.status:
        raise Refused(f"{rel}:{line}: {insight.id} is {decision.status} already; nothing to do.")
    teams = result.config.teams
    if request.owner is not None and teams is not None and request.owner not in teams:
        raise Refused(f"'{request.owner}' is not a team listed under 'teams' in mkdocs.yml. "
                      f"{did_you_mean(request.owner, teams)}Add it there if it is new.")
    if request.status.needs_owner and not (request.owner or decision.owner):
        raise Refused(f"{rel}:{line}: status {request.status} needs an owner, and the "
                      f"decision has none: give --owner TEAM.")
    if request.status is DecisionStatus.DECLINED and not (request.rationale
                                                          or decision.rationale):
        raise Refused(f"{rel}:{line}: a declined decision needs a rationale: give "
                      f"--rationale TEXT.")


def _move(root: Path, insight: Insight, request: Request) -> Move:
    """The file's new bytes: its text with the edit made, encoded as it was."""
    rel = insight.origin.path
    source = SourceFile(Kind.INSIGHT, insight.id, str(root / rel), rel)
    try:
        raw = (root / rel).read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {rel}: {error.strerror}") from None
    document, _ = parse(source, raw)
    if document is None:  # it was read a moment ago: changed under us
        raise Refused(f"{rel} cannot be read any more; run `portal check`.")
    history, from_git = _past_statuses(root, insight, request.note)
    edit = DecisionEdit(request.values(), tuple(history))
    text = raw.decode("utf-8")  # a byte-order mark stays, as the first character
    try:
        new_text = edit_decision(text, document.lines, edit)
    except EditRefused as error:
        raise Refused(f"{rel}:{error.line}: {error}; nothing was written.") from None
    new_raw = new_text.encode("utf-8")
    edited, _ = parse(source, new_raw)
    if edited is None or edited.data != expected_data(document.data, edit):
        raise Refused(f"{rel}: this layout of 'decision:' cannot be edited safely line by "
                      f"line; nothing was written. Edit the file by hand.")
    return Move(edit, new_raw, source, from_git)


def _past_statuses(root: Path, insight: Insight, note: str | None
                   ) -> tuple[list[PastStatus], int]:
    """The history items to append: the git statuses before the current one when
    the file has no history (the first dated `created`, the others by their
    commits), then the status being left, dated when it began. Dates never fall
    before `created` and never decrease."""
    decision, created = insight.decision, insight.created
    assert decision is not None and decision.status is not None and created is not None
    seeded: list[PastStatus] = []
    began = None
    if not decision.history:
        from ..site.timeline import git_status_changes  # reads git: only when needed

        for change in git_status_changes(root).get(insight.id, []):
            # The status the file was added with holds since `created`, as the
            # timeline shows it (site/timeline.py); later ones from their commit.
            date = max(change.date, created) if seeded else created
            if not seeded or seeded[-1].status != change.status.value:
                seeded.append(PastStatus(change.status.value, date))
        if seeded and seeded[-1].status == decision.status.value:
            began = seeded.pop().date  # when a commit (or the file's creation) set it
    earlier = [change.date for change in decision.history if change.date is not None]
    floor = max([created, *earlier, *(item.date for item in seeded)])
    date = decision.date or began or floor
    for index in range(len(seeded) - 1, -1, -1):  # in order, ending on or before `date`
        later = seeded[index + 1].date if index + 1 < len(seeded) else date
        if seeded[index].date > later:
            seeded[index] = PastStatus(seeded[index].status, later)
    return [*seeded, PastStatus(decision.status.value, date, note)], len(seeded)


def _check_after(result: PortalResult, insight: Insight, move: Move, today: dt.date
                 ) -> list[Problem]:
    """The edited file as `portal check` would see it: refused if it has an error,
    or makes one appear elsewhere; its new warnings are returned to be shown."""
    rel, config = insight.origin.path, result.config
    entry, problems = check_file(move.source, move.raw, config)
    if entry is not None:
        problems += _corpus_problems(result, insight, entry, config, today)
    before = {_key(problem) for problem in result.problems}
    errors = [p for p in problems if p.severity is Severity.ERROR
              and (p.path == rel or _key(p) not in before)]
    if errors:
        listed = "\n".join(format_problem(problem, hint=True) for problem in errors)
        raise Refused(f"{rel}: the result would not pass `portal check`; nothing was "
                      f"written.\n{listed}")
    return [p for p in problems if p.path == rel and p.severity is Severity.WARNING
            and not p.is_reminder and _key(p) not in before]


def _key(problem: Problem) -> tuple[str, str, str]:
    """A problem without its line: lines below the decision move when it grows."""
    return problem.path, problem.rule, problem.message


def _corpus_problems(result: PortalResult, insight: Insight, entry: Entry,
                     config: PortalConfig, today: dt.date) -> list[Problem]:
    """The corpus pass (references, supersedes, dates against today) over the
    portal with the edited entry in place of the old one."""
    catalog = result.catalog
    assert catalog is not None
    entries: list[Entry] = [*(other for other in catalog.insights.values()
                              if other is not insight),
                            entry, *catalog.personas.values(), *catalog.journeys.values()]
    return check_corpus(entries, discover(result.root), result.root, config, today)[1]


def _write(path: Path, data: bytes) -> None:
    """Replace the file at once (a temporary file renamed over it), keeping its mode:
    an interrupted write never leaves half a file."""
    target = Path(os.path.realpath(path))
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from None


def _summary(insight: Insight, request: Request, move: Move) -> str:
    """`insights/x.md: under-review -> accepted (owner t, 2026-11-30); history: …`"""
    decision = insight.decision
    assert decision is not None
    owner = request.owner or decision.owner
    said = f"owner {owner}, {request.today}" if owner else f"{request.today}"
    total = len(decision.history) + len(move.edit.history)
    history = f"history: {total} earlier status{'es' if total != 1 else ''}"
    if move.from_git:
        history += f" ({move.from_git} from git)"
    return f"{insight.origin.path}: {decision.status} -> {request.status} ({said}); {history}"
