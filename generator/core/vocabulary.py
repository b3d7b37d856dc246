"""The closed vocabularies of the file format (PRODUCT.md): a value outside one
is a validation error; nothing here ever defaults an unknown value to another.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    INSIGHT = "insight"
    PERSONA = "persona"
    JOURNEY = "journey"

    @property
    def folder(self) -> str:
        return f"{self.value}s"


class InsightKind(StrEnum):
    PAIN = "pain"
    DELIGHT = "delight"
    NEED = "need"
    BEHAVIOUR = "behaviour"


class InsightSeverity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        """Severity weight for journey hot spots: low 1, medium 2, high 4, critical 8."""
        return {"low": 1, "medium": 2, "high": 4, "critical": 8}[self.value]


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EvidenceSource(StrEnum):
    INTERVIEW = "interview"
    FOCUS_GROUP = "focus-group"
    OBSERVATION = "observation"
    SURVEY = "survey"
    ANALYTICS = "analytics"
    SUPPORT_TICKET = "support-ticket"
    USABILITY_TEST = "usability-test"
    REVIEW = "review"
    SALES_CALL = "sales-call"
    DOGFOODING = "dogfooding"


class EvidenceGroup(StrEnum):
    """What kind of knowing an evidence method gives (PRODUCT.md, "Evidence strength")."""
    VOICE = "customer voice"  # customers telling or showing us
    BEHAVIOUR = "behaviour"  # what they did, measured
    OWN_USE = "our own use"  # what we found using the product ourselves


EVIDENCE_GROUPS: dict[EvidenceSource, EvidenceGroup] = {
    **{source: EvidenceGroup.VOICE for source in (
        EvidenceSource.INTERVIEW, EvidenceSource.FOCUS_GROUP, EvidenceSource.OBSERVATION,
        EvidenceSource.SUPPORT_TICKET, EvidenceSource.USABILITY_TEST, EvidenceSource.REVIEW,
        EvidenceSource.SALES_CALL, EvidenceSource.SURVEY)},
    EvidenceSource.ANALYTICS: EvidenceGroup.BEHAVIOUR,
    EvidenceSource.DOGFOODING: EvidenceGroup.OWN_USE,
}


class EvidenceStrength(StrEnum):
    """How many distinct methods an insight's evidence comes from: computed, never typed."""
    SINGLE = "single-method"  # 1
    CORROBORATED = "corroborated"  # 2
    TRIANGULATED = "triangulated"  # 3 or more

    @classmethod
    def of(cls, methods: int) -> EvidenceStrength | None:
        if methods <= 0:
            return None
        return (cls.SINGLE, cls.CORROBORATED)[methods - 1] if methods < 3 else cls.TRIANGULATED

    @property
    def rank(self) -> int:
        return list(EvidenceStrength).index(self) + 1

    @property
    def label(self) -> str:
        return {"single-method": "Single method"}.get(self.value, self.value.capitalize())


class DecisionStatus(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under-review"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    DECLINED = "declined"
    SUPERSEDED = "superseded"

    @property
    def needs_owner(self) -> bool:
        return self is not DecisionStatus.NEW

    @property
    def needs_date(self) -> bool:
        return self in _DATED

    @property
    def is_decided(self) -> bool:
        """A decision was made (accepted, in progress, done or declined): the
        statuses that carry a decision date."""
        return self in _DATED

    @property
    def is_undecided(self) -> bool:
        return self in (DecisionStatus.NEW, DecisionStatus.UNDER_REVIEW)


_DATED = frozenset({DecisionStatus.ACCEPTED, DecisionStatus.IN_PROGRESS,
                    DecisionStatus.DONE, DecisionStatus.DECLINED})


class PersonaStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class MetricUnit(StrEnum):
    RATIO = "ratio"
    PERCENT = "percent"
    COUNT = "count"
    SECONDS = "seconds"
    SCORE = "score"


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
