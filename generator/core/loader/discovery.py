"""Finding the content files, and reading their bytes, without leaving the portal.

Entries under insights/, personas/ and journeys/, and the hand-written pages in
docs/: symbolic links that lead out are reported and never followed, and
anything named *.md that is no regular file is reported instead of read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..model import Kind
from ..problems import Problem, make_problem
from .limits import MAX_FILE_BYTES

# Files that document a folder rather than define an entry.
IGNORED_NAMES = {"readme.md", "index.md"}


@dataclass(slots=True)
class SourceFile:
    kind: Kind
    id: str
    file: str  # absolute path (a string: 10,000 Path objects cost a re-check 40 ms)
    rel: str  # posix path relative to the portal root, as reported

    @property
    def path(self) -> Path:
        return Path(self.file)



def discover(root: Path, problems: list[Problem] | None = None) -> list[SourceFile]:
    """Every Markdown file under insights/, personas/ and journeys/, in a stable order.

    Nothing outside those folders is ever read: a symbolic link whose target lies
    outside them is not followed (`outside-link`), and a symbolically linked folder
    is never entered (its files are found where they really are, or reported).
    Things named *.md that are no regular file — a folder, a broken link, a pipe —
    are reported as `not-a-file`. Problems go to `problems` when it is given.
    """
    found: list[SourceFile] = []
    reported: list[Problem] = [] if problems is None else problems
    real_root = os.path.realpath(root)
    folders: list[tuple[Kind, Path, str]] = []
    for kind in Kind:
        folder = root / kind.folder
        if not folder.is_dir():
            continue
        real = os.path.realpath(folder)
        if not _inside(real, (real_root,)):
            reported.append(make_problem("outside-link", kind.folder, 1, link=kind.folder,
                                         target=_link_text(folder), outside=_CONTENT))
            continue
        folders.append((kind, folder, real))
    allowed = tuple(real for _, _, real in folders)
    for kind, folder, _ in folders:
        files: list[tuple[list[str], os.DirEntry[str]]] = []
        _walk(folder, root, allowed, files, reported, [kind.folder])
        # Sorted by path segments, as Path objects sort, but on plain strings.
        for parts, item in sorted(files, key=lambda found: found[0]):
            if item.name.lower() in IGNORED_NAMES:
                continue
            rel = "/".join(parts)
            path = item.path
            if item.is_symlink():
                if not _inside(os.path.realpath(path), allowed):
                    reported.append(make_problem("outside-link", rel, 1, link=rel,
                                                 target=_link_text(path), outside=_CONTENT))
                    continue
                try:
                    mode = os.stat(path).st_mode
                except OSError:
                    reported.append(make_problem(
                        "not-a-file", rel, 1,
                        what=f"a symbolic link to '{_link_text(path)}', which does not exist"))
                    continue
                if stat.S_ISDIR(mode):
                    continue  # a link to a folder in the portal: its files are found there
                regular = stat.S_ISREG(mode)
            else:
                regular = item.is_file(follow_symlinks=False)
            if not regular:
                reported.append(make_problem("not-a-file", rel, 1,
                                             what="a special file (a pipe, socket or device)"))
                continue
            found.append(SourceFile(kind, item.name[:-3], path, rel))  # the name less ".md"
    return found


def _walk(folder: Path, root: Path, allowed: tuple[str, ...],
          files: list[tuple[list[str], os.DirEntry[str]]], reported: list[Problem],
          parts: list[str]) -> None:
    """Collect the *.md entries under `folder` (at `parts` from the root), entering
    no linked folder."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # an unreadable folder holds nothing we can check
    for item in entries:
        if item.name.endswith(".md") and item.is_file(follow_symlinks=False):
            files.append(([*parts, item.name], item))  # the common case, first
            continue
        path = folder / item.name
        if item.is_dir(follow_symlinks=False):
            if item.name.endswith(".md"):
                reported.append(make_problem("not-a-file", _rel(path, root), 1,
                                             what="a folder"))
            _walk(path, root, allowed, files, reported, [*parts, item.name])
        elif item.is_symlink() and os.path.isdir(path):
            if not _inside(os.path.realpath(path), allowed):
                reported.append(make_problem("outside-link", _rel(path, root), 1,
                                             link=_rel(path, root), target=_link_text(path),
                                             outside=_CONTENT))
        elif item.name.endswith(".md"):
            files.append(([*parts, item.name], item))
        elif item.is_symlink() and not _inside(os.path.realpath(path), allowed):
            # Not an entry, but a Markdown extension (pymdownx.snippets) may read
            # any file of the content folders into a page.
            reported.append(make_problem("outside-link", _rel(path, root), 1,
                                         link=_rel(path, root), target=_link_text(path),
                                         outside=_CONTENT))


