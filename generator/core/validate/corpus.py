"""Second pass: the whole corpus at once — ids, references, supersedes chains,
links between files (links.py), unused entries, and everything measured against
today. The hand-written pages of docs/ are checked in docs_pages.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from ..catalog import Catalog, kind_of
from ..config import PortalConfig
from ..loader import SourceFile
from ..model import DecisionStatus, Entry, Insight, Journey, Kind, PersonaStatus
from ..problems import Problem, make_problem
from ..suggest import did_you_mean
from .docs_pages import (
    SVG_SUFFIXES,
    check_hand_written,
    markdown_of,
    svg_file_risk,
    theme_meta_problems,
)
from .duplicates import check_duplicates, looks_like
from .fields import label
from .id_hints import IdHints
from .links import check_links

# The hand-written pages' checks live in docs_pages.py; the check pipeline, the
# plugin and the standalone site import them from here.
__all__ = [
    "SVG_SUFFIXES",
    "Beside",
    "check_corpus",
    "check_hand_written",
    "markdown_of",
    "svg_file_risk",
    "theme_meta_problems",
]


T = TypeVar("T")
# How the corpus pass may run a job beside the rest of its work: given the job
# and how many items it works on, a function that gives the job's result. The
# check pipeline passes one that forks (check/parallel.py); by default the job
# runs here when its result is asked for.
Beside = Callable[[Callable[[], T], int], Callable[[], T]]


def _when_asked(job: Callable[[], T], items: int) -> Callable[[], T]:
    return job


def check_corpus(entries: list[Entry], files: list[SourceFile], root: Path,
                 config: PortalConfig, today: dt.date, probes: dict[str, bool] | None = None,
                 beside: Beside = _when_asked) -> tuple[Catalog, list[Problem]]:
    """Index `entries` (files that loaded) and check what spans files.

    `files` lists every file found, loaded or not. Every path outside the
    content folders whose existence a link depends on is recorded in `probes`.
    The comparison of insights for possible duplicates, which reads nothing but
    the catalog, is given to `beside`.
    """
    problems: list[Problem] = []
    catalog = Catalog()
    for source in files:
        catalog.file_ids[source.kind].add(source.id)
    for entry in entries:
        existing = catalog.add(entry)
        if existing is not None:
            kind = kind_of(entry)
            problems.append(make_problem("duplicate-id", entry.origin.path, 1, kind=kind,
                                         id=entry.id, other=existing.origin.path))
    _aliases(catalog, problems)
    catalog.link()
    alike = beside(partial(looks_like, catalog), len(catalog.insights))

    hints = IdHints(catalog)
    _references(catalog, hints, problems)
    _supersedes(catalog, problems)
    check_links(catalog, hints, files, root, problems, probes if probes is not None else {})
    _unused(catalog, problems)
    _dates(catalog, config, today, problems)
    check_duplicates(catalog, problems, alike())
    return catalog, problems


def _aliases(catalog: Catalog, problems: list[Problem]) -> None:
    for kind in Kind:
        owners = catalog.aliases[kind]
        for entry in catalog.entries(kind).values():
            for index, alias in enumerate(entry.aliases):
                line = entry.origin.line("aliases", index)
                if alias in catalog.file_ids[kind]:
                    other = f"the id of {kind.folder}/{alias}.md" if alias != entry.id \
                        else "this entry's own id"
                    problems.append(make_problem("alias-conflict", entry.origin.path, line,
                                                 alias=alias, other=other, kind=kind))
                elif alias in owners and owners[alias] != entry.id:
                    problems.append(make_problem(
                        "alias-conflict", entry.origin.path, line, alias=alias, kind=kind,
                        other=f"an alias of {kind.folder}/{owners[alias]}.md"))
                else:
                    owners[alias] = entry.id


def _references(catalog: Catalog, hints: IdHints, problems: list[Problem]) -> None:
    stages_of = {id: set(journey.stage_ids()) for id, journey in catalog.journeys.items()}
    for insight in catalog.insights.values():
        origin = insight.origin
        for index, ref in enumerate(insight.personas):
            if not catalog.exists(Kind.PERSONA, ref):
                problems.append(make_problem(
                    "unknown-persona", origin.path, origin.line("personas", index),
                    kind="insight", id=insight.id, field=f"personas[{index}]", ref=ref,
                    suggestion=hints.reference(Kind.PERSONA, ref)))
        if insight.journey and not catalog.exists(Kind.JOURNEY, insight.journey):
            problems.append(make_problem(
                "unknown-journey", origin.path, origin.line("journey"), id=insight.id,
                ref=insight.journey,
                suggestion=hints.reference(Kind.JOURNEY, insight.journey)))
        journey = catalog.journeys.get(insight.journey or "")
        if journey is not None:
            for index, stage in enumerate(insight.stages):
                if stage not in stages_of[journey.id]:
                    stage_ids = journey.stage_ids()
                    hint = did_you_mean(stage, stage_ids) or \
                        f"Stages of {journey.id}: {', '.join(stage_ids)}."
                    problems.append(make_problem(
                        "unknown-stage", origin.path, origin.line("stages", index),
                        id=insight.id, field=f"stages[{index}]", ref=stage,
                        journey=journey.id, suggestion=hint))
        _decision_metric(insight, journey, problems)
        for field in ("related", "supersedes"):
            for index, ref in enumerate(getattr(insight, field)):
                if ref != insight.id and not catalog.exists(Kind.INSIGHT, ref):
                    problems.append(make_problem(
                        "unknown-insight", origin.path, origin.line(field, index),
                        id=insight.id, field=f"{field}[{index}]", ref=ref,
                        suggestion=hints.reference(Kind.INSIGHT, ref)))
    for journey in catalog.journeys.values():
        for index, ref in enumerate(journey.personas):
            if not catalog.exists(Kind.PERSONA, ref):
                problems.append(make_problem(
                    "unknown-persona", journey.origin.path,
                    journey.origin.line("personas", index), kind="journey", id=journey.id,
                    field=f"personas[{index}]", ref=ref,
                    suggestion=hints.reference(Kind.PERSONA, ref)))


def _decision_metric(insight: Insight, journey: Journey | None,
                     problems: list[Problem]) -> None:
    """decision.metric names a metric of one of the insight's stages."""
    name = insight.decision.metric if insight.decision else None
    if not name or (insight.journey and journey is None):
        return  # no metric named, or the journey is unknown (reported already)
    metric = insight.decision_metric(journey)
    if metric is not None:
        return
    names = [m.name for stage in insight.stages_in(journey) for m in stage.metrics if m.name]
    where = f"the stages {', '.join(insight.stages)} of journey \"{journey.id}\"" \
        if journey and insight.stages else "the insight's stages (it lists none)"
    hint = did_you_mean(name, names) or (
        f"Metrics there: {', '.join(names)}." if names else
        "Name a metric listed under 'metrics' of one of the insight's stages in its journey "
        "file, or give the insight the journey and stage the metric belongs to.")
    problems.append(make_problem("unknown-metric", insight.origin.path,
                                 insight.origin.line("decision", "metric"), id=insight.id,
                                 ref=name, where=where, suggestion=hint))


