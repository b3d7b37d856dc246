"""The README is the first thing a new user reads: keep its promises checked."""

from __future__ import annotations

import re

from conftest import REPO

from generator.core.problems import RULES

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_rule() -> None:
    documented = set(re.findall(r"`([a-z0-9-]+)`", README))
    assert set(RULES) - documented == set()


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"^(python3 -m venv .*)$", README, flags=re.MULTILINE)
    assert len(commands) == 2
    test_command = commands[1]
    assert "pytest" in test_command
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8")
