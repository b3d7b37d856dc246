"""`portal new insight|persona|journey SLUG`: files written from a template.

Non-interactive runs go through the CLI in a subprocess (`run_portal`);
interactive runs use click's CliRunner with `--interactive` and typed answers,
and one runs in a real pseudo-terminal to show that a terminal is detected.
Every run pins the date with --today, and git's configuration is isolated so
the author never comes from the machine running the tests.
"""

from __future__ import annotations

import json
import os
import select
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import MKDOCS_YML, REPO, TODAY, PortalFactory, run_portal

from generator.check.pipeline import check_portal
from generator.cli import main

DAY = TODAY.isoformat()

ALL_INSIGHT_FLAGS = [
    "--title", "Shoppers want to hold a slot before they shop",
    "--summary", "Let shoppers pick and hold a delivery slot first, then build the basket.",
    "--kind", "need",
    "--persona", "shopper",
    "--journey", "order",
    "--stage", "checkout",
    "--severity", "high",
    "--confidence", "medium",
    "--tag", "delivery-slots",
    "--source", "interview",
    "--ref", "INT-2026-11",
    "--quote", "I'd pick the slot first, then shop.",
    "--count", "4",
    "--author", "Dana Scully",
]

ALL_INSIGHT_FILE = f"""\
---
title: Shoppers want to hold a slot before they shop
summary: Let shoppers pick and hold a delivery slot first, then build the basket.
kind: need
personas: [shopper]
journey: order
stages: [checkout]
severity: high
confidence: medium
tags: [delivery-slots]
evidence:
  - source: interview
    ref: INT-2026-11
    quote: I'd pick the slot first, then shop.
    count: 4
created: {DAY}
authors: [Dana Scully]
decision:
  status: new
---
## What we saw

## Why it matters

## What we don't know yet
"""

REGISTRY_YML = MKDOCS_YML + """\
      teams: [research-team, cx-team, catalog-team, checkout-team]
      tags: [fees, delivery-slots]
"""


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """Environment in which git sees no global or system user.name."""
    home = tmp_path / "home"
    home.mkdir()
    config = home / "gitconfig"
    config.write_text("", encoding="utf-8")
    return {"HOME": str(home), "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CEILING_DIRECTORIES": str(tmp_path)}


def new(kind: str, slug: str, root: Path, *flags: str, env: dict[str, str] | None = None,
        interactive: bool = False) -> subprocess.CompletedProcess[str]:
    """Run `portal new KIND SLUG ROOT --today 2026-11-24 FLAGS` without a terminal."""
    mode = "--interactive" if interactive else "--no-interactive"
    return run_portal("new", kind, slug, str(root), "--today", DAY, mode, *flags, env=env)


def check_json(root: Path) -> dict:
    result = run_portal("check", str(root), "--today", DAY, "--format", "json")
    return json.loads(result.stdout)


def problems_of(root: Path, rel: str) -> list[tuple[int, str, str]]:
    """(line, severity, rule) of every problem `portal check` reports in one file."""
    return [(p["line"], p["severity"], p["rule"]) for p in check_json(root)["problems"]
            if p["path"] == rel]


