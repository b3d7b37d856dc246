"""The check cache: a re-check only re-does files whose content changed, and a
new validator or configuration throws the cache away."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import TODAY, PortalFactory
from test_rules import INSIGHT, base

from generator.check import cache, file_pass
from generator.check.cache import CACHE_DIR
from generator.check.pipeline import check_portal


def test_second_run_takes_every_file_from_the_cache(make_portal: PortalFactory) -> None:
    root = make_portal()
    first = check_portal(root, TODAY)
    second = check_portal(root, TODAY)
    assert (first.cached_files, second.cached_files) == (0, 3)
    assert second.problems == first.problems
    assert (root / CACHE_DIR / ".gitignore").read_text() == "*\n"


def test_a_content_change_invalidates_only_that_file(make_portal: PortalFactory) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    (root / INSIGHT).write_text(base(INSIGHT).replace("kind: pain", "kind: pian"),
                                encoding="utf-8")
    result = check_portal(root, TODAY)
    assert result.cached_files == 2
    assert [(p.rule, p.line) for p in result.problems] == [("bad-value", 4)]


def test_a_validator_change_invalidates_everything(make_portal: PortalFactory,
                                                   monkeypatch) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    monkeypatch.setattr(cache, "validator_fingerprint", lambda: "a newer validator")
    assert check_portal(root, TODAY).cached_files == 0
    assert check_portal(root, TODAY).cached_files == 3


def test_a_registry_change_in_mkdocs_yml_invalidates_everything(make_portal: PortalFactory
                                                                ) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + "      tags: [delivery]\n", encoding="utf-8")
    result = check_portal(root, TODAY)
    assert result.cached_files == 0
    assert [p.rule for p in result.problems] == ["unknown-tag"]


def test_cache_is_safe_to_delete_or_corrupt(make_portal: PortalFactory) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    (root / CACHE_DIR / cache.CACHE_FILE).write_bytes(b"not a cache")
    assert check_portal(root, TODAY).problems == []
    shutil.rmtree(root / CACHE_DIR)
    assert check_portal(root, TODAY).problems == []


def test_today_dependent_problems_are_never_cached(make_portal: PortalFactory) -> None:
    root = make_portal({INSIGHT: base(INSIGHT).replace("status: accepted",
                                                       "status: under-review")})
    assert check_portal(root, TODAY).problems[0].rule == "decision-overdue"
    early = TODAY.replace(month=10, day=15)  # 25 days after `created`
    assert check_portal(root, early).problems == []


def test_a_touched_file_is_read_again_but_not_rechecked(make_portal: PortalFactory,
                                                        monkeypatch) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    path = root / INSIGHT
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    checked: list[int] = []
    real = file_pass.check_files_summarised
    monkeypatch.setattr("generator.check.file_pass.check_files_summarised",
                        lambda sources, *rest: checked.append(len(sources)) or real(sources, *rest))
    assert check_portal(root, TODAY).cached_files == 3
    assert checked == []  # no file needed the per-file pass


def test_a_change_is_seen_even_when_the_modification_time_is_kept(make_portal: PortalFactory
                                                                  ) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    path = root / INSIGHT
    stat = path.stat()
    path.write_text(base(INSIGHT).replace("kind: pain", "kind: pains"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # e.g. restored by a tool
    assert [p.rule for p in check_portal(root, TODAY).problems] == ["bad-value"]


# --- the corpus pass, reused by `portal check` when only body text changed ----------


def _no_corpus_pass(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("the corpus pass ran")

    monkeypatch.setattr("generator.check.pipeline.check_corpus", fail)


def _edit(root, old: str, new: str) -> None:
    path = root / INSIGHT
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_body_edit_reuses_the_corpus_pass(make_portal: PortalFactory, monkeypatch) -> None:
    stale = base(INSIGHT).replace("status: accepted", "status: under-review")  # a reminder
    root = make_portal({INSIGHT: stale})
    first = check_portal(root, TODAY, need_catalog=False)
    _edit(root, "Seen in", "Seen again in")
    with monkeypatch.context() as patch:
        _no_corpus_pass(patch)
        again = check_portal(root, TODAY, need_catalog=False)
    assert again.catalog is None
    assert again.problems == first.problems == check_portal(root, TODAY, use_cache=False).problems
    assert [p.rule for p in again.problems] == ["decision-overdue"]


@pytest.mark.parametrize("change", ["front matter", "today", "a file added", "catalog wanted"])
def test_the_corpus_pass_runs_again_when_its_inputs_change(make_portal: PortalFactory,
                                                           monkeypatch, change: str) -> None:
    root = make_portal()
    check_portal(root, TODAY, need_catalog=False)
    today, need_catalog = TODAY, False
    if change == "front matter":
        _edit(root, "personas: [shopper]", "personas: [shoper]")
    elif change == "today":
        today = TODAY.replace(year=TODAY.year + 1)
    elif change == "a file added":
        (root / "insights" / "copy.md").write_text(base(INSIGHT), encoding="utf-8")
    else:
        need_catalog = True
    result = check_portal(root, today, need_catalog=need_catalog)
    assert result.problems == check_portal(root, today, use_cache=False).problems
    if change == "front matter":
        assert "unknown-persona" in [p.rule for p in result.problems]
    if change == "catalog wanted":
        assert result.catalog is not None


def test_a_linked_file_outside_the_content_folders_is_looked_at_again(
        make_portal: PortalFactory) -> None:
    root = make_portal()
    _edit(root, "Seen in", "See [the guide](../guide.md). Seen in")  # docs/guide.md
    assert [p.rule for p in check_portal(root, TODAY, need_catalog=False).problems] == [
        "broken-link"]
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "guide.md").write_text("# Guide\n", encoding="utf-8")
    assert check_portal(root, TODAY, need_catalog=False).problems == []


def _set_kind(root, kind: str = "pian") -> None:
    (root / INSIGHT).write_text(base(INSIGHT).replace("kind: pain", f"kind: {kind}"),
                                encoding="utf-8")


def test_a_small_change_is_appended_to_the_journal_not_rewritten(make_portal: PortalFactory,
                                                                 monkeypatch) -> None:
    monkeypatch.setattr(cache, "JOURNAL_MAX_SIZE", 10)  # the test portal's cache is tiny
    root = make_portal()
    check_portal(root, TODAY)
    main = root / CACHE_DIR / cache.CACHE_FILE
    journal = root / CACHE_DIR / cache.JOURNAL_FILE
    written = main.read_bytes()
    _set_kind(root)
    assert check_portal(root, TODAY).cached_files == 2
    assert main.read_bytes() == written and journal.stat().st_size > 0
    # the next run reads the journal: the changed file's result comes from it
    result = check_portal(root, TODAY)
    assert result.cached_files == 3
    assert [(p.rule, p.line) for p in result.problems] == [("bad-value", 4)]


def test_a_half_written_journal_costs_a_recheck_not_a_wrong_result(make_portal: PortalFactory,
                                                                   monkeypatch) -> None:
    monkeypatch.setattr(cache, "JOURNAL_MAX_SIZE", 10)
    root = make_portal()
    check_portal(root, TODAY)
    _set_kind(root)
    check_portal(root, TODAY)
    journal = root / CACHE_DIR / cache.JOURNAL_FILE
    journal.write_bytes(journal.read_bytes()[:-7])  # interrupted while appending
    result = check_portal(root, TODAY)
    assert result.cached_files == 2  # the edited file is checked again
    assert [(p.rule, p.line) for p in result.problems] == [("bad-value", 4)]


def test_a_large_change_or_a_long_journal_rewrites_the_cache(make_portal: PortalFactory,
                                                             monkeypatch) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    main = root / CACHE_DIR / cache.CACHE_FILE
    journal = root / CACHE_DIR / cache.JOURNAL_FILE
    monkeypatch.setattr(cache, "JOURNAL_MAX_SIZE", 10)
    _set_kind(root)
    check_portal(root, TODAY)
    assert journal.exists()
    monkeypatch.setattr(cache, "JOURNAL_MAX_SIZE", 0)  # the journal is now too long
    written = main.read_bytes()
    _set_kind(root, "need")
    assert [p.rule for p in check_portal(root, TODAY).problems] == []
    assert not journal.exists() and main.read_bytes() != written
    result = check_portal(root, TODAY)
    assert (result.cached_files, result.problems) == (3, [])


def test_a_reused_corpus_pass_never_reads_the_stored_results(make_portal: PortalFactory,
                                                             monkeypatch) -> None:
    monkeypatch.setattr(cache, "JOURNAL_MAX_SIZE", 10)  # the test portal's cache is tiny
    root = make_portal()
    check_portal(root, TODAY, need_catalog=False)
    _edit(root, "Seen in", "Seen again in")  # body text only
    monkeypatch.setattr(cache.CheckCache, "_results", property(
        lambda self: pytest.fail("the results file was read"), lambda self, value: None))
    result = check_portal(root, TODAY, need_catalog=False)
    assert (result.cached_files, result.catalog, result.problems) == (2, None, [])


def test_results_from_an_interrupted_rewrite_are_not_trusted(make_portal: PortalFactory
                                                             ) -> None:
    root = make_portal()
    first = check_portal(root, TODAY)
    [results] = (root / CACHE_DIR).glob("check-*.results")
    results.write_bytes(results.read_bytes()[:-1])  # not the file the main file names
    again = check_portal(root, TODAY)
    assert (again.cached_files, again.problems) == (0, first.problems)
    assert len(list((root / CACHE_DIR).glob("check-*.results"))) == 1  # the old one went


def test_a_run_reads_its_results_even_once_another_run_deleted_them(make_portal: PortalFactory
                                                                    ) -> None:
    from generator.core.config import load_config

    root = make_portal()
    check_portal(root, TODAY)
    config, _ = load_config(root)
    opened = cache.CheckCache.open(root, config)
    stored = opened.entries[INSIGHT][2]
    assert not isinstance(stored, bytes)  # a slice of the results file, not yet read
    shutil.rmtree(root / CACHE_DIR)  # another run rewrote or deleted the cache meanwhile
    entry, problems = file_pass.load_result(opened.result(stored))
    assert entry is not None and entry.id == "fees-surprise" and problems == []
