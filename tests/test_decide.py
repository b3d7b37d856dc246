"""`portal decide ID --status S` (issue 16): moves an insight to a new status,
appends the old one to `decision.history` (seeded from git when the file has
none), sets `decision.date`, and changes no other line of the file. Refusals
exit 2 and write nothing. Run as a user would, in a subprocess, on portals in
tmp_path; the line editor's layouts are pinned on the pure function too."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import BASE_FILES, MKDOCS_YML, TODAY, PortalFactory, run_portal

from generator.core.decision_edit import DecisionEdit, PastStatus, edit_decision, yaml_text
from generator.core.loader import SourceFile, parse
from generator.core.model import Kind

INSIGHT = "insights/fees-surprise.md"
DAY = TODAY.isoformat()


def decide(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_portal("decide", *args, "--today", DAY, cwd=cwd or root)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the portal, byte for byte (the check cache aside)."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and ".portal-cache" not in path.parts}


def diff(before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True), "before", "after"))


# --- (1) a move changes only the decision lines ------------------------------------------

def test_a_move_changes_only_the_decision_lines(make_portal: PortalFactory) -> None:
    root = make_portal()
    before = (root / INSIGHT).read_text(encoding="utf-8")
    done = decide(root, "fees-surprise", "--status", "in-progress",
                  "--link", "https://tracker.example/CHK-311",
                  "--note", "Planned for the Q1 release")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("insights/fees-surprise.md: accepted -> in-progress "
                           "(owner checkout-team, 2026-11-24); history: 1 earlier status\n")
    assert diff(before, (root / INSIGHT).read_text(encoding="utf-8")) == """\
--- before
+++ after
@@ -17,8 +17,11 @@
 created: 2026-09-20
 authors: [dana]
 decision:
-  status: accepted
+  status: in-progress
+  link: https://tracker.example/CHK-311
   owner: checkout-team
-  date: 2026-10-02
+  date: 2026-11-24
+  history:
+    - {status: accepted, date: 2026-10-02, note: Planned for the Q1 release}
 ---
 Seen in [the shopper persona](../personas/shopper.md).
"""


# --- (2) the result passes portal check --strict ---------------------------------------

def test_each_move_in_turn_passes_portal_check_strict(make_portal: PortalFactory) -> None:
    root = make_portal()
    moves = [["--status", "under-review"],  # back to triage: the date is today's
             ["--status", "declined", "--rationale", "Fees are set by the carrier: not ours."],
             ["--status", "accepted", "--note", "Reopened: the carrier changed its terms"],
             ["--status", "done", "--outcome", "Fee shown in the basket; drop-off fell 12%."]]
    for move in moves:
        done = decide(root, "fees-surprise", *move)
        assert done.returncode == 0, done.stderr
    check = run_portal("check", "--strict", "--today", DAY, cwd=root)
    assert check.returncode == 0, check.stdout
    assert check.stdout.splitlines()[-1].startswith("0 errors, 0 warnings")
    text = (root / INSIGHT).read_text(encoding="utf-8")
    assert """\
  history:
    - {status: accepted, date: 2026-10-02}
    - {status: under-review, date: 2026-11-24}
    - {status: declined, date: 2026-11-24, note: "Reopened: the carrier changed its terms"}
    - {status: accepted, date: 2026-11-24}
""" in text
    assert "  status: done\n" in text
    assert "  outcome: Fee shown in the basket; drop-off fell 12%.\n" in text


def test_done_without_outcome_is_written_with_the_warning(make_portal: PortalFactory) -> None:
    root = make_portal()
    done = decide(root, "fees-surprise", "--status", "done")
    assert done.returncode == 0, done.stderr
    assert "[done-without-outcome]" in done.stdout
    assert "  status: done\n" in (root / INSIGHT).read_text(encoding="utf-8")


# --- (3) comments, quoting and the body are untouched ------------------------------------

COMMENTED = """\
\ufeff---
title: "Delivery fee surprises shoppers"   # quoted on purpose
summary: 'Shoppers abandon when the fee first appears.'
kind: pain
personas: [shopper]   # who
journey: order
stages: [checkout]
severity: high
confidence: medium
evidence:
  - source: support-ticket
    quote: "Why is there a fee now?"

created: 2026-09-20
authors: [dana]
# The decision, kept by portal decide.
decision:
    status: under-review    # new | under-review | accepted | in-progress | done |
                            # declined | superseded
    owner: 'checkout-team'  # who acts
    rationale: >
        Folded text that
        goes on.

    # Not yet reviewed again.
