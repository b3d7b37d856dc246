"""Benchmark the portal at scale and print one table.

    python benchmarks/run.py [--sizes 1000,10000,40000] [--work DIR] [--skip-serve]
                             [--skip-search] [--git-commits N] [--json FILE]
                             [--vocabulary synthetic|realistic]
    python benchmarks/run.py --pathological [--size 900000]   # hostile bodies instead

With --pathological it prints, for each shape of benchmarks/pathological.py (a
body repeating one piece of syntax up to the file size limit), the seconds of
`portal check` and `portal build` instead.

For each size N it writes a synthetic corpus (benchmarks/corpus.py; --vocabulary
realistic for its ~5,000-word text instead of the ~150 words earlier numbers were
measured on) and measures,
each command run as a user runs it (a fresh `python -m generator` process):

- parse floor: a fresh Python process that reads every insight and loads its
  front matter with yaml.CSafeLoader, nothing else (the floor issue 5 defines);
- `portal check`, cold (the .portal-cache/ folder deleted) and warm (after one
  insight's body changed);
- `portal build --today 2026-11-24` (cache deleted first), its peak memory, the
  built site's size and its search index's size;
- the bare baseline: the same insight pages (title as H1, then the body) built
  by plain Material for MkDocs with a section-only nav, in the same run;
- `portal_history` alone (in a process that has just checked the portal): the
  timelines and events of This week, What's new and the feed, of which reading
  git (`git_status_changes`); with --git-commits N the corpus is a git repository
  of N commits (benchmarks/corpus.py), so the timelines come from git;
- `portal serve`: seconds from saving a changed title to the page showing it;
- search in headless Chromium (benchmarks/search.py): first result and MB fetched with
  Material's search (the portal build above) and with `search: pagefind` (a second
  build, whose time and Pagefind indexing time are reported too).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus as corpus_module  # noqa: E402  (the sibling module, run as a script)
import pathological  # noqa: E402
import search as search_module  # noqa: E402
import yaml  # noqa: E402

REPO = HERE.parent
TODAY = corpus_module.TODAY
CACHE_DIR = ".portal-cache"
TIME_BIN = Path("/usr/bin/time")
# PYTHONDONTWRITEBYTECODE goes too: Python caches compiled modules on a user's
# machine, and without that cache every `portal check` compiles ours again
# (0.1-0.2 s of the warm check).
ENV = {**{k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS",
                                                          "SOURCE_DATE_EPOCH",
                                                          "PYTHONDONTWRITEBYTECODE")},
       "NO_MKDOCS_2_WARNING": "1"}

FLOOR_SCRIPT = """
import sys, time, yaml
from pathlib import Path
start = time.perf_counter()
n = 0
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    text = path.read_text(encoding="utf-8")
    end = text.index("\\n---", 3)
    yaml.load(text[4:end], Loader=yaml.CSafeLoader)
    n += 1
