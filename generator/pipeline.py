"""load → validate → catalog, for a whole portal. Knows nothing of MkDocs or the
terminal: the CLI and the MkDocs plugin are thin adapters on top of this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog
from .config import PortalConfig, load_config
from .loader import discover, load
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

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)


def check_portal(root: Path, today: dt.date, strict: bool = False) -> PortalResult:
    """Every problem in the portal at `root`, never stopping at the first."""
    config, problems = load_config(root)
    files = discover(root)
    entries: list[Entry] = []
    for source in files:
        try:
            document, file_problems = load(source)
            problems.extend(file_problems)
            if document is not None:
                entry, entry_problems = check_document(document, config)
                entries.append(entry)
                problems.extend(entry_problems)
        except Exception as error:  # a bug must not hide the other files' problems
            problems.append(make_problem("internal-error", source.rel, 1,
                                         detail=f"{type(error).__name__}: {error}"))
    catalog, corpus_problems = check_corpus(entries, files, root, config, today)
    problems.extend(corpus_problems)
    if strict:
        problems = promote_warnings(problems)
    problems.sort(key=Problem.sort_key)
    return PortalResult(root, config, catalog, problems, len(files))
