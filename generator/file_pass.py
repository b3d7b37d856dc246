"""The per-file pass — parse one file and check it on its own — over many
files, on every core (see parallel.py).

Each file's result is returned pickled: the cache stores those bytes as they
are, so a result is pickled once, in the process that computed it, and never
again when the cache is saved.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence

from .config import PortalConfig
from .loader import SourceFile, parse
from .model import Entry
from .parallel import map_indexed
from .problems import Problem, make_problem
from .validate.entries import check_document

FileResult = tuple[Entry | None, list[Problem]]
PARALLEL_MIN_FILES = 400  # below this, one process is as fast as forking


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
    def job(index: int) -> bytes:
        return pickle.dumps(check_file(sources[index], raws[index], config),
                            protocol=pickle.HIGHEST_PROTOCOL)

    return map_indexed(job, len(sources), PARALLEL_MIN_FILES)


def check_files_summarised(sources: Sequence[SourceFile], raws: Sequence[bytes],
                           config: PortalConfig) -> list[tuple[bytes, tuple[str, bytes]]]:
    """Like `check_files`, each result with its summary for the corpus cache
    (see pipeline.py): a digest of the entry without its body text, and the
    file's own problems pickled on their own. Read results with `load_result`."""
    def job(index: int) -> tuple[bytes, tuple[str, bytes]]:
        entry, problems = check_file(sources[index], raws[index], config)
        # The entry is pickled once, without its body: those bytes are both the
        # stored entry and what the digest is taken of.
        body = ""
        if entry is not None:
            body, entry.body = entry.body, ""
        entry_blob = None if entry is None else pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)
        problems_blob = pickle.dumps(problems, pickle.HIGHEST_PROTOCOL)
        facts = "-" if entry_blob is None else \
            hashlib.blake2b(entry_blob, digest_size=16).hexdigest()
        result = pickle.dumps((entry_blob, body, problems_blob), pickle.HIGHEST_PROTOCOL)
        return result, (facts, problems_blob)

    return map_indexed(job, len(sources), PARALLEL_MIN_FILES)


def load_result(blob: bytes) -> FileResult:
    """A result stored by `check_files_summarised` (or pickled by `check_files`)."""
    loaded = pickle.loads(blob)  # noqa: S301 - our own results
    if len(loaded) == 2:  # check_files: (entry, problems)
        return loaded
    entry_blob, body, problems_blob = loaded
    entry = None if entry_blob is None else pickle.loads(entry_blob)  # noqa: S301
    if entry is not None:
        entry.body = body
    return entry, pickle.loads(problems_blob)  # noqa: S301
