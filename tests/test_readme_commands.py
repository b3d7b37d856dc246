"""The README's `portal new` and `portal decide` examples run as pasted (issues 14
and 16): each is read from the README, run in a copy of the sample (from
`insights/`, as a newcomer in that folder would), and the portal still passes
`portal check` afterwards."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, TODAY

SAMPLE = ("insights", "personas", "journeys", "docs", "mkdocs.yml")


def readme_commands(section: str) -> list[str]:
    """The `portal …` lines of the first code block under a README heading,
    with backslash continuations joined."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    after = text.split(f"\n## {section}\n", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", after, re.S)
    assert block is not None, section
    joined = re.sub(r"\\\n\s*", " ", block.group(1))
    return [line.strip() for line in joined.splitlines() if line.strip().startswith("portal ")]


def _portal(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    # A newcomer's git knows their name: `portal new` writes it as the author.
    (home / ".gitconfig").write_text("[user]\n\tname = Newcomer\n", encoding="utf-8")
    environment.update({"HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig")})
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, env=environment, timeout=120,
                          stdin=subprocess.DEVNULL)


def sample_copy(tmp_path: Path) -> Path:
    """The repository's sample portal, copied to tmp_path/portal."""
    portal = tmp_path / "portal"
    portal.mkdir()
    for name in SAMPLE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, portal / name)
        else:
            shutil.copy2(source, portal / name)
    return portal


def test_the_readme_new_examples_run_as_pasted_and_the_portal_stays_clean(tmp_path: Path
                                                                          ) -> None:
    portal = sample_copy(tmp_path)
    commands = readme_commands("`portal new`")
    assert len(commands) == 3, commands
    home = tmp_path / "home"
    home.mkdir()
    for command in commands:
        args = shlex.split(command)[1:] + ["--no-interactive"]
        if args[1] != "journey":  # journeys hold no date
            args += ["--today", TODAY.isoformat()]
        done = _portal(args, portal / "insights", home)
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
    for kind, name in (("insights", "refund-calls-while-asleep"),
                       ("personas", "night-shift-nurse"), ("journeys", "returns")):
        assert (portal / kind / f"{name}.md").is_file(), name
    # As the pull request's CI will check it: warnings fail too.
    check = _portal(["check", "--strict", "--today", TODAY.isoformat()], portal / "insights",
                    home)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.splitlines()[-1].startswith("0 errors, 0 warnings")


def test_the_readme_decide_example_runs_as_pasted_and_writes_what_it_shows(tmp_path: Path
                                                                          ) -> None:
    portal = sample_copy(tmp_path)
    commands = readme_commands("`portal decide`")
    assert len(commands) == 1, commands
    home = tmp_path / "home"
    home.mkdir()
    done = _portal([*shlex.split(commands[0])[1:], "--today", TODAY.isoformat()],
                   portal / "insights", home)
    assert done.returncode == 0, f"{commands[0]}\n{done.stdout}{done.stderr}"
    # What the README says it prints, and the decision it shows, are what it wrote.
    section = (REPO / "README.md").read_text(encoding="utf-8").split(
        "\n## `portal decide`\n", 1)[1]
    assert f"`{done.stdout.strip()}`" in section
    shown = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert shown is not None
    written = (portal / "insights" / "chilled-items-arrive-warm.md").read_text(encoding="utf-8")
    assert shown.group(1) in written
    check = _portal(["check", "--strict", "--today", TODAY.isoformat()], portal, home)
    assert check.returncode == 0, check.stdout + check.stderr
