"""Moments that matter, where we are blind, and delights to protect (issue 18):
every stage of every journey in one ranking, the stages whose pains no customer
has told us about, and what customers love that we must not break.

Computed from the journeys' heat maps (analysis.py), so the numbers agree with
the heat maps themselves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..core.catalog import Catalog
from ..core.model import DecisionStatus, EvidenceSource, EvidenceStrength, Insight, InsightKind
from ..core.vocabulary import EVIDENCE_GROUPS, EvidenceGroup
from .analysis import JourneyHeat, StageHeat, is_open_pain, weight


@dataclass(slots=True)
class Moment:
    """One stage of one journey, with what it weighs."""
    heat: JourneyHeat
    stage: StageHeat
    hot: bool  # among its journey's hot spots
    off_target: list  # its metrics off target now
    strengths: Counter[EvidenceStrength] = field(default_factory=Counter)  # of its open pains
    methods: Counter[EvidenceSource] = field(default_factory=Counter)  # its pains per method

    @property
    def heard_from_customers(self) -> bool:
        """Whether any of its open pains carries customer-voice evidence."""
        return any(EVIDENCE_GROUPS[method] is EvidenceGroup.VOICE for method in self.methods)

    @property
    def blind(self) -> bool:
        """Open pains here, and no customer has told us about any of them."""
        return self.stage.pains > 0 and not self.heard_from_customers

    @property
    def strength_counts(self) -> list[tuple[EvidenceStrength, int]]:
        """Its open pains per evidence level, strongest first."""
        return [(level, self.strengths[level]) for level in reversed(EvidenceStrength)
                if self.strengths[level]]


def moments(heats: list[JourneyHeat], ranked: bool = True) -> list[Moment]:
    """Every stage of every journey, heaviest first (weighted score, then open
    pains, then times seen, then journey and stage order); in journey order
    with `ranked` false."""
    found = []
    for heat in heats:
        hot = {id(stage) for stage in heat.hot_spots}
        for stage in heat.stages:
            moment = Moment(heat, stage, id(stage) in hot,
                            [m for m in stage.stage.metrics if m.on_target is False])
            for insight in stage.insights:
                if not is_open_pain(insight):
                    continue
                moment.methods.update(insight.evidence_methods)
                if insight.evidence_strength:
                    moment.strengths[insight.evidence_strength] += 1
            found.append(moment)
    if not ranked:
        return found
    order = {id(m): n for n, m in enumerate(found)}
    return sorted(found, key=lambda m: (-m.stage.weight, -m.stage.pains, -m.stage.evidence,
                                        order[id(m)]))


@dataclass(frozen=True, slots=True)
class Delight:
    insight: Insight
    heat: JourneyHeat | None
    stage: StageHeat | None  # its first stage in its journey


def delights(catalog: Catalog, heats: list[JourneyHeat]) -> list[Delight]:
    """What customers love, heaviest first (severity weight, then times seen)."""
    stage_of = {(heat.journey.id, stage.stage.id): (heat, stage)
                for heat in heats for stage in heat.stages}
    found = []
    for insight in catalog.insights.values():
        if insight.kind is not InsightKind.DELIGHT \
                or insight.status is DecisionStatus.SUPERSEDED:
            continue
        first = next((stage_of[(insight.journey, s)] for s in insight.stages
                      if (insight.journey, s) in stage_of), (None, None))
        found.append(Delight(insight, *first))
    return sorted(found, key=lambda d: (-weight(d.insight), -d.insight.times_seen,
                                        d.insight.id))