def _supersedes(catalog: Catalog, problems: list[Problem]) -> None:
    for insight in catalog.insights.values():
        for index, ref in enumerate(insight.supersedes):
            old = catalog.insights.get(ref)
            if old is None or ref == insight.id or old.status is None:
                continue
            if old.status is not DecisionStatus.SUPERSEDED:
                problems.append(make_problem(
                    "superseded-not-marked", insight.origin.path,
                    insight.origin.line("supersedes", index), id=insight.id, ref=ref,
                    status=old.status))
    for cycle in _cycles(catalog.insights):
        first = catalog.insights[cycle[0]]
        problems.append(make_problem(
            "supersedes-cycle", first.origin.path, first.origin.line("supersedes"),
            cycle=" → ".join(cycle + [cycle[0]])))


def _cycles(insights: dict[str, Insight]) -> list[list[str]]:
    """Each supersedes cycle once, rotated to start at its smallest id."""
    graph = {id: [ref for ref in insight.supersedes if ref in insights and ref != id]
             for id, insight in insights.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    found: dict[frozenset[str], list[str]] = {}
    for start in sorted(graph):
        if start in state:
            continue
        path: list[str] = [start]
        state[start] = 1
        stack = [iter(graph[start])]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                cycle = path[path.index(following):]
                smallest = cycle.index(min(cycle))
                found.setdefault(frozenset(cycle), cycle[smallest:] + cycle[:smallest])
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(graph[following]))
    return sorted(found.values())


