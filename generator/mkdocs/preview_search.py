"""Material's search index for the preview, built in a background process on
demand (`python -m generator.mkdocs.devserver ROOT OUTPUT`, see
devserver.build_search_index): pages and reloads never wait for it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..check.processes import terminate
from . import SEARCH_PLUGINS, pagefind
from .preview_http import Response

log = logging.getLogger("mkdocs.portal.serve")

SEARCH_INDEX = "search/search_index.json"


class SearchIndex:
    """Material's search_index.json, built in a background process on demand."""

    TIMEOUT = 600.0

    def __init__(self, site: Any) -> None:  # a devserver.PreviewSite
        self.site = site
        self.data: bytes | None = None
        self.built_generation = -1
        self.process: subprocess.Popen[bytes] | None = None
        self.output: Path | None = None
        self.started_generation = -1
        self.lock = threading.Lock()
        self.ready = threading.Condition(self.lock)

    def respond(self) -> Response | None:
        with self.lock:
            if self.data is None:
                previous = self.site.last_build / SEARCH_INDEX
                if previous.is_file():
                    self.data = previous.read_bytes()
            if self.built_generation != self.site.generation:
                self._start()
            if self.data is None:  # nothing to serve yet: this request waits, no other
                self.ready.wait_for(lambda: self.data is not None or self.process is None,
                                    timeout=self.TIMEOUT)
            if self.data is None:
                return None
            return Response("200 OK", self.data, "application/json")

    def _start(self) -> None:
        # Material's index only: with Pagefind (the default) its plugin is turned off.
        if self.process is not None or pagefind.enabled(self.site.plugin.config.search) \
                or not any(name in self.site.config.plugins for name in SEARCH_PLUGINS):
            return
        fd, name = tempfile.mkstemp(prefix="search-index-", suffix=".json",
                                    dir=self.site.site_dir)
        os.close(fd)
        self.output, self.started_generation = Path(name), self.site.generation
        self.process = subprocess.Popen(  # same process group: a killpg ends it too
            [sys.executable, "-P", "-m", "generator.mkdocs.devserver", str(self.site.root), name],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            # Its temporary files go in ours, which we delete whatever happens to it.
            env={**os.environ, "TMPDIR": self.site.site_dir})
        log.info(f"Building the search index in the background (pid {self.process.pid})")
        threading.Thread(target=self._wait, args=(self.process,), daemon=True).start()

    def _wait(self, process: subprocess.Popen[bytes]) -> None:
        _, errors = process.communicate()
        with self.lock:
            if process is not self.process:
                return
            output = self.output
            if process.returncode == 0 and output is not None and output.is_file():
                self.data = output.read_bytes()
                self.built_generation = self.started_generation
                log.info("Search index ready")
            elif process.returncode > 0:
                log.warning("Building the search index failed:\n"
                            + errors.decode("utf-8", "replace")[-2000:])
                self.built_generation = self.started_generation  # not again until a change
            if output is not None:
                output.unlink(missing_ok=True)
            self.process = None
            self.ready.notify_all()

    def stop(self) -> None:
        with self.lock:
            process, self.process = self.process, None
            self.ready.notify_all()
        terminate(process, timeout=5)
