"""Teams: every owner name is a team (PRODUCT.md, "Teams") — of a decision, a
stage, a persona or a journey — and each gets a page and a feed.

Whose desk an insight is on: its decision's owner; an insight with no decision
owner that sits at a stage falls to the owner of its first stage until someone
takes it. An undecided insight waits there for a decision; an accepted or
in-progress one waits to be acted on; done, declined and superseded ones are
on nobody's desk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core.catalog import Catalog
from ..core.model import DecisionStatus, Insight, Journey, Persona, PersonaStatus
from ..core.routes import team_slugs
from .analysis import JourneyHeat
from .flow import Flow, FlowFigures
from .history import METRIC_OFF, PERSONA_DUE, Event
from .moments import Moment, moments
from .timeline import Step

ACTING = frozenset({DecisionStatus.ACCEPTED, DecisionStatus.IN_PROGRESS})
REVIEW_AHEAD_DAYS = 30  # a review date this close counts as due on the team's page


@dataclass(frozen=True, slots=True)
class Desk:
    """Where an insight waits: the team, whether it fell to the team as stage
    owner, and since when it has waited in its current state."""
    team: str
    fallen: bool  # no decision owner: it fell to the stage owner
    since: dt.date | None  # when it took its status (undecided: since created or reopened)
    status: DecisionStatus

    @property
    def undecided(self) -> bool:  # waiting for a decision (else: accepted or in progress)
        return self.status.is_undecided

    def days(self, today: dt.date) -> int | None:
        return (today - self.since).days if self.since else None


def responsible_team(insight: Insight, catalog: Catalog) -> tuple[str | None, bool]:
    """(team, fallen): the decision's owner, else its first stage's owner."""
    return insight.desk_team(catalog.journeys.get(insight.journey or ""))


def desk(insight: Insight, catalog: Catalog, steps: list[Step]) -> Desk | None:
    status = insight.status
    if status is None or not (status.is_undecided or status in ACTING):
        return None
    team, fallen = responsible_team(insight, catalog)
    if team is None:
        return None
    since = insight.waiting_since if status.is_undecided else \
        (steps[-1].date if steps and steps[-1].date else None) or insight.decision.date
    return Desk(team, fallen, since, status)


@dataclass(slots=True)
class Team:
    name: str
    slug: str  # its page: teams/<slug>/
    waiting: list[tuple[Insight, Desk]] = field(default_factory=list)  # undecided, oldest first
    acting: list[tuple[Insight, Desk]] = field(default_factory=list)  # accepted, in progress
    reviews: list[Insight] = field(default_factory=list)  # review dates passed or near
    stages: list[Moment] = field(default_factory=list)  # the stages it owns
    journeys: list[Journey] = field(default_factory=list)
    personas: list[tuple[Persona, int]] = field(default_factory=list)  # due, with review age
    events: list[Event] = field(default_factory=list)  # newest first, all of them
    flow: FlowFigures = field(default_factory=FlowFigures)
    debt: int = 0  # waiting longer than undecided_after_days

    @property
    def fallen(self) -> list[tuple[Insight, Desk]]:
        """Undecided insights with no decision owner at a stage the team owns."""
        return [(insight, d) for insight, d in self.waiting if d.fallen]

    @property
    def owned_waiting(self) -> list[tuple[Insight, Desk]]:
        return [(insight, d) for insight, d in self.waiting if not d.fallen]

    def longest_wait(self, today: dt.date) -> int:
        return max((d.days(today) or 0 for _, d in self.waiting), default=0)


def portal_teams(catalog: Catalog, timelines: dict[str, list[Step]],
                 heats: list[JourneyHeat], flow: Flow, events: list[Event], today: dt.date,
                 undecided_after_days: int, persona_review_after_days: int) -> dict[str, Team]:
    """Every team by name, ranked by decision debt (then its longest wait, then name)."""
    teams = {name: Team(name, slug) for name, slug in team_slugs(catalog).items()}
    _desks(teams, catalog, timelines, today, undecided_after_days)
    _stages(teams, heats)
    _personas_due(teams, catalog, today, persona_review_after_days)
    for team in teams.values():
        team.flow = flow.by_team.get(team.name, FlowFigures())
    for event in events:
        name = event_team(event, catalog)
        if name in teams:
            teams[name].events.append(event)
    return dict(sorted(teams.items(), key=lambda item: (
        -item[1].debt, -item[1].longest_wait(today), item[0].lower(), item[0])))


def _desks(teams: dict[str, Team], catalog: Catalog, timelines: dict[str, list[Step]],
           today: dt.date, undecided_after_days: int) -> None:
    """What waits on each team, what it acts on, and its reviews due."""
    review_until = today + dt.timedelta(days=REVIEW_AHEAD_DAYS)
    for insight in sorted(catalog.insights.values(), key=lambda i: i.id):
        found = desk(insight, catalog, timelines.get(insight.id, []))
        if found is not None:
            team = teams[found.team]
            (team.waiting if found.undecided else team.acting).append((insight, found))
            if found.undecided and (found.days(today) or 0) > undecided_after_days:
                team.debt += 1
        decision = insight.decision
        if decision and decision.owner and decision.review_by \
                and decision.review_by <= review_until \
                and decision.status is not DecisionStatus.SUPERSEDED:
            teams[decision.owner].reviews.append(insight)
    for team in teams.values():
        for waiting in (team.waiting, team.acting):
            waiting.sort(key=lambda item: (item[1].since or today, item[0].id))
        team.reviews.sort(key=lambda i: (i.decision.review_by, i.id))


def _stages(teams: dict[str, Team], heats: list[JourneyHeat]) -> None:
    """The journeys and stages each team owns, with hot spots and off-target metrics."""
    for heat in heats:
        if heat.journey.owner:
            teams[heat.journey.owner].journeys.append(heat.journey)
    for moment in moments(heats, ranked=False):
        if moment.stage.stage.owner:
            teams[moment.stage.stage.owner].stages.append(moment)


def _personas_due(teams: dict[str, Team], catalog: Catalog, today: dt.date,
                  persona_review_after_days: int) -> None:
    for persona in sorted(catalog.personas.values(), key=lambda p: p.id):
        if persona.owner and persona.status is not PersonaStatus.ARCHIVED \
                and persona.last_reviewed:
            age = (today - persona.last_reviewed).days
            if age > persona_review_after_days:
                teams[persona.owner].personas.append((persona, age))


def event_team(event: Event, catalog: Catalog) -> str | None:
    """The team an event concerns: the stage's owner for a metric, the persona's
    for a review, else the insight's desk (its owner, or its stage's)."""
    if event.kind == METRIC_OFF:
        journey = catalog.journeys.get(event.entry_id)
        stage = journey.stage(event.stage) if journey else None
        return stage.owner if stage else None
    if event.kind == PERSONA_DUE:
        persona = catalog.personas.get(event.entry_id)
        return persona.owner if persona else None
    insight = catalog.insights.get(event.entry_id)
    return responsible_team(insight, catalog)[0] if insight else None
