"""The id index of every entry, with forward and inverse relations.

Every reference yields a named inverse (persona → its insights, insight → the
insights that list it as related, …), so pages get backlinks from here instead
of searching for them. Only references that resolve are indexed; broken ones are
reported by the validator.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .model import Entry, Insight, Journey, Kind, Persona


@dataclass(slots=True)
class Catalog:
    insights: dict[str, Insight] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    journeys: dict[str, Journey] = field(default_factory=dict)
    # Ids of every file found, including files too broken to load: a reference
    # to one of them is not "unknown", and should not add a second problem.
    file_ids: dict[Kind, set[str]] = field(default_factory=lambda: {k: set() for k in Kind})
    aliases: dict[Kind, dict[str, str]] = field(default_factory=lambda: {k: {} for k in Kind})
    # Inverse relations.
    insights_of_persona: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    insights_of_journey: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    insights_of_stage: dict[tuple[str, str], list[str]] = field(
        default_factory=lambda: defaultdict(list))
    related_from: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    superseded_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    journeys_of_persona: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def entries(self, kind: Kind) -> dict[str, Entry]:
        return {Kind.INSIGHT: self.insights, Kind.PERSONA: self.personas,
                Kind.JOURNEY: self.journeys}[kind]  # type: ignore[return-value]

    def exists(self, kind: Kind, id: str) -> bool:
        return id in self.file_ids[kind]

    def add(self, entry: Entry) -> Entry | None:
        """Index `entry`; returns the entry already holding its id, if any."""
        kind = kind_of(entry)
        index = self.entries(kind)
        existing = index.get(entry.id)
        if existing is None:
            index[entry.id] = entry
        return existing

    def link(self) -> None:
        """Build the inverse relations once every entry is indexed."""
        stages_of = {id: set(journey.stage_ids()) for id, journey in self.journeys.items()}
        for insight in self.insights.values():
            for persona in dict.fromkeys(insight.personas):
                if persona in self.personas:
                    self.insights_of_persona[persona].append(insight.id)
            journey = self.journeys.get(insight.journey or "")
            if journey is not None:
                self.insights_of_journey[journey.id].append(insight.id)
                for stage in dict.fromkeys(insight.stages):
                    if stage in stages_of[journey.id]:
                        self.insights_of_stage[(journey.id, stage)].append(insight.id)
            for other in dict.fromkeys(insight.related):
                if other in self.insights and other != insight.id:
                    self.related_from[other].append(insight.id)
            for old in dict.fromkeys(insight.supersedes):
                if old in self.insights and old != insight.id:
                    self.superseded_by[old].append(insight.id)
        for journey in self.journeys.values():
            for persona in dict.fromkeys(journey.personas):
                if persona in self.personas:
                    self.journeys_of_persona[persona].append(journey.id)


def kind_of(entry: Entry) -> Kind:
    if isinstance(entry, Insight):
        return Kind.INSIGHT
    if isinstance(entry, Persona):
        return Kind.PERSONA
    return Kind.JOURNEY
