"""Decision timelines (issue 16): from the file's `decision.history`, else from
git — each commit that changed `decision.status`, dated by the commit — else the
current status alone. Fixtures are real repositories with pinned commit dates."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from conftest import BASE_FILES, TODAY
from test_rules import INSIGHT, changed

from generator.check.pipeline import check_portal
from generator.core.model import DecisionStatus
from generator.site.timeline import decision_status, git_status_changes, timeline


def commit(root: Path, day: str, message: str, author: str = "Dana") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T10:00:00+00:00",
           "GIT_COMMITTER_DATE": f"{day}T10:00:00+00:00"}
    for command in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", "-c", f"user.name={author}", "-c", "user.email=d@example.com",
                        *command], cwd=root, env=env, check=True)


def write(root: Path, text: str) -> None:
    (root / INSIGHT).write_text(text, encoding="utf-8")


def status_at(status: str) -> str:
    """The base insight with this decision status (and its owner and date kept)."""
    return changed(INSIGHT, "status: accepted", f"status: {status}")


def repository(make_portal) -> Path:
    """new (09-20) -> under-review (09-25) -> body edit (09-26) -> accepted (10-02)."""
    root = make_portal()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    write(root, status_at("new").replace("  owner: checkout-team\n  date: 2026-10-02\n", ""))
    commit(root, "2026-09-20", "add")
    write(root, status_at("under-review").replace("  date: 2026-10-02\n", ""))
    commit(root, "2026-09-25", "review", author="Sam")
    write(root, status_at("under-review").replace("  date: 2026-10-02\n", "") + "More.\n")
    commit(root, "2026-09-26", "words")
    write(root, status_at("accepted"))
    commit(root, "2026-10-02", "decide", author="Kim")
    return root


def test_each_commit_that_changed_the_status_is_a_step(make_portal) -> None:
    root = repository(make_portal)
    changes = git_status_changes(root)["fees-surprise"]
    assert [(c.date.isoformat(), c.status.value, c.author) for c in changes] == [
        ("2026-09-20", "new", "Dana"), ("2026-09-25", "under-review", "Sam"),
        ("2026-10-02", "accepted", "Kim")]
    insight = check_portal(root, TODAY).catalog.insights["fees-surprise"]
    steps = timeline(insight, changes)
    assert [(s.status.value, s.date, s.from_git) for s in steps] == [
        ("new", dt.date(2026, 9, 20), True), ("under-review", dt.date(2026, 9, 25), True),
        ("accepted", dt.date(2026, 10, 2), True)]


def test_the_files_history_wins_over_git(make_portal) -> None:
    root = repository(make_portal)
    write(root, status_at("accepted").replace(
        "  date: 2026-10-02\n", "  date: 2026-10-02\n  history:\n"
        "    - status: new\n      date: 2026-09-20\n"
        "    - status: under-review\n      date: 2026-09-22\n      note: Looked at by CX\n"))
    insight = check_portal(root, TODAY).catalog.insights["fees-surprise"]
    steps = timeline(insight, git_status_changes(root).get("fees-surprise"))
    assert [(s.status.value, s.date.isoformat(), s.note) for s in steps] == [
        ("new", "2026-09-20", None), ("under-review", "2026-09-22", "Looked at by CX"),
        ("accepted", "2026-10-02", None)]


def test_without_git_only_the_current_status_is_known(make_portal) -> None:
    root = make_portal()
    insight = check_portal(root, TODAY).catalog.insights["fees-surprise"]
    assert git_status_changes(root) == {}
    assert [(s.status, s.date) for s in timeline(insight, None)] == [
        (DecisionStatus.ACCEPTED, dt.date(2026, 10, 2))]


def test_a_history_items_status_is_not_the_decisions() -> None:
    text = BASE_FILES[INSIGHT].replace("        ", "")
    assert decision_status(text) == "accepted"
    with_history = text.replace("  date: 2026-10-02\n", "  date: 2026-10-02\n  history:\n"
                                "    - status: new\n      date: 2026-09-20\n")
    assert decision_status(with_history) == "accepted"
    moved = with_history.replace("  status: accepted\n", "")  # now only history has one
    assert decision_status(moved) is None
    assert decision_status("---\ndecision: {owner: x, status: done}\n---\n") == "done"
    assert decision_status("---\ntitle: x\n---\ndecision:\n  status: done\n") is None


def test_the_changes_are_kept_until_the_next_commit(make_portal) -> None:
    """The preview asks after every save: git is read again only for a new commit."""
    root = repository(make_portal)
    first = git_status_changes(root)
    write(root, status_at("done").replace("  date: 2026-10-02\n", "  date: 2026-10-09\n"))
    assert git_status_changes(root) is first  # saved, not committed: nothing to read
    commit(root, "2026-10-09", "done")
    later = git_status_changes(root)["fees-surprise"]
    assert [change.status.value for change in later][-1] == "done"


# --- the history kept between builds (.portal-cache/git-history.json) ---------------------

def _fresh(root: Path):
    """Status changes read without this process's memory of them."""
    from generator.site import timeline as module
    module._KNOWN.clear()
    return git_status_changes(root)


