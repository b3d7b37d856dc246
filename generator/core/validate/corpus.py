"""Second pass: the whole corpus at once — ids, references, supersedes chains,
links between files, unused entries, and everything measured against today.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from ..catalog import Catalog, kind_of
from ..config import PortalConfig, docs_dir
from ..loader import (
    MAX_FILE_BYTES,
    MAX_FRONT_MATTER_CHARS,
    DocsFile,
    SourceFile,
    discover_docs,
    parse_yaml,
    read_source,
)
from ..model import DecisionStatus, Entry, Insight, Kind, PersonaStatus
from ..problems import Problem, make_problem
from ..routes import GENERATED_PATHS
from ..suggest import Suggester, did_you_mean
from .fields import label


def check_corpus(entries: list[Entry], files: list[SourceFile], root: Path,
                 config: PortalConfig, today: dt.date, probes: dict[str, bool] | None = None
                 ) -> tuple[Catalog, list[Problem]]:
    """Index `entries` (files that loaded) and check what spans files.

    `files` lists every file found, loaded or not. Every path outside the
    content folders whose existence a link depends on is recorded in `probes`.
    """
    problems: list[Problem] = []
    catalog = Catalog()
    for source in files:
        catalog.file_ids[source.kind].add(source.id)
    for entry in entries:
        existing = catalog.add(entry)
        if existing is not None:
            kind = kind_of(entry)
            problems.append(make_problem("duplicate-id", entry.origin.path, 1, kind=kind,
                                         id=entry.id, other=existing.origin.path))
    _aliases(catalog, problems)
    catalog.link()

    hints = _IdHints(catalog)
    _references(catalog, hints, problems)
    _supersedes(catalog, problems)
    _links(catalog, hints, files, root, problems, probes if probes is not None else {})
    _unused(catalog, problems)
    _dates(catalog, config, today, problems)
    return catalog, problems


def _aliases(catalog: Catalog, problems: list[Problem]) -> None:
    for kind in Kind:
        owners = catalog.aliases[kind]
        for entry in catalog.entries(kind).values():
            for index, alias in enumerate(entry.aliases):
                line = entry.origin.line("aliases", index)
                if alias in catalog.file_ids[kind]:
                    other = f"the id of {kind.folder}/{alias}.md" if alias != entry.id \
                        else "this entry's own id"
                    problems.append(make_problem("alias-conflict", entry.origin.path, line,
                                                 alias=alias, other=other, kind=kind))
                elif alias in owners and owners[alias] != entry.id:
                    problems.append(make_problem(
                        "alias-conflict", entry.origin.path, line, alias=alias, kind=kind,
                        other=f"an alias of {kind.folder}/{owners[alias]}.md"))
                else:
                    owners[alias] = entry.id


class _IdHints:
    """Did-you-mean over each kind's ids, built once per run (not per problem)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._suggesters: dict[Kind, Suggester] = {}

    def suggester(self, kind: Kind) -> Suggester:
        if kind not in self._suggesters:
            self._suggesters[kind] = Suggester(self.catalog.file_ids[kind])
        return self._suggesters[kind]

    def reference(self, kind: Kind, ref: str) -> str:
        renamed = self.catalog.aliases[kind].get(ref)
        if renamed:
            return f'"{ref}" was renamed to "{renamed}": refer to the new id.'
        suggester = self.suggester(kind)
        return suggester.did_you_mean(ref) or f"Known {kind.folder}: {suggester.sample()}."


