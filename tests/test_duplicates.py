"""The possible-duplicate reminder (generator/core/validate/duplicates.py): on the
newer of two insights that share kind, a persona and a stage and read alike,
never for a pair already linked, never promoted by --strict; and the insight
page's "Looks like" for the reader.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from conftest import BASE_FILES, REPO, TODAY, PortalFactory, run_portal

from generator.check import parallel
from generator.check.pipeline import check_portal
from generator.core.catalog import Catalog
from generator.core.problems import Problem
from generator.core.validate import duplicates
from generator.site.render import SiteRenderer

OLDER = "insights/fees-surprise.md"  # the base corpus's one insight, created 2026-09-20
NEWER = "insights/fee-shock.md"
TITLE_LINE = 2


def base() -> str:
    return textwrap.dedent(BASE_FILES[OLDER])


def edited(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in text, f"{old!r} is not in the text"
        text = text.replace(old, new, 1)
    return text


def with_lines(text: str, lines: str) -> str:
    """`text` with front-matter lines added just before its closing '---'."""
    return edited(text, ("  date: 2026-10-02\n---", f"  date: 2026-10-02\n{lines}\n---"))


# The base insight's finding, written again ten days later in other words.
DUPLICATE = edited(base(),
                   ("title: Delivery fee surprises shoppers at checkout",
                    "title: Shoppers are surprised by the delivery fee at checkout"),
                   ("summary: Shoppers abandon when the fee first appears at checkout.",
                    "summary: Shoppers abandon when the delivery fee first appears at checkout."),
                   ("created: 2026-09-20", "created: 2026-09-30"))


def duplicate(*changes: tuple[str, str]) -> str:
    return edited(DUPLICATE, *changes)


def found(root: Path) -> list[Problem]:
    return [p for p in check_portal(root, TODAY).problems if p.rule == "possible-duplicate"]


def check(root: Path, *args: str):
    return run_portal("check", str(root), "--today", TODAY.isoformat(), *args)


# --- where it is reported ------------------------------------------------------------


def test_a_near_duplicate_is_reported_on_the_newer_file_naming_the_older(
        make_portal: PortalFactory) -> None:
    [problem] = found(make_portal({NEWER: DUPLICATE}))
    assert (problem.path, problem.line) == (NEWER, TITLE_LINE)
    assert '"fees-surprise"' in problem.message
    assert OLDER in problem.message and "created 2026-09-20" in problem.message
    assert f"add this evidence to {OLDER}" in problem.hint
    assert "list \"fees-surprise\" in 'related'" in problem.hint
    assert problem.is_reminder


@pytest.mark.parametrize(("path", "created", "reported_on", "names"), [
    # Written before the base insight: the base insight is the newer one.
    (NEWER, "2026-09-01", OLDER, "fee-shock"),
    # Created the same day: the id decides, and "a-fee-shock" sorts first.
    ("insights/a-fee-shock.md", "2026-09-20", OLDER, "a-fee-shock"),
    ("insights/z-fee-shock.md", "2026-09-20", "insights/z-fee-shock.md", "fees-surprise"),
])
def test_newer_is_by_created_then_id(make_portal: PortalFactory, path: str, created: str,
                                     reported_on: str, names: str) -> None:
    root = make_portal({path: duplicate(("created: 2026-09-30", f"created: {created}"))})
    [problem] = found(root)
    assert (problem.path, problem.line) == (reported_on, TITLE_LINE)
    assert f'"{names}"' in problem.message


def test_a_pair_in_two_shared_blocks_is_reported_once(make_portal: PortalFactory) -> None:
    both = ("stages: [checkout]", "stages: [basket, checkout]")
    root = make_portal({OLDER: edited(base(), both), NEWER: duplicate(both)})
    assert [(p.path, p.line) for p in found(root)] == [(NEWER, TITLE_LINE)]


# --- what is not reported ------------------------------------------------------------


@pytest.mark.parametrize("files", [
    {NEWER: with_lines(DUPLICATE, "related: [fees-surprise]")},
    {NEWER: DUPLICATE, OLDER: with_lines(base(), "related: [fee-shock]")},
    {NEWER: with_lines(DUPLICATE, "supersedes: [fees-surprise]"),
     OLDER: edited(base(), ("status: accepted", "status: superseded"))},
    {NEWER: edited(DUPLICATE, ("status: accepted", "status: superseded")),
     OLDER: with_lines(base(), "supersedes: [fee-shock]")},
], ids=["newer-related", "older-related", "newer-supersedes", "older-supersedes"])
def test_a_pair_linked_by_related_or_supersedes_is_not_reported(
        make_portal: PortalFactory, files: dict[str, str]) -> None:
    root = make_portal(files)
    assert found(root) == []
    assert check_portal(root, TODAY).errors == 0


SHOPPER = textwrap.dedent(BASE_FILES["personas/shopper.md"])


@pytest.mark.parametrize("files", [
    {NEWER: duplicate(("stages: [checkout]", "stages: [basket]"))},
    {NEWER: duplicate(("kind: pain", "kind: need"))},
    {NEWER: duplicate(("personas: [shopper]", "personas: [parent]")),
     "personas/parent.md": edited(SHOPPER, ("name: Shopper", "name: Parent"))},
    # Without a journey and stages an insight is in no block (PRODUCT.md: "a stage").
    {NEWER: duplicate(("journey: order\n", ""), ("stages: [checkout]\n", "")),
     OLDER: edited(base(), ("journey: order\n", ""), ("stages: [checkout]\n", ""))},
], ids=["other-stage", "other-kind", "other-persona", "no-stage"])
def test_a_pair_without_kind_persona_and_stage_in_common_is_not_reported(
        make_portal: PortalFactory, files: dict[str, str]) -> None:
    assert found(make_portal(files)) == []


def test_another_finding_on_the_same_subject_is_not_reported(
        make_portal: PortalFactory) -> None:
    other = duplicate(("title: Shoppers are surprised by the delivery fee at checkout",
                       "title: Shoppers accept the delivery fee when it buys a narrow slot"),
                      ("summary: Shoppers abandon when the delivery fee first appears at "
                       "checkout.", "summary: In interviews shoppers said they would pay the fee "
                       "for a one-hour slot that suits them."))
    assert found(make_portal({NEWER: other})) == []


def test_a_large_block_compares_each_insight_with_its_recent_predecessors_only(
        make_portal: PortalFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window keeps a block's work linear: with RECENT = 1, the duplicate is
    compared with the insight written between the two, not with the original."""
    between = duplicate(("title: Shoppers are surprised by the delivery fee at checkout",
                         "title: Card payments fail on the last step"),
                        ("summary: Shoppers abandon when the delivery fee first appears at "
                         "checkout.", "summary: Some banks decline the first payment attempt."),
                        ("created: 2026-09-30", "created: 2026-09-25"))
    root = make_portal({NEWER: DUPLICATE, "insights/card-fails.md": between})
    assert len(found(root)) == 1
    monkeypatch.setattr(duplicates, "RECENT", 1)
    assert found(root) == []


