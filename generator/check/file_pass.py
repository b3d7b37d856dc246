"""The per-file pass — parse one file and check it on its own — over many
files, on every core (see parallel.py).

Each file's result is returned encoded (cache_codec.py: JSON, never pickle):
the cache stores those bytes as they are, so a result is encoded once, in the
process that computed it, and never again when the cache is saved.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..core.config import PortalConfig
from ..core.loader import SourceFile, parse, read_source, unreadable
from ..core.model import Entry
from ..core.problems import Problem, make_problem
from ..core.validate.entries import check_document
from .cache import content_hash
from .cache_codec import decode_result, encode_result
from .parallel import FORK_MIN_ITEMS, imap_indexed

FileResult = tuple[Entry | None, list[Problem]]
PARALLEL_MIN_FILES = FORK_MIN_ITEMS


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


# A file's result as check_files_summarised gives it: the content hash of the
# bytes checked (None: the file could not be read), the result encoded, and its
# summary for the corpus cache (see pipeline.py): a digest of the entry without
# its body text, and the file's own problems.
Checked = tuple[str | None, bytes, tuple[str, Sequence[Problem]]]


def check_files_summarised(sources: Sequence[SourceFile], raws: Sequence[bytes | None],
                           config: PortalConfig) -> Iterator[Checked]:
    """`check_file` over many files, on every core, in order as they are done. A
    file given without its bytes (None) is read by the worker that checks it: on
    a first check, reading 10,000 files is shared out too. Read results with
    `load_result`."""
    def job(index: int) -> Checked:
        source, raw = sources[index], raws[index]
        if raw is None:
            try:
                raw = read_source(source.file)
            except OSError as error:
                return None, *encode_result(None, [unreadable(source.rel, error)])
        return content_hash(raw), *encode_result(*check_file(source, raw, config))

    return imap_indexed(job, len(sources), PARALLEL_MIN_FILES)


def load_result(blob: bytes) -> FileResult:
    """A result stored by `check_files_summarised`. Raises cache_codec.Corrupt when
    the bytes are not one (the caller checks the file afresh)."""
    return decode_result(blob)
