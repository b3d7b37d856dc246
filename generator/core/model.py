"""Typed records of the file format: what the loader and the validators make of
each file.

The records of entries (Insight, Persona, Journey) and of their parts (Evidence,
Decision and its StatusChange history, Stage, Metric) are built from their one
declaration, the field table of schema.py: a field added there is a field of the
record, checked, cached, exported and readable by templates, with no line here.
What a record can do beyond holding its fields lives in its behaviour class below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .schema import (
    DECISION_FIELDS,
    EVIDENCE_FIELDS,
    HISTORY_FIELDS,
    INSIGHT_FIELDS,
    JOURNEY_FIELDS,
    METRIC_FIELDS,
    PERSONA_FIELDS,
    READING_FIELDS,
    STAGE_FIELDS,
    FieldSpec,
    FieldType,
)
from .vocabulary import (  # re-exported: most modules import the vocabularies from here
    Better,
    Confidence,
    DecisionStatus,
    EvidenceSource,
    EvidenceStrength,
    InsightKind,
    InsightSeverity,
    Kind,
    MetricUnit,
    PersonaStatus,
)

__all__ = ["Better", "BodyLink", "Confidence", "Decision", "DecisionStatus", "Entry",
           "Evidence", "EvidenceSource", "EvidenceStrength", "Insight", "InsightKind",
           "InsightSeverity",
           "Journey", "Kind", "KeyPath", "LineMap", "Metric", "MetricUnit", "Origin",
           "Persona", "PersonaStatus", "RECORD_CLASSES", "Reading", "Stage", "StatusChange"]


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


# --- records built from the field table ------------------------------------------------

_SCALARS: dict[FieldType, type] = {FieldType.TEXT: str, FieldType.DATE: dt.date,
                                   FieldType.INTEGER: int, FieldType.NUMBER: float}
RECORD_CLASSES: dict[str, type] = {}  # a FieldSpec's `record` name -> its class


def _field(spec: FieldSpec) -> tuple[str, Any, Any]:
    """(name, annotation, dataclasses.field) of a record's field. The annotation
    is a real type: the check cache decodes each field by it (cache_codec.py)."""
    if spec.type is FieldType.MAPPING:
        assert spec.record is not None, f"{spec.name}: a mapping names its record class"
        kind: Any = RECORD_CLASSES[spec.record]  # declared before the record that holds it
    elif spec.type is FieldType.CHOICE:
        kind = spec.choices
    else:
        kind = _SCALARS[spec.type]
    if spec.many:
        return spec.name, list[kind], field(default_factory=list)
    if spec.default is not None:
        return spec.name, kind, field(default=spec.default)
    return spec.name, kind | None, field(default=None)


def _record(name: str, specs: tuple[FieldSpec, ...], behaviour: type = object,
            entry: bool = False) -> Any:
    """A slotted dataclass with one field per spec; an entry's record also holds
    its id and origin first, and its body and body links last."""
    fields = [_field(spec) for spec in specs]
    if entry:
        fields = [("id", str), ("origin", Origin), *fields, ("body", str, field(default="")),
                  ("links", list[BodyLink], field(default_factory=list))]
    cls = dataclasses.make_dataclass(name, fields, bases=(behaviour,), slots=True)
    cls.__module__ = __name__  # pickled by name between the check's processes
    RECORD_CLASSES[name] = cls
    return cls


class _InsightBehaviour:
    __slots__ = ()
    decision: Any
    created: dt.date | None
    evidence: list[Any]

    @property
    def status(self) -> DecisionStatus | None:
        return self.decision.status if self.decision else None

    @property
    def reopened_on(self) -> dt.date | None:
        """When an undecided insight last left a decision for an undecided status
        again (from its decision.history); None if it never did."""
        decision = self.decision
        if decision is None or decision.status is None or not decision.status.is_undecided \
                or not decision.history:
            return None
        steps = [(change.status, change.date) for change in decision.history]
        steps.append((decision.status, decision.date))
        reopened = None
        for (before, _), (after, date) in zip(steps, steps[1:], strict=False):
            if before is not None and after is not None and before.is_decided \
                    and after.is_undecided:
                reopened = date
        return reopened

    @property
    def evidence_methods(self) -> list[EvidenceSource]:
        """The distinct evidence sources, in the order the file first lists them."""
        return list(dict.fromkeys(item.source for item in self.evidence if item.source))

    @property
    def evidence_strength(self) -> EvidenceStrength | None:
        return EvidenceStrength.of(len(self.evidence_methods))

    @property
    def times_seen(self) -> int:
        """The evidence's counts added up (an item without a count counts once)."""
        return sum(item.count or 1 for item in self.evidence)

    @property
    def newest_evidence(self) -> dt.date | None:
        return max((item.date for item in self.evidence if item.date), default=None)

    def stages_in(self, journey: Any) -> list[Any]:
        """The insight's stages, as records of `journey` (its journey), in journey order."""
        wanted = set(getattr(self, "stages", ()))
        return [stage for stage in journey.stages if stage.id in wanted] if journey else []

    def decision_metric(self, journey: Any) -> Any:
        """The metric its decision means to move (decision.metric), found on one
        of its stages; None if it names none or none of that name."""
        name = self.decision.metric if self.decision else None
        if not name:
            return None
        return next((metric for stage in self.stages_in(journey)
                     if (metric := stage.metric(name)) is not None), None)

    def desk_team(self, journey: Any) -> tuple[str | None, bool]:
        """Whose desk it is on (PRODUCT.md, "Teams"), and whether it fell there:
        its decision's owner; with none, the owner of its first stage in `journey`
        (its journey) until someone takes it; else nobody (None, False)."""
        owner = self.decision.owner if self.decision else None
        if owner:
            return owner, False
        stages = self.stages_in(journey)
        return (stages[0].owner, True) if stages and stages[0].owner else (None, False)

    @property
    def waiting_since(self) -> dt.date | None:
        """Since when an undecided insight has waited for a decision: its reopening,
        else its creation. Decision debt and decision-overdue count from here."""
        return self.reopened_on or self.created


