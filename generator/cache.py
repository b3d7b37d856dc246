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

The folder is safe to delete at any time; a cache that cannot be read is
ignored, and one written by another validator version or configuration is
discarded as a whole.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import PortalConfig

CACHE_DIR = ".portal-cache"
CACHE_FILE = "check.pickle"
JOURNAL_FILE = "check.journal"
# Append to the journal while the change is at most this share of the files...
JOURNAL_MAX_CHANGED = 1 / 20
# ...and the journal stays below this share of the main file's size.
JOURNAL_MAX_SIZE = 1 / 4
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError,
               AttributeError, ImportError, IndexError, KeyError, MemoryError)

# The modules whose code decides the per-file result: editing any of them
# changes the fingerprint and so invalidates every cached result.
_VALIDATOR_MODULES = ("loader.py", "model.py", "schema.py", "problems.py", "suggest.py",
                      "catalog.py", "validate/corpus.py", "file_pass.py",
                      "config.py", "validate/fields.py", "validate/entries.py",
                      "validate/body.py", "validate/personal_data.py", "sanitize.py")


def validator_fingerprint() -> str:
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for name in _VALIDATOR_MODULES:
        module = package / name
        if module.exists():
            digest.update(module.read_bytes())
    return digest.hexdigest()


def config_fingerprint(config: PortalConfig) -> str:
    relevant = (sorted(config.teams) if config.teams is not None else None,
                sorted(config.tags) if config.tags is not None else None,
                [pattern.pattern for pattern in config.personal_data_allow])
    return hashlib.sha256(repr(relevant).encode()).hexdigest()


def content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


# A file's result as file_pass pickled it: stored and loaded as plain bytes,
# so saving the cache never pickles a result a second time. In the main file
# the bytes are a (start, length) slice of the results file, read only when a
# run needs them (see `result`): a re-check whose corpus pass is reused never does.
CachedResult = bytes | tuple[int, int]
Signature = tuple[int, int]  # a file's modification time (ns) and size
# What the corpus pass needs to know of a file without unpickling its entry: a
# digest of everything in the entry but its body text, and its own problems.
Summary = tuple[str, bytes]
Record = tuple[str, Signature, CachedResult, "Summary | None"]


@dataclass
class CheckCache:
    """Per-file results for one run: looked up by path and content hash."""

    path: Path | None  # None: caching is off
    key: str
    entries: dict[str, Record] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    # The corpus pass's last result: (its inputs' key, pickled problems and probes).
    corpus: tuple[str, bytes] | None = None
    _fresh: dict[str, Record] = field(default_factory=dict)
    _stored_corpus: tuple[str, bytes] | None = None
    _main_size: int = 0  # bytes of the main and results files, 0 when there were none
    _journal_size: int = 0
    # The results file, opened with the main file: another run may replace and
    # delete it meanwhile, and an open file stays readable.
    _results_file: io.BufferedReader | None = None
    _results: bytes | None = None  # its bytes, once a run needed them

    @classmethod
    def open(cls, root: Path, config: PortalConfig, enabled: bool = True) -> CheckCache:
        key = f"{validator_fingerprint()}:{config_fingerprint(config)}"
        if not enabled:
            return cls(None, key)
        path = root / CACHE_DIR / CACHE_FILE
        cache = cls(path, key)
        try:
            with path.open("rb") as stream:
                stored_key, entries, corpus, results_name, results_size = \
                    pickle.load(stream)  # noqa: S301 - ours
                size = stream.tell()
            if stored_key == key:
                results = path.with_name(results_name).open("rb")
                # A results file that is not the one the main file was written
                # with (an interrupted rewrite): nothing in it can be trusted.
                if os.fstat(results.fileno()).st_size != results_size:
                    results.close()
                    return cache
                cache.entries, cache.corpus = entries, corpus
                cache._main_size, cache._results_file = size + results_size, results
                cache._read_journal()
                cache._stored_corpus = cache.corpus
        except _UNREADABLE:
            pass  # no cache yet, or unreadable: start afresh
        return cache

    def _read_journal(self) -> None:
        """Apply the journal's frames in order; stop at the first unreadable one
        (a run that was interrupted while appending)."""
        assert self.path is not None
        try:
            data = self.path.with_name(JOURNAL_FILE).read_bytes()
        except OSError:
            return
        stream = io.BytesIO(data)
        while stream.tell() < len(data):
            try:
                key, updates, removed, corpus_changed, corpus = pickle.load(stream)  # noqa: S301
            except _UNREADABLE:
                break
            if key != self.key:
                continue
            self.entries.update(updates)
            for rel in removed:
                self.entries.pop(rel, None)
            if corpus_changed:
                self.corpus = corpus
        self._journal_size = len(data)

    def result(self, stored: CachedResult) -> bytes:
        """The bytes of a result `unchanged` or `get` returned."""
        if isinstance(stored, bytes):
            return stored
        if self._results is None:
            assert self._results_file is not None
            self._results = self._results_file.read()  # once: one read of all
        start, length = stored
        return self._results[start:start + length]

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

    def save(self) -> None:
        """Keep exactly this run's files (deleted files drop out): a few changes
        are appended to the journal, more rewrite the cache (atomic replace)."""
        try:
            self._save()
        finally:
            if self._results_file is not None:
                self._results_file.close()
                self._results_file = None

    def _save(self) -> None:
        if self.path is None:
            return
        updates = {rel: record for rel, record in self._fresh.items()
                   if self.entries.get(rel) is not record}
        removed = [rel for rel in self.entries if rel not in self._fresh]
        if not updates and not removed and self.corpus == self._stored_corpus:
            return
        try:
            if self._main_size and len(updates) + len(removed) \
                    <= max(16, len(self._fresh) * JOURNAL_MAX_CHANGED):
                # Inline bytes only: a journal may outlive the results file its
                # slices would point into.
                updates = {rel: (digest, signature, self.result(stored), summary)
                           for rel, (digest, signature, stored, summary) in updates.items()}
                corpus_changed = self.corpus != self._stored_corpus  # often not: it is large
                frame = pickle.dumps((self.key, updates, removed, corpus_changed,
                                      self.corpus if corpus_changed else None),
                                     protocol=pickle.HIGHEST_PROTOCOL)
                if self._journal_size + len(frame) <= self._main_size * JOURNAL_MAX_SIZE:
                    self._append(frame)
                    return
            self._rewrite()
        except OSError:
            pass  # a read-only checkout still gets checked, just not cached

    def _append(self, frame: bytes) -> None:
        assert self.path is not None
        # One write of the whole frame, appended: concurrent runs do not interleave.
        descriptor = os.open(self.path.with_name(JOURNAL_FILE),
                             os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
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
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        results_name = f"check-{secrets.token_hex(8)}.results"
        records: dict[str, Record] = {}
        start = 0
        with (folder / results_name).open("wb") as stream:
            for rel, (digest, signature, stored, summary) in self._fresh.items():
                blob = self.result(stored)
                stream.write(blob)
                records[rel] = (digest, signature, (start, len(blob)), summary)
                start += len(blob)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as stream:
            pickle.dump((self.key, records, self.corpus, results_name, start), stream,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.path)
        # Its frames are in the new main file now (a crash before this line
        # leaves frames that are merely stale: see the module's docstring).
        self.path.with_name(JOURNAL_FILE).unlink(missing_ok=True)
        for old in folder.glob("check-*.results"):
            if old.name != results_name:
                old.unlink(missing_ok=True)

