"""The per-file pass split among worker processes gives exactly the result of
checking every file in one process: same problems, same entries, same order."""

from __future__ import annotations

import pickle

import pytest
from conftest import REPO, TODAY, PortalFactory
from test_rules import INSIGHT, PERSONA, changed

from generator.check import file_pass
from generator.check import parallel as workers
from generator.check.pipeline import check_portal


def _check(root, monkeypatch, parallel: bool):
    monkeypatch.setattr(file_pass, "PARALLEL_MIN_FILES", 2 if parallel else 10**9)
    # Other tests in this process may leave a server thread running, which makes
    # the pass stay in one process; this test is about the workers themselves.
    monkeypatch.setattr(workers, "_other_threads", lambda: False)
    calls = []
    real = workers._in_workers
    monkeypatch.setattr(workers, "_in_workers",
                        lambda *args: calls.append(args[-1]) or real(*args))
    result = check_portal(root, TODAY, use_cache=False)
    assert bool(calls) == parallel and all(count >= 2 for count in calls)
    return result


@pytest.mark.parametrize("broken", [False, True])
def test_workers_give_the_same_result_as_one_process(make_portal: PortalFactory, monkeypatch,
                                                     broken: bool) -> None:
    files = {INSIGHT: changed(INSIGHT, "kind: pain", "kind: pian"),
             PERSONA: "not front matter\n"} if broken else {}
    root = make_portal(files) if broken else REPO
    serial, parallel = (_check(root, monkeypatch, parallel=flag) for flag in (False, True))
    assert parallel.problems == serial.problems
    assert pickle.dumps(parallel.catalog.insights) == pickle.dumps(serial.catalog.insights)
    assert (parallel.errors > 0) == broken


def test_a_failing_pool_falls_back_to_one_process(make_portal: PortalFactory,
                                                  monkeypatch) -> None:
    def no_fork(*args):
        raise OSError("fork not allowed here")

    monkeypatch.setattr(file_pass, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(workers, "_in_workers", no_fork)
    root = make_portal({INSIGHT: changed(INSIGHT, "kind: pain", "kind: pian")})
    assert [(p.rule, p.line) for p in check_portal(root, TODAY).problems] == [("bad-value", 4)]


def test_workers_failing_halfway_leave_the_rest_to_this_process(make_portal: PortalFactory,
                                                                monkeypatch) -> None:
    """Results arrive as the workers finish them: if the pool breaks after some,
    this process checks the rest, and nothing is given twice or lost."""
    real = workers._in_workers

    def breaks_after_two(job, count, processes):
        for index, result in enumerate(real(job, count, processes)):
            if index == 2:
                raise EOFError("a worker died")
            yield result

    root = make_portal({INSIGHT: changed(INSIGHT, "kind: pain", "kind: pian")})
    serial = _check(root, monkeypatch, parallel=False)
    monkeypatch.setattr(file_pass, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(workers, "_in_workers", breaks_after_two)
    broken = check_portal(root, TODAY, use_cache=False)
    assert broken.problems == serial.problems
    assert pickle.dumps(broken.catalog.insights) == pickle.dumps(serial.catalog.insights)


def test_a_file_the_worker_cannot_read_is_reported_and_not_cached(make_portal: PortalFactory,
                                                                   monkeypatch) -> None:
    """On a first check the workers read the files: one that vanished or cannot be
    read by then is a problem at its path, the others are checked, and the next
    check reads it again instead of trusting a cached failure."""
    root = make_portal({INSIGHT: changed(INSIGHT, "kind: pain", "kind: pian")})
    real = file_pass.read_source

    def persona_unreadable(path):
        if str(path).endswith(PERSONA):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(file_pass, "read_source", persona_unreadable)
    first = check_portal(root, TODAY)
    assert [(p.rule, p.path, p.line) for p in first.problems] == [
        ("bad-value", INSIGHT, 4), ("no-front-matter", PERSONA, 1)]
    assert "file cannot be read: Permission denied" in first.problems[1].message
    monkeypatch.setattr(file_pass, "read_source", real)
    assert [p.rule for p in check_portal(root, TODAY).problems] == ["bad-value"]
