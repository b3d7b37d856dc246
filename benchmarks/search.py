"""Measure search in a built portal, in headless Chromium, as a reader meets it.

    python benchmarks/search.py SITE_DIR [SITE_DIR ...] [--query voucher] [--query DASH-67190]
                                [--runs 3]

For each built site (Material's built-in search or `search: pagefind`, told apart by
what the build wrote) it serves the site over HTTP on a free local port (Python's
http.server in a thread), and for each run opens a fresh browser context (empty cache):

- Material: the home page; Pagefind: the search page. As soon as the page's `load`
  event fires, the query is typed into the search field; then again in a fresh context,
  typed once the page has gone quiet (network idle + 1 s: a reader who looks first).
- first result ms: from the query's input event (the whole word at once, as if typed
  faster than the UI's debounce) to the first result link in the page, both timed inside
  the page (performance.now()), so Playwright's own latency is not counted. When the
  index is still downloading the wait for it is part of the time.
- search MB: bytes the server sent for search (Material: search/search_index.json
  and the search worker; Pagefind: everything under pagefind/; the portal's own search
  page script, 10 KB, is counted with the page), from
  opening the page until the results settle. Counted by the server itself, so
  requests made by web workers are included. index MB: the part of it that is index
  (search_index.json; Pagefind's .pf_meta/.pf_index/.pf_filter/.pf_fragment files), the
  rest being the search UI's and engine's code. page MB: everything else the page loaded.

The local server sends files uncompressed and there is no network latency: on a real
network the index download adds its transfer time. Pagefind's index chunks are
gzipped by Pagefind itself; Material's JSON index would shrink with HTTP compression,
so its gzip size is printed too.

The time Pagefind needs grows with the number of pages a query matches (it scores them
all, and counts the facets over them). The synthetic corpus draws its text from ~150
words, so any of them (the default query, "voucher") is on ~75% of the pages: a worst
case. An evidence reference such as "DASH-67190" is on one or two: the other end.

Needs Playwright for Python and a Chromium (default /usr/bin/chromium, or --chromium);
it never downloads a browser.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = "/usr/bin/chromium"
DEFAULT_QUERY = "voucher"  # a word of the synthetic corpus (benchmarks/corpus.py)

# Per backend: the page to open, the search field, a result, and which paths are search.
BACKENDS = {
    "material": {
        "page": "", "input": "input.md-search__input", "result": "a.md-search-result__link",
        "search_paths": ("search/search_index.json", "assets/javascripts/workers/search"),
        "index_paths": ("search/search_index.json",),
    },
    "pagefind": {
        "page": "search/", "input": "#ip-search-q",
        "result": ".ip-search-results .ip-card-title a", "search_paths": ("pagefind/",),
        "index_paths": (".pf_meta", ".pf_index", ".pf_filter", ".pf_fragment"),
    },
}

# Installed before any page script: note the time of every input event and the time the
# first element matching the result selector appears.
PROBE = """
(selector) => {
  window.__ipSearch = { input: null, result: null, results: 0 };
  document.addEventListener("input", () => { window.__ipSearch.input = performance.now(); },
                            true);
  const seen = () => {
    const found = document.querySelectorAll(selector).length;
    if (found && window.__ipSearch.result === null && window.__ipSearch.input !== null)
      window.__ipSearch.result = performance.now();
    window.__ipSearch.results = found;
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
}
"""


class SearchBenchError(RuntimeError):
    pass


@dataclass
class Run:
    first_result_ms: float | None  # typed as soon as the page has loaded
    search_bytes: int
    index_bytes: int  # of search_bytes: the index itself (not the UI's or engine's code)
    page_bytes: int
    results: int
    idle_first_result_ms: float | None = None  # typed once the page had gone quiet


@dataclass
class SiteResult:
    site: Path
    backend: str
    query: str
    runs: list[Run] = field(default_factory=list)
    index_bytes: int = 0  # Material: search_index.json; Pagefind: the whole pagefind/ folder
    index_gzip_bytes: int | None = None

    @property
    def first_result_ms(self) -> float | None:
        values = [r.first_result_ms for r in self.runs if r.first_result_ms is not None]
        return statistics.median(values) if len(values) == len(self.runs) and values else None

    @property
    def idle_first_result_ms(self) -> float | None:
        values = [r.idle_first_result_ms for r in self.runs if r.idle_first_result_ms is not None]
        return statistics.median(values) if len(values) == len(self.runs) and values else None

    @property
    def search_mb(self) -> float | None:
        return statistics.median(r.search_bytes for r in self.runs) / 1e6 if self.runs else None

    @property
    def index_mb(self) -> float | None:
        return statistics.median(r.index_bytes for r in self.runs) / 1e6 if self.runs else None

    @property
    def page_mb(self) -> float | None:
        return statistics.median(r.page_bytes for r in self.runs) / 1e6 if self.runs else None


def backend_of(site: Path) -> str:
    if (site / "pagefind" / "pagefind.js").is_file():
        return "pagefind"
    if (site / "search" / "search_index.json").is_file():
        return "material"
    raise SearchBenchError(f"{site}: neither pagefind/pagefind.js nor "
                           "search/search_index.json; is it a built portal with search?")


def use_pagefind(mkdocs_yml: Path) -> None:
    """Switch a portal's mkdocs.yml (as corpus.py writes it) to `search: pagefind`."""
    lines = mkdocs_yml.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines)
                  if line.strip() in ("- insight-portal:", "- insight-portal")), None)
    if start is None:
        raise SearchBenchError(f"{mkdocs_yml}: no '- insight-portal:' plugin entry")
    lines = [line for line in lines if line.strip() != "search: material"]
    indent = len(lines[start]) - len(lines[start].lstrip()) + 4
    lines[start] = lines[start].rstrip(":") + ":"
    lines.insert(start + 1, " " * indent + "search: pagefind")
    mkdocs_yml.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the server ---------------------------------------------------------------------


