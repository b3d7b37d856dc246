"""Measure search in a built portal, in headless Chromium, as a reader meets it.

    python benchmarks/search.py SITE_DIR [SITE_DIR ...] [--query voucher] [--query DASH-67190]
                                [--frequencies 0.01,0.07,0.18,0.5] [--runs 3] [--budget S]

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
- results: result links on screen once the results settle (a first batch: Pagefind's
  page shows 10, Material a page and its sections); matches: the count the search UI
  prints ("503 pages match", "504 matching documents").

The local server sends files uncompressed and there is no network latency: on a real
network the index download adds its transfer time. Pagefind's index chunks are
gzipped by Pagefind itself; Material's JSON index would shrink with HTTP compression,
so its gzip size is printed too.

The time Pagefind needs grows with the number of pages a query matches (it scores them
all, and counts the facets over them). The synthetic corpus draws its text from ~150
words, so any of them (the default query, "voucher") is on ~75% of the pages: a worst
case. An evidence reference such as "DASH-67190" is on one or two: the other end.

--frequencies 0.01,0.07,0.18,0.5 measures the range in between: for each fraction it
searches for a word on about that share of the site's insight pages (a corpus written
with `corpus.py --vocabulary realistic` has words at every share; in the synthetic one
the rarest words are on about a quarter of the pages, so picks for 1% and 7% land far
from what was asked, as the "actual" column then shows).
The word is picked from the built HTML, so any built portal will do:

- counted: the pages insights/*/index.html, each page's indexed text, which is the same
  for both backends: its first <article>, less the elements marked
  `data-pagefind-ignore` (cards of related insights; Pagefind skips them and the portal
  keeps them out of Material's index). "actual" is the share of these pages whose
  text holds the word; other pages (personas, journeys, Material's lists) can match
  too, which the "matches" column shows.
- picked from: words of the page's own prose only (title, summary, evidence quotes,
  the body's paragraphs) that never occur in what the page template writes (headings,
  labels, badges, the decision panel, notices: "decision", "status", "insight",
  "evidence", "accepted"...). A template word is on nearly every page whatever the
  corpus says, and a word the template writes on some pages only (a status, a source)
  measures the portal's labels, not the researchers' text.
- left out as well: lunr's English stop words (Material drops them from a query and
  finds nothing), words under four letters, and any word such that another word on
  the pages begins with its stem, stripped generously: both backends stem the query
  and match it as a prefix, so "prefer" would also find "preference". What is left
  matches the pages counted, and no others.
- the word whose share is nearest the fraction is taken (ties: alphabetical order),
  each word for one fraction only. The same pages give the same words, so a Material
  and a Pagefind build of one corpus are measured on the same words.

Needs Playwright for Python and a Chromium (default /usr/bin/chromium, or --chromium);
it never downloads a browser.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import functools
import gzip
import html
import http.server
import re
import statistics
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = "/usr/bin/chromium"
DEFAULT_QUERY = "voucher"  # a word of the synthetic corpus (benchmarks/corpus.py)

# Per backend: the page to open, the search field, a result, and which paths are search.
BACKENDS = {
    "material": {
        "page": "", "input": "input.md-search__input", "result": "a.md-search-result__link",
        "matches": ".md-search-result__meta",  # "500 matching documents"
        "search_paths": ("search/search_index.json", "assets/javascripts/workers/search"),
        "index_paths": ("search/search_index.json",),
    },
    "pagefind": {
        "page": "search/", "input": "#ip-search-q",
        "result": ".ip-search-results .ip-card-title a", "search_paths": ("pagefind/",),
        "matches": ".ip-results-line",  # "500 pages match “word”"
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
    matches: int | None = None  # the number of matches the page says it found


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

    @property
    def results(self) -> int | None:
        return round(statistics.median(r.results for r in self.runs)) if self.runs else None

    @property
    def matches(self) -> int | None:
        values = [r.matches for r in self.runs if r.matches is not None]
        return round(statistics.median(values)) if values else None


def backend_of(site: Path) -> str:
    if (site / "pagefind" / "pagefind.js").is_file():
        return "pagefind"
    if (site / "search" / "search_index.json").is_file():
        return "material"
    raise SearchBenchError(f"{site}: neither pagefind/pagefind.js nor "
                           "search/search_index.json; is it a built portal with search?")


def use_search(mkdocs_yml: Path, backend: str) -> None:
    """Set `search: <backend>` in a portal's mkdocs.yml (as corpus.py writes it),
    whatever the plugin's default is."""
    lines = mkdocs_yml.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines)
                  if line.strip() in ("- insight-portal:", "- insight-portal")), None)
    if start is None:
        raise SearchBenchError(f"{mkdocs_yml}: no '- insight-portal:' plugin entry")
    lines = [line for line in lines
             if line.strip() not in (f"search: {name}" for name in BACKENDS)]
    indent = len(lines[start]) - len(lines[start].lstrip()) + 4
    lines[start] = lines[start].rstrip(":") + ":"
    lines.insert(start + 1, " " * indent + f"search: {backend}")
    mkdocs_yml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def use_pagefind(mkdocs_yml: Path) -> None:
    """Switch a portal's mkdocs.yml (as corpus.py writes it) to `search: pagefind`."""
    use_search(mkdocs_yml, "pagefind")


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
                    f" {run.results} results shown"
                    + ("" if run.matches is None else f", {run.matches} matches said"))
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
        matches = _matches(page, spec["matches"])
    finally:
        context.close()
    search = index = page_bytes = 0
    for path, size in sink.take():
        if any(marker in path for marker in spec["search_paths"]):
            search += size
            index += size if any(marker in path for marker in spec["index_paths"]) else 0
        else:
            page_bytes += size
    return Run(first, search, index, page_bytes, results, matches=matches)