def snapshot(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Error:" in result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def invoke(args: list[str], answers: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, args, input=answers, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


# --- with every flag, the file passes `portal check` at once -----------------------


def test_insight_with_all_flags_is_the_documented_format_and_passes_check(
        make_portal: PortalFactory, git_env: dict[str, str]) -> None:
    root = make_portal()
    result = new("insight", "slot-hold-wanted", root, *ALL_INSIGHT_FLAGS, env=git_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Wrote insights/slot-hold-wanted.md",
        "It passes `portal check`.",
        "Edit it, then run `portal check`.",
    ]
    assert (root / "insights/slot-hold-wanted.md").read_text(encoding="utf-8") == \
        ALL_INSIGHT_FILE
    report = check_json(root)
    assert (report["errors"], report["warnings"]) == (0, 0), report


def test_insight_with_a_decision_gets_owner_and_date(make_portal: PortalFactory,
                                                      git_env: dict[str, str]) -> None:
    root = make_portal()
    result = new("insight", "slot-hold-wanted", root, *ALL_INSIGHT_FLAGS,
                 "--status", "accepted", "--owner", "checkout-team", env=git_env)
    assert result.returncode == 0, result.stderr
    text = (root / "insights/slot-hold-wanted.md").read_text(encoding="utf-8")
    assert "decision:\n  status: accepted\n  owner: checkout-team\n  date: 2026-11-24\n---" \
        in text
    assert check_json(root)["errors"] == 0


def test_persona_with_all_flags_passes_check(make_portal: PortalFactory) -> None:
    root = make_portal()
    result = new("persona", "night-shift-nurse", root, "--name", "Night-shift nurse",
                 "--summary", "Orders after a night shift: sleeps until noon.",
                 "--segment", "consumer", "--goal", "Delivery after noon",
                 "--goal", "No doorbell before noon", "--frustration", "Morning-only slots",
                 "--owner", "research-team")
    assert result.returncode == 0, result.stderr
    assert (root / "personas/night-shift-nurse.md").read_text(encoding="utf-8") == f"""\
---
name: Night-shift nurse
summary: "Orders after a night shift: sleeps until noon."
segment: consumer
goals:
  - Delivery after noon
  - No doorbell before noon
frustrations:
  - Morning-only slots
owner: research-team
last_reviewed: {DAY}
---
## Who they are

## How we know

## What to keep in mind
"""
    report = check_json(root)
    assert report["errors"] == 0, report
    # A new persona is not used by any insight yet: a warning, which the command shows.
    assert problems_of(root, "personas/night-shift-nurse.md") == [(1, "warning",
                                                                   "unused-persona")]
    assert result.stdout.splitlines()[1:3] == [
        "It passes `portal check`, with 1 warning:",
        "  personas/night-shift-nurse.md:1: warning: persona \"night-shift-nurse\" is not used "
        "by any insight [unused-persona]"]


def test_the_count_names_every_line_listed(make_portal: PortalFactory) -> None:
    """Errors and warnings are both listed, so both are counted: '1 error' above two
    lines read as one problem printed twice."""
    root = make_portal()
    result = new("persona", "night-shift-nurse", root, "--name", "Night-shift nurse",
                 "--summary", "Orders after a night shift.", "--goal", "Delivery after noon",
                 "--frustration", "Morning-only slots")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Wrote personas/night-shift-nurse.md",
        "Still to fill in: `portal check` reports 1 error and 1 warning:",
        "  personas/night-shift-nurse.md:1: warning: persona \"night-shift-nurse\" is not used "
        "by any insight [unused-persona]",
        "  personas/night-shift-nurse.md:8: error: field 'owner' is empty [empty-field]",
        "Edit it, then run `portal check`.",
    ]


def test_journey_with_all_flags_passes_check(make_portal: PortalFactory) -> None:
    root = make_portal()
    result = new("journey", "returns", root, "--title", "Returns",
                 "--summary", "From a complaint to the refund.", "--persona", "shopper",
                 "--owner", "cx-team", "--stage", "report:Report a problem:customer-care",
                 "--stage", "refund::customer-care", "--stage", "follow-up:Follow up: a call:cx")
    assert result.returncode == 0, result.stderr
    assert (root / "journeys/returns.md").read_text(encoding="utf-8") == """\
---
title: Returns
summary: From a complaint to the refund.
personas: [shopper]
owner: cx-team
stages:
  - id: report
    name: Report a problem
    owner: customer-care
  - id: refund
    name: Refund
    owner: customer-care
  - id: follow-up
    name: "Follow up: a call"
    owner: cx
---
## About this map

## Where it breaks
"""
    report = check_json(root)
    assert report["errors"] == 0, report


def test_awkward_text_is_quoted_so_it_reads_back_unchanged(make_portal: PortalFactory) -> None:
    root = make_portal()
    title, summary = "yes", "Fees: shown late #2 — “always”"
    result = new("insight", "awkward", root, *ALL_INSIGHT_FLAGS, "--title", title,
                 "--summary", summary, "--tag", "a, b", "--author", "O'Brien [ops]")
    assert result.returncode == 0, result.stderr
    data = front_matter(root / "insights/awkward.md")
    assert data["title"] == title and data["summary"] == summary
    assert data["tags"] == ["delivery-slots", "a, b"]
    assert data["authors"] == ["Dana Scully", "O'Brien [ops]"]


