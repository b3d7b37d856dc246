"""The layout shows the layers (issue 15): `generator.core` is the domain and
imports nothing of MkDocs, Material, Jinja, click, or the rest of the package.

The import contract lives in pyproject.toml ([tool.importlinter]) and is run
here, so a wrong-way import fails the test command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
OUTSIDE_THE_CORE = ("mkdocs", "material", "jinja2", "click", "watchdog")


def _lint_imports(cwd: Path, package_parent: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, env=environment, timeout=300, check=False)


def test_the_import_contracts_hold() -> None:
    done = _lint_imports(REPO, REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(("module", "added", "reported"), [
    ("model.py", "import mkdocs", "generator.core.model -> mkdocs"),
    # A lazy import inside a function counts too (the link check once did this).
    ("validate/corpus.py", "def _pages():\n    from ...site.render import SECTIONS\n",
     "generator.core.validate.corpus -> generator.site.render"),
])
def test_a_wrong_way_import_breaks_the_contract(module: str, added: str, reported: str,
                                                tmp_path: Path) -> None:
    shutil.copytree(REPO / "generator", tmp_path / "generator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    source = tmp_path / "generator" / "core" / module
    source.write_text(source.read_text(encoding="utf-8") + f"\n\n{added}  # noqa\n",
                      encoding="utf-8")
    done = _lint_imports(tmp_path, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert reported in done.stdout


def test_importing_every_core_module_loads_nothing_else_of_the_portal() -> None:
    probe = f"""
import importlib, pkgutil, sys
import generator.core as core
for module in pkgutil.walk_packages(core.__path__, "generator.core."):
    importlib.import_module(module.name)
outside = {OUTSIDE_THE_CORE!r}
loaded = sorted(name for name in sys.modules
                if name.split(".")[0] in outside
                or (name.startswith("generator.") and not name.startswith("generator.core")))
print(" ".join(loaded) or "nothing")
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "nothing"
