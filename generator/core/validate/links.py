"""Links between files: whether a relative link reaches something the site
publishes, as MkDocs resolves it, and if not, why and what was meant.
"""

from __future__ import annotations

import html
import os
import posixpath
from pathlib import Path
from urllib.parse import unquote

from ..catalog import Catalog
from ..config import docs_dir
from ..loader import SourceFile
from ..model import Kind
from ..problems import Problem, make_problem
from ..routes import GENERATED_PATHS, is_team_path, team_paths
from .id_hints import IdHints


def check_links(catalog: Catalog, hints: IdHints, files: list[SourceFile], root: Path,
           problems: list[Problem], probes: dict[str, bool]) -> None:
    site = Site(root, files, hints, probes, generated=GENERATED_PATHS | team_paths(catalog))
    for kind in Kind:
        for entry in catalog.entries(kind).values():
            folder = posixpath.dirname(entry.origin.path)
            for link in entry.links:
                reason, suggestion = site.why_broken(folder, folder, link.target)
                if reason:
                    problems.append(make_problem("broken-link", entry.origin.path, link.line,
                                                 target=link.target, reason=reason,
                                                 suggestion=suggestion))


class Site:
    """What a relative link can reach, as MkDocs resolves it: the entries' pages
    (insights/, personas/, journeys/), the pages the portal generates, and the
    hand-written files of docs/ (mkdocs.yml's docs_dir), each at its place in the
    site. Nothing else is published, so a link to anything else is broken: the
    README's rule that links do not leave the content folders.

    The existence of every path a verdict depends on is recorded in `probes`
    (see pipeline._reuse_corpus)."""

    def __init__(self, root: Path, files: list[SourceFile], hints: IdHints,
                 probes: dict[str, bool], docs: str | None | bool = False,
                 generated: frozenset[str] | None = None) -> None:
        self.root, self.hints, self.probes = root, hints, probes
        # The pages and files the portal makes. None: the teams are not known here
        # (docs/ pages are checked without the catalog), so any team's page or feed
        # counts as made.
        self.generated = generated
        self.known = {source.rel for source in files}
        self.files_by_id = {(source.kind, source.id): source.rel for source in files}
        self.folders = {kind.folder: kind for kind in Kind}
        self._docs = docs  # False: read from mkdocs.yml when first needed
        # Most links repeat (every insight links its personas): each is resolved once.
        self.outcomes: dict[tuple[str, str], tuple[str | None, str]] = {}

    @property
    def docs(self) -> str | None:
        """docs_dir relative to the root (posix), or None if it lies outside."""
        if self._docs is False:
            self._docs = docs_folder(self.root)
        return self._docs  # type: ignore[return-value]

    def why_broken(self, repo_folder: str, site_folder: str, written: str
                   ) -> tuple[str | None, str]:
        """Why a link, as written in a file in `repo_folder` whose page the site puts
        in `site_folder`, is broken (None if it is not), and a hint."""
        key = (repo_folder, written)
        outcome = self.outcomes.get(key)
        if outcome is None:
            outcome = self.outcomes[key] = self._why_broken(repo_folder, site_folder, written)
        return outcome

    def _why_broken(self, repo_folder: str, site_folder: str, written: str
                    ) -> tuple[str | None, str]:
        url = html.unescape(written) if "&" in written else written  # as a browser reads it
        if ":" in url and _scheme(url) == "file:":
            return ("is a file: URL: it opens a file on the reader's own computer, never "
                    "one of the portal", _PUBLISHED_ONLY)
        # A browser reads '\\' in a path as '/'.
        target = unquote(url.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
        if not target:
            return None, ""
        if target.startswith("/"):
            return "points outside the portal", ""
        resolved = posixpath.normpath(posixpath.join(site_folder, target))
        if not escapes(resolved) and self._published(resolved):
            return None, ""
        # Not in the site: say why, from where the file is in the repository.
        in_repo = posixpath.normpath(posixpath.join(repo_folder, target))
        if escapes(in_repo):
            return "points outside the portal", ""
        published_as = self._site_path(in_repo)
        if published_as is not None and published_as != resolved \
                and self._published(published_as):
            relative = posixpath.relpath(published_as, site_folder or ".")
            return (f"points to {in_repo} by its place in the repository, which is not "
                    "where the site has it", f" Link to it as the site has it: '{relative}'.")
        top = in_repo.split("/", 1)[0]
        if top in self.folders and self._exists(in_repo):
            return (f"points to {in_repo}, which the portal does not publish (only the "
                    "entries' pages are built from this folder)",
                    " Put images and other files in docs/ and link to them as the site has "
                    "them.")
        if top in self.folders and published_as == resolved:
            return (f"points to {in_repo}, which does not exist",
                    self._did_you_mean(self.folders[top], in_repo, site_folder, url))
        if published_as is None and self._exists(in_repo):
            return (f"leaves the content folders: it points to {in_repo}, which the portal "
                    "does not publish", _PUBLISHED_ONLY)
        return f"points to {in_repo}, which does not exist", ""

    def _did_you_mean(self, kind: Kind, in_repo: str, site_folder: str, url: str) -> str:
        """The link to the closest entry, written as the link should be (a file name
        relative to this page, not the bare id), anchor kept."""
        stem = posixpath.splitext(posixpath.basename(in_repo))[0]
        match = self.hints.suggester(kind).closest(stem)
        rel = self.files_by_id.get((kind, match)) if match else None
        if rel is None:
            return ""
        anchor = "#" + url.split("#", 1)[1] if "#" in url else ""
        return f" Did you mean '{posixpath.relpath(rel, site_folder or '.')}{anchor}'?"

    def _published(self, path: str) -> bool:
        """Whether the site has a page or file at `path` (a normalised site path)."""
        if path.split("/", 1)[0] in self.folders and path in self.known:
            return True
        if path in (self.generated if self.generated is not None else GENERATED_PATHS):
            return True
        if self.generated is None and is_team_path(path):
            return True
        return self.docs is not None and self._exists(f"{self.docs}/{path}")

    def _site_path(self, in_repo: str) -> str | None:
        """Where the site has the repository file `in_repo`, if it publishes it."""
        if in_repo.split("/", 1)[0] in self.folders:
            return in_repo
        docs = self.docs
        if docs is not None and in_repo.startswith(docs + "/"):
            return in_repo[len(docs) + 1:]
        return None

    def _exists(self, rel: str) -> bool:
        existed = self.probes.get(rel)
        if existed is None:
            try:
                existed = (self.root / rel).exists()
            except (OSError, ValueError):  # a name too long, a NUL: nothing can be there
                return False
            self.probes[rel] = existed
        return existed


_PUBLISHED_ONLY = (" The site publishes only the entries (insights/, personas/, journeys/) "
                   "and the hand-written pages and files in docs/: copy what the link "
                   "needs into docs/, or link to a web address.")


def _scheme(url: str) -> str:
    from ..sanitize import url_scheme  # not at the top: a re-check need not load nh3

    return url_scheme(url)


def escapes(path: str) -> bool:
    """Whether a normalised relative path climbs above where it started."""
    return path == ".." or path.startswith("../")


def docs_folder(root: Path) -> str | None:
    """mkdocs.yml's docs_dir relative to the root (posix), or None if it lies outside."""
    relative = os.path.relpath(os.path.normpath(docs_dir(root)), root)
    return None if escapes(relative) or relative in (".", "..") or os.path.isabs(relative) \
        else Path(relative).as_posix()
