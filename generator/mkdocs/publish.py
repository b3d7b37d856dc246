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

An error of the machine rather than of the portal (a full disk, a read-only
folder, a quota) ends in one line saying what failed where and that the last
good site is unchanged, not in a traceback: MkDocs runs through `run_mkdocs`,
which reports such an error to `portal build` through a pipe and exits 1.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from types import FrameType, TracebackType

from ..check.processes import die_with_parent, this_process

STAGING_MARK = ".building-"  # .site.building-<pid>-<random>: the new site being built
REPLACED_MARK = ".replaced-"  # .site.replaced-<pid>-<random>: the old site, being deleted
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10.0  # after a forwarded SIGTERM, before SIGKILL
_RENAME_EXCHANGE = 2
REPORT_FD = "PORTAL_BUILD_REPORT_FD"  # the pipe run_mkdocs reports an OSError to
# Errors of the machine, not of the portal: reported in one line, not a traceback.
# EFBIG: a file size limit (ulimit -f), which fails writes as a full disk does.
MACHINE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS,
                            errno.EACCES, errno.EPERM, errno.EIO, errno.EMFILE, errno.ENFILE})


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


def mkdocs_command(*args: str) -> list[str]:
    """`mkdocs ARGS` in a new process, through run_mkdocs. With -P: `python -m`
    would put the current folder (the portal, a pull request's files) first on
    the import path, so a folder named like a module MkDocs imports would run."""
    return [sys.executable, "-P", "-m", "generator.mkdocs.publish", *args]


def build_and_swap(command: Callable[[Path], list[str]], environment: dict[str, str],
                   site: Path, echo: Callable[[str], None]) -> int:
    """Run `command(staging_folder)` and, when it exits 0, make its output `site`.

    Returns the exit status for `portal build`: the command's when it failed,
    128 + the signal's number when interrupted; 0 once the new site is in place;
    1 after an OSError (a full disk, a read-only folder), told in one line.
    Whatever happens, the staging folder is gone afterwards.
    """
    staging: Path | None = None
    doing: str | None = f"creating {_shown(site.parent)}"  # None: the error's path says it
    try:
        site.parent.mkdir(parents=True, exist_ok=True)
        _sweep_abandoned(site)
        if site.is_dir() and not os.access(site, os.W_OK):
            # The swap would succeed (it changes only the parent) but the old site
            # could not be deleted: refuse before the build rather than after.
            doing = None
            raise PermissionError(errno.EACCES, "the site folder is read-only", str(site))
        with _Guard() as guard:
            doing = f"creating a folder to build in, in {_shown(site.parent)}"
            staging = Path(tempfile.mkdtemp(prefix=f".{site.name}{STAGING_MARK}{os.getpid()}-",
                                            dir=site.parent))
            try:
                doing = None
                status = guard.run(command(staging), environment)
                if guard.signum is None and status != 0 and guard.failure is not None:
                    raise guard.failure  # the build's own report: a full disk, say
                if guard.signum is not None or status != 0:
                    outcome = f"{site} is unchanged" if site.exists() else "nothing was published"
                    echo(f"Interrupted: {outcome}." if guard.signum is not None
                         else f"The build failed: {outcome}.")
                    return 128 + guard.signum if guard.signum is not None else status
                doing = "putting the new site in place"
                os.chmod(staging, _folder_mode(site))
                # From here on a signal waits until the swap and the clean-up are done:
                # stopping half-way would leave the old site's remains next to the new.
                replaced = _swap(staging, site)
                if replaced is not None:
                    _delete_replaced(replaced, echo)
                echo(f"Published the site to {site}")
                return 128 + guard.signum if guard.signum is not None else 0
            finally:
                if staging.exists() or staging.is_symlink():
                    shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        echo(failure_line(error, site, staging, doing))
        return 1


def failure_line(error: OSError, site: Path, staging: Path | None = None,
                 doing: str | None = None) -> str:
    """`portal build: error: <what failed where>; <what became of the site>`.
    `doing`: what `portal build` itself was doing; None: the build (or a check)
    failed, and the error's own path says where."""
    what = error.strerror or str(error)
    what = what[:1].lower() + what[1:]
    paths = [Path(os.fsdecode(path)) for path in (error.filename2, error.filename)
             if isinstance(path, str | bytes)]  # a copy's destination first
    written = next((path for path in paths
                    if staging is not None and path.is_relative_to(staging)), None)
    if doing is not None:
        what += f" while {doing}"
    elif written is not None:  # shown where it will be, not in the staging folder
        what += f" while writing {_shown(site / written.relative_to(staging))}"
    elif paths:
        what += f": {_shown(paths[-1])}"
    else:
        what += " while building the site"
    outcome = (f"the last good site in {_shown(site)} is unchanged" if site.exists()
               else "nothing was published")
    return f"portal build: error: {what}; {outcome}"