related: []   # none yet
---
Body with `status: new` and a line that looks like YAML:
decision:
  status: done
"""


def test_comments_quoting_and_the_body_are_untouched(make_portal: PortalFactory) -> None:
    crlf = COMMENTED.replace("\n", "\r\n").encode("utf-8")
    root = make_portal({INSIGHT: crlf})
    done = decide(root, "fees-surprise", "--status", "accepted", "--rationale",
                  "Top of the Q1 roadmap: #1 by weight", "--review-by", "2027-01-31")
    assert done.returncode == 0, done.stderr
    raw = (root / INSIGHT).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\n")  # the byte-order mark stays
    assert raw.count(b"\n") == raw.count(b"\r\n")  # every line ends as before
    after = raw.decode("utf-8")
    assert diff(crlf.decode("utf-8"), after) == """\
--- before
+++ after
@@ -15,12 +15,14 @@
 authors: [dana]\r
 # The decision, kept by portal decide.\r
 decision:\r
-    status: under-review    # new | under-review | accepted | in-progress | done |\r
+    status: accepted        # new | under-review | accepted | in-progress | done |\r
                             # declined | superseded\r
+    date: 2026-11-24\r
+    review_by: 2027-01-31\r
     owner: 'checkout-team'  # who acts\r
-    rationale: >\r
-        Folded text that\r
-        goes on.\r
+    rationale: "Top of the Q1 roadmap: #1 by weight"\r
+    history:\r
+        - {status: under-review, date: 2026-09-20}\r
 \r
     # Not yet reviewed again.\r
 related: []   # none yet\r