print(n, time.perf_counter() - start)
"""

TARGETS = ("targets (issue 5, 2 cores): check at 10,000 <= 1.5x floor; warm check <= 0.3 s; "
           "build at 10,000 <= 1.3x bare; build(10,000)/build(1,000) <= 11; serve reload "
           "<= 1 s at 10,000; build peak memory at 40,000 < 2 GB; search at 40,000: first "
           "result <= 300 ms, <= 1 MB fetched")


@dataclass
class Result:
    insights: int
    generate_s: float | None = None
    floor_s: float | None = None
    check_cold_s: float | None = None
    check_warm_s: float | None = None
    check_errors: int | None = None
    check_reminders: int | None = None
    build_s: float | None = None
    build_peak_mb: float | None = None
    bare_s: float | None = None
    bare_peak_mb: float | None = None
    serve_start_s: float | None = None
    serve_reload_s: float | None = None
    site_mb: float | None = None
    search_index_mb: float | None = None
    bare_site_mb: float | None = None
    build_ratio_1k: float | None = None
    search_ms: float | None = None  # Material's search: query typed as the page loads
    search_idle_ms: float | None = None  # typed once the page had gone quiet
    search_fetched_mb: float | None = None
    pagefind_build_s: float | None = None  # `portal build` with search: pagefind
    pagefind_index_s: float | None = None  # of which the Pagefind indexer
    pagefind_ms: float | None = None  # a word on ~75% of the pages (the corpus's vocabulary)
    pagefind_idle_ms: float | None = None
    pagefind_rare_ms: float | None = None  # an evidence reference, on one or two pages
    pagefind_fetched_mb: float | None = None
    pagefind_index_fetched_mb: float | None = None  # of which index chunks, not code
    git_commits: int = 0  # the corpus's git history (0: not a repository)
    git_write_s: float | None = None  # writing that history (git fast-import)
    history_s: float | None = None  # portal_history alone, in-process
    history_git_s: float | None = None  # git_status_changes alone (its git part)
    history_events: int | None = None
    git_timelines: int | None = None  # insights whose timeline came from git


class BenchmarkError(RuntimeError):
    pass


def _run(command: list[str], cwd: Path | None = None, timeout: float = 3600
         ) -> tuple[float, float | None, subprocess.CompletedProcess[str]]:
    """Run a command; return (wall seconds, peak resident MB of its largest process, result)."""
    memory_file = None
    if TIME_BIN.exists():
        memory_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-mem-{os.getpid()}.txt"
        command = [str(TIME_BIN), "-f", "%M", "-o", str(memory_file), *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True,
                               timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    peak_kb: float | None = None
    if memory_file is not None:
        try:
            peak_kb = float(memory_file.read_text().strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            peak_kb = None
        memory_file.unlink(missing_ok=True)
    if peak_kb is None:  # the high-water mark of all children so far: exact if it rose
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak_kb = after if after > before else None
    return seconds, (peak_kb / 1024 if peak_kb else None), completed


def _portal(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def _tree_mb(path: Path) -> float | None:
    if not path.exists():
        return None
    total = sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())
    return total / 1e6


def _fail(what: str, completed: subprocess.CompletedProcess[str]) -> BenchmarkError:
    tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-20:])
    return BenchmarkError(f"{what} failed (exit {completed.returncode}):\n{tail}")


def measure_floor(root: Path) -> float:
    seconds, _, completed = _run([sys.executable, "-c", FLOOR_SCRIPT, str(root / "insights")])
    if completed.returncode:
        raise _fail("parse floor", completed)
    return seconds


HISTORY_SCRIPT = """
import datetime as dt, json, sys, time
from pathlib import Path
from generator.check.pipeline import check_portal
from generator.site.history import portal_history
from generator.site.timeline import git_status_changes
root, today = Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
result = check_portal(root, today)
start = time.perf_counter()
past = portal_history(root, result.catalog, today, result.config.persona_review_after_days)
history_s = time.perf_counter() - start
start = time.perf_counter()
changes = git_status_changes(root)
git_s = time.perf_counter() - start
print(json.dumps({"history_s": history_s, "git_s": git_s, "events": len(past.events),
                  "from_git": sum(1 for steps in past.timelines.values()
                                  if any(step.from_git for step in steps))}))
