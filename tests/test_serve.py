"""`portal serve` while a researcher edits: pages rendered on request, every page
that depends on a saved file right after the save, a broken file reported in
the terminal while the preview keeps serving, and a clean stop."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import MATERIAL_INDEX, TODAY, PortalFactory, with_material_search
from test_rules import INSIGHT, PERSONA, base, changed

from generator.check.pipeline import Checker, check_portal
from generator.site.render import SiteRenderer

OLD_TITLE = "Delivery fee surprises shoppers at checkout"
NEW_TITLE = "Fee shock at checkout"
SERVE_YML = "site_name: t\ntheme: material\nplugins:\n  - search\n  - insight-portal\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (localhost)
        return response.read().decode("utf-8")


def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


class Preview:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path,
                 temp: Path) -> None:
        self.process, self.url, self.log_path, self.temp = \
            process, f"http://127.0.0.1:{port}/", log, temp

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> str:
        return _get(self.url + path)

    def shows(self, path: str, text: str) -> bool:
        return _wait_for(lambda: text in self.get(path))


@contextmanager
def preview(root: Path, tmp_path: Path, *args: str,
            sigint: signal.Handlers = signal.SIG_DFL) -> Iterator[Preview]:
    """`portal serve ROOT ARGS`, started with `sigint` as its SIGINT handler: the
    default unless a test says, whatever this process does with SIGINT."""
    port = _free_port()
    log_path = tmp_path / "serve.log"
    temp = tmp_path / "server-tmp"  # the server's temporary folders go here
    temp.mkdir()
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1795478400", "NO_MKDOCS_2_WARNING": "1",
                   "TMPDIR": str(temp)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", str(root),
             "--dev-addr", f"127.0.0.1:{port}", *args],
            stdout=log, stderr=subprocess.STDOUT, env=environment,
            preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
    server = Preview(process, port, log_path, temp)
    try:
        assert _wait_for(lambda: "<html" in server.get("")), server.log
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


def _portal(make_portal: PortalFactory, *, material_search: bool = False) -> Path:
    """`material_search`: with Material's search, whose index the preview builds in a
    background process (with Pagefind, the default, it serves the last build's)."""
    root = make_portal(mkdocs_yml=with_material_search(SERVE_YML) if material_search
                       else SERVE_YML)
    (root / "docs").mkdir(exist_ok=True)
    return root


def test_broken_file_is_reported_and_the_preview_keeps_serving(make_portal: PortalFactory,
                                                               tmp_path: Path) -> None:
    root = make_portal(mkdocs_yml="site_name: t\ntheme: material\nplugins:\n"
                                  "  - insight-portal\n")
    (root / "docs").mkdir(exist_ok=True)
    with preview(root, tmp_path) as server:
        assert server.shows("insights/fees-surprise/", OLD_TITLE), server.log

        (root / INSIGHT).write_text(
            changed(INSIGHT, f"title: {OLD_TITLE}", f"title: {NEW_TITLE}").replace(
                "personas: [shopper]", "personas: [shoper]"),
            encoding="utf-8")
        assert server.shows("insights/fees-surprise/", NEW_TITLE), server.log
        output = server.log
        assert "insights/fees-surprise.md:5: error:" in output
        assert "[unknown-persona]" in output
        assert "Traceback" not in output
        assert server.process.poll() is None, "the preview server stopped"

        # A file that does not load at all: reported, and the rest still served.
        (root / PERSONA).write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
        assert _wait_for(lambda: "personas/shopper.md:2: error:" in server.log), server.log
        assert NEW_TITLE in server.get("insights/fees-surprise/")
        assert server.process.poll() is None, "the preview server stopped"


def test_a_save_updates_the_page_and_every_page_that_depends_on_it(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    root = _portal(make_portal)
    dependents = ["insights/fees-surprise/", "personas/shopper/", "journeys/order/",
                  "assets/insight-index.json", "whats-new/"]
    with preview(root, tmp_path) as server:
        for path in dependents:  # rendered once, so a stale copy would be kept
            assert OLD_TITLE in server.get(path), path
        (root / INSIGHT).write_text(changed(INSIGHT, f"title: {OLD_TITLE}",
                                            f"title: {NEW_TITLE}"), encoding="utf-8")
        assert server.shows("insights/fees-surprise/", NEW_TITLE), server.log
        for path in dependents:  # what `mkdocs serve --dirty` leaves stale
            page = server.get(path)
            assert NEW_TITLE in page and OLD_TITLE not in page, path

        # A new insight: its page exists, and the persona page lists it.
        (root / "insights/slot-shortage.md").write_text(
            changed(INSIGHT, f"title: {OLD_TITLE}", "title: Evening slots run out"),
            encoding="utf-8")
        assert server.shows("insights/slot-shortage/", "Evening slots run out"), server.log
        assert "Evening slots run out" in server.get("personas/shopper/")
        # ... and once it is deleted, its page is gone.
        (root / "insights/slot-shortage.md").unlink()
        assert _wait_for(lambda: "Evening slots run out" not in server.get("personas/shopper/"))
        with pytest.raises(urllib.error.HTTPError) as missing:
            server.get("insights/slot-shortage/")
        assert missing.value.code == 404


def test_pages_carry_live_reload_and_a_save_bumps_the_epoch(make_portal: PortalFactory,
                                                           tmp_path: Path) -> None:
    root = _portal(make_portal)
    with preview(root, tmp_path) as server:
        page = server.get("insights/fees-surprise/")
        script = re.search(r"livereload\((\d+), (\d+)\);", page)
        assert script, "no live-reload script in the page"
        assert 'name="robots" content="noindex' in page  # the plugin's page events ran
        epoch = int(script.group(1))
        answer: list[str] = []
        poll = threading.Thread(  # what the browser does: wait for a newer epoch
            target=lambda: answer.append(server.get(f"livereload/{epoch}/1")))
        poll.start()
        time.sleep(0.5)
        (root / INSIGHT).write_text(changed(INSIGHT, f"title: {OLD_TITLE}",
                                            f"title: {NEW_TITLE}"), encoding="utf-8")
        poll.join(timeout=30)
        assert answer and int(answer[0]) > epoch, server.log


def test_unknown_page_is_404_and_the_server_keeps_serving(make_portal: PortalFactory,
                                                         tmp_path: Path) -> None:
    root = _portal(make_portal)
    with preview(root, tmp_path) as server:
        with pytest.raises(urllib.error.HTTPError) as missing:
            server.get("insights/no-such-insight/")
        assert missing.value.code == 404
        assert "noindex" in missing.value.read().decode()  # the theme's 404 page
        assert OLD_TITLE in server.get("insights/fees-surprise/")
        assert OLD_TITLE in server.get("insights/fees-surprise")  # redirected to the page


def test_search_index_is_built_in_the_background_and_follows_saves(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    root = _portal(make_portal, material_search=True)
    with preview(root, tmp_path) as server:
        index = json.loads(server.get(MATERIAL_INDEX))
        assert any(doc["title"] == OLD_TITLE for doc in index["docs"])
        (root / INSIGHT).write_text(changed(INSIGHT, f"title: {OLD_TITLE}",
                                            f"title: {NEW_TITLE}"), encoding="utf-8")
        assert server.shows("insights/fees-surprise/", NEW_TITLE)
        assert server.shows(MATERIAL_INDEX, NEW_TITLE), server.log


def test_with_pagefind_the_preview_never_builds_materials_index(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    """Pagefind, the default, turns Material's search off: a request for its index is
    a plain 404, not a background build that fails."""
    root = _portal(make_portal)
    with preview(root, tmp_path) as server:
        with pytest.raises(urllib.error.HTTPError) as answer:
            server.get(MATERIAL_INDEX)
        assert answer.value.code == 404
        assert "search index" not in server.log.lower(), server.log


@pytest.mark.parametrize(("signum", "sigint"), [
    (signal.SIGTERM, signal.SIG_DFL),
    (signal.SIGINT, signal.SIG_DFL),
    # A background job of a script (`portal serve &`) starts with SIGINT ignored.
    (signal.SIGINT, signal.SIG_IGN),
], ids=["sigterm", "sigint", "sigint-started-ignored"])
def test_the_server_stops_cleanly_with_its_background_build(
        make_portal: PortalFactory, tmp_path: Path, signum: int,
        sigint: signal.Handlers) -> None:
    root = _portal(make_portal, material_search=True)
    with preview(root, tmp_path, sigint=sigint) as server:
        threading.Thread(target=lambda: _wait_for(
            lambda: bool(server.get(MATERIAL_INDEX)), 5), daemon=True).start()
        assert _wait_for(lambda: "search index in the background (pid" in server.log, 20)
        child = int(re.search(r"\(pid (\d+)\)", server.log).group(1))
        server.process.send_signal(signum)
        assert server.process.wait(timeout=20) == 0, server.log
        assert not Path(f"/proc/{child}").exists() or \
            "zombie" in Path(f"/proc/{child}/status").read_text().lower(), "orphaned child"
        assert list(server.temp.iterdir()) == [], "temporary files left behind"
        assert "Traceback" not in server.log


def test_full_runs_mkdocs_serve(make_portal: PortalFactory, tmp_path: Path) -> None:
    root = _portal(make_portal)
    with preview(root, tmp_path, "--full") as server:
        assert OLD_TITLE in server.get("insights/fees-surprise/")
        assert "Documentation built in" in server.log  # MkDocs' own full build


# --- the mechanisms, in one process ------------------------------------------------------


def test_renderer_lists_and_renders_each_file_as_files_does(make_portal: PortalFactory
                                                            ) -> None:
    root = make_portal({INSIGHT: changed(INSIGHT, "tags: [fees]",
                                         "tags: [fees]\naliases: [old-fees]")})
    result = check_portal(root, TODAY)
    assert result.errors == 0, result.problems
    for stash in (False, True):
        renderer = SiteRenderer(result.catalog, result.config, TODAY, stash_html=stash)
        everything = list(renderer.files())
        assert renderer.src_uris() == [generated.src_uri for generated in everything]
        assert "insights/old-fees/index.html" in renderer.src_uris()  # a redirect
        for generated in everything:
            assert renderer.file(generated.src_uri) == generated, generated.src_uri
    assert renderer.file("insights/nope.md") is None


def _same(live: Checker, root: Path, **changes: object) -> None:
    expected = check_portal(root, TODAY, use_cache=False)
    got = live.run(TODAY, **changes)  # type: ignore[arg-type]
    assert [p.as_dict() for p in got.problems] == [p.as_dict() for p in expected.problems]
    assert sorted(got.catalog.insights) == sorted(expected.catalog.insights)
    assert got.catalog.insights_of_persona == expected.catalog.insights_of_persona
    assert got.files_checked == expected.files_checked


def test_live_check_reports_what_check_portal_reports_after_each_save(
        make_portal: PortalFactory) -> None:
    root = make_portal()
    live = Checker(root, keep=True)
    _same(live, root)
    insight = root / INSIGHT
    insight.write_text(changed(INSIGHT, "personas: [shopper]", "personas: [shoper]"),
                       encoding="utf-8")
    _same(live, root, touched={str(insight)})
    assert live.rechecked == 1
    new = root / "insights/second.md"
    new.write_text(base(INSIGHT), encoding="utf-8")
    _same(live, root, touched={str(new)})
    new.unlink()
    _same(live, root, touched={str(new)})
    # A save the watcher named but whose signature did not change is still read.
    stat = insight.stat()
    insight.write_text(base(INSIGHT).replace("high", "hig", 1) + "x", encoding="utf-8")
    os.utime(insight, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _same(live, root, touched={str(insight)})
    _same(live, root)  # a full pass agrees as well
    (root / "personas/shopper.md").write_text("---\nname: [\n---\n", encoding="utf-8")
    _same(live, root, touched={str(root / "personas/shopper.md")})
    # Hand-written pages are checked too (a broken link, raw HTML removed).
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs/guide.md").write_text("# Guide\n\n[x](missing.md) <script>x</script>\n",
                                        encoding="utf-8")
    _same(live, root)
    assert {p.rule for p in live.run(TODAY).problems if p.path == "docs/guide.md"} == \
        {"broken-link", "html-removed"}


def test_live_check_measures_ages_from_the_day_it_runs(make_portal: PortalFactory) -> None:
    root = make_portal()
    live = Checker(root, keep=True)
    later = TODAY + dt.timedelta(days=400)
    assert live.run(later).reminders > live.run(TODAY).reminders


def test_a_change_to_mkdocs_yml_or_docs_sets_the_preview_up_again(make_portal: PortalFactory,
                                                                  tmp_path: Path) -> None:
    root = _portal(make_portal)
    with preview(root, tmp_path) as server:
        assert "<title>" in server.get("insights/fees-surprise/")
        (root / "mkdocs.yml").write_text(SERVE_YML.replace("site_name: t", "site_name: Renamed"),
                                         encoding="utf-8")
        assert server.shows("insights/fees-surprise/", "Renamed"), server.log
        (root / "docs" / "about.md").write_text("# About the portal\n", encoding="utf-8")
        assert server.shows("about/", "About the portal"), server.log
        assert NEW_TITLE not in server.get("insights/fees-surprise/")
        (root / INSIGHT).write_text(changed(INSIGHT, f"title: {OLD_TITLE}",
                                            f"title: {NEW_TITLE}"), encoding="utf-8")
        assert server.shows("insights/fees-surprise/", NEW_TITLE), server.log


def test_the_preview_reads_files_with_the_checks_guards(make_portal: PortalFactory) -> None:
    """The preview's check is `portal check`'s: a pipe named like an insight is
    reported, never read (reading one would wait forever)."""
    root = make_portal()
    live = Checker(root, keep=True)
    live.run(TODAY)
    fifo = root / "insights/pipe.md"
    os.mkfifo(fifo)
    _same(live, root, touched={str(fifo)})
    assert [p.path for p in live.run(TODAY).problems if p.rule == "not-a-file"] == [
        "insights/pipe.md"]
