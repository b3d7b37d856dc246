"""Reminders are reminders, and notices are notices: what the portal tells a
newcomer without failing anything.

A reminder (decision-overdue, review-date-passed, persona-review-overdue) is a
fact about the organisation: every output calls it a reminder, counts it apart
from warnings, and --strict never makes it fail. A build without `site_url`
says once what that costs, without failing --strict either.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import MKDOCS_YML, TODAY, PortalFactory, run_portal
from test_cli import DONE_WITHOUT_OUTCOME, LONG_UNDECIDED, STATUS_LINE, check

from generator.check.pipeline import check_portal
from generator.mkdocs.devserver import report

WARNING_LINE = (f"insights/shipped.md:{STATUS_LINE}: warning: decision is done but has no "
                "outcome [done-without-outcome]")
WARNING_HINT = "Add 'outcome:' under 'decision:' — what changed for customers, ideally measured."
REMINDER_MESSAGE = "insight has waited 327 days for a decision (status 'new', created 2026-01-01)"
REMINDER_LINE = f"insights/slot-gone.md:{STATUS_LINE}: reminder: {REMINDER_MESSAGE} " \
                "[decision-overdue]"
REMINDER_HINT = ("Decide: accept, decline with a rationale, or set an owner reviewing it. "
                 "Threshold: undecided_after_days = 30.")
NOTICE = "notice: mkdocs.yml has no site_url"


@pytest.fixture
def portal(make_portal: PortalFactory) -> Path:
    """One real warning and one reminder, in five files."""
    return make_portal({"insights/shipped.md": DONE_WITHOUT_OUTCOME,
                        "insights/slot-gone.md": LONG_UNDECIDED})


# --- portal check ---------------------------------------------------------------------------


def test_text_calls_a_reminder_a_reminder_and_counts_it_apart(portal: Path) -> None:
    result = check(portal)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        WARNING_LINE, f"    hint: {WARNING_HINT}",
        REMINDER_LINE, f"    hint: {REMINDER_HINT}",
        "0 errors, 1 warning, 1 reminder in 5 files",
    ]


def test_strict_fails_on_the_warning_and_keeps_the_reminder(portal: Path) -> None:
    result = check(portal, "--strict")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == WARNING_LINE.replace(": warning: ", ": error: ")
    assert lines[2] == REMINDER_LINE
    assert lines[-1] == "1 error, 0 warnings, 1 reminder in 5 files"


def test_a_reminder_alone_never_fails_strict(make_portal: PortalFactory) -> None:
    result = check(make_portal({"insights/slot-gone.md": LONG_UNDECIDED}), "--strict")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "0 errors, 0 warnings, 1 reminder in 4 files"


def test_github_annotates_a_reminder_as_a_notice(portal: Path) -> None:
    result = check(portal, "--format", "github")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"::warning file=insights/shipped.md,line={STATUS_LINE},title=done-without-outcome "
        f"(warning)::decision is done but has no outcome%0A{WARNING_HINT}",
        f"::notice file=insights/slot-gone.md,line={STATUS_LINE},title=decision-overdue "
        f"(reminder)::{REMINDER_MESSAGE}%0A{REMINDER_HINT}",
        "0 errors, 1 warning, 1 reminder in 5 files",
    ]


def test_json_flags_every_problem_and_counts_reminders_apart(portal: Path) -> None:
    result = check(portal, "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "errors": 0, "warnings": 1, "reminders": 1,
        "problems": [
            {"path": "insights/shipped.md", "line": STATUS_LINE, "severity": "warning",
             "reminder": False, "rule": "done-without-outcome",
             "message": "decision is done but has no outcome", "hint": WARNING_HINT},
            # severity stays "warning": tools written before reminders read it so
            {"path": "insights/slot-gone.md", "line": STATUS_LINE, "severity": "warning",
             "reminder": True, "rule": "decision-overdue", "message": REMINDER_MESSAGE,
             "hint": REMINDER_HINT},
        ]}


# --- portal serve ----------------------------------------------------------------------------


def test_serve_counts_as_check_does_and_lists_only_warnings(
        portal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report(check_portal(portal, TODAY), 0.5, 5)
    assert capsys.readouterr().err.splitlines() == [
        WARNING_LINE, f"    hint: {WARNING_HINT}",
        "Checked 5 files (5 checked afresh) in 0.50 s: 0 errors, 1 warning, 1 reminder "
        "(`portal check` lists them)",
    ]


# --- portal build: reminders and the site_url notice, at info level ------------------------------


def build(root: Path, site: Path) -> str:
    result = run_portal("build", str(root), "--site-dir", str(site), "--strict",
                        "--today", TODAY.isoformat())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "Traceback" not in output, output
    return output


def test_strict_build_logs_the_reminder_and_the_site_url_notice_as_info(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal({"insights/slot-gone.md": LONG_UNDECIDED, "docs/.keep": ""})
    output = build(root, tmp_path / "site")
    assert re.search(rf"^INFO .*{re.escape(REMINDER_LINE)}$", output, re.MULTILINE), output
    notices = [line for line in output.splitlines() if NOTICE in line]
    assert len(notices) == 1, output
    assert notices[0].startswith("INFO ")
    assert "sitemap lists no pages" in notices[0]


def test_a_build_with_site_url_has_no_notice(make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal({"docs/.keep": ""},
                       mkdocs_yml="site_url: https://insights.example.com/\n" + MKDOCS_YML)
    assert NOTICE not in build(root, tmp_path / "site")


def test_a_reopened_insight_waits_from_its_reopening(make_portal: PortalFactory) -> None:
    """Declined, then reopened: decision debt counts from the reopening (its
    decision.history says when), not from when the insight was written."""
    from test_rules import INSIGHT, changed

    reopened = changed(INSIGHT, "  status: accepted\n  owner: checkout-team\n  date: 2026-10-02\n",
                       "  status: under-review\n  owner: checkout-team\n  date: 2026-11-01\n"
                       "  history:\n    - {status: new, date: 2026-09-20}\n"
                       "    - {status: declined, date: 2026-10-02, note: No budget}\n"
                       "  rationale: No budget this quarter\n")
    root = make_portal({INSIGHT: reopened})
    overdue = [p for p in check_portal(root, TODAY).problems if p.rule == "decision-overdue"]
    assert overdue == []  # 23 days since reopening; 65 since it was written
    later = TODAY.replace(month=12, day=15)
    [reminder] = [p for p in check_portal(root, later).problems if p.rule == "decision-overdue"]
    assert "waited 44 days for a decision (status 'under-review', reopened 2026-11-01)" \
        in reminder.message