_CONTENT = "insights/, personas/ and journeys/"


def in_repository(real: str, real_root: str) -> bool:
    """Whether a resolved path lies in the repository's files: under the root, and
    not in .git (its config may hold credentials, and none of it is content)."""
    return _inside(real, (real_root,)) and not _inside(real, (os.path.join(real_root, ".git"),))


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _inside(real: str, folders: tuple[str, ...]) -> bool:
    return any(real == folder or real.startswith(folder + os.sep) for folder in folders)


def _link_text(path: Path | str) -> str:
    """Where a symbolic link points, as written in the link."""
    try:
        return os.readlink(path)
    except OSError:
        return os.path.realpath(path)


@dataclass(slots=True)
class DocsFile:
    """A hand-written Markdown page in docs/ (mkdocs.yml's docs_dir)."""

    file: str  # absolute path
    rel: str  # posix path relative to the portal root, as reported
    site: str  # posix path in the site's source tree (MkDocs' src_uri)


def discover_docs(root: Path, docs: Path, problems: list[Problem]) -> list[DocsFile]:
    """The Markdown pages MkDocs will read from `docs`, under the content folders'
    rules: a symbolic link anywhere in it — to a file of any kind, or a folder —
    that leads out of the repository (see `in_repository`) is reported
    (`outside-link`) and never read (the plugin leaves it out of the site); a
    linked folder inside the repository is entered, as MkDocs enters it; a
    `*.md` that is no regular file is `not-a-file`. Files MkDocs leaves out by
    default (names starting with '.', the top templates/ folder) are no pages.
    `docs` must lie in `root`."""
    real_root = os.path.realpath(root)
    docs_rel = _rel(docs, root)
    if not docs.is_dir():
        return []
    real_docs = os.path.realpath(docs)
    if not in_repository(real_docs, real_root):
        problems.append(make_problem("outside-link", docs_rel, 1, link=docs_rel,
                                     target=_link_text(docs), outside="the repository"))
        return []
    pages: list[DocsFile] = []
    entered = {real_docs}  # a linked folder is entered once: links may form a loop
    folders: list[tuple[str, list[str]]] = [(str(docs), [])]
    while folders:
        folder, parts = folders.pop()
        try:
            items = list(os.scandir(folder))
        except OSError:
            continue  # an unreadable folder holds nothing MkDocs can publish
        for item in items:
            site_parts = [*parts, item.name]
            rel = "/".join([docs_rel, *site_parts])
            if item.is_symlink():
                real = os.path.realpath(item.path)
                if not in_repository(real, real_root):
                    problems.append(make_problem("outside-link", rel, 1, link=rel,
                                                 target=_link_text(item.path),
                                                 outside="the repository"))
                    continue
                if os.path.isdir(real):
                    if real not in entered:
                        entered.add(real)
                        folders.append((item.path, site_parts))
                    continue
            elif item.is_dir(follow_symlinks=False):
                folders.append((item.path, site_parts))
                continue
            site = "/".join(site_parts)
            if not item.name.endswith(".md") or site.startswith("templates/") \
                    or any(part.startswith(".") for part in site_parts):
                continue
            if not item.is_file():  # follows a link: a broken one is no file
                what = "a broken symbolic link" if item.is_symlink() \
                    else "a special file (a pipe, socket or device)"
                problems.append(make_problem("not-a-file", rel, 1, what=what))
                continue
            pages.append(DocsFile(item.path, rel, site))
    pages.sort(key=lambda page: page.rel.split("/"))
    return pages


def unreadable(rel: str, error: OSError) -> Problem:
    """The problem of a content file that `read_source` could not read."""
    return make_problem("no-front-matter", rel, 1,
                        detail=f"file cannot be read: {error.strerror}")


def read_source(path: Path | str) -> bytes:
    """A content file's bytes: at most MAX_FILE_BYTES + 1 of them (parse reports the
    file as too large), and never from a pipe or device (opening one does not
    wait). Symbolic links were checked by `discover`. Raises OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(0, "it is not a regular file")
        return handle.read(MAX_FILE_BYTES + 1)
