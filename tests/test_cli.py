"""`portal check` as a user runs it: exit status, the three output formats, the
reference date, and reporting every problem in one run.

Every test runs the CLI in a subprocess and pins the reference date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import BASE_FILES, TODAY, PortalFactory, run_portal

# --- helpers -----------------------------------------------------------------

ACCEPTED = """\
  status: accepted
  owner: checkout-team
  date: 2026-10-02"""

# An insight written flush left (write_portal's dedent leaves it as is). The
# decision block starts on line 14, its `status:` key is on line 15.
INSIGHT = """\
---
title: {title}
summary: {summary}
kind: {kind}
personas: [shopper]
journey: order
stages: [basket]
severity: medium
confidence: {confidence}
evidence:
  - source: interview
created: {created}
authors: [sam]
decision:
{decision}
---
Shoppers told us the slot was gone by the time they paid.
"""
STATUS_LINE = 15


def insight(*, kind: str = "pain", confidence: str = "medium", created: str = "2026-09-20",
            decision: str = ACCEPTED,
            title: str = "Shoppers miss the delivery slot they wanted",
            summary: str = "Slots fill up before shoppers reach checkout.") -> str:
    return INSIGHT.format(kind=kind, confidence=confidence, created=created, decision=decision,
                          title=title, summary=summary)


# Another finding at the same stage (not a possible duplicate of the one below).
DONE_WITHOUT_OUTCOME = insight(decision="  status: done\n  owner: checkout-team\n"
                                        "  date: 2026-10-02",
                               title="Basket totals jump when the fee is added",
                               summary="A fee shown only at payment surprises shoppers.")
LONG_UNDECIDED = insight(created="2026-01-01", decision="  status: new")


def epoch(day: dt.date) -> str:
    """SOURCE_DATE_EPOCH for noon UTC on `day`."""
    return str(int(dt.datetime(day.year, day.month, day.day, 12,
                               tzinfo=dt.UTC).timestamp()))


def portal(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """Run `portal ARGS`; the date is pinned through SOURCE_DATE_EPOCH unless env says."""
    return run_portal(*args, cwd=cwd, env={"SOURCE_DATE_EPOCH": epoch(TODAY), **(env or {})})


def check(root: Path, *args: str, env: dict[str, str] | None = None):
    """Run `portal check ROOT --today 2026-11-24 ARGS`."""
    return portal("check", str(root), "--today", TODAY.isoformat(), *args, env=env)


def check_json(root: Path, *args: str) -> dict:
    result = check(root, "--format", "json", *args)
    return json.loads(result.stdout)


def problem_lines(stdout: str) -> list[str]:
    """The text format's problem lines: everything but hints and the summary."""
    lines = stdout.splitlines()
    return [line for line in lines[:-1] if not line.startswith("    hint: ")]


def assert_usage_error(result) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Error:" in result.stderr
    assert "Traceback" not in result.stderr


# --- exit status ---------------------------------------------------------------


def test_clean_portal_exits_0_and_reports_no_problems(make_portal: PortalFactory) -> None:
    result = check(make_portal())
    assert result.returncode == 0
    assert result.stdout == "0 errors, 0 warnings, 0 reminders in 3 files\n"
    assert result.stderr == ""


