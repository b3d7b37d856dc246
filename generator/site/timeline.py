"""Each insight's decision timeline: the statuses it passed through, with dates.

From the file's own `decision.history` where it has one; else from git — every
commit that changed the file's `decision.status` is a step, dated by the commit
and signed by its author; without git, only the current status is known
(PRODUCT.md, "Decision history").

Git is read in two passes over the whole portal, linear in the history's size:
the portal's one `git log --raw` (git_log.py) lists, per commit, the blob each
insight file had after it; one `git cat-file --batch` reads those blobs, and a
small scanner finds each one's `decision.status` (the key directly under
`decision:`, never one inside its `history` list).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from ..core.model import DecisionStatus, Insight
from .git_log import ZERO, GitLog, git_head

_INSIGHT_PATH = re.compile(r"^insights/(?:.*/)?([^/]+)\.md$")
_DECISION = re.compile(r"decision:[ \t]*(.*)$")
_STATUS = re.compile(r"[ \t]*status:[ \t]*[\"']?([a-z-]+)")
_FLOW_STATUS = re.compile(r"[{,][ \t]*status:[ \t]*[\"']?([a-z-]+)")
_STATUSES = DecisionStatus._value2member_map_


@dataclass(frozen=True, slots=True)
class GitChange:
    """A commit that gave an insight's decision a status (its first: the status
    the insight was added with)."""
    date: dt.date
    status: DecisionStatus
    author: str


@dataclass(frozen=True, slots=True)
class Step:
    """One status on an insight's timeline, oldest first; the last is the current."""
    status: DecisionStatus
    date: dt.date | None  # None: the current status of a file with no date for it
    note: str | None = None  # the file's history note
    author: str | None = None  # the commit's author, for a step read from git
    from_git: bool = False


def timeline(insight: Insight, git: list[GitChange] | None) -> list[Step]:
    """The statuses `insight` passed through, oldest first, ending with its current
    one: from the file's history, else git's, else the current status alone."""
    decision = insight.decision
    if decision is None or decision.status is None:
        return []
    current = Step(decision.status, decision.date)
    if decision.history:
        return [*(Step(change.status, change.date, change.note)
                  for change in decision.history if change.status is not None), current]
    steps = [Step(change.status, change.date, author=change.author, from_git=True)
             for change in git or ()]
    if steps and insight.created is not None:  # added: the file says when it was written
        steps[0] = Step(steps[0].status, insight.created, from_git=True)
    if not steps:
        return [Step(decision.status, decision.date or insight.created)]
    if steps[-1].status is not decision.status:  # changed since the last commit
        steps.append(current)
    elif decision.date is not None:  # the file's own date for its current status
        steps[-1] = Step(decision.status, decision.date, author=steps[-1].author,
                         from_git=True)
    return steps


def git_status_changes(root: Path, log: GitLog | None = None) -> dict[str, list[GitChange]]:
    """Per insight id, each commit that changed its decision status, oldest first.
    Empty outside a git repository or without git. `log`: the portal's history,
    if it is being read already (see git_log.py). Without one, the answer is kept
    until the next commit: the preview asks after every save, and a save changes
    no commit (seconds at 10,000 commits, milliseconds to ask git for HEAD)."""
    if log is None:
        head = git_head(root)
        known = _KNOWN.get(root)
        if head is not None and known is not None and known[0] == head:
            return known[1]
        changes = _status_changes(root, GitLog.start(root))
        if head is not None:
            _KNOWN[root] = (head, changes)
        return changes
    return _status_changes(root, log)


_KNOWN: dict[Path, tuple[str, dict[str, list[GitChange]]]] = {}  # root -> (HEAD, changes)


def status_changes_in_background(root: Path, log: GitLog) -> Future[dict[str, list[GitChange]]]:
    """`git_status_changes(root, log)`, worked out in a thread while the build
    checks the portal. Most of the work is git's, in processes of its own (the
    log, then `cat-file`), so it runs on the core the check leaves idle
    (10,000 insights and commits: 3.6 s no longer on the build's path)."""
    future: Future[dict[str, list[GitChange]]] = Future()

    def work() -> None:
        try:
            future.set_result(_status_changes(root, log))
        except BaseException as error:  # noqa: BLE001 - raised again where the result is asked for
            future.set_exception(error)

    threading.Thread(target=work, name="portal-git-history", daemon=True).start()
    return future


def _status_changes(root: Path, log: GitLog) -> dict[str, list[GitChange]]:
    commits = [(commit, [(match.group(1), blob) for path, blob in commit.files
                         if (match := _INSIGHT_PATH.match(path))])
               for commit in log.commits()]
    statuses = log.statuses({blob for _, files in commits for _, blob in files
                             if blob != ZERO}, decision_status)
    changes: dict[str, list[GitChange]] = {}
    last: dict[str, str | None] = {}
    for commit, files in reversed(commits):  # oldest first
        for insight_id, blob in files:
            status = statuses.get(blob) if blob != ZERO else None
            if status is not None and status != last.get(insight_id):
                changes.setdefault(insight_id, []).append(
                    GitChange(commit.date, DecisionStatus(status), commit.author))
            last[insight_id] = status
    return changes


def decision_status(text: str) -> str | None:
    """`decision.status` of an insight file's text: the `status:` key directly
    under `decision:` in the front matter (block or flow style), or None."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    inside, child = False, None
    for line in lines[1:]:
        if line.strip() in ("---", "..."):
            break
        if not inside:
            match = _DECISION.match(line)
            if match:
                flow = _FLOW_STATUS.search(match.group(1))
                if match.group(1).startswith("{"):
                    return _known(flow.group(1) if flow else None)
                inside = True
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            break  # the decision mapping ended
        child = indent if child is None else child
        if indent == child:
            status = _STATUS.match(line)
            if status:
                return _known(status.group(1))
    return None


def _known(status: str | None) -> str | None:
    return status if status in _STATUSES else None
