"""A time budget for the work one page's text causes: a page that runs over it
is shown with a notice instead of holding the build (or the preview) for minutes.

Python-Markdown and Material's search index go quadratic or worse on some
texts well under the size limit: 50 KB of `## h` lines take 19 s to convert
and 21 s to index, 10 KB of `[` a minute. Rather than chase each shape, the
work that reads a page's text — converting it, the last safety check, indexing
it for search — runs within the page's budget (one `Ledger` account for all
three): past it, `OverBudget` is raised in the thread doing the work, and the
plugin shows a notice in place of the body.

One watchdog thread per process raises it, through CPython's asynchronous
exceptions, so the same budget holds in the build's main thread, in its forked
workers and in the preview's request threads (where signals cannot reach).
Looking four times a second costs nothing per page. A long C call delays the
exception until it returns: nh3 (Rust, and quadratic on some texts) runs in a
thread of its own that the page can walk away from (`run_in_thread`), and HTML
nested deeper than MAX_NESTING is never handed to a parser at all.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

# Seconds of conversion, safety check and search indexing one page's text may cost.
# Real pages take milliseconds (an insight page about 2 ms, a 50 KB body of
# prose 0.1 s): only text built to be slow comes near it. A slow machine can set
# more in the environment, never in the repository (a pull request could raise it).
DEFAULT_PAGE_BUDGET_S = 4.0
BUDGET_VARIABLE = "PORTAL_PAGE_BUDGET"


def _budget_from_environment() -> float:
    try:
        seconds = float(os.environ.get(BUDGET_VARIABLE, DEFAULT_PAGE_BUDGET_S))
    except ValueError:
        return DEFAULT_PAGE_BUDGET_S
    return seconds if 0 < seconds <= 600 else DEFAULT_PAGE_BUDGET_S


PAGE_BUDGET_S = _budget_from_environment()
# HTML elements nested deeper than this are not parsed (by the last safety check,
# search, the browser): Blink stops nesting at 512; real pages stay under 30.
MAX_NESTING = 512
R = TypeVar("R")
_TICK_S = 0.25  # how often the watchdog looks at the deadlines


class OverBudget(BaseException):
    """The page's time is up. A BaseException, so that no `except Exception` on
    the way (Markdown extensions, plugins) takes it for an ordinary failure."""


class _Watchdog:
    """Raises OverBudget in each thread whose deadline has passed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deadlines: dict[int, float] = {}  # thread id -> time.monotonic() deadline
        self.fired: set[int] = set()
        self.pid = os.getpid()
        thread = threading.Thread(target=self._watch, name="page-budget", daemon=True)
        # Forking while it runs is safe: a child starts a watchdog of its own (see
        # _current_watchdog) and never touches this one's lock (see parallel.py).
        thread.fork_safe = True  # type: ignore[attr-defined]
        thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(_TICK_S)
            now = time.monotonic()
            with self.lock:
                for thread, deadline in self.deadlines.items():
                    if deadline <= now and thread not in self.fired:
                        self.fired.add(thread)
                        _raise_in(thread, OverBudget)


_watchdog: _Watchdog | None = None
_start_lock = threading.Lock()


def _current_watchdog() -> _Watchdog:
    global _watchdog
    with _start_lock:
        # A forked worker inherits the object but not its thread: start its own.
        if _watchdog is None or _watchdog.pid != os.getpid():
            _watchdog = _Watchdog()
        return _watchdog


