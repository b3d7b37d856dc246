"""Faults of the machine during `portal build`: a killed build leaves no worker
behind, and a full disk or a read-only site folder ends in one clear line, exit
status 1 and the last good site untouched (no traceback)."""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import mkdocs
import pytest
from conftest import REPO, TODAY, PortalFactory
from test_benchmarks import corpus
from test_publishing import fingerprint, leftovers

import generator
from generator.check.parallel import WORKERS_VARIABLE
from generator.mkdocs import publish

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
needs_two_cores = pytest.mark.skipif((cores or 1) < 2, reason="workers fork only with 2 cores")
ERROR_LINE = "portal build: error: "


def environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items()
            if key not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH", WORKERS_VARIABLE)}


def portal_build(root: Path, site: Path, preexec_fn: Callable[[], None] | None = None
                 ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", str(root), "--site-dir", str(site),
         "--today", TODAY.isoformat()],
        capture_output=True, text=True, env=environment(), timeout=120,
        preexec_fn=preexec_fn, check=False)


def previous_site(site: Path) -> dict[str, str]:
    """A small 'last good site' in `site`; its fingerprint."""
    (site / "insights").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Yesterday's portal</h1>\n")
    (site / "insights" / "index.html").write_text("<h1>Insights</h1>\n")
    return fingerprint(site)


def assert_one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 1, no traceback, and the last line is `portal build: error: …`."""
    log = result.stdout + result.stderr
    assert result.returncode == 1, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(ERROR_LINE), log[-3000:]
    assert log.count(ERROR_LINE) == 1, log[-3000:]
    return last


# --- a killed build leaves no worker behind (row 10) --------------------------------


def process_table() -> list[tuple[int, int, int]]:
    """(pid, parent pid, session) of every live process, from /proc."""
    table = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields and fields[0] != "Z":
            table.append((int(stat.parent.name), int(fields[1]), int(fields[3])))
    return table


def in_session(session: int) -> list[int]:
    return [pid for pid, _, sid in process_table() if sid == session]


def forked_workers(build: int) -> list[int]:
    """Processes the build process of `portal build` forked (not git, say)."""
    def command(pid: int) -> bytes:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return b""
    table = process_table()
    builders = {pid: command(pid) for pid, ppid, _ in table if ppid == build}
    return sorted(pid for pid, ppid, _ in table
                  if ppid in builders and command(pid) == builders[ppid])


def wait_until_gone(session: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := in_session(session)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def session_cleanup() -> Iterator[list[int]]:
    """Sessions a test started: whatever is left in them is killed afterwards."""
    sessions: list[int] = []
    yield sessions
    for session in sessions:
        for pid in in_session(session):
            os.kill(pid, signal.SIGKILL)


@linux_only
@needs_two_cores
def test_sigkill_of_portal_build_leaves_no_worker_behind(
        tmp_path: Path, session_cleanup: list[int]) -> None:
    root = tmp_path / "portal"
    corpus.generate(root, 450, seed=5)  # above the workers' 400-page threshold
    site = root / "site"
    before = previous_site(site)
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", str(root), "--today", TODAY.isoformat()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment(),
        start_new_session=True)
    session_cleanup.append(build.pid)
    # Kill while a page worker runs: a lone worker (a pool has two for 450 pages),
    # seen for 0.3 s. A pool's workers end when their pipe closes anyway; a page
    # worker blocked on its full pipe forever.
    lone: tuple[int, float] | None = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and build.poll() is None:
        workers = forked_workers(build.pid)
        now = time.monotonic()
        if len(workers) != 1:
            lone = None
        elif lone is None or lone[0] != workers[0]:
            lone = (workers[0], now)
        elif now - lone[1] > 0.3:
            break
        time.sleep(0.02)
    assert build.poll() is None, "the build ended before a page worker started"
    build.kill()
    build.wait()
    assert wait_until_gone(build.pid, 5) == [], "processes outlived the killed build"
    assert fingerprint(site) == before  # old (or new), never half-written


WORKER_SCRIPT = '''
import sys, threading, time
from generator.check import parallel, processes

if sys.argv[1] == "no-prctl":  # a system without PR_SET_PDEATHSIG (macOS)
    processes._prctl = None
streams = []

def start():
    # Fast results of 100 kB: the worker soon blocks on its full pipe.
    streams.append(parallel.stream_indexed(lambda index: "x" * 100_000, 10_000, 1))

if sys.argv[1] == "thread":  # a fork from another thread, which then ends
    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
else:
    start()
print(streams[0]._process.pid, flush=True)
time.sleep(120)
'''


@linux_only
@pytest.mark.parametrize("how", ["main-thread", "thread", "no-prctl"])
def test_a_worker_dies_with_the_process_that_forked_it(
        tmp_path: Path, session_cleanup: list[int], how: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, how], cwd=REPO,
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    session_cleanup.append(parent.pid)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    time.sleep(0.3)  # a worker forked from a thread outlives the thread...
    assert worker in in_session(parent.pid)
    parent.kill()  # ...but not the process (the fallback checks once a second)
    parent.wait()
    assert wait_until_gone(parent.pid, 3 if how == "main-thread" else 5) == []


def test_a_child_whose_parent_died_before_it_could_ask_for_the_signal_exits() -> None:
    from generator.check.processes import Parent, die_with_parent, this_process

    gone = Parent(this_process().pid + 1_000_000, this_process().main_thread)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            die_with_parent(gone, watch=False)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGKILL


# --- a full disk ends in one line (row 13) -------------------------------------------


def file_size_limit(limit: int) -> Callable[[], None]:
    """A preexec_fn: files of the build cannot grow past `limit` bytes. Writes past it
    fail with EFBIG, as they fail with ENOSPC on a full disk (no root, no mount)."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the signal kills the writer
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def largest_file(*folders: Path) -> int:
    return max(path.stat().st_size for folder in folders for path in folder.rglob("*")
               if path.is_file())


