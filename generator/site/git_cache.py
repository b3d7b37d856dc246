"""The portal's git history, kept between builds in `.portal-cache/git-history.json`.

Reading 10,000 commits takes seconds (git_log.py); a commit adds a few. So the
commits read, and the decision status of each insight version, are kept with
the commit they end at: the next build, preview or `portal decide` asks git only
for the commits after it (`git log KEPT..HEAD`) and the blobs it has not seen.
A history rewritten under it (the kept commit is no longer an ancestor of HEAD)
is read afresh.

Data only (JSON, checked field by field as it is read; anything unexpected means
reading git afresh), in the check cache's folder and under its rules: never read
or written when git tracks that folder or it is a symbolic link (a pull request
could otherwise forge the timelines).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check.cache import usable_folder

FILE = "git-history.json"
FORMAT = 1


def _code() -> str:
    """What decides a kept status: the code that reads git and scans the blobs. A
    kept history written by other code is read afresh."""
    digest = hashlib.sha256()
    for name in ("git_cache.py", "git_log.py", "timeline.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


@dataclass(slots=True)
class KeptHistory:
    prefix: str  # the portal's folder in the repository
    head: str  # the commit the kept history ends at
    commits: list[tuple[dt.date, str, tuple[tuple[str, str], ...]]]  # newest first
    statuses: dict[str, str | None] = field(default_factory=dict)  # blob -> its status


def load(root: Path) -> KeptHistory | None:
    folder = usable_folder(root)
    if folder is None:
        return None
    try:
        data = json.loads((folder / FILE).read_text(encoding="utf-8"))
        return _decode(data)
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def save(root: Path, kept: KeptHistory) -> None:
    """Write atomically; a read-only checkout keeps nothing."""
    folder = usable_folder(root)
    if folder is None:
        return
    data = {"format": FORMAT, "code": _code(), "prefix": kept.prefix, "head": kept.head,
            "commits": [[date.isoformat(), author, [list(item) for item in files]]
                        for date, author, files in kept.commits],
            "statuses": kept.statuses}
    try:
        descriptor, name = tempfile.mkstemp(prefix=".git-history-", dir=folder)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(data, stream, separators=(",", ":"))
        os.replace(name, folder / FILE)
    except OSError:
        return


def _decode(data: Any) -> KeptHistory | None:
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or data.get("code") != _code():
        return None
    prefix, head = data["prefix"], data["head"]
    if not isinstance(prefix, str) or not isinstance(head, str) or len(head) != 40:
        return None
    commits = []
    for date, author, files in data["commits"]:
        if not isinstance(author, str) or not isinstance(files, list):
            return None
        pairs = tuple((path, blob) for path, blob in files)
        if not all(isinstance(path, str) and isinstance(blob, str) for path, blob in pairs):
            return None
        commits.append((dt.date.fromisoformat(date), author, pairs))
    statuses = data["statuses"]
    if not isinstance(statuses, dict) or not all(
            isinstance(value, str | None) for value in statuses.values()):
        return None
    return KeptHistory(prefix, head, commits, statuses)