def _matches(page, selector: str) -> int | None:  # noqa: ANN001
    """The count the search UI prints ("500 pages match", "No matching documents")."""
    try:
        text = page.locator(selector).first.text_content(timeout=2_000) or ""
    except Exception:  # noqa: BLE001  (no such line: no count)
        return None
    if text.strip().lower().startswith("no "):
        return 0
    found = re.search(r"\d[\d,]*", text)
    return int(found.group().replace(",", "")) if found else None


# --- words at a given document frequency (--frequencies) -------------------------------

DEFAULT_FREQUENCIES = (0.01, 0.07, 0.18, 0.5)
# lunr's English stop words: Material's search drops them from the query, so a search
# for one finds nothing. Pagefind keeps them. Neither kind is picked.
STOP_WORDS = frozenset(re.findall(r"[a-z]+", """
    a able about across after all almost also am among an and any are as at be because
    been but by can cannot could dear did do does either else ever every for from get got
    had has have he her hers him his how however i if in into is it its just least let
    like likely may me might most must my neither no nor not of off often on only or other
    our own rather said say says she should since so some than that the their them then
    there these they this tis to too twas us wants was we were what when where which while
    who whom why will with would yet you your
"""))
# Endings a stemmer may take off (Material's lunr and Pagefind both stem): generous on
# purpose, so a word whose stem might reach another word is left out rather than
# miscounted.
_ENDINGS = ("ational", "ization", "fulness", "ousness", "iveness", "ations", "ation",
            "ement", "ments", "ment", "ence", "ance", "able", "ible", "ness", "ings", "ing",
            "ions", "ion", "ous", "ive", "ful", "ism", "ist", "ity", "ies", "ied", "ate",
            "ize", "ise", "ers", "er", "ed", "es", "ly", "al", "ic", "s", "e", "y", "i")
