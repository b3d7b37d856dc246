"""What a check found: the small result type the reporters, the CLI and the
MkDocs adapter read, without loading the pipeline that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.catalog import Catalog
from ..core.config import PortalConfig
from ..core.problems import Problem, Severity


@dataclass(slots=True)
class PortalResult:
    root: Path
    config: PortalConfig
    catalog: Catalog | None  # None when a run with need_catalog=False reused the corpus pass
    problems: list[Problem]  # sorted by path and line
    files_checked: int
    cached_files: int = 0  # files whose own result came from memory or the cache

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
