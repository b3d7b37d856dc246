"""The plugin's options are declared once (core/config.py): `portal check` and
MkDocs (through generator/mkdocs/options.py) accept the same names with the
same defaults, and each reports a bad value."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import TODAY

from generator.check.pipeline import check_portal
from generator.core.config import OPTIONS, PortalConfig
from generator.mkdocs.plugin import InsightPortalPlugin


def _mkdocs_reads(options: dict) -> tuple[list, dict]:
    """What MkDocs objects to (errors, and warnings such as an unknown option)."""
    plugin = InsightPortalPlugin()
    errors, warnings = plugin.load_config(options)
    return errors + warnings, dict(plugin.config)


def test_mkdocs_knows_every_option_with_the_checks_default() -> None:
    errors, read = _mkdocs_reads({})
    assert errors == []
    assert list(read) == [option.name for option in OPTIONS] \
        == [item.name for item in dataclasses.fields(PortalConfig)]
    for option in OPTIONS:
        expected = list(option.default) if isinstance(option.default, tuple) else option.default
        assert read[option.name] == expected, option.name


@pytest.mark.parametrize(("key", "value", "message"), [
    ("search", "lunr", "must be pagefind or material"),
    ("undecided_after_days", "soon", "must be a whole number of days"),
    ("teams", "research-team", "must be a list of text"),
    ("templates", ["a"], "must be a folder name"),
    ("colour", "teal", "unknown option 'colour'"),
])
def test_a_bad_option_is_refused_by_both_readers(make_portal, key, value, message) -> None:
    yml = f"site_name: t\nplugins:\n  - insight-portal:\n      {key}: {value!r}\n"
    [problem] = [p for p in check_portal(make_portal(mkdocs_yml=yml), TODAY).problems
                 if p.rule == "invalid-config"]
    assert message in problem.message and problem.line == 4
    errors, _ = _mkdocs_reads({key: value})
    assert errors, f"MkDocs said nothing of {key}: {value!r}"
