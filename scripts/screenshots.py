#!/usr/bin/env python3
"""Screenshots of the sample portal for the README: home, an insight, a journey, the
index, a team's page and a search.

    .venv/bin/python scripts/screenshots.py            # writes .github/screenshots/*.png

Builds the repository's own sample content (Basketful) as of the date it is written for
(`--today 2026-11-24`, as the README's first command builds it, so Home's This week shows
a real week), serves it on a local port and photographs each page in headless Chromium
at 1280×800, light scheme — the same server and browser as the browser tests
(tests/browser_support.py), so it needs what they need: `pip install -e '.[test]'` and
Debian's Chromium (`apt-get install chromium`). Run it again after a change to the
templates, the CSS or the sample, and commit the images.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from browser_support import (  # noqa: E402 - after the path above
    VIEWPORT,
    browser_problem,
    build_sample,
    launch,
    serve,
)

OUT = REPO / ".github" / "screenshots"
MAX_BYTES = 300_000  # the README loads them all: keep each small
# The day the sample is written as of: the README's first command builds it with this
# --today, and This week on Home lists the seven days up to it.
SAMPLE_TODAY = dt.date(2026, 11, 24)

# file name -> (page, element to scroll to the top of the window, or None for the page top)
SHOTS = {
    "home.png": ("", None),
    "insight.png": ("insights/missing-items-found-after-van-leaves/", "#decision"),
    "journey.png": ("journeys/online-grocery-order/", "table.ip-heat"),
    "insights-index.png": ("insights/#status=new,under-review", None),
    "team.png": ("teams/delivery-ops/", None),
    "search.png": ("search/?q=delivery+slot", None),
}


def take(out: Path, today: dt.date = SAMPLE_TODAY) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as work:
        site = build_sample(Path(work) / "site", today, "--strict")  # as the README
        with serve(site) as base, sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(viewport=VIEWPORT, color_scheme="light",
                                          reduced_motion="reduce", device_scale_factor=1)
            page = context.new_page()
            for name, (path, anchor) in SHOTS.items():
                page.goto(base + path, wait_until="load")
                if page.locator(".ip-app").count():
                    page.wait_for_selector(".ip-app:not([aria-busy]) .ip-results-line")
                if page.locator("#portal-search").count():  # Pagefind's answer
                    page.wait_for_selector(".ip-search-results .ip-card-title a")
                if anchor:  # the heading above it stays in view
                    page.eval_on_selector(anchor, "el => scrollTo(0, el.getBoundingClientRect()"
                                          ".top + scrollY - 180)")
                page.wait_for_timeout(200)  # Material's header settles after a scroll
                target = out / name
                page.screenshot(path=str(target), animations="disabled", caret="hide")
                written.append(target)
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT.relative_to(REPO)}")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=SAMPLE_TODAY,
                        metavar="YYYY-MM-DD", help="the date the sample is built as of "
                        f"(default {SAMPLE_TODAY.isoformat()}, as the README builds it)")
    args = parser.parse_args()
    problem = browser_problem()
    if problem:
        print(f"screenshots: {problem}", file=sys.stderr)
        return 1
    too_big = []
    for path in take(args.out, args.today):
        size = path.stat().st_size
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}  {size // 1024} KB")
        if size > MAX_BYTES:
            too_big.append(path.name)
    if too_big:
        print(f"screenshots: over {MAX_BYTES // 1000} KB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