class _MetricBehaviour:
    __slots__ = ()
    value: float | None
    target: float | None
    better: Better | None
    as_of: dt.date | None
    history: list[Any]

    def meets_target(self, value: float | None) -> bool | None:
        """Whether `value` meets the target, in the metric's good direction (None
        without a target or a value)."""
        if value is None or self.target is None:
            return None
        return value <= self.target if self.better is Better.LOWER else value >= self.target

    @property
    def on_target(self) -> bool | None:
        return self.meets_target(self.value)

    def readings(self) -> list[tuple[dt.date, float]]:
        """Every dated reading, oldest first: the history, then the current value."""
        points = [(r.as_of, r.value) for r in self.history
                  if r.as_of is not None and r.value is not None]
        if self.as_of is not None and self.value is not None:
            points.append((self.as_of, self.value))
        return points

    def reading_on(self, day: dt.date) -> tuple[dt.date, float] | None:
        """The latest reading on or before `day` (None if there was none yet)."""
        found = None
        for point in self.readings():
            if point[0] <= day:
                found = point
        return found

    def went_off_target(self) -> list[dt.date]:
        """The dates of readings that missed the target after one that met it."""
        dates, met = [], None
        for day, value in self.readings():
            now = self.meets_target(value)
            if met and now is False:
                dates.append(day)
            met = now
        return dates


class _JourneyBehaviour:
    __slots__ = ()
    stages: list[Any]

    def stage_ids(self) -> list[str]:
        return [stage.id for stage in self.stages if stage.id]

    def stage(self, stage_id: str | None) -> Any:
        """The stage of that id (None if the journey has none)."""
        return next((stage for stage in self.stages if stage.id == stage_id), None)


class _StageBehaviour:
    __slots__ = ()
    metrics: list[Any]

    def metric(self, name: str | None) -> Any:
        """The stage's first metric of that name (None if it has none)."""
        return next((metric for metric in self.metrics if metric.name == name), None)


Evidence = _record("Evidence", EVIDENCE_FIELDS)
StatusChange = _record("StatusChange", HISTORY_FIELDS)
Decision = _record("Decision", DECISION_FIELDS)
Reading = _record("Reading", READING_FIELDS)
Metric = _record("Metric", METRIC_FIELDS, _MetricBehaviour)
Stage = _record("Stage", STAGE_FIELDS, _StageBehaviour)
Insight = _record("Insight", INSIGHT_FIELDS, _InsightBehaviour, entry=True)
Persona = _record("Persona", PERSONA_FIELDS, entry=True)
Journey = _record("Journey", JOURNEY_FIELDS, _JourneyBehaviour, entry=True)

Entry = Insight | Persona | Journey
