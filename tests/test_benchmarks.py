"""The benchmark harness (benchmarks/): the synthetic corpus is deterministic and
contract-valid, and the benchmark script runs end to end. Nothing here is timed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_portal

BENCHMARKS = REPO / "benchmarks"
_spec = importlib.util.spec_from_file_location("benchmark_corpus", BENCHMARKS / "corpus.py")
assert _spec and _spec.loader
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus  # dataclasses look their module up while it loads
_spec.loader.exec_module(corpus)

STATUSES = ("new", "under-review", "accepted", "in-progress", "done", "declined", "superseded")
KINDS = ("pain", "delight", "need", "behaviour")


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text[4:text.index("\n---", 3)])


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "portal"
    corpus.generate(root, 200, seed=1)
    return root


def test_the_corpus_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = _files(corpus.generate(tmp_path / "a", 60, seed=7).root)
    again = _files(corpus.generate(tmp_path / "b", 60, seed=7).root)
    other = _files(corpus.generate(tmp_path / "c", 60, seed=8).root)
    assert first == again
    assert first != other
    assert sum(name.startswith("insights/") for name in first) == 60


def test_the_command_line_writes_a_corpus(tmp_path: Path) -> None:
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "corpus.py"),
                                str(tmp_path / "out"), "--insights", "12", "--seed", "3"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert len(list((tmp_path / "out" / "insights").glob("*.md"))) == 12
    assert (tmp_path / "out" / "docs").is_dir()


def test_a_200_insight_corpus_passes_portal_check(portal: Path) -> None:
    completed = run_portal("check", str(portal), "--today", "2026-11-24", "--format", "json")
    report = json.loads(completed.stdout)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    assert report["errors"] == 0, errors[:5]
    assert completed.returncode == 0
    # Only reminders (facts about the organisation), never warnings about mistakes.
    rules = {problem["rule"] for problem in report["problems"]}
    assert rules <= {"decision-overdue", "review-date-passed", "persona-review-overdue"}


def test_the_corpus_has_realistic_proportions(portal: Path) -> None:
    insights = {path.stem: _front_matter(path) for path in (portal / "insights").glob("*.md")}
    statuses = Counter(entry["decision"]["status"] for entry in insights.values())
    kinds = Counter(entry["kind"] for entry in insights.values())
    assert set(statuses) == set(STATUSES)
    assert set(kinds) == set(KINDS)
    for status, weight in corpus.STATUSES.items():  # within a point of the intended share
        assert abs(statuses[status] / 200 - weight / sum(corpus.STATUSES.values())) < 0.01

    superseded = {target for entry in insights.values() for target in entry.get("supersedes", [])}
    assert superseded == {key for key, entry in insights.items()
                          if entry["decision"]["status"] == "superseded"}
    assert any(entry.get("related") for entry in insights.values())
    for entry in insights.values():
        assert 1 <= len(entry["personas"]) <= 3
        assert 1 <= len(entry["evidence"]) <= 3
        assert set(entry.get("tags", [])) <= set(corpus.TAGS)
        assert len(entry) >= 11  # 13 on average, plus the fields inside evidence, decision
        assert str(entry["created"]) <= "2026-11-20"
        if entry["decision"]["status"] == "done":
            assert entry["decision"]["outcome"]
    assert len(list((portal / "personas").glob("*.md"))) == corpus.persona_count(200) == 3
    journeys = [_front_matter(path) for path in (portal / "journeys").glob("*.md")]
    assert len(journeys) == corpus.journey_count(200) == 2
    assert all(len(journey["stages"]) == 6 and all(stage["metrics"] for stage in
                                                   journey["stages"]) for journey in journeys)
    body = (portal / "insights" / f"{next(iter(insights))}.md").read_text(encoding="utf-8")
    words = len(body.split("\n---\n", 1)[1].split())
    assert 200 <= words <= 320
    assert "@" not in body


def test_the_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "50", "--skip-serve",
         "--skip-search", "--work", str(tmp_path / "work"),
         "--json", str(tmp_path / "results.json")],
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    output = completed.stdout
    assert "cores" in output.splitlines()[0]
    for column in ("insights", "floor s", "check cold s", "check/floor", "check warm s",
                   "build s", "bare s", "build/bare", "build/build(1k)", "serve reload s",
                   "build peak MB", "site MB", "search index MB"):
        assert f" {column} |" in output, column
    lines = output.splitlines()
    header = next(line for line in lines if line.startswith("| insights"))
    row = next(line for line in lines
               if line.startswith("|") and line.split("|")[1].strip() == "50")
    assert row.count("|") == header.count("|")
    results = json.loads((tmp_path / "results.json").read_text())["results"][0]
    assert results["insights"] == 50 and results["check_errors"] == 0
    assert results["build_s"] > 0 and results["bare_s"] > 0
    assert results["search_index_mb"] > 0 and results["site_mb"] > results["search_index_mb"]
    assert results["serve_reload_s"] is None
