"""The preview's HTTP side: MkDocs' live-reload server (long-poll epochs, script
injection, the rebuild loop) serving pages a preview site renders on request
(devserver.PreviewSite), and telling it what the file watcher saw.
"""

from __future__ import annotations

import logging
import os
import traceback
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any, Protocol

import watchdog.events
import watchdog.observers
import watchdog.observers.polling
from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.portal.serve")


@dataclass
class Response:
    status: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Change:
    """What the watcher saw since the last refresh."""

    paths: frozenset[str]
    structure: bool  # a folder was created, deleted or moved


class Site(Protocol):
    """What the server needs of a preview site (devserver.PreviewSite)."""

    site_dir: str
    mount_path: str
    lock: Any

    def refresh(self, change: Change) -> None: ...

    def respond(self, path: str) -> Response | None: ...

    def render_template(self, name: str) -> bytes: ...


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server (long-poll epochs, script injection, the rebuild
    loop), serving pages from a PreviewSite instead of a built folder."""

    def __init__(self, site: Site, host: str, port: int) -> None:
        self.site = site
        self._changes: set[str] = set()
        self._structure = False
        super().__init__(builder=self._rebuild, host=host, port=port, root=site.site_dir,
                         mount_path=site.mount_path)
        # inotify, not MkDocs' 0.5 s polling of every file: a save is seen at once,
        # and 10,000 files are not stat-ed twice a second.
        self.observer = watchdog.observers.Observer()
        self._schedules: list[tuple[Any, str, bool]] = []
        self.error_handler = self._error_page

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1
        server = self

        class Recorder(watchdog.events.FileSystemEventHandler):
            def on_any_event(self, event: watchdog.events.FileSystemEvent) -> None:
                if event.event_type in (watchdog.events.EVENT_TYPE_OPENED,
                                        watchdog.events.EVENT_TYPE_CLOSED_NO_WRITE):
                    return
                if event.is_directory and event.event_type == \
                        watchdog.events.EVENT_TYPE_MODIFIED:
                    return
                with server._rebuild_cond:
                    server._changes.add(os.fsdecode(event.src_path))
                    if getattr(event, "dest_path", ""):
                        server._changes.add(os.fsdecode(event.dest_path))
                    if event.is_directory:  # a folder created, moved or deleted
                        server._structure = True
                    server._want_rebuild = True
                    server._rebuild_cond.notify_all()

        handler = Recorder()
        self._schedules.append((handler, path, recursive))
        try:
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)
        except OSError as error:  # e.g. out of inotify watches: poll, as mkdocs serve does
            log.warning(f"Watching files by polling ({error})")
            self.observer = watchdog.observers.polling.PollingObserver(timeout=0.5)
            for handler, watched, recursive in self._schedules:
                self._watch_refs[watched] = self.observer.schedule(handler, watched,
                                                                   recursive=recursive)

    def _rebuild(self) -> None:
        with self._rebuild_cond:
            change = Change(frozenset(self._changes), self._structure)
            self._changes, self._structure = set(), False
        try:
            self.site.refresh(change)
        except Exception:  # noqa: BLE001 - the preview must survive any bad input
            traceback.print_exc()
            log.error("The preview could not be refreshed; it shows the last good state. "
                      "Fix the problem and save.")

    def _serve_request(self, environ: dict[str, Any], start_response: Any
                       ) -> Iterable[bytes] | None:
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
        if path.startswith("/livereload/"):
            return super()._serve_request(environ, start_response)
        if path == "/" and self.mount_path != "/":
            start_response("302 Found", [("Location", urllib.parse.quote(self.mount_path))])
            return []
        # Wait for an ongoing refresh, so no page from before a save is served after it.
        with self._epoch_cond:
            self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
            epoch = self._visible_epoch
        try:
            response = self.site.respond(path)
        except Exception as error:  # noqa: BLE001 - show it in the browser, keep serving
            traceback.print_exc()
            response = Response("500 Internal Server Error", _error_html(path, error))
        if response is None:
            return None
        body = response.body
        if response.content_type.startswith("text/html"):
            body = self._inject_js_into_html(body, epoch)
        headers = [("Content-Type", response.content_type),
                   ("Content-Length", str(len(body))), *response.headers]
        start_response(response.status, headers)
        return [body]

    def _error_page(self, code: int) -> bytes | None:
        if code != 404:
            return None
        try:
            with self.site.lock:
                page = self.site.render_template("404.html")
        except Exception:  # noqa: BLE001 - fall back to MkDocs' plain message
            return None
        return self._inject_js_into_html(page, self._visible_epoch)


def _error_html(path: str, error: Exception) -> bytes:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Preview error</title>"
            f"</head><body><h1>This page could not be rendered</h1><p>{escape(path)}</p>"
            f"<pre>{escape(type(error).__name__)}: {escape(str(error))}</pre>"
            f"<p>Fix the problem and save; the page reloads.</p></body></html>").encode()


