"""The portal's git history, read once: one `git log --raw` over the whole
repository, for the decision timelines (timeline.py) and the sitemap's dates
(lastmod.py) alike.

One log without a path filter, filtered here, is the cheapest form git offers:
every commit that touches a flat folder of 10,000 files makes git compare the
folder's whole listing, and a path filter makes it do that again (measured at
10,000 insights and 10,000 commits: 2.2 s for this log, against 9.5 s for the
two filtered logs it replaces). `GitLog.start` runs git in a process of its own,
writing to a temporary file, so the build checks the portal meanwhile; the
first question asked of it waits for git to finish. What was read is kept in
`.portal-cache/` (git_cache.py): the next run reads only the commits after it
(10,000 commits: 3.6 s read afresh, 0.2 s kept, 0.3 s with one new commit).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from . import git_cache
from .git_cache import KeptHistory

ZERO = "0" * 40  # the blob of a deleted file
_RAW_LINE = re.compile(r"^:\d+ \d+ [0-9a-f]{40} ([0-9a-f]{40}) [A-Z]\d*\t(.+)$")
_TIMEOUT_S = 600


@dataclass(frozen=True, slots=True)
class Commit:
    date: dt.date  # the committer's
    author: str
    files: tuple[tuple[str, str], ...]  # (path from the portal's root, blob after the commit)


class GitLog:
    """The commits of the repository holding a portal, newest first (none
    outside a repository, or without git), and what each insight version says."""

    def __init__(self, root: Path, prefix: str | None = None, head: str | None = None,
                 process: subprocess.Popen[bytes] | None = None,
                 output: IO[bytes] | None = None, kept: KeptHistory | None = None) -> None:
        self.root = root
        self._prefix = prefix  # the portal's folder within the repository ("" at its top)
        self._head = head
        self._process, self._output = process, output
        self._kept = kept  # the history up to an earlier commit (git_cache.py)
        self._commits: list[Commit] | None = None if process is not None else \
            (_from_kept(kept) if kept is not None else [])
        self._reading = threading.Lock()  # the timelines ask from a thread of their own

    @classmethod
    def start(cls, root: Path) -> GitLog:
        """Start reading the history in the background: only the commits after
        the kept history's, when there is one (git_cache.py)."""
        prefix = _git_text(root, ["rev-parse", "--show-prefix"])
        if prefix is None:
            return cls(root)
        prefix, head = prefix.strip(), git_head(root)
        kept = git_cache.load(root) if head is not None else None
        if kept is not None and (kept.prefix != prefix or not _is_ancestor(root, kept.head)):
            kept = None  # another folder, or a rewritten history: read it all
        if kept is not None and kept.head == head:
            return cls(root, prefix, head, kept=kept)
        since = [f"{kept.head}..HEAD"] if kept is not None else []
        output = tempfile.TemporaryFile()  # noqa: SIM115 - git writes it while we check
        try:
            process = subprocess.Popen(
                ["git", "-c", "core.quotePath=false", "-C", str(root), "log", "--no-renames",
                 "--no-color", "--raw", "--no-abbrev", "--format=%x00%cI%x00%an", *since],
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.DEVNULL)
        except OSError:
            output.close()
            return cls(root)
        return cls(root, prefix, head, process, output, kept)

    def commits(self) -> list[Commit]:
        """Every commit touching the portal's folder, newest first."""
        with self._reading:
            if self._commits is None:
                self._commits = self._read() + (_from_kept(self._kept) if self._kept else [])
            return self._commits

    def last_changed(self, folders: Iterable[str]) -> dict[str, dt.date]:
        """Path -> the date of the last commit that touched it, for every path
        under `folders` (each ending in "/") that a commit touched."""
        starts = tuple(folders)
        changed: dict[str, dt.date] = {}
        for commit in self.commits():
            for path, _ in commit.files:
                if path not in changed and path.startswith(starts):
                    changed[path] = commit.date
        return changed

    def statuses(self, blobs: Iterable[str], scan: Callable[[str], str | None]
                 ) -> dict[str, str | None]:
        """Each blob's `scan` of its text (an insight version's decision status):
        the kept ones as kept, the rest read in one `git cat-file --batch`. The
        history is then kept for the next run."""
        known = dict(self._kept.statuses) if self._kept is not None else {}
        missing = {blob for blob in blobs if blob not in known}
        for name, text in read_blobs(self.root, missing).items():
            known[name] = scan(text.decode("utf-8", "replace"))
        unchanged = self._kept is not None and self._kept.head == self._head and not missing
        if not unchanged and self._head is not None and self._prefix is not None:
            git_cache.save(self.root, KeptHistory(
                self._prefix, self._head,
                [(c.date, c.author, c.files) for c in self.commits()], known))
        return known

    def _read(self) -> list[Commit]:
        assert self._process is not None and self._output is not None
        try:
            self._process.wait(timeout=_TIMEOUT_S)
            self._output.seek(0)
            text = self._output.read().decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError):
            self._process.kill()
            return []
        finally:
            self._output.close()
        if self._process.returncode != 0:
            return []
        return _parse(text, self._prefix or "")


def _from_kept(kept: KeptHistory) -> list[Commit]:
    return [Commit(date, author, files) for date, author, files in kept.commits]


def _is_ancestor(root: Path, commit: str) -> bool:
    try:
        return subprocess.run(["git", "-C", str(root), "merge-base", "--is-ancestor", commit,
                               "HEAD"], capture_output=True, check=False,
                              timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _parse(text: str, prefix: str) -> list[Commit]:
    # After the leading separator, parts alternate: a date, then the author
    # followed by the commit's raw lines.
    parts = text.split("\x00")[1:]
    commits: list[Commit] = []
    cut = len(prefix)
    for index in range(0, len(parts) - 1, 2):
        try:
            date = dt.datetime.fromisoformat(parts[index].strip()).date()
        except ValueError:
            continue
        author, _, raw = parts[index + 1].partition("\n")
        files = []
        for line in raw.split("\n"):
            match = _RAW_LINE.match(line)
            if match and match.group(2).startswith(prefix):
                files.append((match.group(2)[cut:], match.group(1)))
        if files:
            commits.append(Commit(date, author.strip(), tuple(files)))
    return commits


def _git_text(root: Path, arguments: list[str]) -> str | None:
    try:
        completed = subprocess.run(["git", "-C", str(root), *arguments], capture_output=True,
                                   text=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout if completed.returncode == 0 else None


def git_head(root: Path) -> str | None:
    """The commit checked out (None outside a repository, or before a first commit)."""
    head = _git_text(root, ["rev-parse", "--verify", "-q", "HEAD"])
    return head.strip() if head else None


def read_blobs(root: Path, names: Iterable[str]) -> dict[str, bytes]:
    """The blobs named, read in one `git cat-file --batch` (those git lacks, as a
    shallow clone would, are left out)."""
    wanted = "".join(f"{name}\n" for name in names)
    if not wanted:
        return {}
    try:
        completed = subprocess.run(["git", "-C", str(root), "cat-file", "--batch"],
                                   input=wanted.encode(), capture_output=True, check=False,
                                   timeout=_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return {}
    output, found, position = completed.stdout, {}, 0
    while position < len(output):
        header_end = output.find(b"\n", position)
        if header_end < 0:
            break
        name, kind, size = (output[position:header_end].split(b" ") + [b"", b""])[:3]
        position = header_end + 1
        if kind != b"blob" or not size.isdigit():
            continue  # "<name> missing"
        found[name.decode()] = output[position:position + int(size)]
        position += int(size) + 1  # the blob, then a newline
    return found
