"""Pathological bodies (issue 13): every shape in benchmarks/pathological.py,
about 900 KB of repeated syntax, is checked in time linear in its size.

A generous ceiling, not a timing goal: each shape checks in about a second on a
2-core machine (`python benchmarks/pathological.py` prints the numbers); a
pattern that goes quadratic again takes minutes, and the ceiling ends it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TODAY

sys.path.insert(0, str(REPO / "benchmarks"))
from pathological import SHAPES, write_portal  # noqa: E402

SIZE = 900_000  # under the 1 MB file limit, with the front matter
CEILING_S = 30  # per shape and command


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_pathological_body_is_checked_in_linear_time(shape: str, tmp_path: Path) -> None:
    root = write_portal(tmp_path / "portal", SHAPES[shape](SIZE))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "check", str(root), "--no-cache",
             "--format", "json", "--today", TODAY.isoformat()],
            capture_output=True, text=True, timeout=CEILING_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"portal check took over {CEILING_S} s on {shape!r}")
    assert done.returncode in (0, 1), done.stderr  # problems are fine; a crash is not
    assert "Traceback" not in done.stderr
    assert '"problems"' in done.stdout


def test_there_are_at_least_thirty_shapes() -> None:
    assert len(SHAPES) >= 30
