"""Outcome against a metric (PRODUCT.md): a decision beside the metric it meant to
move — the last reading before it was decided, the latest reading, the target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..core.model import Better, Insight
from .timeline import Step


@dataclass(frozen=True, slots=True)
class Outcome:
    insight: Insight
    stage: Any  # the insight's stage that has the metric
    metric: Any
    decided_on: dt.date  # the first decision on the insight's timeline
    then: tuple[dt.date, float] | None  # the last reading on or before that day
    now: tuple[dt.date | None, float] | None  # the metric's current value (and its as_of)

    @property
    def improved(self) -> bool | None:
        """Whether the metric moved the good way since the decision (None: it did
        not move, or a reading is missing)."""
        if self.then is None or self.now is None or self.now[1] == self.then[1]:
            return None
        rose = self.now[1] > self.then[1]
        return rose if self.metric.better is not Better.LOWER else not rose


def metric_outcome(insight: Insight, journey: Any, steps: list[Step]) -> Outcome | None:
    """The outcome of a decided insight whose decision names a metric of its stages."""
    metric = insight.decision_metric(journey)
    decided = next((step.date for step in steps
                    if step.status.is_decided and step.date is not None), None)
    if metric is None or decided is None:
        return None  # no metric named, or nothing decided yet
    stage = next(s for s in insight.stages_in(journey) if s.metric(metric.name) is metric)
    now = (metric.as_of, metric.value) if metric.value is not None else None
    return Outcome(insight, stage, metric, decided, metric.reading_on(decided), now)
