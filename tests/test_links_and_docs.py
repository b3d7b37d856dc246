"""Links and hand-written pages: nothing outside the portal reaches the site.

- docs/ (hand-written pages) is under the content folders' rules: a symbolic link
  out of the repository is reported and never published, pages are read with the
  same limits, raw HTML is cleaned and reported, relative links are checked;
- `href` and `src` in raw HTML are checked like Markdown links;
- links leaving the content folders (`..`, `file:`) are errors, and every
  message quotes the link as written.

One portal holds every case; `portal check --format json` must report each at
its path and line, and `portal build` must refuse it without a traceback. A
build that goes on despite errors (the live preview) must still publish none
of it.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import BASE_FILES, TODAY, run_portal, write_portal

from generator.check.pipeline import check_portal
from generator.core.loader import MAX_FILE_BYTES
from generator.core.validate.body import relative_links

SECRET = "TOPSECRET-b7e1d2"  # the content of the file outside the portal
EPOCH = "1795478400"  # 2026-11-24, as TODAY
BASE_INSIGHT = textwrap.dedent(BASE_FILES["insights/fees-surprise.md"])
FIRST_BODY_LINE = 24  # of an insight written with `insight()`


def insight(*body: str) -> str:
    """The base insight with these body lines (from line 24 on)."""
    front, _, _ = BASE_INSIGHT.partition("---\nSeen in")
    return front + "---\n" + "\n".join(body) + "\n"


IMAGES = insight(
    "Seen in [the shopper persona](../personas/shopper.md).",  # 24
    '<img src="missing.png" alt="a chart">',  # 25: broken
    '<img src="../personas/shopper.md" alt="x"> <a href="../journeys/order.md">order</a>',
    '<!-- <img src="commented-out.png"> -->',  # 27: a comment never reaches the page
    '`<img src="in-code.png">`',  # 28: code
    '<a title="spans lines"',  # 29
    '   href="gone.md">gone</a>',  # 30: broken, reported where href is
    '<IMG SRC=missing&#46;gif>',  # 31: broken, upper case, an entity
)
LEAVING = insight(
    "Seen in [the shopper persona](../personas/shopper.md).",  # 24
    "[passwd](file:///etc/passwd)",  # 25
    "[upper](FILE:///etc/passwd)",  # 26
    "[entity](&#102;ile:///etc/passwd)",  # 27
    '<a href="file:///etc/passwd">raw</a>',  # 28
    "[config](../mkdocs.yml)",  # 29
    "[git](../.git/config)",  # 30
    "[script](jav&#x61;script:alert(1))",  # 31: html-removed, no broken-link
    "[guide](../docs/guide.md)",  # 32: the repository's path, not the site's
    "[guide](../guide.md)",  # 33: fine
    "[outside](../../outside.md)",  # 34
    "[home](../index.md) [tags](../tags/index.md)",  # 35: generated pages: fine
)
HAND = """\
---
title: Hand-written
---

# Hand-written

<script>alert("docs")</script>

Kept text. <img src="missing.png"> ![fine](pic.png) [config](../mkdocs.yml)
[passwd](../../etc/passwd) [entry](insights/fees-surprise.md) [home](index.md)
<a href="file:///etc/passwd">file</a> [by repository path](../insights/fees-surprise.md)
"""
GUIDE = """\
# Guide

