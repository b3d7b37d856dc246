"""`portal check` kept warm in a long-running process, for `portal serve`.

`check_portal` starts from the disk every time: even with its cache, a re-check
of 10,000 insights reads and decodes 10,000 results (2–3 s measured). A
preview server can keep each file's result in memory instead, next to the
file's modification time, size and content hash: after a save it re-reads only
the files whose signature changed (or that the file watcher named), re-checks
those whose content changed, and re-runs the corpus pass over everything
(about 0.2 s at 10,000 insights), so every reference, backlink and age is as
`portal check` would report it.

The first run goes through the `.portal-cache/` folder and the parallel
per-file pass, exactly as `check_portal` does. This mirrors
`pipeline.check_portal` step for step; tests/test_serve.py pins that both give
the same problems and catalog. It belongs in the pipeline once the pipeline
offers a long-lived form.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..core.config import PortalConfig, load_config
from ..core.loader import SourceFile, discover
from ..core.model import Entry
from ..core.problems import Problem, make_problem
from ..core.validate.corpus import check_corpus, check_hand_written
from .cache import CacheCorrupt, CheckCache, content_hash
from .file_pass import FileResult, check_file, check_files_summarised, load_result
from .pipeline import PortalResult

Signature = tuple[int, int]  # (st_mtime_ns, st_size)


@dataclass(slots=True)
class _Known:
    signature: Signature
    digest: str
    result: FileResult


class LiveCheck:
    """The portal's check, re-run cheaply after each save."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = os.path.realpath(root)
        self._config: PortalConfig | None = None
        self._files: list[SourceFile] | None = None
        self._rels: set[str] = set()
        self._known: dict[str, _Known] = {}
        self.rechecked = 0  # files checked afresh (not from memory or cache) in the last run

    def run(self, today: dt.date, touched: Collection[str] | None = None,
            rescan: bool = False) -> PortalResult:
        """Check the portal. `touched`: the paths the file watcher saw change — only
        those are looked at again (None: every file's signature is compared).
        `rescan`: list the files again (a folder was created, moved or deleted);
        a file created or deleted among `touched` does that by itself."""
        config, problems = load_config(self.root)
        if config != self._config:  # the options decide per-file results: start afresh
            self._config, self._known, touched = config, {}, None
        changed = None if touched is None else {self._rel(path) for path in touched}
        if self._files is None or changed is None or rescan or self._created_or_deleted(changed):
            self._files = discover(self.root)
            self._rels = {source.rel for source in self._files}
        files = self._files
        first_run = not self._known
        results: list[FileResult | None] = []
        pending: list[tuple[int, SourceFile, bytes, str, Signature]] = []
        known: dict[str, _Known] = {}
        for source in files:
            previous = self._known.get(source.rel)
            if previous is not None and changed is not None and source.rel not in changed:
                known[source.rel] = previous
                results.append(previous.result)
                continue
            try:
                stat = source.path.stat()
                signature = (stat.st_mtime_ns, stat.st_size)
                if previous is not None and previous.signature == signature \
                        and changed is None:
                    known[source.rel] = previous
                    results.append(previous.result)
                    continue
                raw = source.path.read_bytes()
            except OSError as error:
                problems.append(make_problem("no-front-matter", source.rel, 1,
                                             detail=f"file cannot be read: {error.strerror}"))
                continue
            digest = content_hash(raw)
            if previous is not None and previous.digest == digest:
                known[source.rel] = _Known(signature, digest, previous.result)
                results.append(previous.result)
                continue
            pending.append((len(results), source, raw, digest, signature))
            results.append(None)
        if first_run:
            fresh, self.rechecked = self._check_first(pending, config)
        else:
            fresh = [check_file(source, raw, config) for _, source, raw, _, _ in pending]
            self.rechecked = len(pending)
        for (index, source, _, digest, signature), result in zip(pending, fresh, strict=True):
            results[index] = result
            known[source.rel] = _Known(signature, digest, result)
        self._known = known

        entries: list[Entry] = []
        for result in results:
            assert result is not None
            entry, file_problems = result
            problems.extend(file_problems)
            if entry is not None:
                entries.append(entry)
        catalog, corpus_problems = check_corpus(entries, files, self.root, config, today)
        problems.extend(corpus_problems)
        problems.extend(check_hand_written(self.root, files))  # docs/, as check_portal does
        problems.sort(key=Problem.sort_key)
        return PortalResult(self.root, config, catalog, problems, len(files),
                            len(files) - self.rechecked)

    def _rel(self, path: str) -> str:
        """A watcher's path as the portal-relative posix path discover() reports."""
        return Path(os.path.relpath(os.path.realpath(path), self._real_root)).as_posix()

    def _created_or_deleted(self, changed: set[str]) -> bool:
        """Whether the list of files may have changed: a Markdown file appeared that
        is not listed, or a listed one is gone. (Saving in place, or an editor's
        save by renaming over the file, keeps the list.)"""
        return any(rel.endswith(".md") and (rel in self._rels) != (self.root / rel).is_file()
                   for rel in changed)

    def _check_first(self, pending: list[tuple[int, SourceFile, bytes, str, Signature]],
                     config: PortalConfig) -> tuple[list[FileResult], int]:
        """The first run: results from `.portal-cache/`, the rest checked on every core
        (and saved there, so `portal check` profits too)."""
        try:
            return self._first_from(CheckCache.open(self.root, config), pending, config)
        except CacheCorrupt:  # a stored result did not verify: check afresh, rewrite the cache
            return self._first_from(CheckCache.open(self.root, config, fresh=True), pending,
                                    config)

    def _first_from(self, cache: CheckCache,
                    pending: list[tuple[int, SourceFile, bytes, str, Signature]],
                    config: PortalConfig) -> tuple[list[FileResult], int]:
        blobs = [cache.get(source.rel, digest, signature)
                 for _, source, _, digest, signature in pending]
        missing = [i for i, blob in enumerate(blobs) if blob is None]
        checked = check_files_summarised([pending[i][1] for i in missing],
                                         [pending[i][2] for i in missing], config)
        for i, (blob, summary) in zip(missing, checked, strict=True):
            _, source, _, digest, signature = pending[i]
            blobs[i] = blob
            cache.put(source.rel, digest, signature, blob, summary)
        results = [load_result(cache.result(blob)) for blob in blobs]  # type: ignore[arg-type]
        cache.save()
        return results, len(missing)
