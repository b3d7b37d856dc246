"""The sample content is the first thing a new user sees: it must pass
`portal check --strict` and show every feature of the format."""

from __future__ import annotations

from conftest import REPO, TODAY, run_portal

from generator.check.pipeline import check_portal
from generator.core.model import DecisionStatus, EvidenceSource, InsightKind


def test_sample_passes_check_strict_from_the_command_line() -> None:
    result = run_portal("check", str(REPO), "--strict", "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    # --strict leaves only reminders (facts about the organisation) standing.
    assert result.stdout.splitlines()[-1].startswith("0 errors, 0 warnings, ")


def test_sample_uses_every_kind_status_and_evidence_source() -> None:
    catalog = check_portal(REPO, TODAY).catalog
    insights = catalog.insights.values()
    assert len(catalog.insights) >= 15 and len(catalog.personas) >= 3
    assert {i.kind for i in insights} == set(InsightKind)
    assert {i.status for i in insights} == set(DecisionStatus)
    assert {e.source for i in insights for e in i.evidence} == set(EvidenceSource)


def test_sample_journeys_have_owned_stages_with_metrics() -> None:
    journeys = check_portal(REPO, TODAY).catalog.journeys.values()
    assert len(journeys) >= 2
    for journey in journeys:
        assert len(journey.stages) >= 5
        assert all(stage.owner for stage in journey.stages)
        assert any(stage.metrics for stage in journey.stages)