def test_the_kept_history_gives_what_git_gives_and_grows_by_new_commits(make_portal) -> None:
    root = repository(make_portal)
    first = _fresh(root)
    kept = root / ".portal-cache" / "git-history.json"
    assert kept.is_file()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          text=True, check=True).stdout.strip()
    assert f'"head":"{head}"' in kept.read_text(encoding="utf-8")
    assert _fresh(root) == first  # from the kept file alone
    write(root, status_at("done").replace("  date: 2026-10-02\n", "  date: 2026-10-09\n"))
    commit(root, "2026-10-09", "done", author="Lee")
    later = _fresh(root)["fees-surprise"]
    assert [(c.status.value, c.author) for c in later][-2:] == [("accepted", "Kim"),
                                                                ("done", "Lee")]
    kept.unlink()
    assert _fresh(root)["fees-surprise"] == later  # read afresh: the same


def test_a_kept_history_git_tracks_or_that_does_not_parse_is_not_read(make_portal) -> None:
    """A pull request could commit a forged history: a tracked cache folder is
    ignored, as the check cache is; a damaged file means reading git afresh."""
    root = repository(make_portal)
    honest = _fresh(root)
    kept = root / ".portal-cache" / "git-history.json"
    forged = kept.read_text(encoding="utf-8").replace('"accepted"', '"declined"')
    kept.write_text(forged, encoding="utf-8")
    subprocess.run(["git", "add", "-f", ".portal-cache/git-history.json"], cwd=root, check=True)
    commit(root, "2026-10-10", "forge")
    kept.write_text(forged, encoding="utf-8")  # as committed: still ignored
    assert _fresh(root) == honest
    subprocess.run(["git", "rm", "-q", "--cached", "-r", ".portal-cache"], cwd=root, check=True)
    commit(root, "2026-10-11", "untrack")
    kept.write_text("{not json", encoding="utf-8")
    assert _fresh(root) == honest


def test_a_rewritten_history_is_read_afresh(make_portal) -> None:
    root = repository(make_portal)
    _fresh(root)
    write(root, status_at("declined").replace("  date: 2026-10-02\n",
                                              "  date: 2026-10-02\n  rationale: No budget\n"))
    subprocess.run(["git", "-c", "user.name=Kim", "-c", "user.email=k@example.com", "commit",
                    "-q", "-a", "--amend", "-m", "decline instead"], cwd=root, check=True,
                   env={**os.environ, "GIT_COMMITTER_DATE": "2026-10-02T10:00:00+00:00"})
    assert [c.status.value for c in _fresh(root)["fees-surprise"]] == [
        "new", "under-review", "declined"]
