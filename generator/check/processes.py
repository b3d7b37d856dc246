"""Stopping the background processes the portal starts (the preview's search
indexer, Pagefind under `mkdocs serve`), and making forked processes die with
the process that forked them.

A worker forked by the build blocks on its pipe until the build reads from it:
if the build is killed (SIGKILL cannot be caught, so nothing runs to stop the
workers) it would wait there forever. Every fork site calls `die_with_parent`
in the child right after the fork, with the `Parent` recorded before it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 1.0  # without prctl: how often a child checks that its parent lives


def _load_prctl() -> Callable[[int, int], int] | None:
    """libc's prctl, looked up here, before any fork: a child then loads nothing
    (dlopen takes a lock another thread of the parent could have held)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


@dataclass(frozen=True, slots=True)
class Parent:
    """The forking process, recorded in it before the fork."""

    pid: int
    main_thread: int | None  # its main thread's id


def this_process() -> Parent:
    """Call in the parent, before forking; pass the result to the child."""
    return Parent(os.getpid(), threading.main_thread().ident)


def die_with_parent(parent: Parent, *, watch: bool = True) -> None:
    """In a child right after fork: be killed (SIGKILL) as soon as `parent` dies,
    however it dies.

    On Linux the kernel does it (PR_SET_PDEATHSIG, kept across exec). It fires
    when the *thread* that forked ends, so it is used only for a fork from the
    parent's main thread, which lives as long as the process (the portal forks
    workers only while it has no other thread; a pool's replacement worker is
    forked from the pool's own thread). Otherwise, or without prctl (macOS),
    and if `watch`, a daemon thread checks once a second that the parent is
    still there; `watch=False` before an exec, which no thread survives.
    """
    from_main_thread = threading.get_ident() == parent.main_thread  # the same id after fork
    by_kernel = _prctl is not None and from_main_thread \
        and _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    if not by_kernel and watch:
        threading.Thread(target=_watch, args=(parent.pid,), name="parent-watch",
                         daemon=True).start()
    # The parent may have died before the line above: then no signal comes.
    if os.getppid() != parent.pid:
        os._exit(128 + signal.SIGKILL)


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:  # an orphan is adopted by another process
        time.sleep(_WATCH_SECONDS)
    os._exit(128 + signal.SIGKILL)


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