def test_the_comparisons_grow_linearly_with_a_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thousand insights of one kind, persona and stage: at most RECENT
    comparisons each, not one with every other."""
    compared: list[int] = []
    extract = duplicates.process.extract

    def counting(query, choices, **options):
        compared.append(len(choices))
        return extract(query, choices, **options)

    monkeypatch.setattr(duplicates.process, "extract", counting)
    monkeypatch.setattr(duplicates, "RECENT", 10)
    insights = {f"i{n:04d}": SimpleNamespace(
        id=f"i{n:04d}", created=dt.date(2026, 1, 1) + dt.timedelta(days=n % 300), kind="pain",
        personas=["shopper"], journey="order", stages=["checkout"], related=[], supersedes=[],
        title=f"Finding number {n}", summary=f"Shoppers said thing {n * 7919} about it.")
        for n in range(1000)}
    duplicates.looks_like(Catalog(insights=insights))  # type: ignore[arg-type]
    assert len(compared) == 999 and max(compared) == 10
    assert sum(compared) == 10 * 1000 - sum(range(1, 11))


@pytest.mark.parametrize("child", ["answers", "dies"])
def test_the_comparison_forked_beside_the_check_finds_the_same(make_portal: PortalFactory,
                                                              monkeypatch, child: str) -> None:
    """A large portal compares its insights in a forked process while the rest of
    the corpus pass runs: the answer is the same, and if that process dies the
    comparison runs in the check's own process."""
    monkeypatch.setattr(parallel, "BESIDE_MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)
    forked: list[int] = []
    real = parallel.stream_indexed

    def stream(job, count, chunk_size):
        forked.append(count)
        return real(job if child == "answers" else lambda index: os._exit(1), count, chunk_size)

    monkeypatch.setattr(parallel, "stream_indexed", stream)
    [problem] = found(make_portal({NEWER: DUPLICATE}))
    assert forked == [1]
    assert (problem.path, problem.line) == (NEWER, TITLE_LINE)
    assert '"fees-surprise"' in problem.message


# --- output: never promoted, flagged as a reminder, annotated ---------------------------


def test_strict_does_not_fail_on_a_possible_duplicate(make_portal: PortalFactory) -> None:
    result = check(make_portal({NEWER: DUPLICATE}), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{NEWER}:{TITLE_LINE}: reminder: this insight reads like the older insight " \
           '"fees-surprise"' in result.stdout
    assert result.stdout.endswith("0 errors, 0 warnings, 1 reminder in 4 files\n")


def test_json_flags_it_as_a_reminder(make_portal: PortalFactory) -> None:
    document = json.loads(check(make_portal({NEWER: DUPLICATE}), "--format", "json").stdout)
    [problem] = document["problems"]
    assert (problem["rule"], problem["path"], problem["line"]) == (
        "possible-duplicate", NEWER, TITLE_LINE)
    assert (problem["severity"], problem["reminder"]) == ("warning", True)
    assert (document["errors"], document["warnings"], document["reminders"]) == (0, 0, 1)


def test_github_annotates_it_on_the_newer_file_like_every_reminder(
        make_portal: PortalFactory) -> None:
    """A reminder is a notice annotation (report.py): on the pull request's file and
    line, without reading as something that must be fixed."""
    result = check(make_portal({NEWER: DUPLICATE}), "--format", "github", "--strict")
    assert result.returncode == 0
    [line] = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert line.startswith(f"::notice file={NEWER},line={TITLE_LINE},"
                           "title=possible-duplicate (reminder)::")
    assert 'reads like the older insight "fees-surprise"' in line


# --- the insight page ----------------------------------------------------------------


def test_the_newer_insight_page_says_what_it_looks_like(make_portal: PortalFactory,
                                                        tmp_path: Path) -> None:
    root = make_portal({NEWER: DUPLICATE})
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    page = lxml.html.parse(str(site / "insights/fee-shock/index.html")).getroot()
    [note] = page.xpath("//p[contains(concat(' ', @class, ' '), ' ip-looks-like ')]")
    assert note.text_content().startswith("Looks like: Delivery fee surprises shoppers at "
                                          "checkout")
    [link] = note.xpath(".//a")
    assert link.get("href") == "../fees-surprise/"
    older = lxml.html.parse(str(site / "insights/fees-surprise/index.html")).getroot()
    assert older.xpath("//p[contains(@class, 'ip-looks-like')]") == []


def test_the_site_reads_the_answer_the_check_found(make_portal: PortalFactory,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A build, or the preview after a save, checks and then renders the same catalog:
    the renderer must not compare every insight again (0.2 s at 10,000 insights)."""
    result = check_portal(make_portal({NEWER: DUPLICATE}), TODAY)

    def compare_again(catalog: Catalog) -> dict[str, list[str]]:
        raise AssertionError("compared again")

    monkeypatch.setattr(duplicates, "_alike", compare_again)
    renderer = SiteRenderer(result.catalog, result.config, TODAY)
    assert renderer.looks_like == {"fee-shock": ["fees-surprise"]}


# --- the labelled set behind THRESHOLD --------------------------------------------------


def test_the_threshold_keeps_precision_on_the_labelled_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("duplicates_benchmark",
                                                  REPO / "benchmarks" / "duplicates.py")
    assert spec is not None and spec.loader is not None
    benchmark = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, benchmark)  # its dataclasses look it up
    spec.loader.exec_module(benchmark)
    scored = benchmark.score_pairs(benchmark.PAIRS)
    assert len(scored) >= 40
    assert {s.category for s in scored} == {"near-duplicate", "same-topic-different-finding",
                                            "unrelated"}
    counts = benchmark.counts(scored, duplicates.THRESHOLD)
    assert counts.precision >= 0.9
    assert counts.recall >= 0.6  # a threshold raised until nothing is found would pass above
