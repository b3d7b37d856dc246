"""load → validate → catalog, for a whole portal. Knows nothing of MkDocs or the
terminal: the CLI and the MkDocs plugin are thin adapters on top of this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .cache import CheckCache, content_hash
from .catalog import Catalog
from .config import PortalConfig, load_config
from .loader import SourceFile, discover, parse
from .model import Entry
from .problems import Problem, Severity, make_problem, promote_warnings
from .validate.corpus import check_corpus
from .validate.entries import check_document


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
    files = discover(root)
    cache = CheckCache.open(root, config, enabled=use_cache)
    entries: list[Entry] = []
    for source in files:
        try:
            raw = source.path.read_bytes()
        except OSError as error:
            problems.append(make_problem("no-front-matter", source.rel, 1,
                                         detail=f"file cannot be read: {error.strerror}"))
            continue
        digest = content_hash(raw)
        result = cache.get(source.rel, digest)
        if result is None:
            result = _check_file(source, raw, config)
            cache.put(source.rel, digest, result)
        entry, file_problems = result
        problems.extend(file_problems)
        if entry is not None:
            entries.append(entry)
    cache.save()
    catalog, corpus_problems = check_corpus(entries, files, root, config, today)
    problems.extend(corpus_problems)
    if strict:
        problems = promote_warnings(problems)
    problems.sort(key=Problem.sort_key)
    return PortalResult(root, config, catalog, problems, len(files), cache.hits)


def _check_file(source: SourceFile, raw: bytes, config: PortalConfig
                ) -> tuple[Entry | None, list[Problem]]:
    """The per-file pass: parse, then check the file on its own."""
    try:
        document, problems = parse(source, raw)
        if document is None:
            return None, problems
        entry, entry_problems = check_document(document, config)
        return entry, problems + entry_problems
    except Exception as error:  # a bug must not hide the other files' problems
        return None, [make_problem("internal-error", source.rel, 1,
                                   detail=f"{type(error).__name__}: {error}")]
