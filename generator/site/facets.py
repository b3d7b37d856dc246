"""The insight facets, declared once: what a reader can filter insights by.

Each facet's key, legend, accessor and option order live here; from this table
come the index data the insight index and the decision log filter with (their
JavaScript reads the facets from that data and lists none itself) and the
Pagefind filters of the search page. A new facet is one row below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..core.catalog import Catalog
from ..core.model import DecisionStatus, EvidenceStrength, Insight, InsightKind, InsightSeverity

STATUS_LABELS = {
    DecisionStatus.NEW: "New",
    DecisionStatus.UNDER_REVIEW: "Under review",
    DecisionStatus.ACCEPTED: "Accepted",
    DecisionStatus.IN_PROGRESS: "In progress",
    DecisionStatus.DONE: "Done",
    DecisionStatus.DECLINED: "Declined",
    DecisionStatus.SUPERSEDED: "Superseded",
}

_STATUS_WORDS = {status.value: label for status, label in STATUS_LABELS.items()}

# Where a facet is offered: the insight index, the decision log, the search page.
INDEX, DECISIONS, SEARCH = "index", "decisions", "search"


def humanise(value: str) -> str:
    """A vocabulary word as a reader reads it: "support-ticket" -> "Support ticket"."""
    text = value.replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class Facet:
    key: str  # in URLs (#status=new) and the index data
    legend: str  # its name on the page
    values: Callable[[Insight], Iterable[str]]  # an insight's options, as stored
    # An option as the page words it (given the catalog, for names of things).
    label: Callable[[str, Catalog], str] = lambda value, catalog: value
    # The options in their own order (any others follow, by label); None: by label.
    order: Callable[[Catalog], list[str]] | None = None
    always: bool = False  # list every option of `order`, even one no insight has
    views: frozenset[str] = frozenset({INDEX})


# An evidence method named in a sentence: "interviews, support tickets, analytics".
METHOD_PLURALS = {"analytics": "analytics", "dogfooding": "dogfooding"}


def method_plural(method: object) -> str:
    value = str(getattr(method, "value", method))
    return METHOD_PLURALS.get(value) or humanise(value).lower() + "s"


def _one(value: object) -> list[str]:
    """A single optional value as a facet's options (a vocabulary word as text)."""
    return [str(value)] if value else []


def _persona_name(persona_id: str, catalog: Catalog) -> str:
    persona = catalog.personas.get(persona_id)
    return (persona.name if persona else None) or persona_id


def _journey_title(journey_id: str, catalog: Catalog) -> str:
    journey = catalog.journeys.get(journey_id)
    return (journey.title if journey else None) or journey_id


def _stage_name(key: str, catalog: Catalog) -> str:
    journey_id, _, stage_id = key.partition("/")
    journey = catalog.journeys.get(journey_id)
    names = {stage.id: stage.name for stage in journey.stages} if journey else {}
    return f"{_journey_title(journey_id, catalog)} \u203a {names.get(stage_id) or stage_id}"


def _stages_in_order(catalog: Catalog) -> list[str]:
    """Every stage, journeys by title and each journey's stages in their order."""
    journeys = sorted(catalog.journeys.values(), key=lambda j: ((j.title or j.id).lower(), j.id))
    return [f"{journey.id}/{stage.id}" for journey in journeys for stage in journey.stages
            if stage.id]


def _owners_in_order(catalog: Catalog) -> list[str]:
    """'No owner yet' first, then every decision owner alphabetically."""
    owners = {insight.decision.owner for insight in catalog.insights.values()
              if insight.decision and insight.decision.owner}
    return ["", *sorted(owners, key=str.lower)]


FACETS: tuple[Facet, ...] = (
    Facet("status", "Decision status", lambda i: _one(i.status),
          label=lambda value, _: _STATUS_WORDS.get(value) or humanise(value),
          order=lambda _: [status.value for status in DecisionStatus], always=True,
          views=frozenset({INDEX, DECISIONS, SEARCH})),
    Facet("owner", "Owner", lambda i: [(i.decision.owner if i.decision else None) or ""],
          label=lambda value, _: value or "No owner yet", order=_owners_in_order,
          views=frozenset({DECISIONS})),
    Facet("persona", "Persona", lambda i: i.personas, label=_persona_name,
          views=frozenset({INDEX, DECISIONS, SEARCH})),
    Facet("journey", "Journey", lambda i: _one(i.journey), label=_journey_title,
          views=frozenset({INDEX, DECISIONS, SEARCH})),
    Facet("stage", "Stage",
          lambda i: [f"{i.journey}/{stage}" for stage in i.stages] if i.journey else [],
          label=_stage_name, order=_stages_in_order),
    Facet("severity", "Severity", lambda i: _one(i.severity),
          label=lambda value, _: humanise(value),
          order=lambda _: [severity.value for severity in reversed(InsightSeverity)],
          always=True,
          views=frozenset({INDEX, SEARCH})),
    Facet("kind", "Kind", lambda i: _one(i.kind), label=lambda value, _: humanise(value),
          order=lambda _: [kind.value for kind in InsightKind], always=True,
          views=frozenset({INDEX, SEARCH})),
    Facet("strength", "Evidence strength", lambda i: _one(i.evidence_strength),
          label=lambda value, _: EvidenceStrength(value).label,
          order=lambda _: [strength.value for strength in reversed(EvidenceStrength)],
          views=frozenset({INDEX, DECISIONS, SEARCH})),
    Facet("source", "Evidence source",
          lambda i: sorted({e.source.value for e in i.evidence if e.source}),
          label=lambda value, _: humanise(value)),
    Facet("tag", "Tag", lambda i: i.tags, views=frozenset({INDEX, SEARCH})),
)


def facets_of(view: str) -> tuple[Facet, ...]:
    return tuple(facet for facet in FACETS if view in facet.views)


def index_facets(insights: list[Insight], catalog: Catalog
                 ) -> tuple[list[dict[str, object]], list[list[list[int]]]]:
    """The facets as the index data carries them: each with its options in the
    order pages list them ([value, label] pairs) and the views that offer it;
    and per insight, per facet, the positions of its options in that list."""
    described: list[dict[str, object]] = []
    per_insight: list[list[list[int]]] = [[] for _ in insights]
    for facet in FACETS:
        found = [list(dict.fromkeys(facet.values(insight))) for insight in insights]
        present = {value for values in found for value in values}
        ordered = facet.order(catalog) if facet.order else []
        options = ordered if facet.always else [value for value in ordered if value in present]
        others = sorted(present.difference(options),
                        key=lambda value: (facet.label(value, catalog).lower(), value))
        options = [*options, *others]
        position = {value: n for n, value in enumerate(options)}
        for row, values in zip(per_insight, found, strict=True):
            row.append([position[value] for value in values])
        described.append({"key": facet.key, "legend": facet.legend,
                          "views": sorted(facet.views),
                          "options": [[value, facet.label(value, catalog)] for value in options]})
    return described, per_insight