def _references(catalog: Catalog, hints: _IdHints, problems: list[Problem]) -> None:
    stages_of = {id: set(journey.stage_ids()) for id, journey in catalog.journeys.items()}
    for insight in catalog.insights.values():
        origin = insight.origin
        for index, ref in enumerate(insight.personas):
            if not catalog.exists(Kind.PERSONA, ref):
                problems.append(make_problem(
                    "unknown-persona", origin.path, origin.line("personas", index),
                    kind="insight", id=insight.id, field=f"personas[{index}]", ref=ref,
                    suggestion=hints.reference(Kind.PERSONA, ref)))
        if insight.journey and not catalog.exists(Kind.JOURNEY, insight.journey):
            problems.append(make_problem(
                "unknown-journey", origin.path, origin.line("journey"), id=insight.id,
                ref=insight.journey,
                suggestion=hints.reference(Kind.JOURNEY, insight.journey)))
        journey = catalog.journeys.get(insight.journey or "")
        if journey is not None:
            for index, stage in enumerate(insight.stages):
                if stage not in stages_of[journey.id]:
                    stage_ids = journey.stage_ids()
                    hint = did_you_mean(stage, stage_ids) or \
                        f"Stages of {journey.id}: {', '.join(stage_ids)}."
                    problems.append(make_problem(
                        "unknown-stage", origin.path, origin.line("stages", index),
                        id=insight.id, field=f"stages[{index}]", ref=stage,
                        journey=journey.id, suggestion=hint))
        for field in ("related", "supersedes"):
            for index, ref in enumerate(getattr(insight, field)):
                if ref != insight.id and not catalog.exists(Kind.INSIGHT, ref):
                    problems.append(make_problem(
                        "unknown-insight", origin.path, origin.line(field, index),
                        id=insight.id, field=f"{field}[{index}]", ref=ref,
                        suggestion=hints.reference(Kind.INSIGHT, ref)))
    for journey in catalog.journeys.values():
        for index, ref in enumerate(journey.personas):
            if not catalog.exists(Kind.PERSONA, ref):
                problems.append(make_problem(
                    "unknown-persona", journey.origin.path,
                    journey.origin.line("personas", index), kind="journey", id=journey.id,
                    field=f"personas[{index}]", ref=ref,
                    suggestion=hints.reference(Kind.PERSONA, ref)))


def _supersedes(catalog: Catalog, problems: list[Problem]) -> None:
    for insight in catalog.insights.values():
        for index, ref in enumerate(insight.supersedes):
            old = catalog.insights.get(ref)
            if old is None or ref == insight.id or old.status is None:
                continue
            if old.status is not DecisionStatus.SUPERSEDED:
                problems.append(make_problem(
                    "superseded-not-marked", insight.origin.path,
                    insight.origin.line("supersedes", index), id=insight.id, ref=ref,
                    status=old.status))
    for cycle in _cycles(catalog.insights):
        first = catalog.insights[cycle[0]]
        problems.append(make_problem(
            "supersedes-cycle", first.origin.path, first.origin.line("supersedes"),
            cycle=" → ".join(cycle + [cycle[0]])))


def _cycles(insights: dict[str, Insight]) -> list[list[str]]:
    """Each supersedes cycle once, rotated to start at its smallest id."""
    graph = {id: [ref for ref in insight.supersedes if ref in insights and ref != id]
             for id, insight in insights.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    found: dict[frozenset[str], list[str]] = {}
    for start in sorted(graph):
        if start in state:
            continue
        path: list[str] = [start]
        state[start] = 1
        stack = [iter(graph[start])]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                cycle = path[path.index(following):]
                smallest = cycle.index(min(cycle))
                found.setdefault(frozenset(cycle), cycle[smallest:] + cycle[:smallest])
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(graph[following]))
    return sorted(found.values())


def _links(catalog: Catalog, hints: _IdHints, files: list[SourceFile], root: Path,
           problems: list[Problem], probes: dict[str, bool]) -> None:
    site = Site(root, files, hints, probes)
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

    def __init__(self, root: Path, files: list[SourceFile], hints: _IdHints,
                 probes: dict[str, bool], docs: str | None | bool = False) -> None:
        self.root, self.hints, self.probes = root, hints, probes
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
        if not _escapes(resolved) and self._published(resolved):
            return None, ""
        # Not in the site: say why, from where the file is in the repository.
        in_repo = posixpath.normpath(posixpath.join(repo_folder, target))
        if _escapes(in_repo):
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
        if path in GENERATED_PATHS:
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


def _escapes(path: str) -> bool:
    """Whether a normalised relative path climbs above where it started."""
    return path == ".." or path.startswith("../")




def _unused(catalog: Catalog, problems: list[Problem]) -> None:
    for persona in catalog.personas.values():
        if persona.status is PersonaStatus.ACTIVE and not catalog.insights_of_persona.get(
                persona.id):
            problems.append(make_problem("unused-persona", persona.origin.path, 1,
                                         id=persona.id))
    for journey in catalog.journeys.values():
        if not catalog.insights_of_journey.get(journey.id):
            problems.append(make_problem("unused-journey", journey.origin.path, 1,
                                         id=journey.id))
    active = [p.id for p in catalog.personas.values() if p.status is PersonaStatus.ACTIVE]
    for insight in catalog.insights.values():
        if insight.status is not DecisionStatus.NEW:
            continue
        for index, ref in enumerate(insight.personas):
            persona = catalog.personas.get(ref)
            if persona is not None and persona.status is PersonaStatus.ARCHIVED:
                suggestion = did_you_mean(ref, active) or \
                    "Refer to an active persona, or reactivate this one."
                problems.append(make_problem(
                    "archived-persona", insight.origin.path,
                    insight.origin.line("personas", index), ref=ref, suggestion=suggestion))


