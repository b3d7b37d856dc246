"""What a new file of each kind holds: the fields in the documented order, a
value where one was given, a placeholder or a commented-out line where not,
and the kind's body headings.

The commands gather the values (flags, then answers); these functions only
lay them out, so each kind's template reads top to bottom like the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...core.model import DecisionStatus, EvidenceSource, Kind
from ...core.schema import EVIDENCE_FIELDS, FIELDS_BY_KIND, STAGE_FIELDS
from .front import Front, flow, sample, scalar
from .portal import Portal, stage_options

BODIES = {
    Kind.INSIGHT: "## What we saw\n\n## Why it matters\n\n## What we don't know yet\n",
    Kind.PERSONA: "## Who they are\n\n## How we know\n\n## What to keep in mind\n",
    Kind.JOURNEY: "## About this map\n\n## Where it breaks\n",
}


@dataclass(slots=True)
class InsightDraft:
    """An insight's values from flags and answers; None or empty where not given."""

    title: str | None
    summary: str | None
    kind: str | None
    personas: list[str]
    journey: str | None
    stages: list[str]
    severity: str | None
    confidence: str | None
    tags: list[str]
    source: str | None
    ref: str | None
    quote: str | None
    count: int | None
    authors: list[str]
    owner: str | None
    rationale: str | None
    decision: DecisionStatus = DecisionStatus.NEW


def insight_document(portal: Portal, draft: InsightDraft) -> str:
    """insights/SLUG.md. The journey and stages are optional: written commented out
    (with the ids to choose from) when not given."""
    front = Front(FIELDS_BY_KIND[Kind.INSIGHT])
    front.text("title", draft.title)
    front.text("summary", draft.summary)
    front.text("kind", draft.kind)
    front.ids("personas", draft.personas, extra=sample(portal.ids(Kind.PERSONA)))
    if draft.journey:
        front.raw(f"journey: {draft.journey}")
    else:
        front.commented("journey", extra=sample(portal.ids(Kind.JOURNEY)))
    if draft.stages:
        front.raw(f"stages: {flow(draft.stages)}")
    else:
        stage_ids_offered = [value for value, _ in stage_options(portal, draft.journey)] \
            if draft.journey else []
        front.commented("stages", empty=" []", extra=sample(stage_ids_offered, limit=12))
    front.text("severity", draft.severity)
    front.text("confidence", draft.confidence)
    if draft.tags:
        front.raw(f"tags: {flow(draft.tags)}")
    _evidence(front, draft)
    front.raw(f"created: {portal.today.isoformat()}")
    front.ids("authors", draft.authors)
    _decision(front, portal, draft)
    return front.document(BODIES[Kind.INSIGHT])


def _evidence(front: Front, draft: InsightDraft) -> None:
    """One evidence item: its source (or a placeholder), the optional details
    commented out unless given."""
    front.raw("evidence:")
    if draft.source:
        front.raw(f"  - source: {draft.source}")
    else:
        front.raw(f"  - source:  # TODO: {' | '.join(EvidenceSource)}")
    evidence = Front(EVIDENCE_FIELDS)
    for name, value in (("ref", draft.ref), ("quote", draft.quote)):
        if value and value.strip():
            evidence.optional(name, value, indent="    ")
        else:
            evidence.commented(name, indent="    ")
    if draft.count is not None:
        evidence.raw(f"    count: {draft.count}")
    else:
        evidence.commented("count", indent="    ")
    front.lines.extend(evidence.lines[1:])


def _decision(front: Front, portal: Portal, draft: InsightDraft) -> None:
    """The decision: its status, and the owner, date and rationale that status needs."""
    decision, owner, rationale = draft.decision, draft.owner, draft.rationale
    front.raw("decision:")
    front.raw(f"  status: {decision}")
    owner_line = f"  owner: {scalar(owner)}" if owner else \
        f"  owner:  # TODO: team accountable for acting{sample(portal.teams() or [])}"
    if owner or decision.needs_owner:
        front.raw(owner_line)
    if decision.needs_date:
        front.raw(f"  date: {portal.today.isoformat()}")
    if rationale:
        front.raw(f"  rationale: {scalar(rationale)}")
    elif decision is DecisionStatus.DECLINED:
        front.raw("  rationale:  # TODO: why we chose not to act")


def persona_document(portal: Portal, *, name: str | None, summary: str | None,
                     segment: str | None, goals: Sequence[str], frustrations: Sequence[str],
                     owner: str | None) -> str:
    """personas/SLUG.md, reviewed today."""
    front = Front(FIELDS_BY_KIND[Kind.PERSONA])
    front.text("name", name)
    front.text("summary", summary)
    front.optional("segment", segment)
    front.items("goals", goals)
    front.items("frustrations", frustrations)
    front.text("owner", owner, extra=sample(portal.teams() or []))
    front.raw(f"last_reviewed: {portal.today.isoformat()}")
    return front.document(BODIES[Kind.PERSONA])


@dataclass(slots=True)
class StageDraft:
    id: str
    name: str | None = None
    owner: str | None = None


def stage_name(stage_id: str) -> str:
    """A readable default name: 'sign-up' -> 'Sign up'."""
    text = stage_id.replace("-", " ")
    return text[:1].upper() + text[1:]


def journey_document(portal: Portal, *, title: str | None, summary: str | None,
                     personas: Sequence[str], owner: str | None,
                     stages: Sequence[StageDraft]) -> str:
    """journeys/SLUG.md; with no stage given, one stage of placeholders."""
    front = Front(FIELDS_BY_KIND[Kind.JOURNEY])
    front.text("title", title)
    front.text("summary", summary)
    front.ids("personas", personas, extra=sample(portal.ids(Kind.PERSONA)))
    front.text("owner", owner, extra=sample(portal.teams() or []))
    front.raw("stages:")
    stage_front = Front(STAGE_FIELDS)
    for draft in stages or [StageDraft("")]:
        stage_front.text("id", draft.id, indent="  - ")
        stage_front.text("name", draft.name, indent="    ")
        stage_front.text("owner", draft.owner, indent="    ",
                         extra=sample(portal.teams() or []))
    front.lines.extend(stage_front.lines[1:])
    return front.document(BODIES[Kind.JOURNEY])
