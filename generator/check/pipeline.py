"""load → validate → catalog, for a whole portal: the one check pipeline.

`portal check`, the build and the preview all run a `Checker`. Knows nothing of
MkDocs or the terminal: the CLI and the MkDocs plugin are thin adapters on top.

Each file's own result (parse, fields, body) comes, cheapest first, from
memory (a `Checker` kept alive by `portal serve`), from `.portal-cache/` (see
cache.py), or from checking it afresh on every core; the corpus pass (links,
backlinks, ages) then runs over all of them — or, for `portal check`, is reused
from the cache when nothing it reads changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.catalog import Catalog
from ..core.config import PortalConfig, load_config
from ..core.loader import SourceFile, discover, read_source, unreadable
from ..core.model import Entry
from ..core.problems import Problem, promote_warnings
from ..core.validate.corpus import check_corpus, check_hand_written
from .cache import CacheCorrupt, CachedResult, CheckCache, Signature, content_hash
from .cache_codec import decode_corpus, encode_corpus
from .parallel import beside
from .result import PortalResult

if TYPE_CHECKING:  # the validators load only when a file needs them (see _check_pending)
    from .file_pass import FileResult


def check_portal(root: Path, today: dt.date, strict: bool = False,
                 use_cache: bool = True, need_catalog: bool = True) -> PortalResult:
    """Every problem in the portal at `root`, never stopping at the first (one run).

    With `need_catalog=False` (`portal check`), a re-check whose files changed
    only in body text reuses the last corpus pass instead of loading every
    entry: the result's catalog is then None.
    """
    return Checker(root, use_cache=use_cache).run(today, strict=strict,
                                                  need_catalog=need_catalog)


@dataclass(slots=True)
class _Known:
    """A file's result as the last run of a kept `Checker` left it."""
    signature: Signature
    digest: str
    result: FileResult


# A file's result while a run gathers them: known to a kept checker (decoded
# already), or as the cache stores it (decoded only if the run needs entries).
_Gathered = _Known | CachedResult


@dataclass(slots=True)
class _Pending:
    """A file to check afresh: its place in the run's list, and its bytes (None:
    the worker checking it reads them)."""
    index: int
    source: SourceFile
    raw: bytes | None
    signature: Signature