def test_an_error_exits_1(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": insight(confidence="hihg")})
    result = check(root)
    assert result.returncode == 1
    assert "insights/slot-gone.md:9: error: field 'confidence' has 'hihg'" in result.stdout
    assert "Traceback" not in result.stderr


def test_only_warnings_exit_0(make_portal: PortalFactory) -> None:
    result = check(make_portal({"insights/slot-gone.md": DONE_WITHOUT_OUTCOME}))
    assert result.returncode == 0
    assert (f"insights/slot-gone.md:{STATUS_LINE}: warning: decision is done but has no "
            "outcome [done-without-outcome]") in result.stdout
    assert result.stdout.endswith("0 errors, 1 warning, 0 reminders in 4 files\n")


def test_strict_turns_warnings_into_errors_and_exits_1(make_portal: PortalFactory) -> None:
    result = check(make_portal({"insights/slot-gone.md": DONE_WITHOUT_OUTCOME}), "--strict")
    assert result.returncode == 1
    assert (f"insights/slot-gone.md:{STATUS_LINE}: error: decision is done but has no "
            "outcome [done-without-outcome]") in result.stdout
    assert result.stdout.endswith("1 error, 0 warnings, 0 reminders in 4 files\n")


def test_strict_keeps_reminders_as_reminders_and_exits_0(make_portal: PortalFactory) -> None:
    result = check(make_portal({"insights/slot-gone.md": LONG_UNDECIDED}), "--strict")
    assert result.returncode == 0, result.stdout
    assert (f"insights/slot-gone.md:{STATUS_LINE}: reminder: insight has waited 327 days for a "
            "decision (status 'new', created 2026-01-01) [decision-overdue]") in result.stdout
    assert result.stdout.endswith("0 errors, 0 warnings, 1 reminder in 4 files\n")


@pytest.mark.parametrize("args", [
    pytest.param(["--no-such-option"], id="unknown-option"),
    pytest.param(["--format", "xml"], id="unknown-format"),
    pytest.param(["--today", "2026-13-45"], id="impossible-today"),
])
def test_bad_option_is_a_usage_error_without_traceback(make_portal: PortalFactory,
                                                       args: list[str]) -> None:
    result = portal("check", str(make_portal()), *args)
    assert_usage_error(result)
    assert args[-1] in result.stderr  # says which value it rejects


def test_missing_root_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = check(tmp_path / "nowhere")
    assert_usage_error(result)
    assert "is not a folder" in result.stderr


def test_root_without_mkdocs_yml_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "insights").mkdir()
    result = check(tmp_path)
    assert_usage_error(result)
    assert "has no mkdocs.yml" in result.stderr


@pytest.mark.parametrize("value", ["yesterday", "1.7e9"])
def test_unparseable_source_date_epoch_is_a_usage_error(make_portal: PortalFactory,
                                                        value: str) -> None:
    result = portal("check", str(make_portal()), env={"SOURCE_DATE_EPOCH": value})
    assert_usage_error(result)
    assert "SOURCE_DATE_EPOCH" in result.stderr
    assert f"'{value}'" in result.stderr


# --- text format -------------------------------------------------------------------


def test_text_problem_line_names_path_line_severity_message_and_rule(
        make_portal: PortalFactory) -> None:
    result = check(make_portal({"insights/slot-gone.md": insight(confidence="hihg")}))
    assert result.stdout.splitlines()[0] == (
        "insights/slot-gone.md:9: error: field 'confidence' has 'hihg', which is not one of: "
        "low, medium, high [bad-value]")


def test_text_each_problem_is_followed_by_an_indented_hint(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": insight(confidence="hihg"),
                        "insights/shipped.md": DONE_WITHOUT_OUTCOME})
    lines = check(root).stdout.splitlines()
    assert lines == [
        f"insights/shipped.md:{STATUS_LINE}: warning: decision is done but has no outcome "
        "[done-without-outcome]",
        "    hint: Add 'outcome:' under 'decision:' — what changed for customers, ideally "
        "measured.",
        "insights/slot-gone.md:9: error: field 'confidence' has 'hihg', which is not one of: "
        "low, medium, high [bad-value]",
        '    hint: Did you mean "high"?',
        "1 error, 1 warning, 0 reminders in 5 files",
    ]


def test_text_value_outside_vocabulary_without_close_match_still_has_a_hint(
        make_portal: PortalFactory) -> None:
    result = check(make_portal({"insights/slot-gone.md": insight(confidence="sure")}))
    lines = result.stdout.splitlines()
    assert lines[0].endswith("[bad-value]")
    assert lines[1].startswith("    hint: ")


