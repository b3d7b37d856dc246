"""Every command that reads a portal takes it as an optional last argument, ROOT;
without it, the portal is the nearest folder upward holding mkdocs.yml, as git
finds its repository. And `portal --help` lists each command by a whole phrase.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MKDOCS_YML, TODAY, PortalFactory, run_portal

DAY = TODAY.isoformat()
BROKEN = """\
    ---
    title: Slots are gone
    summary: No evening slot is left by checkout.
    kind: pain
    personas: [shoper]
    severity: high
    confidence: medium
    evidence:
      - source: survey
    created: 2026-09-20
    authors: [dana]
    decision:
      status: new
    ---
    """
# A mkdocs.yml that build, serve and generate refuse before anything runs (exit 1):
# reaching that refusal shows the portal was found, in a fraction of a second.
REFUSED_YML = MKDOCS_YML + "hooks: [evil.py]\n"


def test_check_from_a_content_folder_checks_the_portal(make_portal: PortalFactory) -> None:
    root = make_portal({"insights/checkout/slots-gone.md": BROKEN})
    for here in (root / "insights", root / "insights" / "checkout", root / "personas"):
        result = run_portal("check", "--today", DAY, cwd=here)
        assert result.returncode == 1, result.stderr
        # Paths stay relative to the portal root, wherever the command runs.
        assert result.stdout.startswith(
            "insights/checkout/slots-gone.md:5: error: insight \"slots-gone\" (field "
            "personas[0]) refers to persona \"shoper\"")


def test_root_given_is_used_as_is(make_portal: PortalFactory) -> None:
    """ROOT names the portal: a folder inside one is not searched upward from."""
    root = make_portal()
    assert run_portal("check", str(root), "--today", DAY, cwd=root / "insights").returncode == 0
    result = run_portal("check", "insights", "--today", DAY, cwd=root)
    assert result.returncode == 2
    assert "'insights' has no mkdocs.yml" in result.stderr


@pytest.mark.parametrize("command", [["check"], ["build"], ["serve"], ["generate", "--out", "x"],
                                     ["new", "insight", "slots-gone"]])
def test_no_portal_upward_is_one_line_naming_the_folder(tmp_path: Path,
                                                         command: list[str]) -> None:
    here = tmp_path / "notes" / "drafts"
    here.mkdir(parents=True)
    result = run_portal(*command, "--today", DAY, cwd=here)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: no mkdocs.yml in {here} or any folder above it. Run this inside a portal, "
        f"or give the portal's folder as ROOT."]
    assert list(here.iterdir()) == []


def test_search_stops_at_the_top_of_a_git_repository(tmp_path: Path) -> None:
    """A repository without a portal does not pick up an mkdocs.yml above it."""
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    here = tmp_path / "other-repo" / "src"
    here.mkdir(parents=True)
    (tmp_path / "other-repo" / ".git").mkdir()
    result = run_portal("check", "--today", DAY, cwd=here)
    assert result.returncode == 2
    assert f"no mkdocs.yml in {here} or any folder above it" in result.stderr


@pytest.mark.parametrize("command", ["build", "serve", "generate"])
def test_build_serve_and_generate_find_the_portal_upward(make_portal: PortalFactory,
                                                         command: str) -> None:
    root = make_portal(mkdocs_yml=REFUSED_YML)
    extra = ["--out", str(root.parent / "out")] if command == "generate" else []
    result = run_portal(command, "--today", DAY, *extra, cwd=root / "journeys")
    assert result.returncode == 1, result.stderr
    assert "mkdocs.yml was not read, and nothing was built." in result.stderr


def test_generate_from_a_content_folder_writes_the_pages(make_portal: PortalFactory) -> None:
    root = make_portal()
    out = root.parent / "out"
    result = run_portal("generate", "--out", str(out), "--today", DAY, cwd=root / "insights")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote ")
    assert any(out.rglob("*.md"))


def test_new_from_a_content_folder_writes_at_the_portal_root(make_portal: PortalFactory) -> None:
    root = make_portal()
    result = run_portal("new", "insight", "slots-gone", "--today", DAY, "--no-interactive",
                        "--author", "sam", cwd=root / "insights")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote insights/slots-gone.md\n")
    assert (root / "insights" / "slots-gone.md").is_file()
    assert not (root / "insights" / "insights").exists()


def test_new_takes_root_after_the_id(make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal()
    result = run_portal("new", "persona", "night-owl", str(root), "--today", DAY,
                        "--no-interactive", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (root / "personas" / "night-owl.md").is_file()


@pytest.mark.parametrize("args", [[], ["new"]])
def test_help_lists_each_command_by_a_whole_phrase(args: list[str]) -> None:
    """click cuts a docstring's first line to fit (`…(wraps...`); each command says
    what it does in a phrase of its own."""
    text = run_portal(*args, "--help").stdout
    listed = text.split("Commands:\n", 1)[1].splitlines()
    assert listed
    for line in listed:
        assert not line.endswith("..."), line
        assert line.endswith("."), line


@pytest.mark.parametrize("command", [["check"], ["build"], ["serve"], ["generate"],
                                     ["new", "insight"], ["new", "persona"], ["new", "journey"]])
def test_usage_shows_the_optional_root(command: list[str]) -> None:
    usage = run_portal(*command, "--help").stdout.splitlines()[0]
    assert usage.endswith("[ROOT]"), usage
