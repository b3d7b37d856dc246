"""Publishing: `portal build` swaps a complete new site in only when the build
succeeded (a failed or killed build leaves the previous site byte for byte,
and no temporary folder or process behind), and two builds of one commit with
one reference date are identical, byte for byte — all but Pagefind's bundle,
whose filter and meta files differ from run to run (upstream, Pagefind/pagefind#638);
with Material's search, the whole site."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    MATERIAL_INDEX,
    MKDOCS_YML,
    REPO,
    TODAY,
    PortalFactory,
    copy_sample,
    run_portal,
    site_files,
    with_material_search,
)
from test_history import commit, git

from generator.mkdocs import publish

SITE_URL_YML = MKDOCS_YML.replace("site_name: Test portal\n",
                                  "site_name: Test portal\nsite_url: https://portal.example/\n")


def build(root: Path, site: Path, *args: str, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    return run_portal("build", str(root), "--site-dir", str(site), *args, env=env)


def fingerprint(site: Path) -> dict[str, str]:
    """Every file under `site` -> the SHA-256 of its bytes."""
    return {path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def differing(a: Path, b: Path, *, pagefind: bool = True) -> list[str]:
    """The files two builds do not share byte for byte. With Pagefind (the default
    search) its bundle is left out, and both builds must have one: its filter and
    meta files differ from run to run on the same pages (upstream,
    Pagefind/pagefind#638). With Material's search (`pagefind=False`), every file."""
    def compared(site: Path) -> dict[str, str]:
        everything = fingerprint(site)
        return {rel: everything[rel] for rel in site_files(site, pagefind=pagefind)}

    left, right = compared(a), compared(b)
    assert left, f"{a} is empty"
    return sorted(name for name in left.keys() | right.keys()
                  if left.get(name) != right.get(name))


def leftovers(site: Path) -> list[str]:
    """Staging or replaced folders of `portal build` next to `site`."""
    return sorted(path.name for path in site.parent.iterdir()
                  if path.name.startswith(f".{site.name}."))


def epoch(day: dt.date) -> str:
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


# --- reproducible -------------------------------------------------------------------


@pytest.mark.parametrize("search", ["pagefind", "material"])
def test_two_builds_of_the_sample_are_identical_byte_for_byte(tmp_path: Path,
                                                               search: str) -> None:
    # Different folders, hash seeds and ways of pinning the date: the same bytes. With
    # Pagefind, the default, the sample itself (with its git history), all but the
    # Pagefind bundle; with Material's search, a copy of it, every file.
    root = REPO if search == "pagefind" else copy_sample(tmp_path / "portal",
                                                         material_search=True)
    first, second = tmp_path / "one" / "site", tmp_path / "two" / "public"
    result = build(root, first, "--today", TODAY.isoformat(), env={"PYTHONHASHSEED": "1"})
    assert result.returncode == 0, output(result)
    result = build(root, second, env={"PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": epoch(TODAY)})
    assert result.returncode == 0, output(result)
    assert differing(first, second, pagefind=search == "pagefind") == []
    search_files = {"pagefind": {"search/index.html", "pagefind/pagefind.js"},
                    "material": {MATERIAL_INDEX}}[search]
    assert {"sitemap.xml.gz", "feed.xml", "assets/insight-index.json", *search_files} \
        <= fingerprint(first).keys()


def lastmods(site: Path) -> dict[str, str]:
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    return dict(re.findall(r"<loc>https://portal\.example/([^<]*)</loc>\s*<lastmod>([^<]*)<",
                           text))


def test_sitemap_dates_come_from_content_not_the_build_day(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal(mkdocs_yml=SITE_URL_YML)
    git(root, "init", "-q")
    commit(root, "first", "2026-09-25")
    journey = root / "journeys" / "order.md"
    journey.write_text(journey.read_text().replace("From basket", "From the basket"))
    commit(root, "journey reworded", "2026-10-20")
    days = [tmp_path / "day1" / "site", tmp_path / "day2" / "site"]
    for site, day in zip(days, [TODAY, TODAY + dt.timedelta(days=1)], strict=True):
        result = build(root, site, "--today", day.isoformat())
        assert result.returncode == 0, output(result)
        assert leftovers(site) == []
        # a first build: a new folder with the permissions of any new folder
        mask = os.umask(0)
        os.umask(mask)
        assert site.stat().st_mode & 0o777 == 0o777 & ~mask

    # The sections, the team pages and Pagefind's search page (its facets' values) are
    # made from every entry.
    sections = ["", "insights/", "decisions/", "personas/", "journeys/", "teams/", "tags/",
                "whats-new/", "teams/catalog-team/", "teams/checkout-team/", "teams/cx-team/",
                "teams/research-team/", "search/"]
    assert lastmods(days[0]) == {
        **{page: "2026-10-20" for page in sections},  # the latest change anywhere
        "insights/fees-surprise/": "2026-10-02",  # its decision date, after its commit
        "personas/shopper/": "2026-10-01",  # last_reviewed, after its commit
        "journeys/order/": "2026-10-20",  # its last commit
    }
    # Ages are measured from the reference date; the sitemap does not move with it.
    for name in ("sitemap.xml", "sitemap.xml.gz", "feed.xml"):
        assert (days[0] / name).read_bytes() == (days[1] / name).read_bytes(), name
    with gzip.open(days[0] / "sitemap.xml.gz") as archive:
        archive.read()
        assert archive.mtime == int(epoch(dt.date(2026, 10, 20)))


@pytest.mark.parametrize("search", ["pagefind", "material"])
def test_without_a_pinned_date_two_builds_on_one_day_are_identical(
        make_portal: PortalFactory, tmp_path: Path, search: str) -> None:
    root = make_portal(mkdocs_yml=SITE_URL_YML if search == "pagefind"
                       else with_material_search(SITE_URL_YML))
    today = dt.date.today()
    if today < dt.date(2026, 10, 2):
        pytest.skip("the small portal's dates lie after the system date")
    pinned, unpinned = tmp_path / "pinned", tmp_path / "unpinned"
    assert build(root, pinned, "--today", today.isoformat()).returncode == 0
    result = build(root, unpinned)  # run_portal drops SOURCE_DATE_EPOCH
    assert result.returncode == 0, output(result)
    if dt.date.today() != today:
        pytest.skip("midnight passed between the builds")
    assert differing(pinned, unpinned, pagefind=search == "pagefind") == []


# --- atomic -------------------------------------------------------------------------


BROKEN_KIND = "kind: needs\n"


def test_a_failed_build_leaves_the_previous_site_byte_for_byte(
        make_portal: PortalFactory) -> None:
    # The nav names a page that does not exist: MkDocs warns (portal check does
    # not look at the nav), so only a --strict build fails on it.
    root = make_portal({"docs/notes.md": "# Notes\n\nSee the plan.\n"},
                       mkdocs_yml=MKDOCS_YML + "nav:\n  - Notes: notes.md\n  - Plan: plan.md\n")
    site = root / "site"
    result = build(root, site, "--today", TODAY.isoformat())
    assert result.returncode == 0, output(result)
    before, inode = fingerprint(site), site.stat().st_ino

    # A content error: the plugin stops the build and lists it, once.
    insight = root / "insights" / "fees-surprise.md"
    good = insight.read_text()
    insight.write_text(good.replace("kind: pain\n", BROKEN_KIND))
    result = build(root, site, "--today", TODAY.isoformat())
    assert result.returncode == 1
    assert output(result).count("[bad-value]") == 1, output(result)
    assert "The build failed: " in output(result)
    assert fingerprint(site) == before and site.stat().st_ino == inode
    assert leftovers(site) == []

    # MkDocs itself failing: --strict and a nav entry for a page that does not exist.
    insight.write_text(good)
    result = build(root, site, "--today", TODAY.isoformat(), "--strict")
    assert result.returncode == 1
    assert "plan.md" in output(result)
    assert fingerprint(site) == before and site.stat().st_ino == inode
    assert leftovers(site) == []


def process_table() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every live process, from /proc."""
    table = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid, pgid = stat.read_text().rpartition(")")[2].split()[:3]
        except (OSError, ValueError):
            continue
        if state != "Z":
            table.append((int(stat.parent.name), int(ppid), int(pgid)))
    return table


def children_of(pid: int) -> list[int]:
    return [child for child, ppid, _ in process_table() if ppid == pid]


def processes_in_group(pgid: int) -> list[int]:
    return [pid for pid, _, group in process_table() if group == pgid]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_during_a_build_leaves_the_old_site_and_nothing_running(
        tmp_path: Path) -> None:
    root = tmp_path / "portal"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "corpus.py"), str(root),
                    "--insights", "300"], check=True, capture_output=True)
    site = root / "site"
    (site / "insights").mkdir(parents=True)  # the previous site
    (site / "index.html").write_text("<h1>Yesterday's portal</h1>\n")
    (site / "insights" / "index.html").write_text("<h1>Insights</h1>\n")
    before = fingerprint(site)

    environment = {key: value for key, value in os.environ.items()
                   if key not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    parent = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", str(root), "--today", "2026-11-24"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment)
    try:
        child = None
        deadline = time.monotonic() + 60
        while child is None and time.monotonic() < deadline and parent.poll() is None:
            child = next(iter(children_of(parent.pid)), None)
            time.sleep(0.05)
        assert child is not None, "the build never started"
        assert leftovers(site), "no staging folder while building"
        time.sleep(1.0)  # well inside MkDocs: the plugin is checking and rendering
        assert parent.poll() is None, "the build ended before it could be interrupted"
        parent.send_signal(signal.SIGTERM)
        log = parent.communicate(timeout=30)[0].decode()
    finally:
        if parent.poll() is None:
            parent.kill()
    assert parent.returncode == 128 + signal.SIGTERM, log
    assert "Interrupted: " in log
    assert fingerprint(site) == before
    assert leftovers(site) == []
    assert processes_in_group(child) == []  # MkDocs and any worker it forked


# --- the swap, without MkDocs ---------------------------------------------------------


def writer(files: dict[str, str], status: int = 0):  # noqa: ANN201
    """A stand-in build command: writes `files` into the staging folder."""
    def command(staging: Path) -> list[str]:
        script = "import pathlib, sys\n" + "".join(
            f"pathlib.Path(sys.argv[1], {name!r}).write_text({text!r})\n"
            for name, text in files.items()) + f"sys.exit({status})\n"
        return [sys.executable, "-c", script, str(staging)]
    return command


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_the_swap_replaces_the_old_site_keeps_its_mode_and_cleans_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:  # a system or file system without an atomic exchange
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    site = tmp_path / "site"
    site.mkdir(mode=0o750)
    site.chmod(0o750)
    (site / "old.html").write_text("old")
    # what a build killed with SIGKILL leaves behind (no process has that id)
    abandoned = tmp_path / ".site.building-999999999-x"
    abandoned.mkdir()
    messages: list[str] = []
    status = publish.build_and_swap(writer({"index.html": "new"}), dict(os.environ), site,
                                    messages.append)
    assert status == 0
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    assert site.stat().st_mode & 0o777 == 0o750
    assert leftovers(site) == []
    assert messages == [f"Published the site to {site}"]

    status = publish.build_and_swap(writer({"index.html": "newer"}, status=3),
                                    dict(os.environ), site, messages.append)
    assert status == 3
    assert (site / "index.html").read_text() == "new"
    assert leftovers(site) == []


def test_a_site_dir_holding_the_portal_is_refused(make_portal: PortalFactory) -> None:
    root = make_portal()
    for site in (root.parent, root / "insights" / "site"):
        result = run_portal("build", str(root), "--site-dir", str(site))
        assert result.returncode == 2, (site, output(result))
        assert "--site-dir" in output(result)
    assert (root / "insights" / "fees-surprise.md").is_file()
