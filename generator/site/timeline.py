"""Each insight's decision timeline: the statuses it passed through, with dates.

From the file's own `decision.history` where it has one; else from git — every
commit that changed the file's `decision.status` is a step, dated by the commit
and signed by its author; without git, only the current status is known
(PRODUCT.md, "Decision history").

Git is read in two passes over the whole portal, linear in the history's size:
`git log --raw` lists, per commit, the blob each insight file had after it; one
`git cat-file --batch` reads those blobs, and a small scanner finds each one's
`decision.status` (the key directly under `decision:`, never one inside its
`history` list).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core.model import DecisionStatus, Insight

_ZERO = "0" * 40
_RAW_LINE = re.compile(r"^:\d+ \d+ ([0-9a-f]{40}) ([0-9a-f]{40}) [A-Z]\d*\t(.+)$")
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


def git_status_changes(root: Path) -> dict[str, list[GitChange]]:
    """Per insight id, each commit that changed its decision status, oldest first.
    Empty outside a git repository or without git."""
    commits = _commits(root)
    blobs = _statuses(root, {blob for _, _, files in commits for _, blob in files
                             if blob != _ZERO})
    changes: dict[str, list[GitChange]] = {}
    last: dict[str, str | None] = {}
    for date, author, files in reversed(commits):  # oldest first
        for insight_id, blob in files:
            status = blobs.get(blob) if blob != _ZERO else None
            if status is not None and status != last.get(insight_id):
                changes.setdefault(insight_id, []).append(
                    GitChange(date, DecisionStatus(status), author))
            last[insight_id] = status
    return changes


def _git(root: Path, arguments: list[str], given: bytes | None = None) -> bytes | None:
    try:
        completed = subprocess.run(["git", "-c", "core.quotePath=false", "-C", str(root),
                                    *arguments], input=given, capture_output=True,
                                   check=False, timeout=300)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout if completed.returncode == 0 else None


def _commits(root: Path) -> list[tuple[dt.date, str, list[tuple[str, str]]]]:
    """Newest first: each commit's date, author and (insight id, blob after it)."""
    output = _git(root, ["log", "--no-renames", "--relative", "--no-color", "--raw",
                         "--no-abbrev", "--format=%x00%cI%x00%an", "--", "insights"])
    if not output:
        return []
    # After the leading separator, parts alternate: a date, then the author
    # followed by the commit's raw lines.
    parts = output.decode("utf-8", "replace").split("\x00")[1:]
    commits: list[tuple[dt.date, str, list[tuple[str, str]]]] = []
    for index in range(0, len(parts) - 1, 2):
        try:
            date = dt.datetime.fromisoformat(parts[index].strip()).date()
        except ValueError:
            continue
        author, _, raw = parts[index + 1].partition("\n")
        files = []
        for line in raw.split("\n"):
            match = _RAW_LINE.match(line)
            path = _INSIGHT_PATH.match(match.group(3)) if match else None
            if match and path:
                files.append((path.group(1), match.group(2)))
        commits.append((date, author.strip(), files))
    return commits


def _statuses(root: Path, blobs: set[str]) -> dict[str, str]:
    """Each blob's decision status (blobs without one are left out)."""
    if not blobs:
        return {}
    output = _git(root, ["cat-file", "--batch"], "".join(f"{blob}\n" for blob in blobs).encode())
    found: dict[str, str] = {}
    position = 0
    while output and position < len(output):
        header_end = output.find(b"\n", position)
        if header_end < 0:
            break
        name, kind, size = (output[position:header_end].split(b" ") + [b"", b""])[:3]
        position = header_end + 1
        if kind != b"blob" or not size.isdigit():
            continue  # "<name> missing": a blob a shallow clone does not have
        body = output[position:position + int(size)]
        position += int(size) + 1  # the blob, then a newline
        status = decision_status(body.decode("utf-8", "replace"))
        if status is not None:
            found[name.decode()] = status
    return found


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
