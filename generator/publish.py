"""Atomic publishing: `portal build` builds into a fresh folder next to the site
and swaps it in only when MkDocs succeeded.

`mkdocs build` empties the site folder first and writes into it page by page,
so a build that fails (a content error, a crash, Ctrl-C, a CI runner's
SIGTERM) leaves a half-written or empty site behind, and a web server serving
the folder shows it. Here the previous site is never touched until a complete
new one exists on the same file system; then the two are swapped with one
`renameat2(RENAME_EXCHANGE)` where the system has it (no moment without a
site), else with two renames, and the old one is deleted afterwards.

MkDocs runs as a child process in its own process group: a signal to `portal
build` is passed on to the whole group (MkDocs, its forked workers, git), the
staging folder is deleted, and the exit status is 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

STAGING_MARK = ".building-"  # .site.building-<pid>-<random>: the new site being built
REPLACED_MARK = ".replaced-"  # .site.replaced-<pid>-<random>: the old site, being deleted
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10.0  # after a forwarded SIGTERM, before SIGKILL
_RENAME_EXCHANGE = 2
_PR_SET_PDEATHSIG = 1


class UnsafeSiteDir(ValueError):
    """A site folder whose replacement would delete the portal's own files."""


def check_site_dir(site: Path, root: Path, protected: Sequence[Path]) -> None:
    """Refuse a site folder that holds the portal, or sits inside its sources.

    MkDocs refuses these itself, but it only sees the staging folder; the swap
    would then rename the portal away and delete it.
    """
    if root.is_relative_to(site):
        raise UnsafeSiteDir(f"the site folder {site} contains the portal itself")
    for folder in protected:
        if site.is_relative_to(folder) or folder.is_relative_to(site):
            raise UnsafeSiteDir(f"the site folder {site} overlaps {folder}")


def build_and_swap(command: Callable[[Path], list[str]], environment: dict[str, str],
                   site: Path, echo: Callable[[str], None]) -> int:
    """Run `command(staging_folder)` and, when it exits 0, make its output `site`.

    Returns the exit status for `portal build`: the command's when it failed,
    128 + the signal's number when interrupted; 0 once the new site is in place.
    Whatever happens, the staging folder is gone afterwards.
    """
    site.parent.mkdir(parents=True, exist_ok=True)
    _sweep_abandoned(site)
    with _Guard() as guard:
        staging = Path(tempfile.mkdtemp(prefix=f".{site.name}{STAGING_MARK}{os.getpid()}-",
                                        dir=site.parent))
        try:
            status = guard.run(command(staging), environment)
            if guard.signum is not None or status != 0:
                outcome = f"{site} is unchanged" if site.exists() else "nothing was published"
                echo(f"Interrupted: {outcome}." if guard.signum is not None
                     else f"The build failed: {outcome}.")
                return 128 + guard.signum if guard.signum is not None else status
            os.chmod(staging, _folder_mode(site))
            # From here on a signal waits until the swap and the clean-up are done:
            # stopping half-way would leave the old site's remains next to the new.
            replaced = _swap(staging, site)
            if replaced is not None:
                shutil.rmtree(replaced)
            echo(f"Published the site to {site}")
            return 128 + guard.signum if guard.signum is not None else 0
        finally:
            if staging.exists() or staging.is_symlink():
                shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, site: Path) -> Path | None:
    """Put `staging` in the place of `site`; return where the old site now is."""
    if not site.exists() and not site.is_symlink():
        os.rename(staging, site)
        return None
    if _exchange(staging, site):
        return staging
    replaced = Path(tempfile.mkdtemp(prefix=f".{site.name}{REPLACED_MARK}{os.getpid()}-",
                                     dir=site.parent))
    try:
        os.rename(site, replaced / site.name)
    except OSError:
        replaced.rmdir()
        raise
    try:
        os.rename(staging, site)
    except OSError:
        os.rename(replaced / site.name, site)  # put the old site back
        replaced.rmdir()
        raise
    return replaced


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # not glibc >= 2.28
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # file system without it
        return False
    raise OSError(error, os.strerror(error), str(b))


def _folder_mode(site: Path) -> int:
    """The previous site's permissions, else a new folder's: mkdtemp makes 0700,
    which a web server running as another user could not read."""
    try:
        return stat.S_IMODE(site.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o777 & ~mask


def _sweep_abandoned(site: Path) -> None:
    """Delete staging and replaced folders of builds whose process no longer exists
    (killed with SIGKILL, or the machine stopped): nothing else can clean them up."""
    prefixes = [f".{site.name}{mark}" for mark in (STAGING_MARK, REPLACED_MARK)]
    for path in site.parent.iterdir():
        prefix = next((p for p in prefixes if path.name.startswith(p)), None)
        if prefix is None:
            continue
        pid_text = path.name[len(prefix):].partition("-")[0]
        if pid_text.isdigit() and not _alive(int(pid_text)) and path.is_dir() \
                and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Guard:
    """Runs the build as a child in its own process group, passing on SIGINT,
    SIGTERM and SIGHUP to the whole group and remembering the first one."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.deadline: float | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _Guard:
        for signum in FORWARDED:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum
        if self.process is not None and self.deadline is None:  # the build is running
            self.deadline = time.monotonic() + GRACE_SECONDS
            self._kill_group(signal.SIGTERM)

    def _kill_group(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)

    def run(self, command: list[str], environment: dict[str, str]) -> int:
        if self.signum is not None:  # interrupted before the build started
            return 128 + self.signum
        self.process = subprocess.Popen(command, env=environment, process_group=0,
                                        preexec_fn=_die_with_parent)
        try:
            if self.signum is not None:  # a signal came while the child was starting
                self._handle(self.signum, None)
            while True:
                try:
                    return self.process.wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    if self.deadline is not None and time.monotonic() > self.deadline:
                        self._kill_group(signal.SIGKILL)
        finally:
            if self.signum is not None:  # forked workers the build left behind
                self._kill_group(signal.SIGKILL)
            self.process = None  # reaped: its id may now belong to someone else


def _die_with_parent() -> None:
    """In the child: if `portal build` itself is killed (SIGKILL, which cannot be
    passed on), the kernel sends the build SIGTERM, so it does not run on."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