"""
    check = run_portal("check", "--strict", "--today", DAY, cwd=root)
    assert check.returncode == 0, check.stdout


# --- (4) refusals exit 2 and write nothing -----------------------------------------------

TEAMS_YML = MKDOCS_YML + "      teams: [checkout-team, research-team, cx-team, catalog-team]\n"
BROKEN = BASE_FILES[INSIGHT].replace("severity: high", "severity: hihg")
FLOW = BASE_FILES[INSIGHT].replace(
    "decision:\n          status: accepted\n          owner: checkout-team\n"
    "          date: 2026-10-02\n",
    "decision: {status: accepted, owner: checkout-team, date: 2026-10-02}\n")
NO_OWNER = BASE_FILES[INSIGHT].replace(
    "status: accepted\n          owner: checkout-team\n          date: 2026-10-02\n",
    "status: new\n")
SUPERSEDED = {
    INSIGHT: BASE_FILES[INSIGHT].replace("status: accepted", "status: superseded"),
    "insights/fees-upfront.md": BASE_FILES[INSIGHT].replace(
        "authors: [dana]", "authors: [dana]\n        supersedes: [fees-surprise]"),
}


@pytest.mark.parametrize(("files", "mkdocs_yml", "args", "said"), [
    ({}, MKDOCS_YML, ["fees-suprise", "--status", "done"],
     'there is no insight \'fees-suprise\'. Did you mean "fees-surprise"?'),
    ({}, MKDOCS_YML, ["fees-surprise", "--status", "acepted"],
     "'acepted' is not a decision status. Did you mean \"accepted\"?"),
    ({}, TEAMS_YML, ["fees-surprise", "--status", "done", "--owner", "checkout-tem"],
     "'checkout-tem' is not a team listed under 'teams' in mkdocs.yml. "
     'Did you mean "checkout-team"?'),
    ({}, MKDOCS_YML, ["fees-surprise", "--status", "accepted"],
     "insights/fees-surprise.md:20: fees-surprise is accepted already; nothing to do."),
    ({INSIGHT: BROKEN}, MKDOCS_YML, ["fees-surprise", "--status", "done"],
     "insights/fees-surprise.md has errors already"),
    ({INSIGHT: FLOW}, MKDOCS_YML, ["fees-surprise", "--status", "done"],
     "insights/fees-surprise.md:19: decision is written in flow style"),
    ({INSIGHT: NO_OWNER}, MKDOCS_YML, ["fees-surprise", "--status", "accepted"],
     "status accepted needs an owner, and the decision has none: give --owner TEAM."),
    ({}, MKDOCS_YML, ["fees-surprise", "--status", "declined"],
     "a declined decision needs a rationale: give --rationale TEXT."),
    ({}, MKDOCS_YML, ["fees-surprise", "--status", "done", "--link", "tracker CHK-311"],
     "the result would not pass `portal check`"),
    (SUPERSEDED, MKDOCS_YML, ["fees-surprise", "--status", "accepted"],
     "[superseded-not-marked]"),
])
def test_each_refusal_exits_2_and_writes_nothing(make_portal: PortalFactory, files: dict,
                                                 mkdocs_yml: str, args: list[str],
                                                 said: str) -> None:
    root = make_portal(files, mkdocs_yml=mkdocs_yml)
    before = snapshot(root)
    done = decide(root, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(root) == before


def test_a_today_before_the_files_own_dates_is_refused(make_portal: PortalFactory) -> None:
    """At 2026-09-30 the decision's date (10-02) lies in the future: `portal check`
    would reject the file at that date already, so decide writes nothing."""
    root = make_portal()
    before = snapshot(root)
    done = run_portal("decide", "fees-surprise", "--status", "done", "--outcome", "Fixed.",
                      "--today", "2026-09-30", cwd=root)
    assert done.returncode == 2
    assert "has errors already" in done.stderr
    assert "insights/fees-surprise.md:22: error: field 'decision.date' is 2026-10-02" \
        in done.stderr
    assert snapshot(root) == before


def test_a_former_id_names_the_insight(make_portal: PortalFactory) -> None:
    root = make_portal({INSIGHT: BASE_FILES[INSIGHT].replace(
        "authors: [dana]", "authors: [dana]\n        aliases: [fee-shock]")})
    done = decide(root, "fee-shock", "--status", "in-progress")
    assert done.returncode == 0, done.stderr
    assert "former id of fees-surprise" in done.stderr
    assert "  status: in-progress\n" in (root / INSIGHT).read_text(encoding="utf-8")


# --- (5) history seeded from git ------------------------------------------------------------

def commit(root: Path, day: str, message: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T10:00:00+00:00",
           "GIT_COMMITTER_DATE": f"{day}T10:00:00+00:00"}
    for command in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", "-c", "user.name=Dana", "-c", "user.email=d@example.com",
                        "-c", "commit.gpgsign=false", *command], cwd=root, env=env, check=True)


def with_status(status: str, extra: str = "") -> str:
    owner = "" if status == "new" else "  owner: checkout-team\n"
    text = textwrap.dedent(BASE_FILES[INSIGHT])
    return text.replace("  status: accepted\n  owner: checkout-team\n  date: 2026-10-02\n",
                        f"  status: {status}\n{owner}") + extra


def test_history_is_seeded_from_git_when_the_file_has_none(make_portal: PortalFactory) -> None:
    root = make_portal()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / INSIGHT).write_text(with_status("new"), encoding="utf-8")
    commit(root, "2026-09-25", "add")  # the status it was added with: since `created`
    (root / INSIGHT).write_text(with_status("under-review"), encoding="utf-8")
    commit(root, "2026-10-01", "triage")
    (root / INSIGHT).write_text(with_status("under-review", "More words.\n"), encoding="utf-8")
    commit(root, "2026-10-08", "words, no status change")
    done = decide(root, "fees-surprise", "--status", "accepted", "--note", "Triaged by CX")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("history: 2 earlier statuses (1 from git)\n"), done.stdout
    text = (root / INSIGHT).read_text(encoding="utf-8")
    assert text.endswith("""\
decision:
  status: accepted
  date: 2026-11-24
  owner: checkout-team
  history:
    - {status: new, date: 2026-09-20}
    - {status: under-review, date: 2026-10-01, note: Triaged by CX}
