"""Pathological bodies: shapes of text that make parsers go quadratic, each timed
through `portal check` and `portal build` at a given size.

    python benchmarks/pathological.py [--size 900000] [--build-timeout 120]
                                      [--check-only] [--shapes name,name]

Each shape is one insight whose body repeats a piece of Markdown or HTML syntax
(or a run of punctuation, digits, dots, brackets) up to about `--size` bytes,
next to the smallest valid portal. The table gives seconds for `portal check
--no-cache` and `portal build` (each a fresh process, as a user runs them); a
run past its timeout prints as ">N", a failed one with "!". The shapes are declared once, here, for
this script and for the test suite (tests/test_pathological.py, when it lands).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TODAY = "2026-11-24"


def _repeat(piece: str) -> Callable[[int], str]:
    return lambda size: piece * max(1, size // len(piece))


def _nested_list(size: int) -> str:
    lines, depth = [], 0
    while sum(map(len, lines)) < size:
        lines.append("  " * (depth % 200) + "- x\n")
        depth += 1
    return "".join(lines)


def _table(size: int) -> str:
    return "| a | b |\n| - | - |\n" + "| x | y |\n" * max(1, size // 10)


# name -> body of about `size` characters. Issue 13 names the first nine.
SHAPES: dict[str, Callable[[int], str]] = {
    "email-run": lambda size: "a." * (size // 2) + "@",
    "link-opens": _repeat("]("),
    "headings": _repeat("## h\n"),
    "reference-definitions": _repeat("[x]:\n"),
    "div-lines": _repeat("<div>\n"),
    "comment-opens": _repeat("<!--"),
    "anchor-opens": _repeat("<a "),
    "emphasis-mix": _repeat("*_"),
    "nested-divs": _repeat("<div>"),
    "tilde-fences": _repeat("~~~\n"),
    "backtick-fences": _repeat("```\n"),
    "table-rows": _table,
    "pipes": _repeat("|"),
    "open-brackets": _repeat("["),
    "close-brackets": _repeat("]"),
    "open-parens": _repeat("("),
    "digits": _repeat("1"),
    "digit-dots": _repeat("1."),
    "dots": _repeat("."),
    "punctuation": _repeat("!?,;:"),
    "nested-list": _nested_list,
    "blockquote-nesting": lambda size: ">" * min(size, 5000) + " x\n" + "> x\n" * (size // 4),
    "backticks": _repeat("`"),
    "backtick-pairs": _repeat("`a"),
    "entities": _repeat("&amp;"),
    "entity-opens": _repeat("&#"),
    "autolink-opens": _repeat("<http://"),
    "attribute-list-opens": _repeat("{: "),
    "span-opens": _repeat("<span>"),
    "stars": _repeat("*"),
    "underscores": _repeat("_"),
    "setext-headings": _repeat("x\n===\n"),
    "links": _repeat("[a](https://example.com/b) "),
    "image-opens": _repeat("![a](b "),
    "closed-comments": _repeat("<!-- x -->\n"),
    "phone-like": _repeat("0 "),
    "blank-lines": _repeat("\n"),
}

_PERSONA = """---
name: Shopper
summary: Buys groceries online every week.
goals: [get the weekly shop done fast]
frustrations: [surprise fees]
owner: research-team
last_reviewed: 2026-10-01
---
"""
_INSIGHT = """---
title: A pathological body
summary: Its body repeats one piece of syntax.
kind: pain
personas: [shopper]
severity: low
confidence: low
evidence: [{source: survey}]
created: 2026-09-20
authors: [bench]
decision: {status: new}
---
"""
_MKDOCS = "site_name: Pathological\ntheme: material\nplugins:\n  - search\n  - insight-portal\n"


def write_portal(root: Path, body: str) -> Path:
    """The smallest valid portal, one insight with `body`."""
    for rel, text in {"mkdocs.yml": _MKDOCS, "personas/shopper.md": _PERSONA,
                      "insights/shape.md": _INSIGHT + body, "docs/.keep": "",
                      "journeys/.keep": ""}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _timed(command: list[str], timeout: float) -> str:
    """Seconds, '>N' past the timeout, and '!' after a run that failed (exit > 1:
    a crash, not the problems `portal check` exits 1 for)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f">{timeout:g}"
    failed = done.returncode > 1 or (done.returncode and "build" in command)
    return f"{time.perf_counter() - start:.1f}{'!' if failed else ''}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=900_000)
    parser.add_argument("--check-timeout", type=float, default=60)
    parser.add_argument("--build-timeout", type=float, default=120)
    parser.add_argument("--check-only", action="store_true")
    parser.add_argument("--shapes", help="comma-separated names (default: all)")
    options = parser.parse_args(argv)
    names = options.shapes.split(",") if options.shapes else list(SHAPES)
    portal = [sys.executable, "-m", "generator"]
    print(f"{'shape':24} {'KB':>6} {'check s':>8} {'build s':>8}", flush=True)
    for name in names:
        with tempfile.TemporaryDirectory(prefix="pathological-") as folder:
            body = SHAPES[name](options.size)
            root = write_portal(Path(folder) / "portal", body)
            check = _timed([*portal, "check", str(root), "--no-cache", "--today", TODAY],
                           options.check_timeout)
            build = "-" if options.check_only else _timed(
                [*portal, "build", str(root), "--site-dir", str(Path(folder) / "site"),
                 "--today", TODAY], options.build_timeout)
            print(f"{name:24} {len(body.encode()) // 1000:6} {check:>8} {build:>8}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
