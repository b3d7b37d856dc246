"""Typed records and the closed vocabularies of the file format (PRODUCT.md).

A value outside a vocabulary is a validation error; nothing here ever defaults
an unknown value to something else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    INSIGHT = "insight"
    PERSONA = "persona"
    JOURNEY = "journey"

    @property
    def folder(self) -> str:
        return f"{self.value}s"


class InsightKind(StrEnum):
    PAIN = "pain"
    DELIGHT = "delight"
    NEED = "need"
    BEHAVIOUR = "behaviour"


class InsightSeverity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        """Severity weight for journey hot spots: low 1, medium 2, high 4, critical 8."""
        return {"low": 1, "medium": 2, "high": 4, "critical": 8}[self.value]


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EvidenceSource(StrEnum):
    INTERVIEW = "interview"
    FOCUS_GROUP = "focus-group"
    OBSERVATION = "observation"
    SURVEY = "survey"
    ANALYTICS = "analytics"
    SUPPORT_TICKET = "support-ticket"
    USABILITY_TEST = "usability-test"
    REVIEW = "review"
    SALES_CALL = "sales-call"
    DOGFOODING = "dogfooding"


class DecisionStatus(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under-review"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    DECLINED = "declined"
    SUPERSEDED = "superseded"

    @property
    def needs_owner(self) -> bool:
        return self is not DecisionStatus.NEW

    @property
    def needs_date(self) -> bool:
        return self in _DATED

    @property
    def is_undecided(self) -> bool:
        return self in (DecisionStatus.NEW, DecisionStatus.UNDER_REVIEW)


_DATED = frozenset({DecisionStatus.ACCEPTED, DecisionStatus.IN_PROGRESS,
                    DecisionStatus.DONE, DecisionStatus.DECLINED})


class PersonaStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class MetricUnit(StrEnum):
    RATIO = "ratio"
    PERCENT = "percent"
    COUNT = "count"
    SECONDS = "seconds"
    SCORE = "score"


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


KeyPath = tuple[str | int, ...]


class LineMap:
    """Line of every key and list item in a file, looked up by key path
    such as ("evidence", 0, "source").

    The loader records it compactly, as one flat tuple of (parent, key, line)
    triples in document order: `parent` numbers an earlier triple from 1, or is 0
    for a top-level key. The dict of paths is built only on the first lookup:
    most files never need one after checking, and the flat form is much smaller
    and quicker to encode (results are cached, and sent between processes).
    Treat it as read-only.
    """

    __slots__ = ("flat", "_lines")

    def __init__(self, lines: dict[KeyPath, int] | None = None, *, flat: tuple = ()) -> None:
        self.flat = flat
        self._lines = dict(lines) if lines is not None else None

    @property
    def lines(self) -> dict[KeyPath, int]:
        if self._lines is None:
            flat, paths, lines = self.flat, [()], {}
            for offset in range(0, len(flat), 3):
                path = paths[flat[offset]] + (flat[offset + 1],)
                paths.append(path)
                lines[path] = flat[offset + 2]
            self._lines = lines
        return self._lines

    def line(self, *path: str | int) -> int:
        """Line of `path`, else of its nearest present ancestor, else 1."""
        lines = self.lines
        key: KeyPath = path
        while key:
            found = lines.get(key)
            if found is not None:
                return found
            key = key[:-1]
        return 1

    def __getstate__(self) -> tuple:
        # The flat form alone when there is one: the dict is rebuilt on demand.
        return self.flat, (None if self.flat else self._lines)

    def __setstate__(self, state: tuple) -> None:
        self.flat, self._lines = state

    def __eq__(self, other: object) -> bool:
        return self.lines == other.lines if isinstance(other, LineMap) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        return f"LineMap(lines={self.lines!r})"


@dataclass(slots=True)
class Origin:
    """Where a record came from, so later passes can report exact lines."""

    path: str
    lines: LineMap
    body_line: int = 1
    # Dates of things that already happened, with their key paths: checked
    # against today in the corpus pass, since today is not part of the file.
    past_dates: list[tuple[KeyPath, dt.date]] = field(default_factory=list)

    def line(self, *key: str | int) -> int:
        return self.lines.line(*key)


@dataclass(slots=True)
class BodyLink:
    target: str
    line: int


@dataclass(slots=True)
class Evidence:
    source: EvidenceSource | None = None
    ref: str | None = None
    date: dt.date | None = None
    quote: str | None = None
    count: int | None = None


@dataclass(slots=True)
class Decision:
    status: DecisionStatus | None = None
    owner: str | None = None
    date: dt.date | None = None
    rationale: str | None = None
    link: str | None = None
    review_by: dt.date | None = None
    outcome: str | None = None


@dataclass(slots=True)
class Insight:
    id: str
    origin: Origin
    title: str | None = None
    summary: str | None = None
    kind: InsightKind | None = None
    personas: list[str] = field(default_factory=list)
    journey: str | None = None
    stages: list[str] = field(default_factory=list)
    severity: InsightSeverity | None = None
    confidence: Confidence | None = None
    tags: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    created: dt.date | None = None
    authors: list[str] = field(default_factory=list)
    decision: Decision | None = None
    related: list[str] = field(default_factory=list)
    supersedes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    body: str = ""
    links: list[BodyLink] = field(default_factory=list)

    @property
    def status(self) -> DecisionStatus | None:
        return self.decision.status if self.decision else None


@dataclass(slots=True)
class Persona:
    id: str
    origin: Origin
    name: str | None = None
    summary: str | None = None
    segment: str | None = None
    goals: list[str] = field(default_factory=list)
    frustrations: list[str] = field(default_factory=list)
    motivations: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    quote: str | None = None
    owner: str | None = None
    last_reviewed: dt.date | None = None
    status: PersonaStatus = PersonaStatus.ACTIVE
    aliases: list[str] = field(default_factory=list)
    body: str = ""
    links: list[BodyLink] = field(default_factory=list)


@dataclass(slots=True)
class Metric:
    name: str | None = None
    value: float | None = None
    target: float | None = None
    unit: MetricUnit | None = None
    better: Better = Better.HIGHER
    as_of: dt.date | None = None


@dataclass(slots=True)
class Stage:
    id: str | None = None
    name: str | None = None
    owner: str | None = None
    description: str | None = None
    metrics: list[Metric] = field(default_factory=list)


@dataclass(slots=True)
class Journey:
    id: str
    origin: Origin
    title: str | None = None
    summary: str | None = None
    personas: list[str] = field(default_factory=list)
    owner: str | None = None
    stages: list[Stage] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    body: str = ""
    links: list[BodyLink] = field(default_factory=list)

    def stage_ids(self) -> list[str]:
        return [stage.id for stage in self.stages if stage.id]


Entry = Insight | Persona | Journey