# --- with a few flags, the file is written and check points to each placeholder -----


def test_insight_with_title_and_persona_only_is_written_with_placeholders(
        make_portal: PortalFactory, git_env: dict[str, str]) -> None:
    root = make_portal()
    result = new("insight", "slots-gone", root, "--title", "Slots are gone by checkout",
                 "--persona", "shopper", env=git_env)
    assert result.returncode == 0, result.stderr
    path = root / "insights/slots-gone.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = {
        3: ("summary:", "empty-field"),
        4: ("kind:", "empty-field"),
        8: ("severity:", "empty-field"),
        9: ("confidence:", "empty-field"),
        11: ("  - source:", "empty-field"),
        16: ("authors: []", "too-few-items"),  # no --author, no git user.name
    }
    assert problems_of(root, "insights/slots-gone.md") == [
        (line, "error", rule) for line, (_, rule) in expected.items()]
    for line, (start, _) in expected.items():
        assert lines[line - 1].startswith(start)
        assert "# TODO:" in lines[line - 1]
    assert lines[1] == "title: Slots are gone by checkout"
    assert lines[4] == "personas: [shopper]"
    # The optional fields CONTRIBUTING.md asks for are there, commented out: no problem.
    assert lines[5] == "# journey:  # optional: journey id where it happens, e.g. order"
    assert lines[6] == "# stages: []  # optional: stage ids of that journey"
    assert lines[11:14] == [
        "    # ref:  # optional: ticket id, recording name or dashboard URL",
        "    # quote:  # optional: a customer's words, verbatim and anonymised",
        "    # count:  # optional: how many times this was seen"]
    assert lines[-5:] == ["## What we saw", "", "## Why it matters", "",
                          "## What we don't know yet"]
    # The command itself lists what is left, line by line, and says what to do next.
    out = result.stdout.splitlines()
    assert out[0] == "Wrote insights/slots-gone.md"
    assert out[1] == "Still to fill in: `portal check` reports 6 errors:"
    assert "  insights/slots-gone.md:3: error: field 'summary' is empty [empty-field]" in out
    assert ("  insights/slots-gone.md:16: error: field 'authors' needs at least 1 item(s) "
            "[too-few-items]") in out
    assert out[-1] == "Edit it, then run `portal check`."
    # `portal check` fails until the placeholders are filled.
    assert run_portal("check", str(root), "--today", DAY).returncode == 1


def test_bare_persona_and_journey_placeholders_are_reported(make_portal: PortalFactory) -> None:
    root = make_portal()
    assert new("persona", "someone", root).returncode == 0
    assert new("journey", "somewhere", root).returncode == 0
    assert problems_of(root, "personas/someone.md") == [
        (1, "warning", "unused-persona"),
        (2, "error", "empty-field"),  # name
        (3, "error", "empty-field"),  # summary
        (4, "error", "too-few-items"),  # goals
        (5, "error", "too-few-items"),  # frustrations
        (6, "error", "empty-field"),  # owner
    ]
    assert problems_of(root, "journeys/somewhere.md") == [
        (1, "warning", "unused-journey"),
        (2, "error", "empty-field"),  # title
        (3, "error", "empty-field"),  # summary
        (4, "error", "too-few-items"),  # personas
        (5, "error", "empty-field"),  # owner
        (7, "error", "empty-field"),  # stages[0].id
        (8, "error", "empty-field"),  # stages[0].name
        (9, "error", "empty-field"),  # stages[0].owner
    ]
    persona = (root / "personas/someone.md").read_text(encoding="utf-8")
    assert f"last_reviewed: {DAY}\n---\n## Who they are\n" in persona


def test_declined_without_owner_or_rationale_gets_placeholders(
        make_portal: PortalFactory) -> None:
    root = make_portal()
    result = new("insight", "cash-on-delivery", root, *ALL_INSIGHT_FLAGS, "--status", "declined")
    assert result.returncode == 0, result.stderr
    lines = (root / "insights/cash-on-delivery.md").read_text(encoding="utf-8").splitlines()
    status_line = lines.index("  status: declined") + 1
    assert lines[status_line].startswith("  owner:  # TODO:")
    assert lines[status_line + 1] == f"  date: {DAY}"
    assert lines[status_line + 2].startswith("  rationale:  # TODO:")
    assert problems_of(root, "insights/cash-on-delivery.md") == [
        (status_line, "error", "decision-missing-owner"),
        (status_line, "error", "decision-missing-rationale"),
    ]


