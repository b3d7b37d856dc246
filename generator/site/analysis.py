"""What the portal shows, computed once from the catalog: decision status
counts, decision debt, and each journey's heat map.

Templates only lay these out; every number a page shows is computed here, so it
can be tested against the catalog directly.

Heat-map definitions (PRODUCT.md, "The portal"):
- where breakdowns occur most: the number of open pain insights at a stage, and
  the sum of their evidence counts (an evidence item without a count counts once);
- which moments carry the greatest weight: the sum of their severity weights
  (low 1, medium 2, high 4, critical 8);
- how moments are owned: the stage owner, and the share of the stage's open
  pains whose decision has an owner; a stage with undecided pains is marked.
"Open" pains exclude `done` (fixed) and `superseded` (replaced by another
insight, which is counted instead).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..core.catalog import Catalog
from ..core.model import (
    DecisionStatus,
    EvidenceSource,
    EvidenceStrength,
    Insight,
    InsightKind,
    Journey,
    Stage,
)
from ..core.vocabulary import EVIDENCE_GROUPS, EvidenceGroup

ACTED = frozenset({DecisionStatus.ACCEPTED, DecisionStatus.IN_PROGRESS, DecisionStatus.DONE})
CLOSED = frozenset({DecisionStatus.DONE, DecisionStatus.SUPERSEDED})
NO_OWNER = "no owner yet"  # the team of an insight on nobody's desk
HEAT_LEVELS = 4  # colour steps 1..4; the number is always shown too


def is_open_pain(insight: Insight) -> bool:
    return insight.kind is InsightKind.PAIN and insight.status not in CLOSED


def weight(insight: Insight) -> int:
    return insight.severity.weight if insight.severity else 0


@dataclass(slots=True)
class StageHeat:
    stage: Stage
    insights: list[Insight]  # every insight at this stage
    pains: int = 0
    evidence: int = 0
    weight: int = 0
    delights: int = 0
    undecided: int = 0  # open pains still new or under review
    owned: int = 0  # open pains whose decision names an owner
    by_persona: dict[str, int] = field(default_factory=dict)  # persona -> its open pains here

    @property
    def owned_share(self) -> float | None:
        return self.owned / self.pains if self.pains else None


@dataclass(slots=True)
class JourneyHeat:
    journey: Journey
    stages: list[StageHeat]
    personas: list[str]  # the rows of the per-persona heat map

    @property
    def hot_spots(self) -> list[StageHeat]:
        """The stages of greatest weight (ties included), hottest first."""
        top = max((s.weight for s in self.stages), default=0)
        return [s for s in self.stages if top and s.weight == top]


def journey_heat(journey: Journey, catalog: Catalog) -> JourneyHeat:
    stages: list[StageHeat] = []
    personas: dict[str, None] = dict.fromkeys(journey.personas)
    for stage in journey.stages:
        ids = catalog.insights_of_stage.get((journey.id, stage.id or ""), [])
        heat = StageHeat(stage, [catalog.insights[i] for i in ids])
        persona_pains: Counter[str] = Counter()
        for insight in heat.insights:
            if insight.kind is InsightKind.DELIGHT and insight.status is not \
                    DecisionStatus.SUPERSEDED:
                heat.delights += 1
            if not is_open_pain(insight):
                continue
            heat.pains += 1
            heat.evidence += insight.times_seen
            heat.weight += weight(insight)
            if insight.status and insight.status.is_undecided:
                heat.undecided += 1
            if insight.decision and insight.decision.owner:
                heat.owned += 1
            for persona in dict.fromkeys(insight.personas):
                persona_pains[persona] += 1
                personas.setdefault(persona, None)
        heat.by_persona = dict(persona_pains)
        stages.append(heat)
    return JourneyHeat(journey, stages, [p for p in personas if p in catalog.personas])


@dataclass(frozen=True, slots=True)
class HeatScale:
    """One colour scale for every journey's heat map, each row by its own numbers:
    a cell's level (0 .. HEAT_LEVELS) is its number against the largest of that row
    in any journey, so the same colour means the same share everywhere."""
    largest: dict[str, int]  # row ("pains", "evidence", "weight", "persona") -> its maximum

    def level(self, value: int, row: str) -> int:
        top = self.largest.get(row, 0)
        return -(-value * HEAT_LEVELS // top) if top and value > 0 else 0


def heat_scale(heats: list[JourneyHeat]) -> HeatScale:
    stages = [stage for heat in heats for stage in heat.stages]
    return HeatScale({
        "pains": max((s.pains for s in stages), default=0),
        "evidence": max((s.evidence for s in stages), default=0),
        "weight": max((s.weight for s in stages), default=0),
        "persona": max((n for s in stages for n in s.by_persona.values()), default=0)})


@dataclass(slots=True)
class StatusSummary:
    counts: dict[DecisionStatus, int]
    total: int

    @property
    def decided_share(self) -> float:
        undecided = self.counts[DecisionStatus.NEW] + self.counts[DecisionStatus.UNDER_REVIEW]
        return (self.total - undecided) / self.total if self.total else 0.0

    @property
    def acted_share(self) -> float:
        acted = sum(self.counts[s] for s in ACTED)
        return acted / self.total if self.total else 0.0


def status_summary(insights: list[Insight]) -> StatusSummary:
    counts = Counter(i.status for i in insights if i.status)
    return StatusSummary({s: counts.get(s, 0) for s in DecisionStatus}, len(insights))


@dataclass(slots=True)
class Waiting:
    insight: Insight
    age: int  # days since created
    fallen: bool = False  # no decision owner: it fell to its stage's owner


def decision_debt(insights: list[Insight], today: dt.date, threshold: int,
                  catalog: Catalog | None = None) -> dict[str, list[Waiting]]:
    """Undecided insights waiting over `threshold` days (since created, or since
    reopened), longest wait first, by whose desk they are on: the decision's owner,
    else the stage owner they fell to (with `catalog`, which knows the stages)."""
    by_owner: dict[str, list[Waiting]] = defaultdict(list)
    for insight in insights:
        since = insight.waiting_since  # a reopened insight waits from its reopening
        if not (insight.status and insight.status.is_undecided and since):
            continue
        age = (today - since).days
        if age > threshold:
            journey = catalog.journeys.get(insight.journey or "") if catalog else None
            team, fallen = insight.desk_team(journey)
            by_owner[team or NO_OWNER].append(Waiting(insight, age, fallen))
    for waiting in by_owner.values():
        waiting.sort(key=lambda w: (-w.age, w.insight.id))
    return dict(sorted(by_owner.items(), key=lambda item: -item[1][0].age))


def newest(insights: list[Insight], limit: int = 8) -> list[Insight]:
    return sorted(insights, key=lambda i: (i.created or dt.date.min, i.id), reverse=True)[:limit]


def review_age(reviewed: dt.date | None, today: dt.date) -> int | None:
    return (today - reviewed).days if reviewed else None


@dataclass(frozen=True, slots=True)
class EvidenceSummary:
    """How strong an insight's evidence is (PRODUCT.md, "Evidence strength")."""
    strength: EvidenceStrength | None
    methods: list[EvidenceSource]
    groups: dict[EvidenceGroup, list[EvidenceSource]]  # customer voice, behaviour, our own use
    times_seen: int
    newest: dt.date | None
    age: int | None  # days from the newest evidence to today
    stale: bool  # older than evidence_stale_after_days


def evidence_summary(insight: Insight, today: dt.date, stale_after_days: int
                     ) -> EvidenceSummary:
    methods = insight.evidence_methods
    groups: dict[EvidenceGroup, list[EvidenceSource]] = {}
    for method in methods:
        groups.setdefault(EVIDENCE_GROUPS[method], []).append(method)
    newest = insight.newest_evidence
    age = (today - newest).days if newest else None
    return EvidenceSummary(insight.evidence_strength, methods,
                           {group: groups[group] for group in EvidenceGroup if group in groups},
                           insight.times_seen, newest, age,
                           age is not None and age > stale_after_days)