@pytest.mark.parametrize(("files", "summary"), [
    ({}, "0 errors, 0 warnings, 0 reminders in 0 files"),
    ({"personas/shopper.md": BASE_FILES["personas/shopper.md"]},
     "0 errors, 1 warning, 0 reminders in 1 file"),
    ({**BASE_FILES, "insights/fees-surprise.md": insight(confidence="hihg")},
     "1 error, 0 warnings, 0 reminders in 3 files"),
    ({**BASE_FILES, "insights/slot-gone.md": insight(confidence="hihg", kind="pane")},
     "2 errors, 0 warnings, 0 reminders in 4 files"),
    ({**BASE_FILES, "insights/slot-gone.md": LONG_UNDECIDED,
      "insights/late.md": insight(created="2026-01-01", decision="  status: new",
                                  title="Evening vans arrive after the slot ends",
                                  summary="Late drivers leave no word for the shopper.")},
     "0 errors, 0 warnings, 2 reminders in 5 files"),
], ids=["nothing", "one-warning-one-file", "one-error", "two-errors", "two-reminders"])
def test_text_summary_counts_with_singular_and_plural(make_portal: PortalFactory, files: dict,
                                                      summary: str) -> None:
    result = check(make_portal(files, base=False))
    assert result.stdout.splitlines()[-1] == summary


def test_text_paths_are_relative_to_root_with_forward_slashes(make_portal: PortalFactory,
                                                              tmp_path: Path) -> None:
    root = make_portal({"insights/checkout/slot-gone.md": insight(confidence="hihg")})
    result = check(root)  # run from elsewhere, with an absolute ROOT
    assert problem_lines(result.stdout) == [
        "insights/checkout/slot-gone.md:9: error: field 'confidence' has 'hihg', which is not "
        "one of: low, medium, high [bad-value]"]
    assert str(tmp_path) not in result.stdout


def test_root_defaults_to_the_current_folder(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": insight(confidence="hihg")})
    result = portal("check", "--today", TODAY.isoformat(), cwd=root)
    assert result.returncode == 1
    assert result.stdout.startswith("insights/slot-gone.md:9: error: ")
    assert result.stdout.endswith("1 error, 0 warnings, 0 reminders in 4 files\n")


# --- json format ---------------------------------------------------------------------


@pytest.fixture
def mixed_portal(make_portal: PortalFactory) -> Path:
    """Errors and warnings in several files, two problems in one file."""
    return make_portal({
        "insights/slot-gone.md": insight(confidence="hihg", kind="pane"),
        "insights/shipped.md": DONE_WITHOUT_OUTCOME,
        "personas/shopper.md": """\
            ---
            name: Shopper
            summary: Buys groceries online every week.
            goals: [get the weekly shop done fast]
            frustrations: [surprise fees]
            owner: research-team
            last_reviewed: 2026-10-01
            hobby: cooking
            ---
            """,
    })


def test_json_format_prints_only_the_json_document(mixed_portal: Path) -> None:
    result = check(mixed_portal, "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)  # fails on any text around the document
    assert list(document) == ["errors", "warnings", "reminders", "problems"]
    assert result.stderr == ""
    # one problem per line: a diff of two reports shows which problems changed
    lines = result.stdout.splitlines()
    assert [json.loads(line.strip().rstrip(",")) for line in lines[5:-2]] \
        == document["problems"]


def test_json_of_a_clean_portal_has_an_empty_problem_list(make_portal: PortalFactory) -> None:
    result = check(make_portal(), "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"errors": 0, "warnings": 0, "reminders": 0,
                                         "problems": []}


def test_json_problems_have_exactly_the_documented_fields_and_types(mixed_portal: Path) -> None:
    problems = check_json(mixed_portal)["problems"]
    assert problems
    for problem in problems:
        assert list(problem) == ["path", "line", "severity", "reminder", "rule", "message",
                                 "hint"]
        assert [type(problem[key]) for key in problem] == [str, int, str, bool, str, str, str]
        assert problem["severity"] in ("error", "warning")
        assert problem["line"] >= 1


def test_json_counts_match_the_problems(mixed_portal: Path) -> None:
    document = check_json(mixed_portal)
    severities = [p["severity"] for p in document["problems"]]
    assert document["errors"] == severities.count("error") == 3
    assert document["warnings"] == severities.count("warning") == 1
    assert document["reminders"] == 0


def test_json_problems_sorted_by_path_then_line(mixed_portal: Path) -> None:
    problems = check_json(mixed_portal)["problems"]
    assert [(p["path"], p["line"], p["rule"]) for p in problems] == [
        ("insights/shipped.md", STATUS_LINE, "done-without-outcome"),
        ("insights/slot-gone.md", 4, "bad-value"),
        ("insights/slot-gone.md", 9, "bad-value"),
        ("personas/shopper.md", 8, "unknown-field"),
    ]


def test_json_strict_reports_promoted_warnings_as_errors(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/shipped.md": DONE_WITHOUT_OUTCOME,
                        "insights/slot-gone.md": LONG_UNDECIDED})
    document = check_json(root, "--strict")
    assert {p["rule"]: p["severity"] for p in document["problems"]} == {
        "done-without-outcome": "error", "decision-overdue": "warning"}
    assert (document["errors"], document["warnings"], document["reminders"]) == (1, 0, 1)


# --- github format ---------------------------------------------------------------------


def test_github_format_annotates_errors_and_warnings(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": insight(confidence="hihg"),
                        "insights/shipped.md": DONE_WITHOUT_OUTCOME})
    result = check(root, "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"::warning file=insights/shipped.md,line={STATUS_LINE},title=done-without-outcome "
        "(warning)::decision is done but has no outcome%0AAdd 'outcome:' under 'decision:' — "
        "what changed for customers, ideally measured.",
        "::error file=insights/slot-gone.md,line=9,title=bad-value (error)::field 'confidence' "
        "has 'hihg', which is not one of: low, medium, high%0ADid you mean \"high\"?",
        "1 error, 1 warning, 0 reminders in 5 files",
    ]