def _dates(catalog: Catalog, config: PortalConfig, today: dt.date,
           problems: list[Problem]) -> None:
    for kind in Kind:
        for entry in catalog.entries(kind).values():
            for path, date in entry.origin.past_dates:
                if date > today:
                    problems.append(make_problem(
                        "future-date", entry.origin.path, entry.origin.line(*path),
                        field=label(path), value=date.isoformat(), today=today.isoformat()))
    for insight in catalog.insights.values():
        decision, origin = insight.decision, insight.origin
        if decision is None or decision.status is None:
            continue
        if decision.status.is_undecided and insight.created:
            age = (today - insight.created).days
            if age > config.undecided_after_days:
                problems.append(make_problem(
                    "decision-overdue", origin.path, origin.line("decision", "status"), age=age,
                    status=decision.status, created=insight.created.isoformat(),
                    limit=config.undecided_after_days))
        if decision.review_by and decision.review_by < today \
                and decision.status is not DecisionStatus.SUPERSEDED:
            problems.append(make_problem(
                "review-date-passed", origin.path, origin.line("decision", "review_by"),
                review_by=decision.review_by.isoformat(),
                age=(today - decision.review_by).days))
    for persona in catalog.personas.values():
        if persona.status is PersonaStatus.ACTIVE and persona.last_reviewed:
            age = (today - persona.last_reviewed).days
            if age > config.persona_review_after_days:
                problems.append(make_problem(
                    "persona-review-overdue", persona.origin.path,
                    persona.origin.line("last_reviewed"), age=age,
                    last_reviewed=persona.last_reviewed.isoformat(),
                    limit=config.persona_review_after_days))


# --- hand-written pages ------------------------------------------------------------

def docs_folder(root: Path) -> str | None:
    """mkdocs.yml's docs_dir relative to the root (posix), or None if it lies outside."""
    relative = os.path.relpath(os.path.normpath(docs_dir(root)), root)
    return None if _escapes(relative) or relative in (".", "..") or os.path.isabs(relative) \
        else Path(relative).as_posix()


def check_hand_written(root: Path, files: list[SourceFile]) -> list[Problem]:
    """docs/ under the content folders' rules: symbolic links out of the repository
    (`outside-link`), pages that are too large or not UTF-8, raw HTML the page will
    lose (`html-removed`, as in bodies: the plugin cleans the page with the same
    call), and relative links — Markdown or raw HTML — that are broken or leave
    the site (`broken-link`). `files`: the entries found, which links may reach.
    Read afresh on every check: docs/ holds a few pages, not thousands."""
    from ..sanitize import clean_body  # loaded only when there are pages to check
    from .body import relative_links

    problems: list[Problem] = []
    docs = docs_folder(root)
    if docs is None:
        return problems
    for image, what in active_images(root, root / docs):
        problems.append(make_problem("active-image", image, 1, what=what))
    pages = discover_docs(root, root / docs, problems)
    if not pages:
        return problems
    catalog = Catalog()
    for source in files:
        catalog.file_ids[source.kind].add(source.id)
    site = Site(root, files, _IdHints(catalog), {}, docs)
    for page in pages:
        text = _page_text(page, problems)
        if text is None:
            continue
        markdown, first_line = markdown_of(text)
        for field, detail in theme_meta_problems(page_meta(text)):
            problems.append(make_problem("page-meta", page.rel, 2, field=field, detail=detail))
        for removal in clean_body(markdown)[1]:
            problems.append(make_problem("html-removed", page.rel, first_line + removal.line,
                                         what=removal.what))
        repo_folder, site_folder = posixpath.dirname(page.rel), posixpath.dirname(page.site)
        for link in relative_links(markdown, first_line):
            reason, suggestion = site.why_broken(repo_folder, site_folder, link.target)
            if reason:
                problems.append(make_problem("broken-link", page.rel, link.line,
                                             target=link.target, reason=reason,
                                             suggestion=suggestion))
    return problems


