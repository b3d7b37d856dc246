"""The front-matter schema of each kind, as data.

One declaration serves the validator (validate/fields.py), the records it
fills (model.py builds each record class from its table here), the exports and
the JSON Schema, so the documented, checked and published formats cannot drift
apart.
Field names and vocabularies are a public contract (PRODUCT.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .vocabulary import (
    Better,
    Confidence,
    DecisionStatus,
    EvidenceSource,
    InsightKind,
    InsightSeverity,
    Kind,
    MetricUnit,
    PersonaStatus,
)


class FieldType(StrEnum):
    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    NUMBER = "number"
    CHOICE = "choice"
    MAPPING = "mapping"


class Role(StrEnum):
    """What a text value means, for checks beyond its type."""

    SLUG = "slug"  # must itself be a valid id
    TEAM = "team"  # checked against the `teams` registry
    TAG = "tag"  # checked against the `tags` registry
    PERSONA = "persona"  # reference to a persona id
    JOURNEY = "journey"
    STAGE = "stage"
    INSIGHT = "insight"
    URL = "url"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: FieldType
    description: str
    required: bool = False
    many: bool = False  # a list of values of this type
    min_items: int = 0
    choices: type[StrEnum] | None = None
    fields: tuple[FieldSpec, ...] = ()  # the fields of a MAPPING
    minimum: int | None = None
    role: Role | None = None
    past: bool = False  # a date of something that already happened: never in the future
    record: str | None = None  # a MAPPING's record class in model.py ("Evidence")
    default: object = None  # the record's value when the file leaves the field out


def _text(name: str, description: str, **options: object) -> FieldSpec:
    return FieldSpec(name, FieldType.TEXT, description, **options)  # type: ignore[arg-type]


def _date(name: str, description: str, **options: object) -> FieldSpec:
    return FieldSpec(name, FieldType.DATE, description, **options)  # type: ignore[arg-type]


def _choice(name: str, choices: type[StrEnum], description: str, **options: object) -> FieldSpec:
    return FieldSpec(name, FieldType.CHOICE, description, choices=choices,
                     **options)  # type: ignore[arg-type]


_ALIASES = _text("aliases", "Former ids of this entry; their old URLs redirect here.",
                 many=True, role=Role.SLUG)

EVIDENCE_FIELDS = (
    _choice("source", EvidenceSource, "How the evidence was gathered.", required=True),
    _text("ref", "Ticket id, recording name or dashboard URL."),
    _date("date", "When it was observed.", past=True),
    _text("quote", "A customer's words, verbatim and anonymised."),
    FieldSpec("count", FieldType.INTEGER, "How many times this was seen.", minimum=1),
)

HISTORY_FIELDS = (
    _choice("status", DecisionStatus, "A status the decision had.", required=True),
    _date("date", "When it took that status.", required=True, past=True),
    _text("note", "What happened, in a line."),
)

DECISION_FIELDS = (
    _choice("status", DecisionStatus, "Where the decision stands.", required=True),
    _text("owner", "Team accountable for acting (required unless status is new).",
          role=Role.TEAM),
    _date("date", "When it was decided (required for accepted, in-progress, done, declined).",
          past=True),
    _text("rationale", "Why — required when declined."),
    _text("link", "Tracker or roadmap item.", role=Role.URL),
    _date("review_by", "Date by which the decision is revisited."),
    _text("outcome", "What changed once done, ideally measured."),
    _text("metric", "The name of a metric on one of the insight's stages that this decision "
          "means to move; the portal shows its reading then and now."),
    FieldSpec("history", FieldType.MAPPING, "The statuses before the current one, oldest "
              "first (portal decide keeps it; without it, git's history of the file).",
              many=True, fields=HISTORY_FIELDS, record="StatusChange"),
)

INSIGHT_FIELDS = (
    _text("title", "One line a busy reader understands.", required=True),
    _text("summary", "One or two sentences a busy reader can act on.", required=True),
    _choice("kind", InsightKind, "What sort of insight this is.", required=True),
    _text("personas", "Persona ids this insight concerns.", required=True, many=True,
          min_items=1, role=Role.PERSONA),
    _text("journey", "Journey id where it happens.", role=Role.JOURNEY),
    _text("stages", "Stage ids of that journey.", many=True, role=Role.STAGE),
    _choice("severity", InsightSeverity, "How much it matters to customers.", required=True),
    _choice("confidence", Confidence, "How sure the evidence makes us.", required=True),
    _text("tags", "Free tags, checked against `tags` in mkdocs.yml when given.", many=True,
          role=Role.TAG),
    FieldSpec("evidence", FieldType.MAPPING, "What we saw, and where.", required=True,
              many=True, min_items=1, fields=EVIDENCE_FIELDS, record="Evidence"),
    _date("created", "When the insight was written down.", required=True, past=True),
    _text("authors", "Who wrote it.", required=True, many=True, min_items=1),
    FieldSpec("decision", FieldType.MAPPING, "What the organisation decided.", required=True,
              fields=DECISION_FIELDS, record="Decision"),
    _text("related", "Related insight ids.", many=True, role=Role.INSIGHT),
    _text("supersedes", "Insight ids this one replaces (they must be status superseded).",
          many=True, role=Role.INSIGHT),
    _ALIASES,
)

PERSONA_FIELDS = (
    _text("name", "Display name.", required=True),
    _text("summary", "Who they are, in a sentence.", required=True),
    _text("segment", "Market segment."),
    _text("goals", "What they want to achieve.", required=True, many=True, min_items=1),
    _text("frustrations", "What gets in their way.", required=True, many=True, min_items=1),
    _text("motivations", "What drives them.", many=True),
    _text("values", "What they care about.", many=True),
    _text("quote", "A line that sounds like them."),
    _text("owner", "Team that keeps this persona current.", required=True, role=Role.TEAM),
    _date("last_reviewed", "When the persona was last checked against research.",
          required=True, past=True),
    _choice("status", PersonaStatus, "active (default) or archived.",
            default=PersonaStatus.ACTIVE),
    _ALIASES,
)

READING_FIELDS = (
    _date("as_of", "When it was measured.", required=True, past=True),
    FieldSpec("value", FieldType.NUMBER, "The value then.", required=True),
)

METRIC_FIELDS = (
    _text("name", "What is measured.", required=True),
    FieldSpec("value", FieldType.NUMBER, "Current value.", required=True),
    FieldSpec("target", FieldType.NUMBER, "Target value."),
    _choice("unit", MetricUnit, "Unit of value and target."),
    _choice("better", Better, "Which way is good: higher (default) or lower.",
            default=Better.HIGHER),
    _date("as_of", "When the value was measured.", past=True),
    FieldSpec("history", FieldType.MAPPING, "Earlier readings, oldest first, each before "
              "as_of.", many=True, fields=READING_FIELDS, record="Reading"),
)

STAGE_FIELDS = (
    _text("id", "Stage id, unique within the journey.", required=True, role=Role.SLUG),
    _text("name", "Display name.", required=True),
    _text("owner", "Team that owns this moment.", required=True, role=Role.TEAM),
    _text("description", "What happens at this stage."),
    FieldSpec("metrics", FieldType.MAPPING, "Numbers that quantify this stage.", many=True,
              fields=METRIC_FIELDS, record="Metric"),
)

JOURNEY_FIELDS = (
    _text("title", "Display name.", required=True),
    _text("summary", "From where to where.", required=True),
    _text("personas", "Persona ids who travel this journey.", required=True, many=True,
          min_items=1, role=Role.PERSONA),
    _text("owner", "Team that owns the journey as a whole.", required=True, role=Role.TEAM),
    FieldSpec("stages", FieldType.MAPPING, "The stages, in order.", required=True, many=True,
              min_items=1, fields=STAGE_FIELDS, record="Stage"),
    _ALIASES,
)

FIELDS_BY_KIND: dict[Kind, tuple[FieldSpec, ...]] = {
    Kind.INSIGHT: INSIGHT_FIELDS,
    Kind.PERSONA: PERSONA_FIELDS,
    Kind.JOURNEY: JOURNEY_FIELDS,
}