def test_github_format_escapes_comma_and_colon_in_properties(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot,gone:late.md": insight()})
    result = check(root, "--format", "github")
    annotation = result.stdout.splitlines()[0]
    assert annotation.startswith(
        "::error file=insights/slot%2Cgone%3Alate.md,line=1,title=bad-slug (error)::")
    # In the message, commas and colons stay as they are.
    assert "::file name 'slot,gone:late.md' is not a valid id%0A" in annotation


def test_github_format_escapes_percent_and_newline_in_data(make_portal: PortalFactory) -> None:
    root = make_portal({
        "insights/100%-sure.md": insight(),
        "insights/slot-gone.md": insight(kind='"pain\\nneed"'),  # YAML escape: a real newline
    })
    lines = check(root, "--format", "github").stdout.splitlines()
    assert lines[0].startswith("::error file=insights/100%25-sure.md,line=1,title=bad-slug ")
    assert "::file name '100%25-sure.md' is not a valid id%0A" in lines[0]
    assert lines[1].startswith("::error file=insights/slot-gone.md,line=4,title=bad-value ")
    assert "::field 'kind' has 'pain%0Aneed', which is not one of" in lines[1]
    assert len(lines) == 3  # two annotations, one summary: no line broken in two


def test_github_format_is_chosen_when_github_actions_is_true(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": insight(confidence="hihg")})
    result = check(root, env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=insights/slot-gone.md,line=9,")


def test_explicit_text_format_wins_over_github_actions(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": insight(confidence="hihg")})
    result = check(root, "--format", "text", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("insights/slot-gone.md:9: error: ")
    assert "::error" not in result.stdout


def test_explicit_json_format_wins_over_github_actions(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": insight(confidence="hihg")})
    result = check(root, "--format", "json", env={"GITHUB_ACTIONS": "true"})
    assert json.loads(result.stdout)["errors"] == 1


# --- the reference date ---------------------------------------------------------------

# Created 2026-11-30: in the future on TODAY (2026-11-24), in the past a week later.
CREATED_LATE = insight(created="2026-11-30")
FUTURE_CREATED = ("insights/slot-gone.md:12: error: field 'created' is 2026-11-30, which lies "
                  "in the future (today is {today}) [future-date]")


def test_source_date_epoch_sets_today_when_no_today_option(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": CREATED_LATE})
    before = portal("check", str(root), env={"SOURCE_DATE_EPOCH": epoch(dt.date(2026, 11, 29))})
    after = portal("check", str(root), env={"SOURCE_DATE_EPOCH": epoch(dt.date(2026, 12, 1))})
    assert before.returncode == 1
    assert FUTURE_CREATED.format(today="2026-11-29") in before.stdout
    assert after.returncode == 0, after.stdout
    assert after.stdout == "0 errors, 0 warnings, 0 reminders in 4 files\n"


def test_today_option_beats_source_date_epoch(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/slot-gone.md": CREATED_LATE})
    result = check(root, env={"SOURCE_DATE_EPOCH": epoch(dt.date(2026, 12, 1))})
    assert result.returncode == 1
    assert FUTURE_CREATED.format(today="2026-11-24") in result.stdout


def test_source_date_epoch_moves_an_insight_past_the_undecided_threshold(
        make_portal: PortalFactory) -> None:
    # created 2026-09-20, undecided_after_days: 30 → overdue from 2026-10-21
    root = make_portal({"insights/slot-gone.md": insight(decision="  status: new")})
    on_time = portal("check", str(root), "--format", "json",
                     env={"SOURCE_DATE_EPOCH": epoch(dt.date(2026, 10, 20))})
    late = portal("check", str(root), "--format", "json",
                  env={"SOURCE_DATE_EPOCH": epoch(dt.date(2026, 10, 21))})
    assert json.loads(on_time.stdout)["problems"] == []
    assert [p["message"] for p in json.loads(late.stdout)["problems"]] == [
        "insight has waited 31 days for a decision (status 'new', created 2026-09-20)"]


# --- every problem in one run ----------------------------------------------------------


def test_problems_in_three_files_are_all_reported_in_one_run(make_portal: PortalFactory) -> None:
    root = make_portal({
        "insights/slot-gone.md": "---\ntitle: [unclosed\n---\n",
        "personas/browser.md": """\
            ---
            name: Browser
            summary: Looks around, rarely buys.
            goals: [compare prices]
            owner: research-team
            last_reviewed: 2026-10-01
            ---
            """,
        "journeys/returns.md": """\
            ---
            title: Returns
            summary: From complaint to refund.
            personas: [shoper]
            owner: cx-team
            stages:
              - id: request
                name: Request
                owner: support-team
            ---
            """,
    })
    result = check(root)
    assert result.returncode == 1
    errors = [line for line in problem_lines(result.stdout) if ": error: " in line]
    assert errors == [
        "insights/slot-gone.md:2: error: front matter is not valid YAML: did not find "
        "expected ',' or ']': the [list] that starts on this line is not closed "
        "[invalid-yaml]",
        'journeys/returns.md:4: error: journey "returns" (field personas[0]) refers to '
        'persona "shoper", which does not exist [unknown-persona]',
        "personas/browser.md:1: error: required field 'frustrations' is missing "
        "[missing-field]",
    ]
    assert result.stdout.endswith("3 errors, 2 warnings, 0 reminders in 6 files\n")


# --- version and help ----------------------------------------------------------------


def test_version_prints_program_name_and_version() -> None:
    result = portal("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "portal, version 0.1.0"


def test_check_help_describes_options_and_exit_status() -> None:
    result = portal("check", "--help")
    assert result.returncode == 0
    for text in ("[ROOT]", "--format", "--strict", "--today", "Exit status"):
        assert text in result.stdout