def _unused(catalog: Catalog, problems: list[Problem]) -> None:
    for persona in catalog.personas.values():
        if persona.status is PersonaStatus.ACTIVE and not catalog.insights_of_persona.get(
                persona.id):
            problems.append(make_problem("unused-persona", persona.origin.path, 1,
                                         id=persona.id))
    for journey in catalog.journeys.values():
        if not catalog.insights_of_journey.get(journey.id):
            problems.append(make_problem("unused-journey", journey.origin.path, 1,
                                         id=journey.id))
    active = [p.id for p in catalog.personas.values() if p.status is PersonaStatus.ACTIVE]
    for insight in catalog.insights.values():
        if insight.status is not DecisionStatus.NEW:
            continue
        for index, ref in enumerate(insight.personas):
            persona = catalog.personas.get(ref)
            if persona is not None and persona.status is PersonaStatus.ARCHIVED:
                suggestion = did_you_mean(ref, active) or \
                    "Refer to an active persona, or reactivate this one."
                problems.append(make_problem(
                    "archived-persona", insight.origin.path,
                    insight.origin.line("personas", index), ref=ref, suggestion=suggestion))


def _dates(catalog: Catalog, config: PortalConfig, today: dt.date,
           problems: list[Problem]) -> None:
    for kind in Kind:
        for entry in catalog.entries(kind).values():
            for path, date in entry.origin.past_dates:
                if date > today:
                    problems.append(make_problem(
                        "future-date", entry.origin.path, entry.origin.line(*path),
                        field=label(path), value=date.isoformat(), today=today.isoformat()))
    for insight in catalog.insights.values():
        decision, origin = insight.decision, insight.origin
        if decision is None or decision.status is None:
            continue
        since = insight.waiting_since
        if decision.status.is_undecided and since:
            age = (today - since).days
            if age > config.undecided_after_days:
                reopened = insight.reopened_on
                problems.append(make_problem(
                    "decision-overdue", origin.path, origin.line("decision", "status"), age=age,
                    status=decision.status, limit=config.undecided_after_days,
                    since=f"reopened {reopened.isoformat()}" if reopened
                    else f"created {since.isoformat()}"))
        if decision.review_by and decision.review_by < today \
                and decision.status is not DecisionStatus.SUPERSEDED:
            problems.append(make_problem(
                "review-date-passed", origin.path, origin.line("decision", "review_by"),
                review_by=decision.review_by.isoformat(),
                age=(today - decision.review_by).days))
    for persona in catalog.personas.values():
        if persona.status is PersonaStatus.ACTIVE and persona.last_reviewed:
            age = (today - persona.last_reviewed).days
            if age > config.persona_review_after_days:
                problems.append(make_problem(
                    "persona-review-overdue", persona.origin.path,
                    persona.origin.line("last_reviewed"), age=age,
                    last_reviewed=persona.last_reviewed.isoformat(),
                    limit=config.persona_review_after_days))