# --- the author ---------------------------------------------------------------------


def test_author_comes_from_git_config_user_name(make_portal: PortalFactory,
                                                 git_env: dict[str, str]) -> None:
    root = make_portal()
    for command in (["init", "-q"], ["config", "user.name", "Dana Scully"]):
        subprocess.run(["git", *command], cwd=root, env={**os.environ, **git_env}, check=True)
    flags = [flag for flag in ALL_INSIGHT_FLAGS if flag not in ("--author", "Dana Scully")]
    result = new("insight", "slot-hold-wanted", root, *flags, env=git_env)
    assert result.returncode == 0, result.stderr
    assert front_matter(root / "insights/slot-hold-wanted.md")["authors"] == ["Dana Scully"]
    assert check_json(root)["errors"] == 0


def test_author_flag_wins_over_git(make_portal: PortalFactory, git_env: dict[str, str]) -> None:
    root = make_portal()
    for command in (["init", "-q"], ["config", "user.name", "Dana Scully"]):
        subprocess.run(["git", *command], cwd=root, env={**os.environ, **git_env}, check=True)
    result = new("insight", "x", root, "--author", "amara", "--author", "sam", env=git_env)
    assert result.returncode == 0, result.stderr
    assert front_matter(root / "insights/x.md")["authors"] == ["amara", "sam"]


# --- refusals: exit 2, a clear message, nothing written ------------------------------


@pytest.mark.parametrize(("slug", "suggestion"), [
    ("Slots_Gone", "Try 'slots-gone'"),
    ("slots-gone.md", "Try 'slots-gone'"),
    ("slots--gone", "Try 'slots-gone'"),
    ("-slots", "Try 'slots'"),
])
def test_bad_slug_is_refused_with_a_suggestion(make_portal: PortalFactory, slug: str,
                                               suggestion: str) -> None:
    root = make_portal()
    before = snapshot(root)
    # After `--` the slug is read as the slug even when it starts with a hyphen.
    result = run_portal("new", "insight", "--today", DAY, "--no-interactive",
                        *ALL_INSIGHT_FLAGS, "--", slug, str(root))
    assert_refused(result, "is not a valid id", suggestion)
    assert snapshot(root) == before


def test_reserved_name_is_refused(make_portal: PortalFactory) -> None:
    root = make_portal()
    before = snapshot(root)
    assert_refused(new("insight", "readme", root), "reserved name")
    assert snapshot(root) == before


def test_existing_file_is_refused(make_portal: PortalFactory) -> None:
    root = make_portal()
    before = snapshot(root)
    result = new("insight", "fees-surprise", root, *ALL_INSIGHT_FLAGS)
    assert_refused(result, "insights/fees-surprise.md already exists", "nothing was written")
    assert snapshot(root) == before


def test_id_used_in_a_subfolder_is_refused(make_portal: PortalFactory) -> None:
    root = make_portal({"personas/archive/shopper-2025.md": """\
        ---
        name: Shopper 2025
        summary: Last year's shopper.
        goals: [a]
        frustrations: [b]
        owner: research-team
        last_reviewed: 2026-10-01
        status: archived
        ---
        """})
    before = snapshot(root)
    result = new("persona", "shopper-2025", root)
    assert_refused(result, "already used by personas/archive/shopper-2025.md")
    assert snapshot(root) == before