See [the fees insight](insights/fees-surprise.md) and [the persona](personas/shopper.md).
"""

EXPECTED = [  # (path, line, rule, in the message)
    # row 11: href and src in raw HTML
    ("insights/images.md", 25, "broken-link", "link 'missing.png' points to insights/missing.png"),
    ("insights/images.md", 30, "broken-link", "link 'gone.md'"),
    ("insights/images.md", 31, "broken-link", "link 'missing&#46;gif'"),
    # row 12: links leaving the content folders, quoted as written
    ("insights/leaving.md", 25, "broken-link", "link 'file:///etc/passwd' is a file: URL"),
    ("insights/leaving.md", 26, "broken-link", "link 'FILE:///etc/passwd' is a file: URL"),
    ("insights/leaving.md", 27, "broken-link", "link '&#102;ile:///etc/passwd' is a file: URL"),
    ("insights/leaving.md", 28, "broken-link", "link 'file:///etc/passwd' is a file: URL"),
    ("insights/leaving.md", 29, "broken-link",
     "link '../mkdocs.yml' leaves the content folders: it points to mkdocs.yml"),
    ("insights/leaving.md", 30, "broken-link", "link '../.git/config' leaves the content folders"),
    ("insights/leaving.md", 31, "html-removed", "javascript: URL"),
    ("insights/leaving.md", 32, "broken-link", "link '../docs/guide.md'"),
    ("insights/leaving.md", 34, "broken-link", "link '../../outside.md' points outside the portal"),
    # row 5: docs/
    ("docs/secret.md", 1, "outside-link", "outside the repository"),
    ("docs/img/leak.png", 1, "outside-link", "outside the repository"),
    ("docs/elsewhere", 1, "outside-link", "outside the repository"),
    ("docs/bad.md", 2, "not-utf8", "not valid UTF-8"),
    ("docs/big.md", 1, "file-too-large", "larger than"),
    ("docs/hand.md", 7, "html-removed", "<script> and its content"),
    ("docs/hand.md", 9, "broken-link", "link 'missing.png' points to docs/missing.png"),
    ("docs/hand.md", 9, "broken-link", "link '../mkdocs.yml' leaves the content folders"),
    ("docs/hand.md", 10, "broken-link", "link '../../etc/passwd' points outside the portal"),
    ("docs/hand.md", 11, "broken-link", "link 'file:///etc/passwd' is a file: URL"),
    ("docs/hand.md", 11, "broken-link", "link '../insights/fees-surprise.md'"),
]
FINE = [  # (path, line): no problem at all here
    ("insights/images.md", 26), ("insights/images.md", 27), ("insights/images.md", 28),
    ("insights/leaving.md", 33), ("insights/leaving.md", 35), ("docs/guide.md", 3),
]


def _hostile_portal(base: Path) -> Path:
    outside = base / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (outside / "folder" / "page.md").write_text(f"# {SECRET}\n", encoding="utf-8")
    root = write_portal(base / "portal", {
        "insights/images.md": IMAGES,
        "insights/leaving.md": LEAVING,
        "docs/hand.md": HAND,
        "docs/guide.md": GUIDE,
        "docs/pic.png": b"\x89PNG\r\n",
        "docs/bad.md": b"# Bad\n\xff\xfe\n",
        "docs/big.md": "x" * (MAX_FILE_BYTES + 10),
    })
    # a repository, so '../.git/config' points to something (that is never published)
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    (root / "docs" / "img").mkdir()
    (root / "docs" / "secret.md").symlink_to(outside / "secret.txt")
    (root / "docs" / "img" / "leak.png").symlink_to(outside / "secret.txt")
    (root / "docs" / "elsewhere").symlink_to(outside / "folder")
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _hostile_portal(tmp_path_factory.mktemp("links"))


@pytest.fixture(scope="module")
def reported(hostile: Path) -> list[dict]:
    result = run_portal("check", str(hostile), "--today", TODAY.isoformat(), "--no-cache",
                        "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["problems"]


@pytest.mark.parametrize(("path", "line", "rule", "message"), EXPECTED,
                         ids=[f"{p}:{n}:{r}" for p, n, r, _ in EXPECTED])
def test_portal_check_reports_each_case_at_its_path_and_line(
        reported: list[dict], path: str, line: int, rule: str, message: str) -> None:
    here = [p for p in reported if (p["path"], p["line"], p["rule"]) == (path, line, rule)]
    assert any(message in p["message"] for p in here), (message, here)


def test_what_the_site_has_is_not_reported(reported: list[dict]) -> None:
    located = {(p["path"], p["line"]) for p in reported}
    assert not located & set(FINE), [p for p in reported if (p["path"], p["line"]) in FINE]
    # line 10 of docs/hand.md: only its link out of the portal; an entry and home are fine
    assert [p["rule"] for p in reported if (p["path"], p["line"]) == ("docs/hand.md", 10)] \
        == ["broken-link"]
    assert not [p for p in reported if "jav&" in p["message"] or p["rule"] == "internal-error"]
    # the site's own form of a link to a hand-written page is the hint
    repository_path = next(p for p in reported if p["message"].startswith(
        "link '../docs/guide.md'"))
    assert "'../guide.md'" in repository_path["hint"]
    by_repository = next(p for p in reported if p["message"].startswith(
        "link '../insights/fees-surprise.md'"))
    assert "'insights/fees-surprise.md'" in by_repository["hint"]


def test_portal_build_refuses_with_a_listing_not_a_traceback(hostile: Path,
                                                              tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = run_portal("build", str(hostile), "--site-dir", str(site),
                        "--today", TODAY.isoformat())
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output, output[-3000:]
    for path, line, rule, _ in EXPECTED:
        if rule != "html-removed":
            assert f"{path}:{line}: error:" in output, (path, line, output[-3000:])
    assert not site.exists()
    assert SECRET not in output


def _files_under(site: Path) -> list[Path]:
    return [path for path in site.rglob("*") if path.is_file()]


def test_a_build_that_goes_on_despite_errors_publishes_nothing_from_outside(
        hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `mkdocs serve` builds: errors are logged and the site is built anyway."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    site = tmp_path / "site"
    config = load_config(str(hostile / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)  # the page that is not UTF-8 must not stop it
    files = _files_under(site)
    assert (site / "hand" / "index.html").is_file() and (site / "pic.png").is_file()
    assert not [path for path in files if SECRET.encode() in path.read_bytes()]
    assert not (site / "secret").exists() and not (site / "elsewhere").exists()
    assert not (site / "img" / "leak.png").exists()
    hand = (site / "hand" / "index.html").read_text(encoding="utf-8")
    assert "Kept text." in hand
    assert 'alert("docs")' not in hand


def test_the_live_preview_serves_nothing_from_outside(hostile: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.mkdocs.devserver import PreviewSite

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    preview = PreviewSite(hostile)
    preview.setup()
    try:
        for path in ("/secret/", "/img/leak.png", "/elsewhere/page/", "/bad/"):
            assert preview.respond(path) is None, path
        hand = preview.respond("/hand/")
        assert hand is not None and b"Kept text." in hand.body
        assert b'alert("docs")' not in hand.body
        assert preview.respond("/pic.png") is not None
    finally:
        preview.close()


# --- raw HTML in a hand-written page, in a portal without errors ---------------------------

def test_script_in_a_hand_written_page_never_reaches_the_site(make_portal,
                                                              tmp_path: Path) -> None:
    root = make_portal({"docs/hand.md": "# Hand\n\nBefore.\n\n<script>alert('docs')</script>\n\n"
                                        '<img src="pic.png" onerror="steal()">\n',
                        "docs/pic.png": b"\x89PNG\r\n"})
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "docs/hand.md:5: warning: <script> and its content will be removed" in output
    assert "docs/hand.md:7: warning: the onerror event handler on <img>" in output
    assert "found once Markdown was converted" not in output  # cleaned before conversion
    hand = (site / "hand" / "index.html").read_text(encoding="utf-8")
    assert "Before." in hand and "pic.png" in hand
    assert "alert(" not in hand and "onerror" not in hand and "steal" not in hand

    strict = run_portal("build", str(root), "--site-dir", str(tmp_path / "strict"), "--strict",
                        "--today", TODAY.isoformat())
    output = strict.stdout + strict.stderr
    assert strict.returncode != 0 and "Traceback" not in output, output[-3000:]
    assert "docs/hand.md:5: warning:" in output and "in strict mode" in output


def test_the_last_check_also_reads_hand_written_pages(tmp_path: Path) -> None:
    """What Markdown made of a hand-written page is read once more after conversion."""
    from generator.mkdocs.plugin import InsightPortalPlugin

    plugin = InsightPortalPlugin()
    plugin.root = tmp_path
    page = SimpleNamespace(file=SimpleNamespace(generated_by=None, src_uri="hand.md",
                                                abs_src_path=str(tmp_path / "docs/hand.md")))
    html = '<p>kept</p><img src="x.png" onerror="steal()"><script>alert(1)</script>'
    cleaned = plugin._without_dangerous_html(html, page, None)  # type: ignore[arg-type]
    assert "kept" in cleaned and "onerror" not in cleaned and "alert" not in cleaned
    plain = plugin._without_dangerous_html("<p>plain</p>", page, None)  # type: ignore[arg-type]
    assert plain == "<p>plain</p>"


# --- in-process details -------------------------------------------------------------------

def _rules(root: Path) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.rule) for p in check_portal(root, TODAY, use_cache=False).problems]


def test_a_symlink_inside_the_repository_may_be_published_but_not_one_into_git(
        make_portal) -> None:
    root = make_portal({"notes/about.md": "# About\n", ".git/config": "[core]\n"})
    (root / "docs").mkdir()
    (root / "docs" / "about.md").symlink_to(root / "notes" / "about.md")
    (root / "docs" / "config.txt").symlink_to(root / ".git" / "config")
    assert _rules(root) == [("docs/config.txt", 1, "outside-link")]


def test_a_docs_dir_elsewhere_in_mkdocs_yml_is_followed(make_portal) -> None:
    from conftest import MKDOCS_YML

    root = make_portal({"pages/hand.md": "<script>x()</script>\n[x](nowhere.md)\n"},
                       mkdocs_yml="docs_dir: pages\n" + MKDOCS_YML)
    assert _rules(root) == [("pages/hand.md", 1, "html-removed"),
                            ("pages/hand.md", 2, "broken-link")]


def test_meta_data_is_left_out_of_a_hand_written_page_as_mkdocs_leaves_it(make_portal) -> None:
    root = make_portal({
        "docs/yaml.md": "---\ntitle: '[x](nowhere.md)'\n---\n\n[y](gone.md)\n",
        "docs/multimarkdown.md": "title: [x](nowhere.md)\nauthor: me\n\n[y](gone.md)\n",
        # no mapping: MkDocs keeps it all as Markdown, so it is checked
        "docs/not-a-mapping.md": "---\njust text [x](nowhere.md)\n---\n",
    })
    assert _rules(root) == [("docs/multimarkdown.md", 4, "broken-link"),
                            ("docs/not-a-mapping.md", 2, "broken-link"),
                            ("docs/yaml.md", 5, "broken-link")]


def test_an_entry_links_to_a_hand_written_page_as_the_site_has_it(make_portal) -> None:
    root = make_portal({"insights/fees-surprise.md": insight("[guide](../guide.md)"),
                        "docs/guide.md": GUIDE})
    assert _rules(root) == []
    (root / "docs" / "guide.md").unlink()
    assert _rules(root) == [("insights/fees-surprise.md", FIRST_BODY_LINE, "broken-link")]


# --- linear time -----------------------------------------------------------------------------

SIZE = 600_000


def _repeat(unit: str, tail: str = "") -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE] + tail


PATHOLOGICAL = {
    "open brackets": _repeat("[", "](x)"),
    "backticks": _repeat("`", "](x)"),
    "backtick runs": _repeat("``a`", "](x)"),
    "unclosed links": _repeat("[x](jav&#x61;script:"),
    "links without an end": _repeat("[a](b "),
    "unclosed titles": _repeat('[a](b "t '),
    "unclosed quotes": _repeat('<a href="', "](x)"),
    "quotes inside quotes": "<a title='" + _repeat('<img src="x'),
    "attributes": "<img " + _repeat("a=b/"),
    "comments": _repeat("<!-- <a "),
}


@pytest.mark.parametrize("body", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_links_are_read_in_linear_time(body: str) -> None:
    started = time.perf_counter()
    relative_links(body, 1)
    # Linear reading takes a few tenths of a second on a busy machine; the
    # quadratic one this replaced took minutes on the first four.
    assert time.perf_counter() - started < 2.0


def test_links_are_found_where_markdown_finds_them() -> None:
    body = textwrap.dedent("""\
        [a](../personas/x.md) ![i](img.png "title") [c](https://example.org) [d](#top)
        `[no](code.md)` [ref]: ../r.md
        [ref]: ../def.md
        ```
        [no](fenced.md) <img src="fenced.png">
        ```
        [e](<angle.md>) [f](g.md 'title') ``[no](x.md)`` \\`[i](i.md)`
        """)
    assert [(link.target, link.line) for link in relative_links(body, 10)] == [
        ("../personas/x.md", 10), ("img.png", 10), ("../def.md", 12), ("angle.md", 16),
        ("g.md", 16), ("i.md", 16)]

