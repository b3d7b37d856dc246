"""`portal serve` while a researcher edits: a broken file is reported in the
terminal and the preview keeps running and rebuilding."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import PortalFactory
from test_rules import INSIGHT, changed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (localhost)
        return response.read().decode("utf-8")


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def test_broken_file_is_reported_and_the_preview_keeps_serving(make_portal: PortalFactory,
                                                               tmp_path: Path) -> None:
    root = make_portal(mkdocs_yml="site_name: t\ntheme: material\nplugins:\n"
                                  "  - insight-portal\n")
    (root / "docs").mkdir(exist_ok=True)
    port = _free_port()
    log_path = tmp_path / "serve.log"
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1795478400", "NO_MKDOCS_2_WARNING": "1"}
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", str(root),
             "--dev-addr", f"127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT, env=environment)
    try:
        page = f"http://127.0.0.1:{port}/insights/fees-surprise/"
        assert _wait_for(lambda: "Delivery fee surprises" in _get(page)), log_path.read_text()

        (root / INSIGHT).write_text(
            changed(INSIGHT, "title: Delivery fee surprises shoppers at checkout",
                    "title: Fee shock at checkout").replace("personas: [shopper]",
                                                            "personas: [shoper]"),
            encoding="utf-8")
        assert _wait_for(lambda: "Fee shock at checkout" in _get(page)), log_path.read_text()
        output = log_path.read_text()
        assert "insights/fees-surprise.md:5: error:" in output
        assert "[unknown-persona]" in output
        assert "Traceback" not in output
        assert server.poll() is None, "the preview server stopped"
    finally:
        server.terminate()
        server.wait(timeout=10)
