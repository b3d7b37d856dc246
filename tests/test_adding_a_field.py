"""README, "Adding a field": an optional insight field shown on its page and as
a facet takes the schema, the facet table and one template — nothing else.

The test copies the package, makes exactly the three edits the README shows,
and builds a portal with it: the field is checked, shown, exported, offered as
a facet in the index data and as a Pagefind filter. Without the edits, the same
file is refused (unknown-field), so the test cannot pass by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import BASE_FILES, REPO, write_portal

INSIGHT = "insights/fees-surprise.md"
CHANNEL_LINE = 11  # of `channel:` in the insight below
# The README's three edits: (file in generator/, the line to find, what goes before it).
EDITS = (
    ("core/schema.py", "    _ALIASES,\n)\n\nPERSONA_FIELDS",
     '    _text("channel", "Where the customer met it: app, web or phone."),\n'),
    ("site/facets.py", "    Facet(\"tag\", \"Tag\"",
     '    Facet("channel", "Channel", lambda i: _one(i.channel),\n'
     '          views=frozenset({INDEX, SEARCH})),\n'),
    ("site/templates/insight.md.j2", "<dt>Written</dt>",
     '{% if insight.channel %}<dt>Channel</dt> <dd>{{ insight.channel }}</dd>\n{% endif %}\n'),
)


def _package(tmp_path: Path, edited: bool) -> Path:
    """A copy of the generator package, with the README's edits or without."""
    target = tmp_path / ("edited" if edited else "plain")
    shutil.copytree(REPO / "generator", target / "generator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name, anchor, addition in EDITS if edited else ():
        path = target / "generator" / name
        text = path.read_text(encoding="utf-8")
        assert text.count(anchor) == 1, f"README's anchor moved in {name}: {anchor!r}"
        path.write_text(text.replace(anchor, addition + anchor), encoding="utf-8")
    return target


def _portal(tmp_path: Path) -> Path:
    insight = BASE_FILES[INSIGHT].replace("        tags: [fees]\n",
                                          "        tags: [fees]\n        channel: phone\n")
    return write_portal(tmp_path / "portal", {INSIGHT: insight})


def _run(package: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package)}
    env.pop("SOURCE_DATE_EPOCH", None)
    # From the copy's folder: `python -m` puts the working folder first on the path.
    return subprocess.run([sys.executable, "-m", "generator", *args, "--today", "2026-11-24"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=package)


def test_without_the_edits_the_field_is_unknown(tmp_path: Path) -> None:
    result = _run(_package(tmp_path, edited=False), "check", str(_portal(tmp_path)))
    assert result.returncode == 1
    expected = f"{INSIGHT}:{CHANNEL_LINE}: error: unknown field 'channel'"
    assert expected in result.stdout, result.stdout


def test_schema_facet_table_and_template_are_all_a_field_takes(tmp_path: Path) -> None:
    package, root = _package(tmp_path, edited=True), _portal(tmp_path)
    assert _run(package, "check", str(root)).returncode == 0
    site = tmp_path / "site"
    built = _run(package, "build", str(root), "--site-dir", str(site))
    assert built.returncode == 0, built.stdout + built.stderr

    page = (site / "insights/fees-surprise/index.html").read_text(encoding="utf-8")
    assert "<dt>Channel</dt> <dd>phone</dd>" in page
    data = json.loads((site / "assets/insight-index.json").read_text(encoding="utf-8"))
    [facet] = [f for f in data["facets"] if f["key"] == "channel"]
    assert facet["legend"] == "Channel" and facet["options"] == [["phone", "phone"]]
    assert "index" in facet["views"] and "search" in facet["views"]
    [row] = data["insights"]
    assert row["f"][data["facets"].index(facet)] == [0]
    [exported] = json.loads((site / "export/insights.json").read_text(encoding="utf-8"))
    assert exported["channel"] == "phone"

    # A wrong value is checked like any other field's.
    (root / INSIGHT).write_text(
        (root / INSIGHT).read_text(encoding="utf-8").replace("channel: phone", "channel: [a, b]"),
        encoding="utf-8")
    checked = _run(package, "check", str(root))
    assert f"{INSIGHT}:{CHANNEL_LINE}: error:" in checked.stdout and "channel" in checked.stdout
