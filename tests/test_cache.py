"""The check cache: a re-check only re-does files whose content changed, and a
new validator or configuration throws the cache away."""

from __future__ import annotations

import shutil

from conftest import TODAY, PortalFactory
from test_rules import INSIGHT, base

from generator import cache
from generator.cache import CACHE_DIR
from generator.pipeline import check_portal


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
    (root / CACHE_DIR / cache.CACHE_FILE).write_bytes(b"not a pickle")
    assert check_portal(root, TODAY).problems == []
    shutil.rmtree(root / CACHE_DIR)
    assert check_portal(root, TODAY).problems == []


def test_today_dependent_problems_are_never_cached(make_portal: PortalFactory) -> None:
    root = make_portal({INSIGHT: base(INSIGHT).replace("status: accepted",
                                                       "status: under-review")})
    assert check_portal(root, TODAY).problems[0].rule == "decision-overdue"
    early = TODAY.replace(month=10, day=15)  # 25 days after `created`
    assert check_portal(root, early).problems == []