def _page_text(page: DocsFile, problems: list[Problem]) -> str | None:
    """A page's text, as the entries' files are read: bounded, never from a pipe."""
    try:
        raw = read_source(page.file)
    except OSError as error:
        problems.append(make_problem("not-a-file", page.rel, 1,
                                     what=f"a file that cannot be read ({error.strerror})"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(make_problem("file-too-large", page.rel, 1,
                                     limit=f"{MAX_FILE_BYTES // (1024 * 1024)} MB"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        problems.append(make_problem("not-utf8", page.rel, line, bad_line=line))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# MkDocs' reading of a page's meta-data (mkdocs/utils/meta.py, get_data): what it
# strips before Markdown sees the rest. Not imported: mkdocs.utils costs a check 0.1 s.
_YAML_META = re.compile(r"-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_META_LINE = re.compile(r"[ ]{0,3}[A-Za-z0-9_-]+:")
_META_MORE = re.compile(r"[ ]{4}|\t")


SVG_SUFFIXES = (".svg", ".svgz")
_SVG_LIMIT = 5 * 1024 * 1024  # bytes of an SVG read to look for anything active


def active_images(root: Path, docs: Path) -> list[tuple[str, str]]:
    """(repository path, what) of each SVG image under docs/ that could run script
    (see sanitize.svg_risk); a compressed or unreadable one counts as such."""
    from ..sanitize import svg_risk

    found = []
    for folder, _, names in os.walk(docs):
        for name in sorted(names):
            if not name.lower().endswith(SVG_SUFFIXES):
                continue
            path = Path(folder, name)
            what = svg_file_risk(path, svg_risk)
            if what:
                found.append((path.relative_to(root).as_posix(), what))
    return found


def svg_file_risk(path: Path, svg_risk: Callable[[str], str | None]) -> str | None:
    if path.name.lower().endswith(".svgz"):
        return "compressed content the portal cannot look into"
    try:
        with open(path, "rb") as stream:
            data = stream.read(_SVG_LIMIT + 1)
    except OSError:
        return None  # unreadable: MkDocs cannot publish it either
    if len(data) > _SVG_LIMIT:
        return "more than 5 MB the portal did not look into"
    return svg_risk(data.decode("utf-8", errors="replace"))


def page_meta(text: str) -> dict:
    """A hand-written page's YAML meta-data as MkDocs reads it ({} when none)."""
    meta = _YAML_META.match(text)
    if meta is None or len(meta.group(1)) > MAX_FRONT_MATTER_CHARS:
        return {}
    value = parse_yaml(meta.group(1), "", 2, [])[0]
    return value if isinstance(value, dict) else {}


def theme_meta_problems(meta: dict) -> list[tuple[str, str]]:
    """(field, what is wrong) for the meta-data keys the theme reads with a type in
    mind: a wrong one ends the theme's rendering with a traceback."""
    found = []
    hide = meta.get("hide")
    if hide is not None and not (isinstance(hide, list)
                                 and all(isinstance(item, str) for item in hide)):
        found.append(("hide", "is not a list of words"))
    template = meta.get("template")
    if template is not None and not isinstance(template, str):
        found.append(("template", "is not a template's name"))
    return found


def markdown_of(text: str) -> tuple[str, int]:
    """A hand-written page's Markdown as MkDocs converts it, meta-data stripped,
    and the file line it starts on."""
    start = 0
    meta = _YAML_META.match(text)
    if meta is not None:
        problems: list[Problem] = []  # MkDocs keeps the text unless it reads a mapping
        if len(meta.group(1)) <= MAX_FRONT_MATTER_CHARS and isinstance(
                parse_yaml(meta.group(1), "", 2, problems)[0], dict):
            start = meta.end()
    else:  # MultiMarkdown: `key: value` lines (and their indented continuations) up top
        position, keyed = 0, False
        while position < len(text):
            end = text.find("\n", position)
            end = len(text) if end < 0 else end
            line = text[position:end]
            if not line.strip():
                position = end + 1
                break
            if _META_LINE.match(line):
                keyed = True
            elif not (keyed and _META_MORE.match(line)):
                break
            position = end + 1
        start = min(position, len(text)) if keyed else 0
    while text.startswith("\n", start):
        start += 1
    return text[start:], text.count("\n", 0, start) + 1
