"""Decision flow: how long decisions take (PRODUCT.md, "Decision flow").

- *Time to decision*: from an insight's `created` to the first status that
  decided it (accepted, in-progress, done or declined) on its timeline.
- *Time to done*: from that decision to the first `done` after it.

Each is reported as the median and the 90th percentile, in days, per owner team
(the decision's owner), per journey stage and per month of decision. The
percentile is the nearest rank (the smallest value at or above 90% of the
values, so a reader can check it by hand); the median of an even count is the
mean of the two middle values.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.model import DecisionStatus, Insight
from .analysis import NO_OWNER
from .timeline import Step


@dataclass(frozen=True, slots=True)
class Lead:
    """One insight's way through the flow."""
    insight: Insight
    decided_on: dt.date | None  # its first decision
    to_decision: int | None  # days from created to it
    to_done: int | None  # days from it to done


def lead(insight: Insight, steps: list[Step]) -> Lead:
    decided = next((s for s in steps if s.status.is_decided and s.date is not None), None)
    if decided is None or insight.created is None:
        return Lead(insight, None, None, None)
    later = steps[steps.index(decided):]
    done = next((s for s in later if s.status is DecisionStatus.DONE and s.date is not None),
                None)
    return Lead(insight, decided.date, max(0, (decided.date - insight.created).days),
                max(0, (done.date - decided.date).days) if done else None)


@dataclass(slots=True)
class FlowFigures:
    """Days to decision and to done of one group (a team, a stage, a month)."""
    to_decision: list[int] = field(default_factory=list)
    to_done: list[int] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return len(self.to_decision)

    @property
    def decision_median(self) -> float | None:
        return median(self.to_decision)

    @property
    def decision_p90(self) -> int | None:
        return percentile_90(self.to_decision)

    @property
    def done_median(self) -> float | None:
        return median(self.to_done)

    @property
    def done_p90(self) -> int | None:
        return percentile_90(self.to_done)

    def add(self, item: Lead) -> None:
        if item.to_decision is not None:
            self.to_decision.append(item.to_decision)
        if item.to_done is not None:
            self.to_done.append(item.to_done)


def median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def percentile_90(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass(slots=True)
class Flow:
    overall: FlowFigures
    by_team: dict[str, FlowFigures]  # the decision's owner, busiest first
    by_stage: dict[tuple[str, str], FlowFigures]  # (journey id, stage id)
    by_month: dict[str, FlowFigures]  # "YYYY-MM" of the decision, oldest first
    by_team_month: dict[tuple[str, str], FlowFigures]  # (team, "YYYY-MM")


def decision_flow(leads: Iterable[Lead]) -> Flow:
    overall = FlowFigures()
    teams: dict[str, FlowFigures] = defaultdict(FlowFigures)
    stages: dict[tuple[str, str], FlowFigures] = defaultdict(FlowFigures)
    months: dict[str, FlowFigures] = defaultdict(FlowFigures)
    team_months: dict[tuple[str, str], FlowFigures] = defaultdict(FlowFigures)
    for item in leads:
        if item.decided_on is None:
            continue
        insight = item.insight
        overall.add(item)
        team = (insight.decision.owner if insight.decision else None) or NO_OWNER
        month = item.decided_on.strftime("%Y-%m")
        teams[team].add(item)
        team_months[(team, month)].add(item)
        for stage in dict.fromkeys(insight.stages):
            if insight.journey:
                stages[(insight.journey, stage)].add(item)
        months[month].add(item)
    return Flow(overall,
                dict(sorted(teams.items(), key=lambda kv: (-kv[1].decided, kv[0]))),
                dict(stages), dict(sorted(months.items())), dict(team_months))


def last_months(flow: Flow, today: dt.date, team: str | None = None,
                count: int = 12) -> list[tuple[str, FlowFigures]]:
    """The `count` months up to today's, oldest first, empty months included: the
    whole portal's, or one team's."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    found = (lambda key: flow.by_month.get(key)) if team is None else \
        (lambda key: flow.by_team_month.get((team, key)))
    return [(key, found(key) or FlowFigures()) for key in reversed(months)]