"""


def measure_history(root: Path, result: Result) -> None:
    """`portal_history` alone, timed in a process that has just checked the portal
    (the catalog it needs), then `git_status_changes` alone (its git part)."""
    _, _, completed = _run([sys.executable, "-c", HISTORY_SCRIPT, str(root), TODAY])
    try:
        timed = json.loads(completed.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        raise _fail("portal_history", completed) from None
    result.history_s, result.history_git_s = timed["history_s"], timed["git_s"]
    result.history_events, result.git_timelines = timed["events"], timed["from_git"]


def measure_check(root: Path, result: Result, edit_id: str) -> None:
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    command = _portal("check", str(root), "--today", TODAY, "--format", "json")
    seconds, _, completed = _run(command)
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise _fail("portal check", completed) from None
    result.check_cold_s = seconds
    result.check_errors, result.check_reminders = report["errors"], report["reminders"]
    if report["errors"]:
        first = report["problems"][0]
        raise BenchmarkError(f"the corpus has {report['errors']} errors, e.g. {first}")
    path = root / "insights" / f"{edit_id}.md"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\nOne more sentence, added for the warm check.\n", encoding="utf-8")
    seconds, _, completed = _run(command)
    if completed.returncode:
        raise _fail("portal check (warm)", completed)
    result.check_warm_s = seconds


def measure_build(root: Path, site: Path, result: Result) -> None:
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    seconds, peak, completed = _run(_portal("build", str(root), "--today", TODAY,
                                            "--site-dir", str(site)))
    if completed.returncode:
        raise _fail("portal build", completed)
    result.build_s, result.build_peak_mb = seconds, peak
    result.site_mb = _tree_mb(site)
    index = site / "search" / "search_index.json"
    result.search_index_mb = index.stat().st_size / 1e6 if index.exists() else None


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_TITLE = re.compile(r"^title: (.*)$", re.MULTILINE)
_UP_LINK = re.compile(r"\[([^\]]*)\]\(\.\./[^)]*\)")  # persona links: no such page here


def write_bare(root: Path, bare: Path) -> None:
    """The insight pages as a plain Material site: `# title`, then the body."""
    shutil.rmtree(bare, ignore_errors=True)
    pages = bare / "docs" / "insights"
    pages.mkdir(parents=True)
    (bare / "docs" / "index.md").write_text("# Home\n\nA plain Material site.\n",
                                            encoding="utf-8")
    (pages / "index.md").write_text("# Insights\n", encoding="utf-8")
    for path in sorted((root / "insights").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        front = _FRONT_MATTER.match(text)
        title_match = _TITLE.search(front.group()) if front else None
        title = title_match.group(1) if title_match else path.stem
        body = _UP_LINK.sub(r"\1", text[front.end():] if front else text)
        (pages / path.name).write_text(f"# {title}\n\n{body}", encoding="utf-8")
    # The same site configuration as the portal's (theme, features, palette,
    # Markdown extensions, section nav), minus the insight-portal plugin: the
    # baseline is what Material costs for these pages, the ratio what the
    # portal adds on top.
    portal_config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    sections = {"Home": "index.md", "Insights": "insights/index.md"}
    for title, page in [(title, page) for item in portal_config.get("nav", [])
                        for title, page in item.items()]:
        if page not in sections.values():
            sections[title] = page
            (bare / "docs" / page).parent.mkdir(parents=True, exist_ok=True)
            (bare / "docs" / page).write_text(f"# {title}\n", encoding="utf-8")
    config = {"site_name": "Bare Material baseline",
              "edit_uri": portal_config.get("edit_uri", ""),
              "theme": portal_config.get("theme", {"name": "material"}),
              "markdown_extensions": portal_config.get("markdown_extensions", []),
              "nav": [{title: page} for title, page in sections.items()],
              "validation": {"nav": {"omitted_files": "ignore"}}}
    (bare / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False),
                                     encoding="utf-8")


def measure_bare(root: Path, bare: Path, result: Result) -> None:
    write_bare(root, bare)
    site = bare / "site"
    seconds, peak, completed = _run([sys.executable, "-m", "mkdocs", "build", "-q",
                                     "-f", str(bare / "mkdocs.yml"), "--site-dir", str(site)])
    if completed.returncode:
        raise _fail("bare Material build", completed)
    result.bare_s, result.bare_peak_mb = seconds, peak
    result.bare_site_mb = _tree_mb(site)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (localhost)
            return response.read().decode("utf-8", errors="replace")
    except (OSError, urllib.error.URLError):
        return None


def measure_serve(root: Path, edit_id: str, title: str, log_path: Path, result: Result,
                  timeout: float) -> None:
    """Start `portal serve`, wait for the page, change the insight's title and poll the
    page until the new title shows."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/insights/{edit_id}/"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            _portal("serve", str(root), "--today", TODAY, "--dev-addr", f"127.0.0.1:{port}"),
            stdout=log, stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
    try:
        start = time.perf_counter()
        while (page := _fetch(url)) is None or title not in page:
            if server.poll() is not None or time.perf_counter() - start > timeout:
                raise BenchmarkError(f"portal serve did not serve {url}; see {log_path}")
            time.sleep(0.2)
        result.serve_start_s = time.perf_counter() - start
        time.sleep(1.0)  # let the watcher settle after the first build
        new_title = f"Benchmark edit {edit_id.rsplit('-', 1)[-1]} {int(time.time()) % 997}"
        path = root / "insights" / f"{edit_id}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"title: {title}\n", f"title: {new_title}\n", 1),
                        encoding="utf-8")
        start = time.perf_counter()
        while (page := _fetch(url)) is None or new_title not in page:
            if server.poll() is not None or time.perf_counter() - start > timeout:
                raise BenchmarkError(f"the edit never showed at {url}; see {log_path}")
            time.sleep(0.05)
        result.serve_reload_s = time.perf_counter() - start
        path.write_text(text, encoding="utf-8")
    finally:
        # The server and the mkdocs process it started: the process group we created.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