def test_a_full_disk_while_copying_the_theme_ends_in_one_line(
        make_portal: PortalFactory) -> None:
    root = make_portal()
    site = root / "site"
    before = previous_site(site)
    result = portal_build(root, site, file_size_limit(50_000))
    line = assert_one_clear_line(result)
    # The file named where it would have been, not in the staging folder.
    assert line.startswith(f"{ERROR_LINE}file too large while writing {site}/"), line
    assert line.endswith(f"; the last good site in {site} is unchanged"), line
    assert fingerprint(site) == before
    assert leftovers(site) == []


def test_a_full_disk_while_writing_a_page_names_the_page(make_portal: PortalFactory) -> None:
    # A write that fails names no file (the open succeeded): the build finds it. Every
    # file the theme copies fits under the limit; the page does not.
    themes = Path(mkdocs.__file__).parent
    limit = largest_file(themes / "themes" / "mkdocs", themes / "contrib" / "search",
                         Path(generator.__file__).parent / "site" / "assets") + 1
    words = "A long page of plain words.\n\n" * (limit // 28 + 1)  # <p> makes it longer
    root = make_portal({"docs/long-read.md": f"# A long read\n\n{words}"})
    site = root / "site"
    before = previous_site(site)
    line = assert_one_clear_line(portal_build(root, site, file_size_limit(limit)))
    written = site / "long-read" / "index.html"
    assert line == (f"{ERROR_LINE}file too large while writing {written}; "
                    f"the last good site in {site} is unchanged")
    assert fingerprint(site) == before
    assert leftovers(site) == []


def test_what_the_build_reports_becomes_the_line(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.__main__ import cli

    staging, site = tmp_path / ".site.building-1-x", tmp_path / "site"
    site.mkdir()

    def write_page(output_path: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_disk(**kwargs: object) -> None:
        write_page(str(staging / "insights" / "a" / "index.html"))

    report, writer = os.pipe()
    monkeypatch.setenv(publish.REPORT_FD, str(writer))
    monkeypatch.setattr(cli, "main", full_disk)
    assert publish.run_mkdocs(["build"]) == 1
    os.close(writer)
    error = publish._read_report(report)
    os.close(report)
    assert error is not None
    assert publish.failure_line(error, site, staging) == (
        f"{ERROR_LINE}no space left on device while writing {site}/insights/a/index.html; "
        f"the last good site in {site} is unchanged")

    # Not an error of the machine: the traceback stays, for the bug report.
    monkeypatch.setenv(publish.REPORT_FD, "99")
    monkeypatch.setattr(cli, "main", lambda **kwargs: (tmp_path / "missing").read_text())
    with pytest.raises(FileNotFoundError):
        publish.run_mkdocs(["build"])


# --- a read-only site folder ends in one line (row 13) -----------------------------


_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def as_a_user() -> None:
    """A preexec_fn: root, as in CI, ignores file permissions; without the two
    capabilities that let it, after the exec, it does not."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def build_as_a_user(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0 and not sys.platform.startswith("linux"):
        pytest.skip("root ignores permissions, and capabilities are Linux's")
    try:
        return portal_build(root, site, as_a_user)
    except subprocess.SubprocessError as error:  # no CAP_SETPCAP in this container
        pytest.skip(f"root cannot drop its permission override here: {error}")


@pytest.mark.parametrize("read_only", ["the-site's-folder", "the-site"])
def test_a_read_only_site_ends_in_one_line(make_portal: PortalFactory,
                                           read_only: str) -> None:
    root = make_portal()
    site = root / "public" / "site"
    before = previous_site(site)
    locked = site.parent if read_only == "the-site's-folder" else site
    locked.chmod(0o555)
    try:
        result = build_as_a_user(root, site)
    finally:
        locked.chmod(0o755)
    line = assert_one_clear_line(result)
    assert "permission denied" in line or "read-only" in line, line
    assert line.endswith(f"; the last good site in {site} is unchanged"), line
    assert fingerprint(site) == before
    assert leftovers(site) == []
