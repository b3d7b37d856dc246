"""Pagefind's index written in parts, each by its own indexer run over at most
PART_PAGES pages:

    python -m generator.mkdocs.pagefind_parts SITE < PAGES

with the pages to index on standard input, one path relative to SITE a line.

Why parts. Pagefind 1.5 holds every page of a run in memory (3.5 GB at 40,000
insights, 5.5 GB with a realistic vocabulary), and its search goes over every
match of a word once for each page the word is on (Pagefind/pagefind#1334, not
released), so its time grows with the square of the pages a word is on: a word
on half of 40,000 pages took 6.9 s. Each part is a bundle of its own, and the
search page merges them (Pagefind's `mergeIndex`): the indexer's memory is
bounded by PART_PAGES, and a query costs the sum of each part's square, not the
square of the sum.

Layout: the first part is the bundle at SITE/pagefind/ (with Pagefind's script
and WebAssembly), part k is at SITE/pagefind/parts/k/, and
SITE/pagefind/portal-parts.json lists those folders relative to the first.

Each run sees only its own pages: they are hard-linked (copied where a link
cannot be made) into a staging folder under SITE, with the same relative paths,
so every result keeps its address.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

BUNDLE = "pagefind"  # the folder Pagefind writes into, under the site dir
PARTS_FOLDER = "parts"  # under the bundle: parts 1, 2, ...
PARTS_FILE = "portal-parts.json"  # under the bundle: the other parts' folders
STAGING = ".pagefind-staging"  # under the site dir, while a part is indexed
HOME = "index.html"
# Pages per indexer run. Smaller parts search common words faster and index in
# less memory, but each part costs the browser a few more requests on its first
# query (benchmarks/search.py measures both).
PART_PAGES = 2_500
PART_PAGES_VARIABLE = "PORTAL_PAGEFIND_PART_PAGES"  # another size, e.g. for tests

_INDEXED = re.compile(r"Indexed (\d+) pages?")
_HEADERLINK = '<a class="headerlink"'  # as MkDocs' toc extension writes it
_running: subprocess.Popen[str] | None = None  # the indexer run under way


def part_pages() -> int:
    size = os.environ.get(PART_PAGES_VARIABLE, "").strip()
    return int(size) if size.isdigit() and int(size) > 0 else PART_PAGES


def parts_of(pages: Sequence[str], size: int) -> list[list[str]]:
    """The pages, sorted, in as few parts of at most `size` as can hold them, of
    sizes differing by one at most. An empty portal is one empty part."""
    ordered = sorted(pages)
    count = max(1, -(-len(ordered) // size))
    return [ordered[index * len(ordered) // count:(index + 1) * len(ordered) // count]
            for index in range(count)]


def ignore_permalinks(html: str) -> str:
    """The "¶" permalink of every heading is not text: it would end each title and
    excerpt of a result."""
    return html.replace(_HEADERLINK, '<a data-pagefind-ignore class="headerlink"')


def part_folder(number: int) -> str:
    """Where part `number` is written, relative to the first part's bundle."""
    return "" if number == 0 else f"{PARTS_FOLDER}/{number}/"


def index_in_parts(site: Path, pages: Sequence[str]) -> int:
    """Index `pages` of the built `site` in parts; Pagefind's output goes to
    standard output. The exit status of the first failing run, else 0."""
    bundle = site / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)  # no stale part from a larger portal
    # Pagefind writes no index of no page, and a search page must still load one: a
    # portal without entries (a new one) indexes its home page, which says so.
    parts = parts_of(pages or [HOME], part_pages())
    indexed = 0
    for number, part in enumerate(parts):  # the first part first: its run may empty its folder
        output = bundle / part_folder(number)
        with _staged(site, part) as staging:
            # -P: never import a `pagefind` from the working directory (the repository).
            completed = _run([sys.executable, "-P", "-m", "pagefind", "--site", str(staging),
                              "--output-path", str(output)])
        print(completed.stdout, flush=True)
        if completed.returncode:
            return completed.returncode
        found = _INDEXED.search(completed.stdout)
        indexed += int(found.group(1)) if found else 0
    manifest = {"parts": [part_folder(number) for number in range(1, len(parts))]}
    (bundle / PARTS_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    print(f"Indexed {indexed} page{'s' if indexed != 1 else ''} in {len(parts)} "
          f"part{'s' if len(parts) > 1 else ''}", flush=True)
    return 0


@contextmanager
def _staged(site: Path, pages: Sequence[str]) -> Iterator[Path]:
    staging = site / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for rel in pages:
            source, target = site / rel, staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel == HOME:  # not marked by the plugin: its permalinks are still text
                target.write_text(ignore_permalinks(source.read_text(encoding="utf-8")),
                                  encoding="utf-8")
                continue
            try:
                os.link(source, target)
            except OSError:  # another file system, or links not allowed
                shutil.copyfile(source, target)
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    """One indexer run; stopped with this process (see _stop)."""
    global _running
    _running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
    output, _ = _running.communicate()
    completed = subprocess.CompletedProcess(command, _running.returncode, output)
    _running = None
    return completed


def _stop(signum: int, frame: FrameType | None) -> None:
    """Stopped (a preview's newer build): stop the indexer run under way too."""
    if _running is not None and _running.poll() is None:
        _running.kill()
    sys.exit(128 + signum)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    # The plugin's list of the pages it marked: relative paths inside the site.
    pages = [line for line in sys.stdin.read().splitlines()
             if line and not Path(line).is_absolute() and ".." not in Path(line).parts]
    return index_in_parts(Path(argv[1]), pages)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
