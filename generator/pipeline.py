"""load → validate → catalog, for a whole portal. Knows nothing of MkDocs or the
terminal: the CLI and the MkDocs plugin are thin adapters on top of this.
"""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass
from pathlib import Path

from .cache import CheckCache, Signature, content_hash
from .catalog import Catalog
from .config import PortalConfig, load_config
from .file_pass import check_files
from .loader import SourceFile, discover, read_source
from .model import Entry
from .problems import Problem, Severity, make_problem, promote_warnings
from .validate.corpus import check_corpus


@dataclass(slots=True)
class PortalResult:
    root: Path
    config: PortalConfig
    catalog: Catalog
    problems: list[Problem]  # sorted by path and line
    files_checked: int
    cached_files: int = 0  # files whose per-file result came from the cache

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)


def check_portal(root: Path, today: dt.date, strict: bool = False,
                 use_cache: bool = True) -> PortalResult:
    """Every problem in the portal at `root`, never stopping at the first."""
    config, problems = load_config(root)
    files = discover(root, problems)
    cache = CheckCache.open(root, config, enabled=use_cache)
    blobs: list[bytes | None] = []
    to_check: list[tuple[int, SourceFile, bytes, str, Signature]] = []
    for source in files:
        try:
            stat = source.path.stat()
            signature = (stat.st_mtime_ns, stat.st_size)
            blob = cache.unchanged(source.rel, signature)
            if blob is None:
                raw = read_source(source.path)
                digest = content_hash(raw)
                blob = cache.get(source.rel, digest, signature)
                if blob is None:
                    to_check.append((len(blobs), source, raw, digest, signature))
        except OSError as error:
            problems.append(make_problem("no-front-matter", source.rel, 1,
                                         detail=f"file cannot be read: {error.strerror}"))
            continue
        blobs.append(blob)
    checked = check_files([item[1] for item in to_check], [item[2] for item in to_check],
                          config)
    for (index, source, _, digest, signature), blob in zip(to_check, checked, strict=True):
        blobs[index] = blob
        cache.put(source.rel, digest, signature, blob)
    cache.save()
    entries: list[Entry] = []
    for blob in blobs:
        assert blob is not None  # every file is now either cached or checked
        entry, file_problems = pickle.loads(blob)  # noqa: S301 - our own results
        problems.extend(file_problems)
        if entry is not None:
            entries.append(entry)
    catalog, corpus_problems = check_corpus(entries, files, root, config, today)
    problems.extend(corpus_problems)
    if strict:
        problems = promote_warnings(problems)
    problems.sort(key=Problem.sort_key)
    return PortalResult(root, config, catalog, problems, len(files), cache.hits)