_ARTICLE_TAG = re.compile(r"<(/?)article\b[^>]*>", re.IGNORECASE)
_IGNORED_START = re.compile(r"<(\w+)\b[^>]*\sdata-pagefind-ignore\b[^>]*>", re.IGNORECASE)
_NOT_TEXT = re.compile(r"<(script|style|svg)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_ADMONITION = re.compile(r'<div class="admonition\b.*?</div>', re.DOTALL)
# The page's own prose: its title, summary, evidence quotes and the body's paragraphs.
_PROSE = re.compile(r'<h1\b.*?</h1>|<p class="ip-summary">.*?</p>'
                    r'|<blockquote class="ip-quote">.*?</blockquote>|<p>.*?</p>', re.DOTALL)
_LINK = re.compile(r"<a\b[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class WordPick:
    fraction: float  # the fraction of insight pages asked for
    word: str
    pages: int  # insight pages whose indexed text holds the word
    total: int  # insight pages

    @property
    def actual(self) -> float:
        return self.pages / self.total


@dataclass
class PageWords:
    """What the insight pages of a built site say, word by word (lower-case)."""

    total: int = 0
    pages: dict[str, int] = field(default_factory=dict)  # word -> pages it is on
    prose: set[str] = field(default_factory=set)  # words of titles, summaries, quotes, bodies
    ui: set[str] = field(default_factory=set)  # words the page template writes


def _words(html_text: str) -> set[str]:
    return set(_WORD.findall(html.unescape(_TAG.sub(" ", html_text)).lower()))


def _element_end(text: str, name: str, start: int) -> int:
    """Where the element of tag `name` whose start tag ends at `start` closes."""
    tags = re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)
    depth = 1
    for tag in tags.finditer(text, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    return len(text)


def indexed_html(page: str) -> str | None:
    """The part of a built page both search backends index: its article, less the
    elements marked `data-pagefind-ignore` (the cards of other insights, permalinks),
    which Pagefind skips and the portal keeps out of Material's index too
    (generator/site/html_stash.py); None without an article."""
    first = _ARTICLE_TAG.search(page)
    if first is None or first.group(1):
        return None
    depth, end = 0, len(page)
    for tag in _ARTICLE_TAG.finditer(page, first.start()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = tag.start()
            break
    article = _NOT_TEXT.sub(" ", page[first.end():end])
    kept, position = [], 0
    while (start := _IGNORED_START.search(article, position)) is not None:
        kept.append(article[position:start.start()])
        position = _element_end(article, start.group(1), start.end())
    kept.append(article[position:])
    return "".join(kept)


def read_insight_pages(site: Path) -> PageWords:
    """Count, over the site's insights/*/index.html, the pages each word is on."""
    counted = PageWords()
    for path in sorted((site / "insights").glob("*/index.html")):
        own = indexed_html(path.read_text(encoding="utf-8", errors="replace"))
        if own is None:
            continue
        counted.total += 1
        for word in _words(own):
            counted.pages[word] = counted.pages.get(word, 0) + 1
        notices = " ".join(_ADMONITION.findall(own))
        rest = _ADMONITION.sub(" ", own)
        counted.prose |= _words(" ".join(_PROSE.findall(rest)))
        template = _LINK.sub(" ", _PROSE.sub(" ", rest) + " " + notices)
        counted.ui |= _words(template)
    return counted


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


def candidates(counted: PageWords) -> list[str]:
    """Words a search for finds exactly the pages counted: prose words, four letters or
    more, neither stop words nor words of the page template, and no other word on the
    pages begins with their stem (both backends match a query's stem as a prefix)."""
    every = sorted(counted.pages)
    chosen = []
    for word in sorted(counted.prose - counted.ui - STOP_WORDS):
        if len(word) < 4 or not word.isascii() or not word.isalpha():
            continue
        stem = _stem(word)
        at = bisect.bisect_left(every, stem)
        clashes = False
        while at < len(every) and every[at].startswith(stem):
            if every[at] != word:
                clashes = True
                break
            at += 1
        if not clashes:
            chosen.append(word)
    return chosen


def pick_words(counted: PageWords, fractions: Iterable[float]) -> list[WordPick]:
    """For each fraction, the candidate word whose share of the insight pages is
    nearest to it (ties: the first in alphabetical order); a word serves one fraction
    only."""
    if not counted.total:
        raise SearchBenchError("no insight pages (insights/*/index.html with an <article>)")
    pool = candidates(counted)
    if not pool:
        raise SearchBenchError("no word of the insight pages can be picked")
    picks, used = [], set()
    for fraction in fractions:
        left = [word for word in pool if word not in used] or pool
        word = min(left, key=lambda w: (abs(counted.pages[w] / counted.total - fraction), w))
        used.add(word)
        picks.append(WordPick(fraction, word, counted.pages[word], counted.total))
    return picks


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
    return _columns(rows)


def _columns(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip()
             for row in rows]
    return "\n".join(lines)


def frequency_table(measured: list[tuple[WordPick, SiteResult]]) -> str:
    rows = [["site", "backend", "wanted", "word", "actual", "pages", "first result ms",
             "idle first result ms", "search MB", "index MB", "results", "matches"]]
    for pick, r in measured:
        rows.append([str(r.site), r.backend, f"{pick.fraction:g}", pick.word,
                     f"{pick.actual:.3f}", f"{pick.pages}/{pick.total}",
                     _fmt(r.first_result_ms, 0), _fmt(r.idle_first_result_ms, 0),
                     _fmt(r.search_mb, 3), _fmt(r.index_mb, 3),
                     "-" if r.results is None else str(r.results),
                     "-" if r.matches is None else str(r.matches)])
    return _columns(rows)


def _fractions(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not comma-separated fractions: {text!r}") from None
    if not values or not all(0 < value <= 1 for value in values):
        raise argparse.ArgumentTypeError(f"fractions must lie in (0, 1]: {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders")
    parser.add_argument("--query", action="append",
                        help=f"the text typed; repeat for several (default: {DEFAULT_QUERY!r}, "
                             "a word of the synthetic corpus, unless --frequencies is given)")
    parser.add_argument("--frequencies", type=_fractions, nargs="?", metavar="F,F,...",
                        const=DEFAULT_FREQUENCIES,
                        help="also (or, without --query, instead) search for words on these "
                             "fractions of the insight pages, picked from each site's pages "
                             "(default list: "
                             f"{','.join(f'{f:g}' for f in DEFAULT_FREQUENCIES)})")
    parser.add_argument("--runs", type=int, default=3, help="runs per site, median shown")
    parser.add_argument("--budget", type=float, metavar="SECONDS",
                        help="per site and query: no further runs once this many seconds have "
                             "gone by (Material at 40,000 insights takes minutes a run)")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"default {CHROMIUM}")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for a first result (default 120)")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def measure(site: Path, query: str) -> SiteResult | None:
        try:
            return measure_site(site, query, args.runs, args.chromium, args.timeout, log,
                                budget_s=args.budget)
        except SearchBenchError as error:
            log(f"  {error}")
            return None

    queries = args.query or ([] if args.frequencies else [DEFAULT_QUERY])
    results: list[SiteResult] = []
    measured: list[tuple[WordPick, SiteResult]] = []
    failed = False
    for site in args.sites:
        for query in queries:
            log(f"{site}, query {query!r}:")
            found = measure(site, query)
            failed |= found is None
            results += [found] if found else []
        if not args.frequencies:
            continue
        start = time.perf_counter()
        try:
            counted = read_insight_pages(site)
            picks = pick_words(counted, args.frequencies)
        except (OSError, SearchBenchError) as error:
            log(f"{site}: {error}")
            failed = True
            continue
        log(f"{site}: {counted.total} insight pages read in {time.perf_counter() - start:.1f} s"
            f"; {len(counted.pages)} words, of which {len(candidates(counted))} can be picked")
        for pick in picks:
            log(f"{site}, {pick.fraction:g} of the pages: {pick.word!r} "
                f"(on {pick.pages} of {pick.total})")
            found = measure(site, pick.word)
            failed |= found is None
            measured += [(pick, found)] if found else []
    if results:
        print(table(results))
        print("first result ms: query input to first result, in the page, typed as soon as "
              "the page loaded (idle: once the page had gone quiet); search MB: bytes served "
              "for search from opening the page until results settle (typed at load); median "
              f"of {args.runs} cold runs, uncompressed local HTTP")
    if measured:
        if results:
            print()
        print(frequency_table(measured))
        print("wanted: the fraction of insight pages asked for; actual, pages: the insight "
              "pages whose indexed text holds the word; results: result links "
              "shown; matches: the count the search UI printed (every page, not only "
              "insights: Material's whole site, Pagefind's insight, persona and journey "
              f"pages); times and MB as above, median of {args.runs} cold runs")
    every = results + [found for _, found in measured]
    return 1 if failed or any(r.first_result_ms is None for r in every) else 0


if __name__ == "__main__":
    sys.exit(main())
