"""Run an indexed job on every core with forked workers.

Checking and rendering 10,000 pages are both a loop of independent steps over
data the parent process already holds. Forked workers inherit that data
(copy-on-write) instead of receiving it pickled, and send back only their
results.

Workers are used only when there are enough items to pay for the fork (about
10 ms a worker) and the process has no other threads: forking a threaded
process can copy a lock another thread holds (a live preview server, for
instance, works in one process). Anything going wrong with the workers falls
back to running here, so the result never depends on whether workers ran.
PORTAL_WORKERS=N in the environment caps the processes at N. Every worker dies
with the process that forked it, even one killed with SIGKILL (see processes.py).
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.pool
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .processes import Parent, die_with_parent, this_process

T = TypeVar("T")
# Smaller chunks even out fast and slow items, and let the caller of imap_indexed
# start on results sooner.
_CHUNKS_PER_WORKER = 8
WORKERS_VARIABLE = "PORTAL_WORKERS"  # at most this many processes (1: no workers)

# The job forked workers inherit: set just before the pool starts.
_job: Callable[[int], object] | None = None


def map_indexed(job: Callable[[int], T], count: int, min_items: int) -> list[T]:
    """[job(0), …, job(count - 1)], computed by forked workers when worth it."""
    return list(imap_indexed(job, count, min_items))


def imap_indexed(job: Callable[[int], T], count: int, min_items: int) -> Iterator[T]:
    """job(0), …, job(count - 1) in order, computed by forked workers when worth
    it, each given as soon as its chunk is done: the caller works on the first
    results while the workers compute the rest."""
    done = 0
    workers = worker_count(count, min_items)
    if workers > 1:
        try:
            for result in _in_workers(job, count, workers):
                yield result  # type: ignore[misc]
                done += 1
        except (OSError, multiprocessing.ProcessError, pickle.PickleError, EOFError):
            pass  # e.g. no fork allowed here: the rest runs in this process instead
    for index in range(done, count):
        yield job(index)


class Stream(Generic[T]):
    """One forked worker computing [job(0), …, job(count - 1)] in order, in chunks
    the caller takes as they come while it does other work. The worker runs at
    most about one chunk ahead: it blocks on the pipe until the caller reads, so
    results never pile up in memory when the caller is the slower of the two."""

    def __init__(self, job: Callable[[int], T], count: int, chunk_size: int) -> None:
        global _job
        context = multiprocessing.get_context("fork")
        self._reader, writer = context.Pipe(duplex=False)
        _job = job
        try:
            self._process = context.Process(
                target=_produce, args=(this_process(), self._reader, writer, count, chunk_size),
                daemon=True)
            self._process.start()  # forks now, inheriting _job
        finally:
            _job = None
            writer.close()

    def __iter__(self) -> Iterator[list[T]]:
        """The chunks in order; EOFError if the worker ended before sending them all."""
        while True:
            chunk = self._reader.recv()
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        self._reader.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def stream_indexed(job: Callable[[int], T], count: int, chunk_size: int) -> Stream | None:
    """A Stream of job's results, or None if the process cannot fork."""
    try:
        return Stream(job, count, chunk_size)
    except (OSError, ValueError):
        return None


def _produce(parent: Parent, reader: multiprocessing.connection.Connection,
             writer: multiprocessing.connection.Connection, count: int,
             chunk_size: int) -> None:
    die_with_parent(parent)
    # The parent's end, inherited: with it open here, a send to a parent that is
    # gone would block forever instead of failing.
    reader.close()
    # The parent's objects are shared copy-on-write: a collection here would
    # touch (and so copy) every one of them. This process is short-lived.
    gc.freeze()
    for start in range(0, count, chunk_size):
        writer.send(_run_chunk(range(start, min(start + chunk_size, count))))
    writer.send(None)
    writer.close()


def beside(job: Callable[[], T], items: int) -> Callable[[], T]:
    """Start job() in a forked process, beside what this process does next; the
    function returned gives its result, waiting for it if need be. Where a fork
    does not pay (fewer than BESIDE_MIN_ITEMS items for the job), is not safe
    (other threads) or fails, job() runs here when its result is asked for."""
    if worker_count(items, BESIDE_MIN_ITEMS) < 2:  # too few items, other threads, one core
        return job
    stream = stream_indexed(lambda index: job(), 1, 1)
    if stream is None:
        return job

    def result() -> T:
        try:
            [[answer]] = list(stream)
            return answer
        except (OSError, EOFError, ValueError, pickle.PickleError):
            return job()  # the process died or sent nothing usable: do it here
        finally:
            stream.close()

    return result


# Below this many items, forking costs more than it saves (measured in issue 5 for
# checks, renders and both build workers alike): everything below stays in one process.
FORK_MIN_ITEMS = 400
# A job `beside` runs, on fewer items than this, costs less than the fork: the
# duplicate comparison takes about 20 microseconds an insight, a fork 10 ms.
BESIDE_MIN_ITEMS = 2000


def _other_threads() -> bool:
    """Whether threads besides this one run: forking then could copy a lock one of
    them holds. A thread marked `fork_safe` (the page budget's watchdog, which a
    child never uses) does not count."""
    return any(thread is not threading.current_thread() and not getattr(thread, "fork_safe", False)
               for thread in threading.enumerate())


def worker_count(items: int, min_items: int) -> int:
    if items < min_items or _other_threads():
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count()
    limit = os.environ.get(WORKERS_VARIABLE, "").strip()
    if limit.isdigit():  # e.g. PORTAL_WORKERS=1 on a machine shared with other jobs
        cores = min(cores or 1, int(limit))
    return max(1, min(cores or 1, items // max(1, min_items // 2)))


def _in_workers(job: Callable[[int], object], count: int, workers: int) -> Iterator[object]:
    global _job
    size = -(-count // (workers * _CHUNKS_PER_WORKER))
    chunks = [range(start, min(start + size, count)) for start in range(0, count, size)]
    _job = job
    try:
        with multiprocessing.get_context("fork").Pool(
                workers, initializer=die_with_parent, initargs=(this_process(),)) as pool:
            for chunk in pool.imap(_run_chunk, chunks, chunksize=1):
                yield from chunk
    finally:
        _job = None


def _run_chunk(indices: range) -> list[object]:
    assert _job is not None  # set by the parent before forking
    return [_job(index) for index in indices]
