"""The per-file pass — parse one file and check it on its own — over many
files, on every core.

Each file's result is returned pickled: the cache stores those bytes as they
are, so a result is pickled once, in the process that computed it, and never
again when the cache is saved.

Files are split among forked worker processes when there are enough of them
to pay for the fork (about 10 ms a worker) and the process has no other
threads (forking a threaded process can copy a lock another thread holds — a
live preview server, for instance, checks in one process). Anything going
wrong with the workers falls back to checking in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from collections.abc import Sequence

from .config import PortalConfig
from .loader import SourceFile, parse
from .model import Entry
from .problems import Problem, make_problem
from .validate.entries import check_document

FileResult = tuple[Entry | None, list[Problem]]
PARALLEL_MIN_FILES = 400  # below this, one process is as fast as forking
_CHUNKS_PER_WORKER = 4    # smaller chunks even out fast and slow files

# What forked workers inherit: set just before the pool starts, read by index.
_work: tuple[Sequence[SourceFile], Sequence[bytes], PortalConfig] | None = None


def check_file(source: SourceFile, raw: bytes, config: PortalConfig) -> FileResult:
    """Parse one file, then check it on its own."""
    try:
        document, problems = parse(source, raw)
        if document is None:
            return None, problems
        entry, entry_problems = check_document(document, config)
        return entry, problems + entry_problems
    except Exception as error:  # a bug must not hide the other files' problems
        return None, [make_problem("internal-error", source.rel, 1,
                                   detail=f"{type(error).__name__}: {error}")]


def check_files(sources: Sequence[SourceFile], raws: Sequence[bytes],
                config: PortalConfig) -> list[bytes]:
    """The pickled result of `check_file` for each file, in order."""
    workers = _worker_count(len(sources))
    if workers > 1:
        try:
            return _check_in_workers(sources, raws, config, workers)
        except (OSError, multiprocessing.ProcessError, pickle.PickleError, EOFError):
            pass  # e.g. no fork allowed here: check in this process instead
    return [_pickled(check_file(source, raw, config))
            for source, raw in zip(sources, raws, strict=True)]


def _worker_count(files: int) -> int:
    if files < PARALLEL_MIN_FILES or threading.active_count() > 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, files // (PARALLEL_MIN_FILES // 2)))


def _check_in_workers(sources: Sequence[SourceFile], raws: Sequence[bytes],
                      config: PortalConfig, workers: int) -> list[bytes]:
    global _work
    size = -(-len(sources) // (workers * _CHUNKS_PER_WORKER))
    chunks = [range(start, min(start + size, len(sources)))
              for start in range(0, len(sources), size)]
    _work = (sources, raws, config)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_check_chunk, chunks, chunksize=1)
    finally:
        _work = None
    return [blob for chunk in results for blob in chunk]


def _check_chunk(indices: range) -> list[bytes]:
    assert _work is not None  # set by the parent before forking
    sources, raws, config = _work
    return [_pickled(check_file(sources[i], raws[i], config)) for i in indices]


def _pickled(result: FileResult) -> bytes:
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
