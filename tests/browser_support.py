"""Real-browser tests: the sample portal, built once, served locally, opened in Chromium.

A pytest plugin (test modules load it with `pytest_plugins = ["browser_support"]`) and a
few plain helpers that scripts/screenshots.py reuses.

Needs Debian's Chromium (`apt-get install chromium`; Playwright never downloads a
browser here) and, for the accessibility tests, axe-core (`npm ci`). On a developer
machine without them the tests are skipped, saying what is missing; with
CI_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead, so CI never passes by skipping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from generator.check.pipeline import check_portal
from generator.core.catalog import Catalog

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)
CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 800}
REQUIRE = "CI_REQUIRE_BROWSER"
TIMEOUT_MS = 15_000  # for a page or an element; a broken page fails in seconds, not minutes


# --- plain helpers (also used by scripts/screenshots.py) ---------------------------------


def build_sample(site_dir: Path, today: dt.date = TODAY, *extra: str) -> Path:
    """`portal build` of the repository's own sample content as of `today`, as a user
    runs it (`extra`: more options, such as --strict)."""
    command = [sys.executable, "-m", "generator", "build", str(REPO), "--site-dir",
               str(site_dir), "--today", today.isoformat(), *extra]
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                          env=environment, timeout=300)
    if done.returncode != 0 or not (site_dir / "index.html").is_file():
        raise RuntimeError(f"portal build failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return site_dir


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free local port; yields its base URL (with a trailing slash)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def browser_problem() -> str | None:
    """Why no browser can run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[test]'"
    if not CHROMIUM.exists():
        return (f"no Chromium at {CHROMIUM}: apt-get install chromium "
                "(or set PORTAL_CHROMIUM to its path)")
    return None


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)


def missing(reason: str) -> NoReturn:
    """Skip on a developer machine; fail where the browser tests are required."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason} ({REQUIRE}=1: browser tests must run)", pytrace=False)
    pytest.skip(reason)


# --- fixtures ----------------------------------------------------------------------------


@dataclass
class Tab:
    """A page in a fresh browser context that records what should never happen."""

    page: Page
    base: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def open(self, path: str = "") -> Page:
        self.page.goto(self.base + path, wait_until="load")
        return self.page


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    problem = browser_problem()
    if problem:
        missing(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, built once per session — or, with BROWSER_TEST_SITE=DIR, a site built
    (or deliberately broken) beforehand, to check that a test catches a fault."""
    given = os.environ.get("BROWSER_TEST_SITE")
    if given:
        return Path(given).resolve()
    return build_sample(tmp_path_factory.mktemp("browser") / "site")


@pytest.fixture(scope="session")
def site_url(sample_site: Path) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url


def new_tab(chromium: Browser, site_url: str, **context: Any) -> Iterator[Tab]:
    settings: dict[str, Any] = {"viewport": VIEWPORT, "color_scheme": "light",
                                "reduced_motion": "reduce", "service_workers": "block"}
    settings.update(context)
    browser_context = chromium.new_context(**settings)
    browser_context.set_default_timeout(TIMEOUT_MS)
    page = browser_context.new_page()
    tab = Tab(page, site_url)

    def outside(route: Any) -> None:  # recorded, and never sent
        tab.outside_requests.append(route.request.url)
        route.abort()

    browser_context.route(re.compile(rf"^(?!{re.escape(site_url)})"), outside)
    page.on("console", lambda message: tab.console_errors.append(
        f"{message.text} ({message.location.get('url', '')})")
        if message.type == "error" else None)
    page.on("pageerror", lambda error: tab.console_errors.append(f"uncaught: {error}"))
    try:
        yield tab
    finally:
        browser_context.close()


@pytest.fixture
def tab(chromium: Browser, site_url: str) -> Iterator[Tab]:
    """A 1280×800 light-scheme page on the served sample portal."""
    yield from new_tab(chromium, site_url)


@pytest.fixture
def make_tab(chromium: Browser, site_url: str) -> Iterator[Callable[..., Tab]]:
    """Like `tab`, with other context settings: make_tab(color_scheme="dark")."""
    opened: list[Iterator[Tab]] = []

    def make(**context: Any) -> Tab:
        opened.append(new_tab(chromium, site_url, **context))
        return next(opened[-1])

    yield make
    for tab in opened:
        tab.close()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """What the pages should show: the sample as the pipeline reads it."""
    return check_portal(REPO, TODAY).catalog


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        missing(f"axe-core is not installed ({AXE.relative_to(REPO)} missing): run `npm ci`")
    return AXE.read_text(encoding="utf-8")