_PAGEFIND_LOG = re.compile(r"Pagefind indexed \d+ pages?(?: in \d+ parts?)? in ([\d.]+) s")
SEARCH_RUNS = 3
SEARCH_BUDGET_S = 120.0  # per site and query: one run only where a run takes minutes


def measure_search(root: Path, folder: Path, rare_query: str, result: Result,
                   log: Callable[[str], None]) -> None:
    """Search in headless Chromium: the Material build already made, then a build with
    `search: pagefind` (mkdocs.yml is put back afterwards). Skipped, with a message,
    where Playwright, Chromium or Pagefind is missing."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        log("  search: skipped (Playwright for Python is not installed)")
        return
    if not Path(search_module.CHROMIUM).exists():
        log(f"  search: skipped (no Chromium at {search_module.CHROMIUM})")
        return
    material = search_module.measure_site(folder / "site", runs=SEARCH_RUNS, log=log,
                                          timeout_s=600, budget_s=SEARCH_BUDGET_S)
    result.search_ms, result.search_idle_ms = material.first_result_ms, \
        material.idle_first_result_ms
    result.search_fetched_mb = material.search_mb
    config = root / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    site = folder / "site-pagefind"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    try:
        search_module.use_pagefind(config)
        seconds, _, completed = _run(_portal("build", str(root), "--today", TODAY,
                                             "--site-dir", str(site)))
    finally:
        config.write_text(original, encoding="utf-8")
    if completed.returncode:
        log(f"  search: the pagefind build failed, skipped:\n{_fail('build', completed)}")
        return
    result.pagefind_build_s = seconds
    indexed = _PAGEFIND_LOG.search(completed.stderr + completed.stdout)
    result.pagefind_index_s = float(indexed.group(1)) if indexed else None
    found = search_module.measure_site(site, runs=SEARCH_RUNS, log=log, timeout_s=600,
                                       budget_s=SEARCH_BUDGET_S)
    result.pagefind_ms, result.pagefind_idle_ms = found.first_result_ms, \
        found.idle_first_result_ms
    result.pagefind_fetched_mb = found.search_mb
    result.pagefind_index_fetched_mb = found.index_mb
    rare = search_module.measure_site(site, rare_query, runs=SEARCH_RUNS, log=log,
                                      timeout_s=600, budget_s=SEARCH_BUDGET_S)
    result.pagefind_rare_ms = rare.first_result_ms


def search_note(r: Result) -> str:
    return (f"{r.insights:,} insights, search typed once the page had gone quiet: Material "
            f"{_num(r.search_idle_ms, 0)} ms, Pagefind {_num(r.pagefind_idle_ms, 0)} ms; of "
            f"Pagefind's {_num(r.pagefind_fetched_mb, 3)} MB, "
            f"{_num(r.pagefind_index_fetched_mb, 3)} MB index (page list, word chunks, facets, "
            "result fragments), the rest its UI and engine code")


def bench_size(n: int, work: Path, seed: int, skip_serve: bool,
               log: Callable[[str], None], skip_search: bool = False,
               git_commits: int = 0, vocabulary: str = "synthetic") -> Result:
    result = Result(n)
    folder = work / str(n)
    shutil.rmtree(folder, ignore_errors=True)
    root = folder / "portal"
    log(f"[{n}] generating the corpus")
    start = time.perf_counter()
    written = corpus_module.generate(root, n, seed, vocabulary)
    # The first build measures Material's search (Pagefind, the default, gets a
    # build of its own below).
    search_module.use_search(root / "mkdocs.yml", "material")
    result.generate_s = time.perf_counter() - start
    if git_commits:
        log(f"[{n}] writing a git history of {git_commits:,} commits")
        start = time.perf_counter()
        try:
            result.git_commits = corpus_module.add_git_history(root, git_commits, seed)
        except corpus_module.HistoryError as error:
            raise BenchmarkError(str(error)) from None
        result.git_write_s = time.perf_counter() - start
    # The insight edited for the warm check and for serve: one from the middle.
    edit_id = written.insight_ids[n // 2]
    log(f"[{n}] parse floor")
    result.floor_s = measure_floor(root)
    log(f"[{n}] portal check, cold and warm")
    measure_check(root, result, edit_id)
    log(f"[{n}] portal build")
    measure_build(root, folder / "site", result)
    log(f"[{n}] portal_history alone")
    measure_history(root, result)
    log(f"[{n}] bare Material build")
    measure_bare(root, folder / "bare", result)
    if not skip_serve:
        log(f"[{n}] portal serve")
        timeout = max(120.0, 10 * (result.build_s or 60))
        measure_serve(root, edit_id, written.titles[edit_id], folder / "serve.log", result,
                      timeout)
    if not skip_search:
        log(f"[{n}] search in headless Chromium: Material, then a pagefind build")
        evidence_ref = re.search(r"^\s+ref: (\S+)$", (root / "insights" / f"{edit_id}.md")
                                 .read_text(encoding="utf-8"), re.MULTILINE)
        measure_search(root, folder, evidence_ref.group(1) if evidence_ref else edit_id,
                       result, log)
    return result


COLUMNS = (
    ("insights", lambda r, _: f"{r.insights:,}"),
    ("floor s", lambda r, _: _num(r.floor_s)),
    ("check cold s", lambda r, _: _num(r.check_cold_s)),
    ("check/floor", lambda r, _: _ratio(r.check_cold_s, r.floor_s)),
    ("check warm s", lambda r, _: _num(r.check_warm_s)),
    ("build s", lambda r, _: _num(r.build_s)),
    ("bare s", lambda r, _: _num(r.bare_s)),
    ("build/bare", lambda r, _: _ratio(r.build_s, r.bare_s)),
    ("build/build(1k)", lambda r, base: _ratio(r.build_s, base)),
    ("git commits", lambda r, _: f"{r.git_commits:,}"),
    ("history s", lambda r, _: _num(r.history_s)),
    ("of which git s", lambda r, _: _num(r.history_git_s)),
    ("serve reload s", lambda r, _: _num(r.serve_reload_s)),
    ("serve start s", lambda r, _: _num(r.serve_start_s)),
    ("build peak MB", lambda r, _: _num(r.build_peak_mb, 0)),
    ("bare peak MB", lambda r, _: _num(r.bare_peak_mb, 0)),
    ("site MB", lambda r, _: _num(r.site_mb, 1)),
    ("search index MB", lambda r, _: _num(r.search_index_mb, 1)),
    ("search first result ms", lambda r, _: _num(r.search_ms, 0)),
    ("search MB fetched", lambda r, _: _num(r.search_fetched_mb, 2)),
    ("pagefind first result ms", lambda r, _: _num(r.pagefind_ms, 0)),
    ("pagefind rare term ms", lambda r, _: _num(r.pagefind_rare_ms, 0)),
    ("pagefind MB fetched", lambda r, _: _num(r.pagefind_fetched_mb, 2)),
    ("pagefind build s", lambda r, _: _num(r.pagefind_build_s)),
    ("pagefind index s", lambda r, _: _num(r.pagefind_index_s)),
)


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ratio(value: float | None, base: float | None) -> str:
    return "-" if value is None or not base else f"{value / base:.2f}x"


def table(results: list[Result]) -> str:
    base = next((r.build_s for r in results if r.insights == 1000), None)
    for result in results:
        result.build_ratio_1k = result.build_s / base if base and result.build_s else None
    rows = [[name for name, _ in COLUMNS]]
    rows += [[cell(result, base) for _, cell in COLUMNS] for result in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(value.rjust(widths[i]) if index else value.ljust(widths[i])
                               for i, value in enumerate(row)) + " |"
             for index, row in enumerate(rows)]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,40000",
                        help="comma-separated insight counts (default: 1000,10000,40000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/insight-portal-bench"),
                        help="folder for corpora and sites (default: /tmp/insight-portal-bench)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-serve", action="store_true", help="skip the serve measurement")
    parser.add_argument("--skip-search", action="store_true",
                        help="skip search in headless Chromium (and the pagefind build)")
    parser.add_argument("--git-commits", type=int, default=0, metavar="N",
                        help="make each corpus a git repository of N commits over its "
                             "insights, so timelines come from git (default: 0, none)")
    parser.add_argument("--vocabulary", choices=corpus_module.VOCABULARIES,
                        default="synthetic",
                        help="the corpus's words: synthetic (~150, default, as earlier "
                             "numbers) or realistic (~5,000, Zipf-like frequencies)")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the results as JSON to FILE ('-': standard output)")
    parser.add_argument("--pathological", action="store_true",
                        help="time check and build of each pathological shape instead")
    parser.add_argument("--size", type=int, default=900_000,
                        help="with --pathological: body size in bytes (default: 900000)")
    args = parser.parse_args(argv)
    if args.pathological:
        return pathological.main(["--size", str(args.size)])
    try:
        sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, not {args.sizes!r}")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one positive size")
    if args.git_commits < 0:
        parser.error("--git-commits must be 0 or more")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    args.work.mkdir(parents=True, exist_ok=True)
    print(f"Insight Portal benchmark: {os.cpu_count()} cores (os.cpu_count()), "
          f"Python {sys.version.split()[0]}, work dir {args.work}, seed {args.seed}, "
          f"--today {TODAY}, git commits {args.git_commits:,}, "
          f"{args.vocabulary} vocabulary", flush=True)
    results: list[Result] = []
    failed = False
    for n in sizes:
        started = time.perf_counter()
        try:
            results.append(bench_size(n, args.work, args.seed, args.skip_serve, log,
                                      skip_search=args.skip_search,
                                      git_commits=args.git_commits,
                                      vocabulary=args.vocabulary))
        except (BenchmarkError, subprocess.TimeoutExpired) as error:
            log(f"[{n}] {error}")
            failed = True
            break
        log(f"[{n}] done in {time.perf_counter() - started:.0f} s")
    print()
    print(table(results))
    print()
    for result in results:
        print(f"{result.insights:,} insights: corpus written in {result.generate_s:.1f} s; "
              f"check found {result.check_errors} errors, {result.check_reminders} reminders; "
              f"bare site {_num(result.bare_site_mb, 1)} MB")
        if result.git_commits:
            print(f"{result.insights:,} insights: git history of {result.git_commits:,} "
                  f"commits written in {result.git_write_s:.1f} s; {result.git_timelines:,} "
                  f"timelines from git, {result.history_events:,} events")
    for result in results:
        if result.search_ms is not None or result.pagefind_ms is not None:
            print(search_note(result))
    print(TARGETS)
    if args.json:
        document = json.dumps({"cores": os.cpu_count(), "today": TODAY, "seed": args.seed,
                               "git_commits": args.git_commits,
                               "vocabulary": args.vocabulary,
                               "results": [asdict(r) for r in results]}, indent=2)
        if str(args.json) == "-":
            print(document)
        else:
            args.json.write_text(document + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
