"""A text too slow to turn into a page (issue 13): the build goes on, the page
shows a notice linking to the source file, and the file gets a warning at line 1.

Each slow body below costs tens of seconds to minutes without the budget (their
cost grows with the square of their size); the tests lower the budget through
PORTAL_PAGE_BUDGET so that they stay quick, and each body is far over it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import (
    MATERIAL_INDEX,
    MKDOCS_YML,
    REPO,
    TODAY,
    run_portal,
    with_material_search,
    write_portal,
)

from generator.core.sanitize import nesting_depth
from generator.mkdocs import budget

sys.path.insert(0, str(REPO / "benchmarks"))
from pathological import SHAPES  # noqa: E402

EDIT_URI = "https://git.example/portal/edit/main/"
# Material's search, whose indexing of each page runs in the build under the page's
# budget (Pagefind, the default, indexes the built HTML afterwards, in its own process).
WITH_SEARCH = with_material_search(MKDOCS_YML)
# Search too: a page over budget once must not be charged again when indexed.
WITH_EDIT_URI = f"edit_uri: {EDIT_URI}\n" + WITH_SEARCH
FRONT = """\
---
title: A very long transcript
summary: Pasted whole into the body.
kind: pain
personas: [shopper]
severity: low
confidence: low
evidence: [{source: survey}]
created: 2026-09-20
authors: [dana]
decision: {status: accepted, owner: checkout-team, date: 2026-10-02}
---
"""
# Each heading splits one Markdown block: Python-Markdown goes quadratic (19 s for 50 KB).
SLOW_TO_CONVERT = "Intro line.\n" + "## h\n" * 20_000
# Headings apart convert quickly (0.4 s), but Material's search looks each one up
# in the table of contents: 8,000 headings take it about 13 s.
SLOW_TO_INDEX = "## h\n\n" * 8_000
NOTICE = "Too slow to show here"


def _build(root: Path, site: Path, *extra: str, budget_s: str = "1"
           ) -> subprocess.CompletedProcess[str]:
    return run_portal("build", str(root), "--site-dir", str(site), "--today",
                      TODAY.isoformat(), *extra, env={budget.BUDGET_VARIABLE: budget_s})


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_a_body_too_slow_to_convert_shows_a_notice_and_the_build_succeeds(
        tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", {"insights/transcript.md": FRONT + SLOW_TO_CONVERT},
                        WITH_EDIT_URI)
    site = tmp_path / "site"
    start = time.perf_counter()
    result = _build(root, site)
    seconds = time.perf_counter() - start
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "insights/transcript.md:1: warning: its text took over 1 s to convert; the page " \
           "shows a notice with a link to this file in place of the body [page-budget]" in output
    assert "hint: Markdown and the search index slow down on text that repeats" in output
    assert output.count("[page-budget]") == 1
    assert seconds < 60, seconds  # minutes without the budget
    page = _page(site, "insights/transcript")
    assert NOTICE in page and "took over 1 s to convert" in page
    assert f'<a href="{EDIT_URI}insights/transcript.md"><code>insights/transcript.md</code></a>' \
        in page
    # The rest of the page is there; the body is not.
    assert "A very long transcript" in page and "checkout-team" in page
    assert "Intro line." not in page and page.count("<h2") < 20
    assert "Delivery fee surprises shoppers" in _page(site, "insights/fees-surprise")

    strict = _build(root, tmp_path / "strict", "--strict")
    assert strict.returncode == 1
    assert "insights/transcript.md:1: warning: its text took over 1 s to convert" in \
        strict.stdout + strict.stderr
    assert "nothing was published" in strict.stderr


def test_a_body_too_slow_to_index_for_search_is_indexed_as_its_notice(tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", {"insights/transcript.md": FRONT + SLOW_TO_INDEX},
                        WITH_SEARCH)
    site = tmp_path / "site"
    # Converting this body takes about a third of the budget and indexing it about
    # twice the budget, on this machine: either may be twice as fast or slow and
    # the search is still what runs out of time.
    result = _build(root, site, budget_s="0.8")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "insights/transcript.md:1: warning: its text took over 0.8 s to index for search" \
        in output
    page = _page(site, "insights/transcript")
    assert NOTICE in page and page.count("<h2") < 20
    index = (site / MATERIAL_INDEX).read_text(encoding="utf-8")
    assert index.count('"location":"insights/transcript/') < 20
    assert "took over 0.8 s to index for search" in index  # the notice is what search finds
    assert "Delivery fee surprises shoppers" in index


def test_html_nested_too_deep_shows_a_notice_whatever_the_budget(tmp_path: Path) -> None:
    # 600 unclosed <div>s: no time measured, the depth alone decides.
    root = write_portal(tmp_path / "portal",
                        {"insights/transcript.md": FRONT + "Start.\n\n" + "<div>" * 600 + "x\n"})
    site = tmp_path / "site"
    result = _build(root, site, budget_s="600")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"insights/transcript.md:1: warning: its text nests HTML elements over " \
           f"{budget.MAX_NESTING} deep; the page shows a notice" in output
    page = _page(site, "insights/transcript")
    assert NOTICE in page and "<code>insights/transcript.md</code>" in page
    assert page.count("<div") < 100


def test_a_hand_written_page_too_slow_to_convert_shows_a_notice(tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", {"docs/guide.md": "# Guide\n\n" + SLOW_TO_CONVERT})
    site = tmp_path / "site"
    result = _build(root, site)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "docs/guide.md:1: warning: its text took over 1 s to convert; the page shows a " \
           "notice with a link to this file in place of its text [page-budget]" in output
    page = _page(site, "guide")
    assert NOTICE in page and "<code>docs/guide.md</code>" in page


def test_the_preview_answers_with_the_notice(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview renders pages in its request threads, where no signal reaches:
    the budget holds there too."""
    from generator.mkdocs.devserver import PreviewSite

    root = write_portal(tmp_path / "portal", {"insights/transcript.md": FRONT + SLOW_TO_CONVERT,
                                              "docs/.keep": ""})
    monkeypatch.setattr(budget, "PAGE_BUDGET_S", 1.0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795478400")  # 2026-11-24
    preview = PreviewSite(root)
    preview.setup()
    answers: list[bytes] = []
    try:
        request = threading.Thread(
            target=lambda: answers.append(preview.respond("/insights/transcript/").body))
        request.start()
        request.join(timeout=60)
        assert not request.is_alive(), "the preview is still converting the page"
        assert NOTICE.encode() in answers[0]
        other = preview.respond("/insights/fees-surprise/")
        assert other is not None and b"Delivery fee surprises shoppers" in other.body
    finally:
        preview.close()


@pytest.mark.parametrize("thread", [False, True])
def test_the_budget_interrupts_python_code_in_any_thread(thread: bool) -> None:
    outcome: list[str] = []

    def spin() -> None:
        start = time.monotonic()
        try:
            with budget.within(0.5):
                while time.monotonic() - start < 30:
                    sum(range(1000))
            outcome.append("finished")
        except budget.OverBudget:
            outcome.append(f"stopped after {time.monotonic() - start:.1f} s")
        # Nothing is left pending once the block is over.
        time.sleep(0.6)
        sum(range(10**6))
        outcome.append("clean")

    if thread:
        worker = threading.Thread(target=spin)
        worker.start()
        worker.join(timeout=40)
    else:
        spin()
    assert outcome[0].startswith("stopped after") and float(outcome[0].split()[2]) < 5
    assert outcome[1:] == ["clean"]


def test_a_block_within_its_budget_is_left_alone() -> None:
    for _ in range(1000):
        with budget.within(5):
            sum(range(100))
    with budget.within(0.3), budget.within(0.3):  # nested: the outer deadline holds
        time.sleep(0.05)


def test_the_budget_comes_from_the_environment_only_when_it_makes_sense(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in (("2.5", 2.5), ("0", 4.0), ("-1", 4.0), ("lots", 4.0),
                            ("100000", 4.0)):
        monkeypatch.setenv(budget.BUDGET_VARIABLE, value)
        assert budget._budget_from_environment() == expected  # noqa: SLF001


def test_nesting_depth_counts_elements_that_hold_others() -> None:
    assert nesting_depth("<div>" * 600, 512) == 513  # stops counting past the limit
    assert nesting_depth("<div></div>" * 600, 512) == 1
    assert nesting_depth("<p>x" * 2000 + "<li>y" * 2000 + "<br>" * 2000, 512) == 0
    assert nesting_depth("<ul><li>" * 600, 512) == 513
    assert nesting_depth("<a " * 100_000, 512) == 0  # no tag ever closes: linear, no depth


def test_every_pathological_shape_builds_in_one_portal_without_failing(tmp_path: Path) -> None:
    """All the shapes of benchmarks/pathological.py at 900 KB each, as 37 insights
    of one portal: the build ends, exits 0, and publishes every page (its body or
    the notice). A generous ceiling, not a timing goal: the benchmark prints times."""
    files = {f"insights/shape-{name}.md": FRONT + body for name, body in
             ((name, make(900_000)) for name, make in SHAPES.items())}
    root = write_portal(tmp_path / "portal", files)
    site = tmp_path / "site"
    ceiling = 15 * len(SHAPES)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "generator", "build", str(root), "--site-dir", str(site),
             "--today", TODAY.isoformat()],
            capture_output=True, text=True, timeout=ceiling, check=False,
            env={**__import__("os").environ, budget.BUDGET_VARIABLE: "2"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"portal build took over {ceiling} s on {len(SHAPES)} shapes")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Traceback" not in output
    for name in SHAPES:
        assert (site / "insights" / f"shape-{name}" / "index.html").is_file(), name
    for line in output.splitlines():
        if "[page-budget]" in line:
            assert ".md:1: warning: its text " in line, line
