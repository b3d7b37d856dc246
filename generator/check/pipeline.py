"""load → validate → catalog, for a whole portal. Knows nothing of MkDocs or the
terminal: the CLI and the MkDocs plugin are thin adapters on top of this.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.catalog import Catalog
from ..core.config import PortalConfig, load_config
from ..core.loader import SourceFile, discover, read_source
from ..core.model import Entry
from ..core.problems import Problem, Severity, make_problem, promote_warnings
from ..core.validate.corpus import check_corpus, check_hand_written
from .cache import CacheCorrupt, CachedResult, CheckCache, Signature, content_hash
from .cache_codec import decode_corpus, encode_corpus


@dataclass(slots=True)
class PortalResult:
    root: Path
    config: PortalConfig
    catalog: Catalog | None  # None when check_portal(need_catalog=False) reused the corpus pass
    problems: list[Problem]  # sorted by path and line
    files_checked: int
    cached_files: int = 0  # files whose per-file result came from the cache

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        """Warnings about files (--strict makes them errors); reminders not included."""
        return sum(p.severity is Severity.WARNING and not p.is_reminder for p in self.problems)

    @property
    def reminders(self) -> int:
        return sum(p.is_reminder for p in self.problems)


def check_portal(root: Path, today: dt.date, strict: bool = False,
                 use_cache: bool = True, need_catalog: bool = True) -> PortalResult:
    """Every problem in the portal at `root`, never stopping at the first.

    With `need_catalog=False` (`portal check`), a re-check whose files changed
    only in body text reuses the last corpus pass instead of loading every
    entry: the result's catalog is then None.
    """
    try:
        return _check_portal(root, today, strict, use_cache, need_catalog, fresh_cache=False)
    except CacheCorrupt:
        # A stored result did not verify or decode (see cache.py): check as if
        # there were no cache, and write it anew.
        return _check_portal(root, today, strict, use_cache, need_catalog, fresh_cache=True)


def _check_portal(root: Path, today: dt.date, strict: bool, use_cache: bool,
                  need_catalog: bool, fresh_cache: bool) -> PortalResult:
    config, problems = load_config(root)
    files = discover(root, problems)
    cache = CheckCache.open(root, config, enabled=use_cache, fresh=fresh_cache)
    blobs: list[CachedResult | None] = []
    to_check: list[tuple[int, SourceFile, bytes, str, Signature]] = []
    for source in files:
        try:
            stat = os.stat(source.file)
            signature = (stat.st_mtime_ns, stat.st_size)
            blob = cache.unchanged(source.rel, signature)
            if blob is None:
                raw = read_source(source.file)
                digest = content_hash(raw)
                blob = cache.get(source.rel, digest, signature)
                if blob is None:
                    to_check.append((len(blobs), source, raw, digest, signature))
        except OSError as error:
            problems.append(make_problem("no-front-matter", source.rel, 1,
                                         detail=f"file cannot be read: {error.strerror}"))
            continue
        blobs.append(blob)
    # The validators load only when a file needs them (not for a re-check of an
    # unchanged portal).
    from .file_pass import check_files_summarised, load_result

    checked = check_files_summarised([item[1] for item in to_check],
                                     [item[2] for item in to_check], config) \
        if to_check else []
    for (index, source, _, digest, signature), (blob, summary) in zip(to_check, checked,
                                                                      strict=True):
        blobs[index] = blob
        cache.put(source.rel, digest, signature, blob, summary)
    loaded = [source for source in files if cache.summary(source.rel) is not None] \
        if use_cache else []
    corpus_key = _corpus_key(loaded, cache, config, today) \
        if len(loaded) == len(blobs) and len(loaded) == len(files) else None

    catalog: Catalog | None = None
    reused = None if need_catalog or corpus_key is None else _reuse_corpus(cache, corpus_key,
                                                                           root)
    if reused is not None:
        for source in files:
            problems.extend(cache.summary(source.rel)[1])  # type: ignore[index]
        problems.extend(reused)
    else:
        entries: list[Entry] = []
        # Decoding 10,000 entries creates about a million objects and none of
        # them is garbage: without this the collector re-scans them over and over
        # (0.65 s -> 0.35 s at 10,000 insights).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for blob in blobs:
                assert blob is not None  # every file is now either cached or checked
                entry, file_problems = load_result(cache.result(blob))
                problems.extend(file_problems)
                if entry is not None:
                    entries.append(entry)
        finally:
            if collecting:
                gc.enable()
        probes: dict[str, bool] = {}
        catalog, corpus_problems = check_corpus(entries, files, root, config, today, probes)
        problems.extend(corpus_problems)
        if corpus_key is not None:
            cache.corpus = (corpus_key, encode_corpus(corpus_problems, probes))
    cache.save()
    problems.extend(check_hand_written(root, files))  # docs/: a few pages, read afresh
    if strict:
        problems = promote_warnings(problems)
    problems.sort(key=Problem.sort_key)
    return PortalResult(root, config, catalog, problems, len(files), cache.hits)


def _corpus_key(files: list[SourceFile], cache: CheckCache, config: PortalConfig,
                today: dt.date) -> str:
    """Everything the corpus pass reads: each file's path and entry without its
    body (the summary's digest), the reminder thresholds, and today."""
    digest = hashlib.sha256(f"{today.isoformat()}|{config.undecided_after_days}|"
                            f"{config.persona_review_after_days}".encode())
    for source in files:
        digest.update(f"\n{source.rel}|{cache.summary(source.rel)[0]}".encode())  # type: ignore[index]
    return digest.hexdigest()


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