class _Log:
    """(path, bytes) of every response the server sent, thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: list[tuple[str, int]] = []

    def add(self, path: str, size: int) -> None:
        with self.lock:
            self.entries.append((path, size))

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            entries, self.entries = self.entries, []
        return entries


class _Handler(http.server.SimpleHTTPRequestHandler):
    log_sink: _Log

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        start = source.tell()
        super().copyfile(source, outputfile)
        self.log_sink.add(unquote(urlsplit(self.path).path), source.tell() - start)


@contextlib.contextmanager
def serve(site: Path) -> Iterator[tuple[str, _Log]]:
    sink = _Log()
    handler = type("Handler", (_Handler,), {"log_sink": sink})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", sink
    finally:
        server.shutdown()
        server.server_close()


# --- the browser --------------------------------------------------------------------


def measure_site(site: Path, query: str = DEFAULT_QUERY, runs: int = 3,
                 chromium: str = CHROMIUM, timeout_s: float = 120.0,
                 log=lambda message: None,  # noqa: ANN001
                 budget_s: float | None = None) -> SiteResult:
    """`runs` runs (each typed at load, then typed when idle), fewer when `budget_s`
    seconds have gone by after one: Material at 40,000 insights takes minutes a run."""
    from playwright.sync_api import sync_playwright  # optional: benchmarks only

    site = site.resolve()
    backend = backend_of(site)
    spec = BACKENDS[backend]
    result = SiteResult(site, backend, query)
    if backend == "material":
        index = site / "search" / "search_index.json"
        result.index_bytes = index.stat().st_size
        result.index_gzip_bytes = len(gzip.compress(index.read_bytes(), compresslevel=6))
    else:
        result.index_bytes = sum(p.stat().st_size for p in (site / "pagefind").rglob("*")
                                 if p.is_file())
    if not Path(chromium).exists():
        raise SearchBenchError(f"no Chromium at {chromium} (pass --chromium PATH)")
    with serve(site) as (base, sink), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox"])
        started = time.monotonic()
        try:
            for number in range(runs):
                if number and budget_s is not None and time.monotonic() - started > budget_s:
                    log(f"  {backend}: {number} run(s) only, past the {budget_s:.0f} s budget")
                    break
                run = _one_run(browser, base + spec["page"], spec, query, sink, timeout_s)
                idle = _one_run(browser, base + spec["page"], spec, query, sink, timeout_s,
                                wait_idle=True)
                run.idle_first_result_ms = idle.first_result_ms
                log(f"  {backend} run {number + 1}: first result "
                    f"{_fmt(run.first_result_ms, 0)} ms (typed at load), "
                    f"{_fmt(run.idle_first_result_ms, 0)} ms (typed when idle), "
                    f"search {run.search_bytes / 1e6:.3f} MB (index "
                    f"{run.index_bytes / 1e6:.3f} MB), page {run.page_bytes / 1e6:.3f} MB,"
                    f" {run.results} results shown")
                result.runs.append(run)
        finally:
            browser.close()
    return result


def _one_run(browser, url: str, spec: dict, query: str, sink: _Log,  # noqa: ANN001
             timeout_s: float, wait_idle: bool = False) -> Run:
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    try:
        page = context.new_page()
        page.add_init_script(f"({PROBE})({spec['result']!r})")
        sink.take()
        page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        field_ = page.locator(spec["input"]).first
        field_.wait_for(state="attached", timeout=timeout_s * 1000)
        if wait_idle:  # a reader who looks at the page first: whatever it preloads is there
            page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
            time.sleep(1.0)
        field_.focus()
        # The whole query in one input event (as typed faster than the debounce, or
        # pasted), then a key that fires keyup without input (Material listens to keyup).
        field_.fill(query)
        field_.press("End")
        deadline = time.monotonic() + timeout_s
        first: float | None = None
        while time.monotonic() < deadline:
            state = page.evaluate("window.__ipSearch")
            if state["result"] is not None:
                first = state["result"] - state["input"]
                break
            time.sleep(0.02)
        # Let the results settle (result fragments, filter counts) before counting bytes.
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=10_000)
        time.sleep(0.3)
        results = page.evaluate("window.__ipSearch.results")
    finally:
        context.close()
    search = index = page_bytes = 0
    for path, size in sink.take():
        if any(marker in path for marker in spec["search_paths"]):
            search += size
            index += size if any(marker in path for marker in spec["index_paths"]) else 0
        else:
            page_bytes += size
    return Run(first, search, index, page_bytes, results)


# --- output -------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(results: list[SiteResult]) -> str:
    rows = [["site", "backend", "query", "first result ms", "idle first result ms",
             "search MB", "index MB", "page MB", "index on disk MB"]]
    for r in results:
        on_disk = f"{r.index_bytes / 1e6:.1f}"
        if r.index_gzip_bytes is not None:
            on_disk += f" (gzip {r.index_gzip_bytes / 1e6:.1f})"
        rows.append([str(r.site), r.backend, r.query, _fmt(r.first_result_ms, 0),
                     _fmt(r.idle_first_result_ms, 0), _fmt(r.search_mb, 3), _fmt(r.index_mb, 3),
                     _fmt(r.page_mb, 3), on_disk])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(value.ljust(widths[i]) for i, value in enumerate(row)) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders")
    parser.add_argument("--query", action="append",
                        help=f"the text typed; repeat for several (default: {DEFAULT_QUERY!r}, "
                             "a word of the synthetic corpus)")
    parser.add_argument("--runs", type=int, default=3, help="runs per site, median shown")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"default {CHROMIUM}")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for a first result (default 120)")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = []
    failed = False
    for site in args.sites:
        for query in args.query or [DEFAULT_QUERY]:
            log(f"{site}, query {query!r}:")
            try:
                results.append(measure_site(site, query, args.runs, args.chromium,
                                            args.timeout, log))
            except SearchBenchError as error:
                log(f"  {error}")
                failed = True
    print(table(results))
    print("first result ms: query input to first result, in the page, typed as soon as the "
          "page loaded (idle: once the page had gone quiet); search MB: bytes served for "
          "search from opening the page until results settle (typed at load); median of "
          f"{args.runs} cold runs, uncompressed local HTTP")
    return 1 if failed or any(r.first_result_ms is None for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