---
Seen in [the shopper persona](../personas/shopper.md).
More words.
"""), text
    check = run_portal("check", "--strict", "--today", DAY, cwd=root)
    assert check.returncode == 0, check.stdout


def test_a_status_the_file_was_added_with_began_when_it_was_created(
        make_portal: PortalFactory) -> None:
    root = make_portal()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / INSIGHT).write_text(with_status("new"), encoding="utf-8")
    commit(root, "2026-11-01", "add, weeks after it was written")
    done = decide(root, "fees-surprise", "--status", "under-review", "--owner", "cx-team")
    assert done.returncode == 0, done.stderr
    assert "  history:\n    - {status: new, date: 2026-09-20}\n---\n" \
        in (root / INSIGHT).read_text(encoding="utf-8")


def test_a_file_with_history_is_not_seeded_from_git(make_portal: PortalFactory) -> None:
    root = make_portal()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / INSIGHT).write_text(with_status("new"), encoding="utf-8")
    commit(root, "2026-09-21", "add")
    (root / INSIGHT).write_text(with_status("under-review").replace(
        "  owner: checkout-team\n", "  owner: checkout-team\n  history:\n"
        "  - status: new\n    date: 2026-09-20\n"), encoding="utf-8")
    commit(root, "2026-10-01", "triage")
    done = decide(root, "fees-surprise", "--status", "accepted")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("history: 2 earlier statuses\n"), done.stdout
    # The status being left began no earlier than the last one listed (no date of its own).
    assert (root / INSIGHT).read_text(encoding="utf-8").endswith("""\
decision:
  status: accepted
  date: 2026-11-24
  owner: checkout-team
  history:
  - status: new
    date: 2026-09-20
  - status: under-review
    date: 2026-09-20
---
Seen in [the shopper persona](../personas/shopper.md).
""")


# --- (6) run from a subfolder ----------------------------------------------------------------

def test_run_from_a_content_folder_finds_the_portal(make_portal: PortalFactory,
                                                     tmp_path: Path) -> None:
    root = make_portal()
    done = decide(root, "fees-surprise", "--status", "in-progress", cwd=root / "insights")
    assert done.returncode == 0, done.stderr
    assert "  status: in-progress\n" in (root / INSIGHT).read_text(encoding="utf-8")
    elsewhere = decide(root, "fees-surprise", "--status", "done", "--outcome", "Fixed.",
                       "--root", str(root), cwd=tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "  status: done\n" in (root / INSIGHT).read_text(encoding="utf-8")


# --- the line editor's layouts --------------------------------------------------------------

def edited(text: str, values: dict, *history: PastStatus) -> str:
    source = SourceFile(Kind.INSIGHT, "x", "/nowhere/x.md", "insights/x.md")
    document, problems = parse(source, text.encode("utf-8"))
    assert document is not None, problems
    return edit_decision(text, document.lines, DecisionEdit(values, history))


NEW = PastStatus("new", dt.date(2026, 9, 20), "Seen, then asked about")


def test_block_history_items_keep_their_layout() -> None:
    text = """\
---
decision:
  status: new
  history:
  -   status: new
      date: 2026-09-01
  -   status: under-review
      date: 2026-09-02
  # trailing comment
---
"""
    assert edited(text, {"status": "accepted"}, NEW) == """\
---
decision:
  status: accepted
  history:
  -   status: new
      date: 2026-09-01
  -   status: under-review
      date: 2026-09-02
  -   status: new
      date: 2026-09-20
      note: Seen, then asked about
  # trailing comment
---
"""


def test_a_flow_history_list_takes_the_items_before_its_bracket() -> None:
    text = "---\ndecision:\n  status: new\n  history: [{status: accepted, date: 2026-09-01}]" \
           "  # see [notes]\n---\n"
    assert edited(text, {"status": "done"}, NEW) == (
        "---\ndecision:\n  status: done\n  history: [{status: accepted, date: 2026-09-01}, "
        "{status: new, date: 2026-09-20, note: \"Seen, then asked about\"}]  # see [notes]\n"
        "---\n")
    empty = "---\ndecision:\n  status: new\n  history: []\n---\n"
    assert edited(empty, {"status": "done"}, NEW).endswith(
        "  history: [{status: new, date: 2026-09-20, note: \"Seen, then asked about\"}]\n---\n")


@pytest.mark.parametrize(("value", "flow", "written"), [
    ("checkout-team", False, "checkout-team"),
    ("Fix ranks first, on the Q4 roadmap.", False, "Fix ranks first, on the Q4 roadmap."),
    ("Fix ranks first, on the Q4 roadmap.", True, '"Fix ranks first, on the Q4 roadmap."'),
    ("yes", False, '"yes"'),
    ("2026-10-01", False, '"2026-10-01"'),
    ("a: b", False, '"a: b"'),
    ("#1 by weight", False, '"#1 by weight"'),
    (" padded", False, '" padded"'),
    ("two\nlines", False, '"two\\nlines"'),
    ("café – ok", False, "café – ok"),
])
def test_text_is_quoted_only_when_yaml_needs_it(value: str, flow: bool, written: str) -> None:
    assert yaml_text(value, flow=flow) == written
