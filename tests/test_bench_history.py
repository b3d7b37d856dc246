"""The benchmark corpus's git history (benchmarks/corpus.py --git-commits): a real
repository whose commits add the insights and move their decisions, ending with
the corpus exactly as written, so the portal's timelines come from git."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TODAY, run_portal

from generator.check.pipeline import check_portal
from generator.site.timeline import decision_status, git_status_changes

BENCHMARKS = REPO / "benchmarks"
_spec = importlib.util.spec_from_file_location("bench_history_corpus",
                                               BENCHMARKS / "corpus.py")
assert _spec and _spec.loader
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus  # dataclasses look their module up while it loads
_spec.loader.exec_module(corpus)

INSIGHTS, COMMITS = 50, 200


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True).stdout


def _make(root: Path) -> Path:
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "corpus.py"), str(root), "--insights", str(INSIGHTS),
         "--git-commits", str(COMMITS)], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return root


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("bench-history") / "portal")


def test_the_repository_has_the_commits_asked_for(portal: Path) -> None:
    assert _git(portal, "rev-list", "--count", "HEAD").strip() == str(COMMITS)
    dates = [int(line) for line in _git(portal, "log", "--reverse", "--format=%at").split()]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)  # increasing
    assert dt.datetime.fromtimestamp(dates[-1], dt.UTC).date() < TODAY
    authors = _git(portal, "log", "--format=%an|%cn|%ad|%cd").splitlines()
    assert all(author == committer and adate == cdate
               for author, committer, adate, cdate in (line.split("|") for line in authors))
    assert 2 <= len({line.split("|")[0] for line in authors}) <= len(corpus.TEAM)
    # every commit touches the insights
    touching = _git(portal, "log", "--format=%H", "--", "insights").split()
    assert len(touching) == COMMITS


def test_head_is_the_corpus_as_written(portal: Path, tmp_path: Path) -> None:
    tree = {}
    for line in _git(portal, "ls-tree", "-r", "HEAD").splitlines():
        meta, path = line.split("\t", 1)
        tree[path] = meta.split()[2]
    on_disk = {}
    for path in sorted(portal.rglob("*")):
        relative = path.relative_to(portal)
        if path.is_file() and relative.parts[0] not in (".git", ".portal-cache"):
            data = path.read_bytes()
            on_disk[relative.as_posix()] = hashlib.sha1(  # noqa: S324 (git's blob ids)
                b"blob %d\0" % len(data) + data).hexdigest()
    assert tree == on_disk
    assert sum(path.startswith("insights/") for path in tree) == INSIGHTS
    # The same corpus without a history: the files are the same bytes.
    plain = corpus.generate(tmp_path / "plain", INSIGHTS, seed=1).root
    assert {path.relative_to(plain).as_posix(): path.read_bytes()
            for path in plain.rglob("*") if path.is_file()} == {
        path: (portal / path).read_bytes() for path in on_disk}
    # deterministic for a seed
    again = _make(tmp_path / "again")
    assert _git(again, "rev-parse", "HEAD") == _git(portal, "rev-parse", "HEAD")


def test_portal_check_passes_and_no_file_carries_history(portal: Path) -> None:
    completed = run_portal("check", str(portal), "--today", TODAY.isoformat())
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert "\n0 errors, 0 warnings," in completed.stdout
    result = check_portal(portal, TODAY, use_cache=False)
    assert result.errors == 0
    for insight in result.catalog.insights.values():
        assert not insight.decision.history


def test_git_gives_each_insight_its_status_changes(portal: Path) -> None:
    changes = git_status_changes(portal)
    files = {path.stem: path.read_text(encoding="utf-8")
             for path in (portal / "insights").glob("*.md")}
    assert set(changes) == set(files)
    for insight_id, text in files.items():
        assert changes[insight_id][-1].status.value == decision_status(text), insight_id
        days = [change.date for change in changes[insight_id]]
        assert days == sorted(days) and days[-1] < TODAY
    moved = [steps for steps in changes.values() if len(steps) >= 2]
    assert len(moved) >= INSIGHTS * 0.6
    assert any(len(steps) >= 4 for steps in moved)
    # some decisions were reopened: a status seen twice on one timeline
    assert any(len({step.status for step in steps}) < len(steps) for steps in moved)
    assert {step.author for steps in changes.values() for step in steps} <= set(corpus.TEAM)