class Checker:
    """The check of the portal at `root`.

    `keep=False` (`portal check`, the build): one run, per-file results from and
    to `.portal-cache/`. `keep=True` (`portal serve`): results are also kept in
    memory, next to each file's signature and content hash, so a re-run after a
    save reads only the files that changed (or that the watcher named) and
    checks only those whose content changed; the disk cache serves the first run.
    """

    def __init__(self, root: Path, use_cache: bool = True, keep: bool = False) -> None:
        self.root = root
        self.use_cache = use_cache
        self.keep = keep
        self.rechecked = 0  # files checked afresh (not from memory or cache) in the last run
        self._real_root = os.path.realpath(root)
        self._config: PortalConfig | None = None
        self._files: list[SourceFile] | None = None
        self._listing_problems: list[Problem] = []
        self._rels: set[str] = set()
        self._known: dict[str, _Known] = {}

    def run(self, today: dt.date, strict: bool = False, need_catalog: bool = True,
            touched: Collection[str] | None = None, rescan: bool = False) -> PortalResult:
        """Check the portal. `touched` (kept checkers): the paths the file watcher
        saw change — only those are looked at again (None: every file's signature
        is compared). `rescan`: list the files again (a folder was created, moved
        or deleted); a file created or deleted among `touched` does that by itself."""
        try:
            return self._run(today, strict, need_catalog, touched, rescan, fresh_cache=False)
        except CacheCorrupt:
            # A stored result did not verify or decode (see cache.py): check as if
            # there were no cache, and write it anew.
            self._known = {}
            return self._run(today, strict, need_catalog, None, True, fresh_cache=True)

    def _run(self, today: dt.date, strict: bool, need_catalog: bool,
             touched: Collection[str] | None, rescan: bool, fresh_cache: bool) -> PortalResult:
        config, problems = load_config(self.root)
        if config != self._config:  # the options decide per-file results: start afresh
            self._config, self._known, touched = config, {}, None
        changed = None if touched is None else {self._rel(path) for path in touched}
        files = self._list(changed, rescan)
        problems.extend(self._listing_problems)
        # A kept checker reads the disk cache on its first run only: after that,
        # memory knows more, and opening the cache costs seconds at 10,000 files.
        cache = CheckCache.open(self.root, config, enabled=self.use_cache and not self._known,
                                fresh=fresh_cache)
        run = _Run(files, cache)
        self._gather(run, changed, problems)
        self._check_pending(run, config)
        corpus_key = _corpus_key(run, config, today)

        catalog: Catalog | None = None
        reused = None if need_catalog or corpus_key is None else _reuse_corpus(cache, corpus_key,
                                                                               self.root)
        if reused is not None:
            for source in files:
                problems.extend(cache.summary(source.rel)[1])  # type: ignore[index]
            problems.extend(reused)
        else:
            entries = self._entries(run, problems)
            probes: dict[str, bool] = {}
            catalog, corpus_problems = _without_collection(
                check_corpus, entries, files, self.root, config, today, probes, beside)
            problems.extend(corpus_problems)
            if corpus_key is not None:
                cache.corpus = (corpus_key, encode_corpus(corpus_problems, probes))
        cache.save()
        problems.extend(check_hand_written(self.root, files))  # docs/: a few pages, read afresh
        if strict:
            problems = promote_warnings(problems)
        problems.sort(key=Problem.sort_key)
        return PortalResult(self.root, config, catalog, problems, len(files),
                            cache.hits + run.remembered)

    # --- the files and their own results -----------------------------------------------

    def _list(self, changed: set[str] | None, rescan: bool) -> list[SourceFile]:
        """The portal's files: listed again unless a kept checker knows that none
        was created, moved or deleted."""
        if self._files is None or not self.keep or changed is None or rescan \
                or self._created_or_deleted(changed):
            self._listing_problems = []
            self._files = discover(self.root, self._listing_problems)
            self._rels = {source.rel for source in self._files}
        return self._files

    def _gather(self, run: _Run, changed: set[str] | None, problems: list[Problem]) -> None:
        """Each file's result from memory or the cache where its content is known;
        the rest, to check afresh. A file that cannot be read is a problem and
        drops out of the run (or, read by a worker, stays in it with that problem
        as its result, never cached)."""
        for source in run.files:
            previous = self._known.get(source.rel)
            if previous is not None and changed is not None and source.rel not in changed:
                run.remember(source, previous)  # the watcher saw no change
                continue
            try:
                stat = os.stat(source.file)
                signature = (stat.st_mtime_ns, stat.st_size)
                if previous is not None and previous.signature == signature \
                        and changed is None:
                    run.remember(source, previous)
                    continue
                # A kept checker reads every file once, to know its content hash.
                blob = None if self.keep else run.cache.unchanged(source.rel, signature)
                if blob is None and not self.keep and not run.cache.knows(source.rel):
                    # Nothing to compare its content with: the worker checking it reads it.
                    run.pending.append(_Pending(len(run.gathered), source, None, signature))
                elif blob is None:
                    raw = read_source(source.file)
                    digest = content_hash(raw)
                    if previous is not None and previous.digest == digest:
                        run.remember(source, _Known(signature, digest, previous.result))
                        continue
                    blob = run.cache.get(source.rel, digest, signature)
                    if blob is None:
                        run.pending.append(_Pending(len(run.gathered), source, raw,
                                                    signature))
                    if self.keep:
                        run.facts[len(run.gathered)] = (signature, digest)
            except OSError as error:
                problems.append(unreadable(source.rel, error))
                continue
            run.add(source, blob)  # None until checked, for a pending file

    def _check_pending(self, run: _Run, config: PortalConfig) -> None:
        """Check the files nobody knew, on every core; the cache keeps them. Each
        result is decoded here as soon as it comes, while the workers check the
        next files (the corpus pass needs them decoded, and this process would
        otherwise wait)."""
        self.rechecked = len(run.pending)
        if not run.pending:
            return
        # The validators load only when a file needs them (not for a re-check of
        # an unchanged portal).
        from .file_pass import check_files_summarised, load_result

        checked = check_files_summarised([item.source for item in run.pending],
                                         [item.raw for item in run.pending], config)
        with _collection_paused():
            for item, (digest, blob, summary) in zip(run.pending, checked, strict=True):
                run.gathered[item.index] = blob
                run.decoded[item.index] = load_result(blob)
                if digest is not None:  # None: the worker could not read the file
                    run.cache.put(item.source.rel, digest, item.signature, blob, summary)

    def _entries(self, run: _Run, problems: list[Problem]) -> list[Entry]:
        """Every file's entry, decoded where the cache gave bytes; their own
        problems go to `problems`. A kept checker remembers them all."""
        from .file_pass import load_result

        entries: list[Entry] = []
        known: dict[str, _Known] = {}
        with _collection_paused():
            for index, item in enumerate(run.gathered):
                if isinstance(item, _Known):
                    result = item.result
                else:
                    assert item is not None  # every file is now either known or checked
                    result = run.decoded.get(index) or load_result(run.cache.result(item))
                    if self.keep:
                        item = _Known(*run.facts[index], result)
                if self.keep:
                    known[run.rels[index]] = item  # type: ignore[assignment]
                entry, file_problems = result
                problems.extend(file_problems)
                if entry is not None:
                    entries.append(entry)
        if self.keep:
            self._known = known
        return entries

    def _rel(self, path: str) -> str:
        """A watcher's path as the portal-relative posix path discover() reports."""
        return Path(os.path.relpath(os.path.realpath(path), self._real_root)).as_posix()

    def _created_or_deleted(self, changed: set[str]) -> bool:
        """Whether the list of files may have changed: a Markdown file appeared that
        is not listed (a file, a link or a pipe: discover judges), or a listed one is
        gone. (Saving in place, or an editor's
        save by renaming over the file, keeps the list.)"""
        return any(rel.endswith(".md") and (rel in self._rels) != os.path.lexists(self.root / rel)
                   for rel in changed)


