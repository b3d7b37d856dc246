"""What changed, and when: insights added and decisions changed, for the
"What's new" page and the Atom feed.

In a git repository the dates come from history — one `git log` over
insights/, read as a stream of patches (linear in the history's size): a file's
first commit is when the insight was added, and a commit that changes its
decision `status:` line is a decision change. Entries git knows nothing about
(uncommitted, or a checkout without history) fall back to the files' own
dates: `created`, and the decision's `date`.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core.catalog import Catalog
from ..core.model import DecisionStatus

ADDED = "added"
DECIDED = "decision"

# `  status: accepted` under `decision:`, or `decision: {status: accepted, ...}`.
_STATUS_LINE = re.compile(r"^\+(?:\s+|.*[{,]\s*)status:\s*['\"]?([a-z-]+)")
_FILE_LINE = re.compile(r"^\+\+\+ b/insights/(?:.*/)?([^/]+)\.md$")


@dataclass(frozen=True, slots=True)
class Event:
    date: dt.date
    insight_id: str
    kind: str  # ADDED or DECIDED
    status: DecisionStatus | None

    def sort_key(self) -> tuple[dt.date, int, str]:
        return (self.date, 1 if self.kind == DECIDED else 0, self.insight_id)


def events(root: Path, catalog: Catalog, today: dt.date) -> list[Event]:
    """Every event up to `today`, newest first."""
    found = _git_events(root, catalog)
    known = {event.insight_id for event in found}
    for insight in catalog.insights.values():
        if insight.id in known:
            continue
        if insight.created:
            found.append(Event(insight.created, insight.id, ADDED, None))
        decision = insight.decision
        if decision and decision.date and decision.status:
            found.append(Event(decision.date, insight.id, DECIDED, decision.status))
    return sorted((e for e in found if e.date <= today), key=Event.sort_key, reverse=True)


def _git_events(root: Path, catalog: Catalog) -> list[Event]:
    found: list[Event] = []
    for date, patch in git_log_records(root, ["-p", "--unified=0", "--", "insights"]):
        found.extend(_patch_events(patch, date, catalog))
    return found


def git_log_records(root: Path, arguments: list[str]) -> list[tuple[dt.date, str]]:
    """`git log <arguments>` in `root`, newest first, as (committer date, what
    the commit printed after its date line); empty outside a repository or
    without git."""
    try:
        completed = subprocess.run(
            ["git", "-c", "core.quotePath=false", "-C", str(root), "log", "--no-renames",
             "--relative", "--no-color", "--format=%x00%cI", *arguments],
            capture_output=True, text=True, encoding="utf-8", errors="replace",
            check=False, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return []
    if completed.returncode != 0:  # not a git repository, or git missing
        return []
    records: list[tuple[dt.date, str]] = []
    for record in completed.stdout.split("\x00")[1:]:
        header, _, rest = record.partition("\n")
        try:
            records.append((dt.datetime.fromisoformat(header.strip()).date(), rest))
        except ValueError:
            continue
    return records


def _patch_events(patch: str, date: dt.date, catalog: Catalog) -> list[Event]:
    found: list[Event] = []
    current: str | None = None
    added = False
    for line in patch.split("\n"):
        if line.startswith("diff --git "):
            current, added = None, False
        elif line.startswith("--- /dev/null"):
            added = True
        elif line.startswith("+++ "):
            match = _FILE_LINE.match(line)
            current = match.group(1) if match and match.group(1) in catalog.insights else None
            if current and added:
                found.append(Event(date, current, ADDED, None))
        elif current and not added:
            status = _STATUS_LINE.match(line)
            if status and status.group(1) in DecisionStatus._value2member_map_:
                found.append(Event(date, current, DECIDED, DecisionStatus(status.group(1))))
    return found