def _shown(path: Path) -> str:
    """`path` relative to the working folder when inside it, else absolute."""
    try:
        relative = Path(os.path.relpath(path))
    except (ValueError, OSError):  # another drive; no working folder any more
        return str(path)
    return str(path) if relative.parts[:1] == ("..",) else str(relative)


def _delete_replaced(replaced: Path, echo: Callable[[str], None]) -> None:
    """Delete the old site; the new one is in place whatever happens here."""
    try:
        shutil.rmtree(replaced)
    except OSError as error:
        echo(f"portal build: warning: could not delete the previous site, left in "
             f"{_shown(replaced)}: {error.strerror or error}")


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
        self.failure: OSError | None = None  # what the build reported (see run_mkdocs)
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
        # If `portal build` itself is killed (SIGKILL, which cannot be passed on),
        # the kernel kills the build too, so it does not run on; its workers then die
        # with it. No thread survives the exec: where prctl is missing (macOS), the
        # build runs to its end and its staging folder is swept by the next build.
        report, report_writer = os.pipe()  # no disk needed to say the disk is full
        try:
            self.process = subprocess.Popen(
                command, env={**environment, REPORT_FD: str(report_writer)},
                pass_fds=(report_writer,), process_group=0,
                preexec_fn=partial(die_with_parent, this_process(), watch=False))
        except BaseException:
            os.close(report)
            raise
        finally:
            os.close(report_writer)
        try:
            if self.signum is not None:  # a signal came while the child was starting
                self._handle(self.signum, None)
            while True:
                try:
                    status = self.process.wait(timeout=0.5)
                    self.failure = _read_report(report)
                    return status
                except subprocess.TimeoutExpired:
                    if self.deadline is not None and time.monotonic() > self.deadline:
                        self._kill_group(signal.SIGKILL)
        finally:
            os.close(report)
            if self.signum is not None:  # forked workers the build left behind
                self._kill_group(signal.SIGKILL)
            self.process = None  # reaped: its id may now belong to someone else


def _read_report(report: int) -> OSError | None:
    """The OSError run_mkdocs reported, written before it exited (a worker of the
    build may still hold the pipe open: read without waiting)."""
    os.set_blocking(report, False)
    try:
        data = json.loads(os.read(report, 65536) or b"null")
        return OSError(data["errno"], os.strerror(data["errno"]), data["path"])
    except (BlockingIOError, ValueError, TypeError, KeyError):  # nothing, or not a report
        return None


def run_mkdocs(argv: list[str]) -> int:
    """In the build process: `mkdocs ARGV`. An error of the machine (a full disk, a
    read-only folder) is reported to `portal build`, which says it in one line,
    instead of a traceback; any other error keeps its traceback."""
    from mkdocs.__main__ import cli

    report = os.environ.pop(REPORT_FD, "")
    try:
        cli.main(args=argv, prog_name="mkdocs")  # exits
    except OSError as error:
        if error.errno not in MACHINE_ERRORS or not report.isdigit():
            raise
        path = error.filename2 or error.filename or _written_path(error.__traceback__)
        message = {"errno": error.errno, "path": None if path is None else os.fsdecode(path)}
        os.write(int(report), json.dumps(message).encode())
        return 1
    return 0


def _written_path(trace: TracebackType | None) -> str | None:
    """The file being written when a write failed (a full disk fails `write`, which
    names no file): the innermost `output_path` (MkDocs' write_file) or `path`."""
    frames = []
    while trace is not None:
        frames.append(trace.tb_frame)
        trace = trace.tb_next
    for frame in reversed(frames):
        for name in ("output_path", "path"):
            value = frame.f_locals.get(name)
            if isinstance(value, str | os.PathLike):
                return os.fspath(value)  # type: ignore[return-value]
    return None


if __name__ == "__main__":  # the build process of `portal build` (see mkdocs_command)
    sys.exit(run_mkdocs(sys.argv[1:]))
