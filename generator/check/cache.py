"""A cache of the per-file pass, keyed by each file's content hash.

Checking one file on its own (parse, fields, personal data, body) is most of
the work and depends only on the file's bytes, its path, the plugin options and
the validator's own code — never on other files or on today. So its result is
kept in `.portal-cache/` under the portal root, like ruff or mypy do, and a
re-check after one file changes only re-does that file. The corpus pass always
runs in full.

A file whose modification time and size are those recorded with its result is
not even read again (as ruff and mypy do): a re-check of an unchanged portal
touches only the file system's metadata. Any other file is read and looked up
by its content hash, so touching a file or checking out another branch and
back costs a read, never a re-check.

A re-check after a few files changed does not rewrite the whole cache (tens
of megabytes at 10,000 insights): the changed results are appended to a
journal next to it, which the next run reads after the main file, until the
journal grows to a quarter of the main file and both are written afresh.
Every result is looked up by its file's signature or content hash, so a stale
or half-written journal entry can only cost a re-check, never a wrong result.

The cache is data only — JSON in cache_codec.py's closed set of records, never
pickle, whose loading runs code the file names — and every part of it carries
a SHA-256 of its bytes:

- `check-main.jsonl`: three frames (a header, the records, the last corpus
  pass), each a line `<sha256 hex> <JSON>`;
- `check-journal.jsonl`: frames appended, one per run that changed a few files;
- `check-<random>.results`: the results, one after another, read only when a
  run needs entries; its size and SHA-256 are in the header.

Anything that does not verify or decode means starting afresh: the cache is
discarded and written again, and the check's outcome is what it would have
been without it. A cache that git tracks (committed, say in a pull request,
whose author could forge results) or a `.portal-cache` that is a symbolic link
(our writes would land wherever it points) is neither read nor written, with
one notice on stderr. The folder is safe to delete at any time; one written by
another validator version or configuration is discarded as a whole.

One job, kept whole past 400 lines: the cache's files, how they are written,
verified and refused, are one trust boundary and are best reviewed in one place
(tests/test_cache_safety.py names the modules that read them).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import itertools
import os
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.config import PortalConfig
from ..core.problems import Problem
from . import cache_codec as codec
from .cache_codec import DECODE_ERRORS, Corrupt

CACHE_DIR = ".portal-cache"
CACHE_FILE = "check-main.jsonl"
JOURNAL_FILE = "check-journal.jsonl"
# Written by versions that pickled the cache: never read, deleted by the next rewrite.
OLD_FILES = ("check.pickle", "check.journal")
FORMAT = 2  # of the files above; part of the key, so another format is discarded
# Append to the journal while the change is at most this share of the files...
JOURNAL_MAX_CHANGED = 1 / 20
# ...and the journal stays below this share of the main file's size.
JOURNAL_MAX_SIZE = 1 / 4
_RESULTS_NAME = re.compile(r"check-[0-9a-f]{16}\.results")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_STR, _INT = frozenset({str}), frozenset({int})
_FACTS = frozenset({str, type(None)})
_LIST = frozenset({list})
CacheCorrupt = Corrupt  # what reading a stored result raises when it does not verify

# The code that decides a file's result: the whole core package (a validator
# module added to it is covered the day it lands), the per-file pass and the
# record format. Editing any of it changes the fingerprint, and so invalidates
# every cached result.
_DECIDING = ("core", "check/file_pass.py", "check/cache_codec.py")


def validator_fingerprint() -> str:
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parents[1]  # generator/
    for name in _DECIDING:
        target = package / name
        for module in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(module.relative_to(package).as_posix().encode())
            digest.update(module.read_bytes())
    return digest.hexdigest()


def config_fingerprint(config: PortalConfig) -> str:
    relevant = (sorted(config.teams) if config.teams is not None else None,
                sorted(config.tags) if config.tags is not None else None,
                [pattern.pattern for pattern in config.personal_data_allow])
    return hashlib.sha256(repr(relevant).encode()).hexdigest()


def content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


# A file's result as file_pass encoded it: stored and loaded as plain bytes,
# so saving the cache never encodes a result a second time. In the main file
# the bytes are a (start, length) slice of the results file, read only when a
# run needs them (see `result`): a re-check whose corpus pass is reused never does.
CachedResult = bytes | tuple[int, int]
Signature = tuple[int, int]  # a file's modification time (ns) and size
# What the corpus pass needs to know of a file without decoding its result: a
# digest of everything in the entry but its body text, and its own problems
# (most often none: the empty tuple, which the garbage collector can forget).
Summary = tuple[str, Sequence[Problem]]
Record = tuple[str, Signature, CachedResult, "Summary | None"]


# --- refusing a cache that is not ours -------------------------------------------------

_notified: set[str] = set()


def _notify(message: str) -> None:
    """One line on stderr, once a process (`portal serve` checks again and again)."""
    if message not in _notified:
        _notified.add(message)
        print(message, file=sys.stderr, flush=True)


def _refusal(root: Path) -> str | None:
    """Why the cache folder must be neither read nor written, if it must not."""
    folder = root / CACHE_DIR
    if folder.is_symlink():
        return (f"notice: {CACHE_DIR} is a symbolic link, so the check cache was ignored "
                f"(its files could be written wherever it points); delete the link, the "
                f"portal makes a folder of its own")
    if not folder.exists():
        return None  # nothing to read; a tracked file there would be deleted, not read
    tracked = _tracked_by_git(root)
    if tracked is True:
        return (f"notice: {CACHE_DIR}/ is tracked by git, so the check cache was ignored "
                f"(a cache committed in a pull request could forge check results); remove "
                f"it from git with `git rm -r --cached {CACHE_DIR}` in the portal root")
    if isinstance(tracked, str):
        return (f"notice: git could not tell whether {CACHE_DIR}/ is tracked ({tracked}), "
                f"so the check cache was ignored")
    return None


def usable_folder(root: Path) -> Path | None:
    """The portal's cache folder for another cache than the check's (the git
    history's): None when it must be neither read nor written, as for the check's
    (a symbolic link, or tracked by git; said once on stderr). Created, with its
    .gitignore, when it is missing."""
    refusal = _refusal(root)
    if refusal is not None:
        _notify(refusal)
        return None
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        _write_gitignore(folder)
    except OSError:
        return None  # a read-only checkout: nothing is cached
    return folder


def _tracked_by_git(root: Path) -> bool | str:
    """Whether git tracks a file under the cache folder: False also without git or
    outside a repository; git's complaint when it fails inside one (say, a checkout
    owned by another user), so that failing is never taken for 'not tracked'."""
    if not _in_repository(root):
        return False  # and no git to start, nor subprocess to import, on every re-check
    import subprocess

    try:
        done = subprocess.run(["git", "ls-files", "-z", "--", CACHE_DIR], cwd=root,
                              capture_output=True, timeout=60, check=False,
                              env={**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"})
    except FileNotFoundError:
        return False  # no git here: nothing can say that it is tracked
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)
    if done.returncode == 0:
        return bool(done.stdout)
    complaint = done.stderr.decode(errors="replace").strip().splitlines()
    return complaint[0] if complaint else f"exit status {done.returncode}"


def _in_repository(root: Path) -> bool:
    """Whether git would find a repository for `root`, as it looks for one."""
    if os.environ.get("GIT_DIR"):
        return True
    return any((folder / ".git").exists() for folder in (root, *root.resolve().parents))


# --- frames: a line of JSON after the SHA-256 of its text ------------------------------

def _frame(value: Any) -> bytes:
    return _frame_bytes(codec.dumps(value))


def _frame_bytes(body: bytes) -> bytes:
    return hashlib.sha256(body).hexdigest().encode() + b" " + body + b"\n"


def _unframe(line: bytes) -> Any:
    """The value a frame holds; Corrupt unless its bytes verify (a flipped byte,
    a torn write)."""
    return codec.loads(_verified(line))


def _verified(line: bytes) -> bytes:
    body = line[65:]
    if line[64:65] != b" " or hashlib.sha256(body).hexdigest().encode() != line[:64]:
        raise Corrupt("a cache frame does not verify")
    return body


def _read(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(descriptor, "rb") as stream:
        return stream.read()


def _summary(facts: Any, problems: Any) -> Summary | None:
    if facts is None:
        return None
    if type(facts) is not str:
        raise Corrupt("not a stored summary")
    return facts, codec.decode_problems(problems) if problems != [] else ()


@dataclass
class CheckCache:
    """Per-file results for one run: looked up by path and content hash."""

    path: Path | None  # None: caching is off
    key: str
    entries: dict[str, Record] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    # The corpus pass's last result: (its inputs' key, its problems and probes encoded).
    corpus: tuple[str, bytes] | None = None
    _fresh: dict[str, Record] = field(default_factory=dict)
    _stored_corpus: tuple[str, bytes] | None = None
    _main_size: int = 0  # bytes of the main and results files, 0 when there were none
    _journal_size: int = 0
    # The results file, opened with the main file: another run may replace and
    # delete it meanwhile, and an open file stays readable.
    _results_file: io.BufferedReader | None = None
    _results_digest: str = ""  # its SHA-256, checked when it is read
    _results: bytes | None = None  # its bytes, once a run needed them

    @classmethod
    def open(cls, root: Path, config: PortalConfig, enabled: bool = True,
             fresh: bool = False) -> CheckCache:
        """The cache under `root`; with `fresh`, one that reads nothing stored and
        replaces it when saved (a stored result turned out not to verify)."""
        key = f"{FORMAT}:{validator_fingerprint()}:{config_fingerprint(config)}"
        if not enabled:
            return cls(None, key)
        refusal = _refusal(root)
        if refusal is not None:
            _notify(refusal)
            return cls(None, key)
        cache = cls(root / CACHE_DIR / CACHE_FILE, key)
        if fresh:
            return cache
        # Tens of thousands of lasting objects and no garbage: without this the
        # collector scans them again and again.
        collecting = gc.isenabled()
        gc.disable()
        try:
            cache._load()
        except (OSError, *DECODE_ERRORS):
            cache.close()
            cache = cls(cache.path, key)  # no cache yet, or not ours: start afresh
        finally:
            if collecting:
                gc.enable()
        return cache

    def _load(self) -> None:
        assert self.path is not None
        data = _read(self.path)
        lines = data.split(b"\n")
        if len(lines) != 4 or lines[3]:
            raise Corrupt("not a main cache file")
        header = _unframe(lines[0])
        if type(header) is not dict or header.get("key") != self.key:
            return  # another version or configuration: start afresh
        # The corpus pass's result stays as it is, decoded only if a run reuses it.
        columns, corpus = _unframe(lines[1]), _verified(lines[2])
        entries = self._records(columns)
        corpus_key, results_name = header["corpus"], header["results"]
        results_size, results_digest = header["results_size"], header["results_sha256"]
        if not (isinstance(results_name, str) and _RESULTS_NAME.fullmatch(results_name)
                and type(results_size) is int and type(results_digest) is str
                and (corpus_key is None or type(corpus_key) is str)):
            raise Corrupt("not a main cache file's header")
        descriptor = os.open(self.path.with_name(results_name), os.O_RDONLY | _NOFOLLOW)
        results = os.fdopen(descriptor, "rb")
        # A results file that is not the one the main file was written with (an
        # interrupted rewrite): nothing in it can be trusted.
        if os.fstat(results.fileno()).st_size != results_size:
            results.close()
            return
        self.entries = entries
        self.corpus = None if corpus_key is None else (corpus_key, corpus)
        self._main_size, self._results_file = len(data) + results_size, results
        self._results_digest = results_digest
        self._read_journal()
        self._stored_corpus = self.corpus

    @staticmethod
    def _records(columns: Any) -> dict[str, Record]:
        """The main file's records, written column by column: checked and zipped
        together without a Python step per file (10,000 of them)."""
        if type(columns) is not dict:
            raise Corrupt("not the main cache file's records")
        paths, digests, facts, problems = (columns["paths"], columns["digests"],
                                           columns["facts"], columns["problems"])
        numbers = [columns[name] for name in ("mtimes", "sizes", "starts", "lengths")]
        count = len(paths)
        for column, allowed in ((paths, _STR), (digests, _STR), (facts, _FACTS),
                                *((column, _INT) for column in numbers)):
            if type(column) is not list or len(column) != count \
                    or not allowed.issuperset(map(type, column)):
                raise Corrupt("not the main cache file's records")
        if type(problems) is not list or len(problems) != count \
                or not _LIST.issuperset(map(type, problems)):
            raise Corrupt("not the main cache file's records")
        mtimes, sizes, starts, lengths = numbers
        # Most files have no problems of their own: only the others are decoded.
        summaries: list[Summary | None] = list(zip(facts, itertools.repeat(())))
        for index in itertools.compress(range(count), problems):
            summaries[index] = _summary(facts[index], problems[index])
        if None in facts:  # a result stored without a summary
            for index in itertools.compress(range(count), [fact is None for fact in facts]):
                summaries[index] = None
        return dict(zip(paths, zip(digests, zip(mtimes, sizes, strict=True),
                                   zip(starts, lengths, strict=True), summaries, strict=True),
                        strict=True))

    def _read_journal(self) -> None:
        """Apply the journal's frames in order, leaving out any that does not verify
        (a run that was interrupted while appending)."""
        assert self.path is not None
        try:
            data = _read(self.path.with_name(JOURNAL_FILE))
        except OSError:
            return
        lines = data.split(b"\n")[:-1]  # the last piece has no line end: torn
        position = 0
        while position < len(lines):
            line = lines[position]
            position += 1
            try:
                key, rows, removed, corpus_changed, corpus_key = _unframe(line)
                corpus = None
                if corpus_key is not None:  # its result is the next frame, kept as it is
                    if type(corpus_key) is not str or position == len(lines):
                        raise Corrupt("not a journal frame")
                    corpus = (corpus_key, _verified(lines[position]))
                    position += 1
                if key != self.key:
                    continue
                updates = dict(map(self._journal_record, rows))
                if type(removed) is not list or not _STR.issuperset(map(type, removed)) \
                        or type(corpus_changed) is not bool:
                    raise Corrupt("not a journal frame")
            except DECODE_ERRORS:
                continue
            self.entries.update(updates)
            for rel in removed:
                self.entries.pop(rel, None)
            if corpus_changed:
                self.corpus = corpus
        self._journal_size = len(data)

    @staticmethod
    def _journal_record(row: Any) -> tuple[str, Record]:
        rel, digest, mtime, size, blob, facts, problems = row
        if not (type(rel) is type(digest) is type(blob) is str
                and type(mtime) is type(size) is int):
            raise Corrupt("not a journal record")
        # latin-1: the result's bytes, one character each, as `_append` wrote them.
        return rel, (digest, (mtime, size), blob.encode("latin-1"), _summary(facts, problems))

    def result(self, stored: CachedResult) -> bytes:
        """The bytes of a result `unchanged` or `get` returned; Corrupt when the
        results file does not verify (the run must start afresh)."""
        if isinstance(stored, bytes):
            return stored
        if self._results is None:
            if self._results_file is None:
                raise Corrupt("no results file")
            data = self._results_file.read()  # once: one read of all
            if hashlib.sha256(data).hexdigest() != self._results_digest:
                self.close()
                raise Corrupt("the results file does not verify")
            self._results = data
        start, length = stored
        return self._results[start:start + length]

    def knows(self, rel: str) -> bool:
        """Whether the cache holds a result for `rel`, of any content."""
        return rel in self.entries

    def unchanged(self, rel: str, signature: Signature) -> CachedResult | None:
        """The result for a file whose modification time and size did not change."""
        stored = self.entries.get(rel)
        if stored is not None and stored[1] == signature:
            self.hits += 1
            self._fresh[rel] = stored
            return stored[2]
        return None

    def get(self, rel: str, digest: str, signature: Signature) -> CachedResult | None:
        """The result for a file with this content; misses are counted."""
        stored = self.entries.get(rel)
        if stored is not None and stored[0] == digest:
            self.hits += 1
            self._fresh[rel] = (digest, signature, stored[2], stored[3])
            return stored[2]
        self.misses += 1
        return None

    def put(self, rel: str, digest: str, signature: Signature, result: CachedResult,
            summary: Summary | None = None) -> None:
        self._fresh[rel] = (digest, signature, result, summary)

    def summary(self, rel: str) -> Summary | None:
        """The summary stored with this run's result for `rel`, if any."""
        record = self._fresh.get(rel)
        return record[3] if record is not None else None

    def close(self) -> None:
        if self._results_file is not None:
            self._results_file.close()
            self._results_file = None

    def save(self) -> None:
        """Keep exactly this run's files (deleted files drop out): a few changes
        are appended to the journal, more rewrite the cache (atomic replace)."""
        try:
            self._save()
        except Corrupt:
            # A result to keep was in a results file that no longer verifies:
            # the next run starts afresh.
            assert self.path is not None
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only checkout still gets checked, just not cached
        finally:
            self.close()

    def _save(self) -> None:
        if self.path is None:
            return
        updates = {rel: record for rel, record in self._fresh.items()
                   if self.entries.get(rel) is not record}
        removed = [rel for rel in self.entries if rel not in self._fresh]
        if not updates and not removed and self.corpus == self._stored_corpus:
            return
        if self._main_size and len(updates) + len(removed) \
                <= max(16, len(self._fresh) * JOURNAL_MAX_CHANGED):
            # Inline bytes only: a journal may outlive the results file its
            # slices would point into.
            rows = [[rel, digest, *signature, self.result(stored).decode("latin-1"),
                     *(summary or (None, []))]
                    for rel, (digest, signature, stored, summary) in updates.items()]
            corpus_changed = self.corpus != self._stored_corpus  # often not: it is large
            corpus = self.corpus if corpus_changed else None
            frame = _frame([self.key, rows, removed, corpus_changed,
                            None if corpus is None else corpus[0]])
            if corpus is not None:  # as it is, on a line of its own: it is large
                frame += _frame_bytes(corpus[1])
            if self._journal_size + len(frame) <= self._main_size * JOURNAL_MAX_SIZE:
                self._append(frame)
                return
        self._rewrite()

    def _append(self, frame: bytes) -> None:
        assert self.path is not None
        # One write of the whole frame, appended: concurrent runs do not interleave.
        descriptor = os.open(self.path.with_name(JOURNAL_FILE),
                             os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o644)
        try:
            os.write(descriptor, frame)
        finally:
            os.close(descriptor)

    def _rewrite(self) -> None:
        """A new results file under a new name, then the main file naming it
        (atomic replace), then the journal and older results files go."""
        assert self.path is not None
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        _write_gitignore(folder)
        results_name = f"check-{secrets.token_hex(8)}.results"
        columns: dict[str, list[Any]] = {name: [] for name in (
            "paths", "digests", "mtimes", "sizes", "starts", "lengths", "facts", "problems")}
        digest = hashlib.sha256()
        start = 0
        with (folder / results_name).open("xb") as stream:
            for rel, (content, signature, stored, summary) in self._fresh.items():
                blob = self.result(stored)
                stream.write(blob)
                digest.update(blob)
                for name, value in zip(columns, (rel, content, *signature, start, len(blob),
                                                 *(summary or (None, []))), strict=True):
                    columns[name].append(value)
                start += len(blob)
        header = {"key": self.key, "results": results_name, "results_size": start,
                  "results_sha256": digest.hexdigest(),
                  "corpus": None if self.corpus is None else self.corpus[0]}
        corpus = b"null" if self.corpus is None else self.corpus[1]
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)  # a crashed run's, or a link: never written through
        with temporary.open("xb") as stream:
            stream.write(_frame(header) + _frame(columns) + _frame_bytes(corpus))
        os.replace(temporary, self.path)
        # Its frames are in the new main file now (a crash before this line
        # leaves frames that are merely stale: see the module's docstring).
        self.path.with_name(JOURNAL_FILE).unlink(missing_ok=True)
        for old in folder.glob("check-*.results"):
            if old.name != results_name:
                old.unlink(missing_ok=True)
        for name in OLD_FILES:
            (folder / name).unlink(missing_ok=True)


def _write_gitignore(folder: Path) -> None:
    """`*` in the folder's .gitignore, so `git add .` never picks the cache up (never
    following a link there)."""
    try:
        descriptor = os.open(folder / ".gitignore",
                             os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write("*\n")