def test_former_id_is_refused(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/fees-surprise.md": None, "insights/fees-shock.md": """\
        ---
        title: Fees shock shoppers
        summary: Fees appear late.
        kind: pain
        personas: [shopper]
        journey: order
        severity: high
        confidence: medium
        evidence:
          - source: survey
        created: 2026-09-20
        authors: [dana]
        decision:
          status: new
        aliases: [fees-surprise]
        ---
        """})
    before = snapshot(root)
    assert_refused(new("insight", "fees-surprise", root), "former id of insights/fees-shock.md")
    assert snapshot(root) == before


@pytest.mark.parametrize(("flags", "words"), [
    (["--persona", "shoper"], ["--persona", 'no persona has the id "shoper"',
                               'Did you mean "shopper"?']),
    (["--persona", "shopper", "--persona", "nobody-at-all"],
     ['"nobody-at-all"', "Known personas: shopper"]),
    (["--journey", "ordr"], ["--journey", 'Did you mean "order"?']),
    (["--journey", "order", "--stage", "chekout"],
     ['"chekout" is not a stage of journey "order"', 'Did you mean "checkout"?']),
    (["--stage", "checkout"], ["a stage needs its journey"]),
    (["--kind", "needs"], ["--kind", "'needs' is not one of"]),
    (["--count", "0"], ["--count"]),
])
def test_unknown_reference_or_word_is_refused(make_portal: PortalFactory, flags: list[str],
                                              words: list[str]) -> None:
    root = make_portal()
    before = snapshot(root)
    assert_refused(new("insight", "slot-hold-wanted", root, *flags), *words)
    assert snapshot(root) == before


def test_journey_refuses_unknown_persona_and_bad_stages(make_portal: PortalFactory) -> None:
    root = make_portal()
    before = snapshot(root)
    assert_refused(new("journey", "returns", root, "--persona", "shoppr"),
                   'Did you mean "shopper"?')
    assert_refused(new("journey", "returns", root, "--stage", "Report It"),
                   "Try 'report-it'")
    assert_refused(new("journey", "returns", root, "--stage", "a", "--stage", "a:A"),
                   "given twice")
    assert snapshot(root) == before


def test_registries_in_mkdocs_yml_are_enforced(make_portal: PortalFactory) -> None:
    root = make_portal(mkdocs_yml=REGISTRY_YML)
    before = snapshot(root)
    assert_refused(new("insight", "x", root, "--owner", "checkout-tem"),
                   'Did you mean "checkout-team"?')
    assert_refused(new("insight", "x", root, "--tag", "fee"), 'Did you mean "fees"?')
    assert_refused(new("persona", "x", root, "--owner", "nobody"),
                   "Known teams: catalog-team, checkout-team, cx-team, research-team")
    assert_refused(new("journey", "x", root, "--stage", "pay:Pay:billing"), "--stage")
    assert snapshot(root) == before


def test_root_without_mkdocs_yml_is_refused(tmp_path: Path) -> None:
    result = new("insight", "x", tmp_path)
    assert_refused(result, "ROOT", "has no mkdocs.yml")
    assert list(tmp_path.iterdir()) == []


def test_deprecated_root_option_still_works(make_portal: PortalFactory) -> None:
    root = make_portal()
    result = run_portal("new", "insight", "x", "--root", str(root), "--today", DAY,
                        "--no-interactive", "--author", "sam")
    assert result.returncode == 0, result.stderr
    assert (root / "insights/x.md").is_file()
    assert "--root DIR is deprecated; give the folder after the id" in result.stderr
    assert "--root" not in run_portal("new", "insight", "--help").stdout  # hidden
    # Two different folders: which one was meant is not guessed.
    assert_refused(run_portal("new", "insight", "y", str(root), "--root", str(root / "insights"),
                              "--today", DAY), "two portal folders given")


def test_unknown_kind_is_a_usage_error(make_portal: PortalFactory) -> None:
    result = run_portal("new", "decision", "x", str(make_portal()))
    assert_refused(result, "No such command 'decision'")


def test_plural_kind_is_accepted(make_portal: PortalFactory) -> None:
    root = make_portal()
    assert new("insights", "x", root, "--author", "sam").returncode == 0
    assert (root / "insights/x.md").is_file()


# --- help -------------------------------------------------------------------------


def help_examples(kind: str) -> list[list[str]]:
    """The `portal new KIND …` example commands of `portal new KIND --help`, as argv."""
    text = run_portal("new", kind, "--help").stdout.replace("\\\n", " ")
    return [shlex.split(line)[1:] for line in text.splitlines()
            if line.strip().startswith(f"portal new {kind} ")]


@pytest.mark.parametrize("kind", ["insight", "persona", "journey"])
def test_help_examples_run_as_pasted_in_the_sample(tmp_path: Path, kind: str) -> None:
    """The examples use ids the sample does not have yet (pasted, they write a file
    instead of being refused), and references it has (the file passes check)."""
    sample = tmp_path / "sample"
    sample.mkdir()
    shutil.copy(REPO / "mkdocs.yml", sample)
    for folder in ("insights", "personas", "journeys", "docs"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, sample / folder)
    examples = help_examples(kind)
    assert examples
    for argv in examples:
        # Run inside the copy, as a user would; pinned date and author, no prompts.
        result = run_portal(*argv, "--today", DAY, "--no-interactive",
                            *(["--author", "sam"] if kind == "insight" else []),
                            cwd=sample / f"{kind}s")
        assert result.returncode == 0, result.stderr
        assert "It passes `portal check`" in result.stdout, result.stdout


def test_journey_help_documents_no_date(make_portal: PortalFactory) -> None:
    """A journey holds no date: --today is accepted (scripts pass it to every kind)
    but not offered; insights and personas say which field it fills."""
    assert "--today" not in run_portal("new", "journey", "--help").stdout
    assert "Date written as created" in run_portal("new", "insight", "--help").stdout
    assert "Date written as last_reviewed" in run_portal("new", "persona", "--help").stdout
    root = make_portal()
    assert new("journey", "returns", root).returncode == 0  # new() passes --today


# --- terminals: prompts only when interactive --------------------------------------


def test_without_a_terminal_nothing_is_asked(make_portal: PortalFactory,
                                             git_env: dict[str, str]) -> None:
    """No --interactive flag and standard input not a terminal: scriptable, never waits."""
    root = make_portal()
    environment = {**os.environ, **git_env}
    environment.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run([sys.executable, "-m", "generator", "new", "insight", "quiet",
                             str(root), "--today", DAY, "--title", "Quiet"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=environment, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "Press Enter" not in result.stdout
    assert front_matter(root / "insights/quiet.md")["title"] == "Quiet"


def test_interactive_insight_offers_personas_journeys_and_stages(
        make_portal: PortalFactory) -> None:
    root = make_portal({"personas/night-owl.md": """\
        ---
        name: Night owl
        summary: Orders at midnight.
        goals: [a]
        frustrations: [b]
        owner: research-team
        last_reviewed: 2026-10-01
        ---
        """})
    answers = "\n".join([
        "Slots are gone by checkout",  # title
        "Shoppers find no slot left after building a basket.",  # summary
        "pain",  # kind
        "2, shoper, night-owl",  # personas: a typo is caught and asked again
        "2, night-owl",  # personas: by number and by id
        "order",  # journey: by id
        "2",  # stages of order: by number (checkout)
        "hihg",  # severity: not a word, asked again
        "high",
        "2",  # confidence: by number (medium: one method cannot make it high)
        "delivery-slots, fees",  # tags
        "analytics",  # evidence source
        "",  # evidence reference: none
        "Dana Scully",  # author
        "",  # decision status: the default, new
    ]) + "\n"
    result = invoke(["new", "insight", "slots-gone", str(root), "--today", DAY,
                     "--interactive"], answers)
    assert result.exit_code == 0, result.output
    out = result.output
    # Offered: the personas with their names, the journeys, then the chosen journey's stages.
    assert "   1  night-owl  Night owl\n   2  shopper    Shopper\n" in out
    assert "   1  order  Order\n" in out
    assert "   1  basket    Basket (catalog-team)\n   2  checkout  Checkout (checkout-team)\n" \
        in out
    assert "'shoper' is not offered. Did you mean \"shopper\"?" in out
    assert "'hihg' is not offered. Did you mean \"high\"?" in out
    assert "Wrote insights/slots-gone.md\nIt passes `portal check`." in out
    data = front_matter(root / "insights/slots-gone.md")
    assert data["personas"] == ["shopper", "night-owl"]
    assert (data["journey"], data["stages"]) == ("order", ["checkout"])
    assert (data["kind"], data["severity"], data["confidence"]) == ("pain", "high", "medium")
    assert data["evidence"] == [{"source": "analytics"}]
    assert data["authors"] == ["Dana Scully"]
    assert data["decision"] == {"status": "new"}
    assert check_portal(root, TODAY).errors == 0


def test_interactive_asks_only_for_what_flags_left_out(make_portal: PortalFactory) -> None:
    root = make_portal()
    flags = [flag for flag in ALL_INSIGHT_FLAGS if flag not in ("--stage", "checkout")]
    answers = "checkout\n\n"  # the stage of the journey given by flag; status: default
    result = invoke(["new", "insight", "slot-hold-wanted", str(root), "--today", DAY,
                     "--interactive", *flags], answers)
    assert result.exit_code == 0, result.output
    assert "Title" not in result.output and "Personas" not in result.output
    assert "Stages of order" in result.output
    assert (root / "insights/slot-hold-wanted.md").read_text(encoding="utf-8") == \
        ALL_INSIGHT_FILE


def test_interactive_skipped_answers_become_placeholders(make_portal: PortalFactory) -> None:
    root = make_portal()
    answers = "Only a title\n" + "\n" * 12  # Enter for everything else
    result = invoke(["new", "insight", "later", str(root), "--today", DAY,
                     "--interactive", "--author", "sam"], answers)
    assert result.exit_code == 0, result.output
    assert "Still to fill in" in result.output
    rules = [rule for _, _, rule in problems_of(root, "insights/later.md")]
    assert rules == ["empty-field", "empty-field", "too-few-items", "empty-field",
                     "empty-field", "empty-field"]


def test_interactive_persona_with_team_registry(make_portal: PortalFactory) -> None:
    root = make_portal(mkdocs_yml=REGISTRY_YML)
    answers = "\n".join([
        "Night owl", "Orders at midnight.", "consumer",
        "Late slots", "",  # goals, then Enter to finish
        "Early vans", "Noisy doorbells", "",  # frustrations
        "4",  # owner: research-team, by number from the registry
    ]) + "\n"
    result = invoke(["new", "persona", "night-owl", str(root), "--today", DAY,
                     "--interactive"], answers)
    assert result.exit_code == 0, result.output
    assert "   4  research-team" in result.output
    data = front_matter(root / "personas/night-owl.md")
    assert data == {"name": "Night owl", "summary": "Orders at midnight.",
                    "segment": "consumer", "goals": ["Late slots"],
                    "frustrations": ["Early vans", "Noisy doorbells"],
                    "owner": "research-team", "last_reviewed": TODAY}
    assert check_portal(root, TODAY).errors == 0


def test_interactive_journey_asks_for_stages_in_order(make_portal: PortalFactory) -> None:
    root = make_portal()
    answers = "\n".join([
        "Returns", "From complaint to refund.",
        "1",  # personas: shopper
        "cx-team",  # owner (no registry: free text)
        "Report It",  # not a valid stage id: asked again
        "report", "", "customer-care",  # id, name (default "Report"), owner
        "refund", "Refund or credit", "",  # owner defaults to the journey owner
        "",  # no more stages
    ]) + "\n"
    result = invoke(["new", "journey", "returns", str(root), "--today", DAY,
                     "--interactive"], answers)
    assert result.exit_code == 0, result.output
    assert "'Report It' is not a valid id; try 'report-it'." in result.output
    data = front_matter(root / "journeys/returns.md")
    assert data["stages"] == [
        {"id": "report", "name": "Report", "owner": "customer-care"},
        {"id": "refund", "name": "Refund or credit", "owner": "cx-team"},
    ]
    assert check_portal(root, TODAY).errors == 0


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_real_terminal_is_detected_and_asked(make_portal: PortalFactory) -> None:
    root = make_portal()
    answers = textwrap.dedent("""\
        Night owl
        Orders at midnight.

        Late slots

        Early vans

        research-team
        """)
    primary, secondary = os.openpty()
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("SOURCE_DATE_EPOCH", "GITHUB_ACTIONS")}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "new", "persona", "night-owl", str(root),
         "--today", DAY], stdin=secondary, stdout=secondary, stderr=secondary, cwd=REPO,
        env=environment, close_fds=True)
    os.close(secondary)
    output = b""
    try:
        os.write(primary, answers.encode())
        while True:
            ready, _, _ = select.select([primary], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed: the command finished
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(timeout=60) == 0, output.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    text = output.decode(errors="replace")
    assert "Press Enter to skip a field" in text
    assert "Wrote personas/night-owl.md" in text
    assert front_matter(root / "personas/night-owl.md")["goals"] == ["Late slots"]
