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
PORTAL_WORKERS=N in the environment caps the processes at N.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_CHUNKS_PER_WORKER = 4  # smaller chunks even out fast and slow items
WORKERS_VARIABLE = "PORTAL_WORKERS"  # at most this many processes (1: no workers)

# The job forked workers inherit: set just before the pool starts.
_job: Callable[[int], object] | None = None


def map_indexed(job: Callable[[int], T], count: int, min_items: int) -> list[T]:
    """[job(0), …, job(count - 1)], computed by forked workers when worth it."""
    workers = worker_count(count, min_items)
    if workers > 1:
        try:
            return _in_workers(job, count, workers)  # type: ignore[return-value]
        except (OSError, multiprocessing.ProcessError, pickle.PickleError, EOFError):
            pass  # e.g. no fork allowed here: run in this process instead
    return [job(index) for index in range(count)]


def stream_indexed(job: Callable[[int], T], count: int, chunk_size: int
                   ) -> tuple[multiprocessing.pool.Pool, Iterator[list[T]]] | None:
    """One forked worker computing [job(0), …, job(count - 1)] in order, in
    chunks the caller takes as they come while it does other work; None if the
    process cannot fork. The caller terminates the pool."""
    global _job
    _job = job
    try:
        pool = multiprocessing.get_context("fork").Pool(1)  # forks now, inheriting _job
    except (OSError, ValueError):
        return None
    finally:
        _job = None
    chunks = [range(start, min(start + chunk_size, count))
              for start in range(0, count, chunk_size)]
    return pool, pool.imap(_run_chunk, chunks)  # type: ignore[arg-type]


def worker_count(items: int, min_items: int) -> int:
    if items < min_items or threading.active_count() > 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count()
    limit = os.environ.get(WORKERS_VARIABLE, "").strip()
    if limit.isdigit():  # e.g. PORTAL_WORKERS=1 on a machine shared with other jobs
        cores = min(cores or 1, int(limit))
    return max(1, min(cores or 1, items // max(1, min_items // 2)))


def _in_workers(job: Callable[[int], object], count: int, workers: int) -> list[object]:
    global _job
    size = -(-count // (workers * _CHUNKS_PER_WORKER))
    chunks = [range(start, min(start + size, count)) for start in range(0, count, size)]
    _job = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_run_chunk, chunks, chunksize=1)
    finally:
        _job = None
    return [item for chunk in results for item in chunk]


def _run_chunk(indices: range) -> list[object]:
    assert _job is not None  # set by the parent before forking
    return [_job(index) for index in indices]