@dataclass(slots=True)
class _Run:
    """What one run gathers, file by file, in the order discover() listed them
    (a file that cannot be read drops out)."""
    files: list[SourceFile]
    cache: CheckCache
    gathered: list[_Gathered | None] = field(default_factory=list)
    rels: list[str] = field(default_factory=list)
    pending: list[_Pending] = field(default_factory=list)
    facts: dict[int, tuple[Signature, str]] = field(default_factory=dict)  # index -> read as
    decoded: dict[int, FileResult] = field(default_factory=dict)  # index -> checked afresh
    remembered: int = 0  # results a kept checker had in memory

    def add(self, source: SourceFile, result: _Gathered | None) -> None:
        self.gathered.append(result)
        self.rels.append(source.rel)

    def remember(self, source: SourceFile, known: _Known) -> None:
        self.add(source, known)
        self.remembered += 1


def _corpus_key(run: _Run, config: PortalConfig, today: dt.date) -> str | None:
    """Everything the corpus pass reads: each file's path and entry without its
    body (the summary's digest), the reminder thresholds, and today. None when a
    file has no summary (it was read from memory, or could not be read)."""
    summaries = [run.cache.summary(source.rel) for source in run.files]
    if len(run.gathered) != len(run.files) or any(summary is None for summary in summaries):
        return None
    digest = hashlib.sha256(f"{today.isoformat()}|{config.undecided_after_days}|"
                            f"{config.persona_review_after_days}".encode())
    for source, summary in zip(run.files, summaries, strict=True):
        digest.update(f"\n{source.rel}|{summary[0]}".encode())  # type: ignore[index]
    return digest.hexdigest()


def _without_collection(function: Any, *args: Any) -> Any:
    """`function(*args)` with the garbage collector paused (see _collection_paused)."""
    with _collection_paused():
        return function(*args)


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """The garbage collector paused: decoding 10,000 entries creates about a million
    objects, and the corpus pass builds the catalog, line maps and problems over
    them; none of them is garbage, and a full collection in the middle re-scans
    them all (decoding: 0.65 s -> 0.35 s at 10,000 insights)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _reuse_corpus(cache: CheckCache, key: str, root: Path) -> list[Problem] | None:
    """The last corpus pass's problems if its inputs are unchanged — including
    the files outside the content folders that body links point to."""
    if cache.corpus is None or cache.corpus[0] != key:
        return None
    try:
        corpus_problems, probes = decode_corpus(cache.corpus[1])
        if any((root / path).exists() != existed for path, existed in probes.items()):
            return None
    except ValueError:  # not a stored corpus pass (CacheCorrupt), or a path no file has
        return None  # run the corpus pass again
    return corpus_problems
