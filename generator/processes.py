"""Stopping the background processes the portal starts (the preview's search
indexer, Pagefind under `mkdocs serve`)."""

from __future__ import annotations

import subprocess


def terminate(process: subprocess.Popen | None, timeout: float) -> None:
    """Ask a running process to stop; kill it if it has not after `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