def _raise_in(thread: int, exception: type[BaseException] | None) -> None:
    """Schedule `exception` in `thread` (None: withdraw one not yet raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None)


@contextmanager
def within(seconds: float | None = None) -> Iterator[None]:
    """Run the block with a deadline; past it, OverBudget is raised in the block.
    It is raised from here, never later: a deadline that passes just as the
    block ends still counts as over budget, and no exception is left pending."""
    if seconds is not None and seconds <= 0:
        raise OverBudget  # spent already
    watchdog = _current_watchdog()
    thread = threading.get_ident()
    with watchdog.lock:
        if thread in watchdog.deadlines:  # nested: the outer deadline holds
            nested = True
        else:
            nested = False
            watchdog.deadlines[thread] = time.monotonic() + (seconds or PAGE_BUDGET_S)
    if nested:
        yield
        return
    try:
        yield
    finally:
        # The exception may arrive while this cleans up: then clean up again
        # (it is idempotent). Once `_disarm` has run, none is pending.
        fired = False
        while True:
            try:
                fired = _disarm(watchdog, thread) or fired
                break
            except OverBudget:
                fired = True
        if fired:
            raise OverBudget


def _disarm(watchdog: _Watchdog, thread: int) -> bool:
    """Forget the thread's deadline; withdraw an exception scheduled but not yet
    raised. Returns whether the deadline had passed."""
    with watchdog.lock:
        watchdog.deadlines.pop(thread, None)
        fired = thread in watchdog.fired
        watchdog.fired.discard(thread)
        if fired:
            _raise_in(thread, None)
    return fired


class Ledger:
    """The seconds each page has used of its budget: converting it, the last safety
    check and indexing it for search share one budget, so no page costs a build
    more than about PAGE_BUDGET_S (plus its notice, a few milliseconds)."""

    def __init__(self) -> None:
        self._spent: dict[str, float] = {}
        self._settled: set[str] = set()

    @contextmanager
    def spend(self, page: str) -> Iterator[float]:
        """Time the block against the page's account; it gets the seconds left."""
        start = time.monotonic()
        try:
            yield PAGE_BUDGET_S if page in self._settled else \
                PAGE_BUDGET_S - self._spent.get(page, 0.0)
        finally:
            self._spent[page] = self._spent.get(page, 0.0) + time.monotonic() - start

    def settle(self, page: str) -> None:
        """The page's text is now the notice, which costs nothing: what follows
        (safety check, search) gets a whole budget, not what the text left."""
        self._settled.add(page)

    def forget(self, page: str) -> None:
        self._spent.pop(page, None)
        self._settled.discard(page)


def run_in_thread(function: Callable[[str], R], argument: str, seconds: float) -> R:
    """`function(argument)` in a thread of its own, waited for at most the page
    budget: for C code that releases the GIL, which the watchdog cannot stop
    (nh3 grows with the square of a text with many character references: 3 s
    for 200,000 `&nbsp;`). Past it, OverBudget; the thread runs to its end in
    the background and its result is dropped."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, function(argument)))
        except Exception as error:  # noqa: BLE001 - raised again in the caller's thread
            outcome.append((False, error))

    if seconds <= 0:
        raise OverBudget
    thread = threading.Thread(target=run, name="page-budget-call", daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        raise OverBudget
    succeeded, value = outcome[0]
    if not succeeded:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]


def took(doing: str) -> str:
    """Why a page is over budget, in words: 'took over 4 s to convert'."""
    return f"took over {PAGE_BUDGET_S:g} s to {doing}"


def render_within_budget(page: Page, config: MkDocsConfig, files: Files,
                         notice: Callable[[str, bool], str], seconds: float | None = None
                         ) -> None:
    """`Page.render` within `seconds` (the page budget). Past it, the page is
    rendered from `notice(markdown, False)` (the page with a notice in place of
    its text) and, if even that runs over, from `notice(markdown, True)` (the
    notice alone)."""
    markdown = page.markdown or ""
    for whole in (False, True):
        try:
            with within(seconds if not whole else None):
                Page.render(page, config, files)
            return
        except OverBudget:
            page.markdown = notice(markdown, whole)
    Page.render(page, config, files)  # a few lines of our own Markdown


def guard_render(page: Page, notice: Callable[[str, bool], str], ledger: Ledger) -> None:
    """Make MkDocs' own call of `page.render` (and a worker's) keep the budget,
    charged to the page's account in `ledger`."""
    def render(config: MkDocsConfig, files: Files) -> None:
        with ledger.spend(page.file.src_uri) as left:
            render_within_budget(page, config, files, notice, left)

    page.render = render  # type: ignore[method-assign]
