"""What changed, and when: the events What's new, the Atom feeds and Home's "This
week" list — new insights, status changes, passed review dates, personas
falling due for review and stage metrics going off target.

Each event is dated by the content's own dates where it has them (`created`,
`decision.history`, `decision.date`, `review_by`, `last_reviewed`) and by git
otherwise: an insight without `decision.history` takes its status changes from
the commits that made them (see timeline.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..core.catalog import Catalog
from ..core.model import DecisionStatus, PersonaStatus
from .timeline import GitChange, Step, git_status_changes, timeline

ADDED = "added"  # an insight was written down
CHANGED = "status"  # its decision took a new status
REVIEW_PASSED = "review-passed"  # a decision's review date passed
PERSONA_DUE = "persona-due"  # a persona fell due for review
METRIC_OFF = "metric-off"  # a stage metric's reading missed its target after one met it
_ORDER = {ADDED: 0, CHANGED: 1, REVIEW_PASSED: 2, PERSONA_DUE: 3, METRIC_OFF: 4}
_VERBS = {DecisionStatus.ACCEPTED: "Decided", DecisionStatus.DECLINED: "Decided",
          DecisionStatus.IN_PROGRESS: "Started", DecisionStatus.DONE: "Done",
          DecisionStatus.SUPERSEDED: "Replaced"}


@dataclass(frozen=True, slots=True)
class Event:
    date: dt.date
    kind: str  # ADDED, CHANGED, REVIEW_PASSED, PERSONA_DUE or METRIC_OFF
    entry_id: str  # the insight's id (a persona's for PERSONA_DUE, a journey's for METRIC_OFF)
    status: DecisionStatus | None = None  # CHANGED: the new status
    previous: DecisionStatus | None = None  # CHANGED: the one before
    note: str | None = None  # CHANGED: the file's note, or the commit's author
    stage: str | None = None  # METRIC_OFF: the stage's id
    metric: str | None = None  # METRIC_OFF: the metric's name

    @property
    def insight_id(self) -> str:
        return self.entry_id

    @property
    def verb(self) -> str:
        """What a status change did, in a word a reader scans for."""
        if self.previous is not None and self.previous.is_decided \
                and self.status is not None and self.status.is_undecided:
            return "Reopened"
        return _VERBS.get(self.status, "Status changed")  # type: ignore[arg-type]

    def sort_key(self) -> tuple[dt.date, int, str, str, str]:
        return (self.date, _ORDER[self.kind], self.entry_id, self.stage or "", self.metric or "")


@dataclass(slots=True)
class PortalHistory:
    timelines: dict[str, list[Step]] = field(default_factory=dict)  # per insight id
    events: list[Event] = field(default_factory=list)  # newest first, none after today

    def since(self, start: dt.date) -> list[Event]:
        """The events after `start` (newest first)."""
        return [event for event in self.events if event.date > start]


def portal_history(root: Path, catalog: Catalog, today: dt.date,
                   persona_review_after_days: int,
                   git: dict[str, list[GitChange]] | None = None) -> PortalHistory:
    """Every insight's timeline, and every event up to `today`. `git`: each
    insight's status changes in git, if they were read already
    (timeline.status_changes_in_background); else they are read now."""
    git = git_status_changes(root) if git is None else git
    history = PortalHistory()
    found: list[Event] = []
    for insight_id, insight in catalog.insights.items():
        steps = history.timelines[insight_id] = timeline(insight, git.get(insight_id))
        if insight.created:
            found.append(Event(insight.created, ADDED, insight_id))
        # A first status other than new is a decision recorded without its past.
        for before, step in zip([None, *steps], steps, strict=False):
            if step.date is not None and (before is not None
                                          or step.status is not DecisionStatus.NEW):
                note = step.note or (f"by {step.author}" if step.author else None)
                found.append(Event(step.date, CHANGED, insight_id, step.status,
                                   before.status if before else None, note))
        review_by = insight.decision.review_by if insight.decision else None
        if review_by is not None:
            found.append(Event(review_by, REVIEW_PASSED, insight_id))
    review = dt.timedelta(days=persona_review_after_days)
    for persona_id, persona in catalog.personas.items():
        if persona.last_reviewed and persona.status is not PersonaStatus.ARCHIVED:
            found.append(Event(persona.last_reviewed + review, PERSONA_DUE, persona_id))
    for journey_id, journey in catalog.journeys.items():
        for stage in journey.stages:
            for metric in stage.metrics:
                found.extend(Event(day, METRIC_OFF, journey_id, stage=stage.id,
                                   metric=metric.name) for day in metric.went_off_target())
    history.events = sorted((e for e in found if e.date <= today), key=Event.sort_key,
                            reverse=True)
    return history
