"""Render the catalog into the portal's files: Markdown pages from Jinja2
templates, the index data, exports, assets and redirects for renamed entries.

Knows nothing of MkDocs: the plugin hands these files to MkDocs, and
`portal generate` writes them to a folder for any other builder.
Templates live in generator/site/templates/; a portal overrides any of them by
putting a file of the same name in its own `templates/` folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import posixpath
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..check.parallel import FORK_MIN_ITEMS, map_indexed
from ..core.catalog import Catalog
from ..core.config import PortalConfig
from ..core.model import DecisionStatus, Entry, Insight, InsightSeverity, Kind
from ..core.routes import ASSETS, FEED_PATH, INDEX_DATA, ROBOTS, SECTIONS, page_path
from ..core.sanitize import shown_body
from . import analysis
from .export import export_files
from .facets import STATUS_LABELS, index_facets
from .feed import atom_feed
from .history import Event
from .html_stash import BODY_MARK, stash_blocks
from .sandbox import ClosedSandbox

WHATS_NEW_LIMIT = 100  # the page shows the latest changes; the feed and git keep the rest
# Entity pages show this many insights per group, then link to the filtered
# index: a page's size must not grow with the number of insights.
LIST_LIMIT = 10

@dataclass(frozen=True, slots=True)
class GeneratedFile:
    src_uri: str  # path in the site's source tree, e.g. "insights/x.md"
    content: str | bytes
    edit_path: str | None = None  # the content file behind it, for "edit this page"
    stashed: tuple[str, ...] = ()  # HTML blocks behind placeholders (see html_stash)
    # An entry page's body: its length and how many characters follow it. A page
    # over the time budget shows a notice in its place (see plugin.py).
    body_span: tuple[int, int] | None = None


def template_failure(error: Exception, page: str | None = None) -> str:
    """Which template failed, where and why, in one line."""
    where, line = page or "?", getattr(error, "lineno", None)
    name = getattr(error, "filename", None) or getattr(error, "name", None)
    if name and line:
        where = str(name)
    else:
        # Jinja rewrites tracebacks to show template lines: the innermost
        # template frame is where it failed.
        for frame in traceback.extract_tb(error.__traceback__):
            if not frame.filename.endswith(".py"):
                where, line = frame.filename, frame.lineno
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"template {where}{f', line {line}' if line else ''} could not render" \
           f"{f' page {page!r}' if page else ''}: {message}"


class Linker:
    """Relative URLs from one page to another, as MkDocs will lay them out."""

    def __init__(self, page_src: str, directory_urls: bool = True) -> None:
        self.directory_urls = directory_urls
        self.page_url = self.url_of(page_src)
        base = self.page_url if self.page_url.endswith("/") \
            else posixpath.dirname(self.page_url)
        self._base = [part for part in base.split("/") if part]

    def url_of(self, src_uri: str) -> str:
        if not src_uri.endswith(".md"):
            return src_uri
        stem = src_uri[:-3]
        if not self.directory_urls:
            return f"{stem}.html"
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return f"{stem}/"

    def to(self, src_uri: str, anchor: str = "") -> str:
        # posixpath.relpath would do, but it calls os.getcwd() each time and
        # pages make tens of thousands of links.
        target = self.url_of(src_uri)
        parts = [part for part in target.split("/") if part]
        common = 0
        for mine, theirs in zip(self._base, parts, strict=False):  # up to the shorter
            if mine != theirs:
                break
            common += 1
        relative = "/".join([".."] * (len(self._base) - common) + parts[common:])
        if not relative:
            relative = "./"
        elif target == "" or target.endswith("/"):  # a folder URL keeps its slash
            relative += "/"
        return relative + (f"#{anchor}" if anchor else "")

    def insight(self, id: str) -> str:
        return self.to(f"insights/{id}.md")

    def persona(self, id: str) -> str:
        return self.to(f"personas/{id}.md")

    def journey(self, id: str, stage: str | None = None) -> str:
        return self.to(f"journeys/{id}.md", f"stage-{stage}" if stage else "")

    def index(self, **filters: str) -> str:
        query = "&".join(f"{key}={value}" for key, value in filters.items())
        return self.to("insights/index.md", query)


def strip_unsafe_html(body: str) -> str:
    """The body with what `html-removed` warns about removed: raw HTML is cleaned
    tag by tag with nh3, Markdown is left as it is (see generator/core/sanitize.py)."""
    return shown_body(body)


class TemplateFailure(Exception):
    """A template override could not render: one line naming it, for the user."""


class _ContainedLoader(jinja2.FileSystemLoader):
    """The portal's template overrides, never a file from outside the repository:
    an override that is a symbolic link out of it would publish that file."""

    def __init__(self, folder: Path, root: Path) -> None:
        super().__init__(str(folder))
        self.root = os.path.realpath(root)

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not real.startswith(self.root + os.sep):
            raise TemplateFailure(f"the template override '{template}' is a link to '{real}', "
                                  "outside the portal; it was not read")
        return source, filename, uptodate


def _overrides(template_dir: Path | None, root: Path | None) -> Path | None:
    """The folder of template overrides, if the portal has one inside itself."""
    if template_dir is None or not template_dir.is_dir():
        return None
    real = os.path.realpath(template_dir)
    top = os.path.realpath(root if root is not None else template_dir.parent)
    if real != top and not real.startswith(top + os.sep):
        raise TemplateFailure(f"the templates folder '{template_dir}' is outside the portal "
                              f"('{real}'); template overrides must live inside it")
    return template_dir


def _environment(template_dir: Path | None, root: Path | None = None) -> jinja2.Environment:
    overrides = _overrides(template_dir, root)
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        loaders.append(_ContainedLoader(overrides, root or overrides.parent))
    loaders.append(jinja2.PackageLoader("generator.site", "templates"))
    # Overrides come from the repository, which a pull request may change: with
    # any of them, every template renders in Jinja's sandbox, which refuses
    # Python's internals (`cycler.__init__.__globals__.os`). Our own templates
    # alone render outside it: the sandbox makes rendering about a third slower.
    settings: dict[str, Any] = {
        "loader": jinja2.ChoiceLoader(loaders), "autoescape": True, "trim_blocks": True,
        "lstrip_blocks": True, "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True}
    env = ClosedSandbox(**settings, trusted=(Linker,), functions=("generator.",)) \
        if overrides is not None and any(overrides.iterdir()) \
        else jinja2.Environment(**settings)
    env.filters["status_label"] = lambda status: STATUS_LABELS.get(status, "No decision")
    env.filters["iso"] = lambda date: date.isoformat() if date else ""
    env.filters["percent"] = lambda share: "–" if share is None else f"{round(share * 100)}%"
    env.filters["safe_body"] = lambda body: Markup(strip_unsafe_html(body))
    env.filters["yaml_string"] = lambda text: Markup(json.dumps(str(text), ensure_ascii=False))
    env.filters["metric"] = _format_metric
    env.filters["md_escape"] = markdown_escape
    env.filters["label"] = lambda word: str(word).replace("-", " ").capitalize()
    env.filters["slug"] = lambda text: "-".join(re.findall(r"[a-z0-9]+", str(text).lower()))
    env.globals.update(STATUSES=list(DecisionStatus), STATUS_LABELS=STATUS_LABELS)
    return env


# Python-Markdown's backslash escapes (< > & are HTML-escaped by autoescape).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


def markdown_escape(text: Any) -> str:
    """Text placed in a Markdown heading or line shows as written, not as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def _format_metric(value: float | None, unit: Any) -> str:
    if value is None:
        return "–"
    unit = getattr(unit, "value", unit)
    if unit == "ratio":
        return f"{value:.0%}" if value <= 1 else f"{value:g}"
    if unit == "percent":
        return f"{value:g}%"
    if unit == "seconds":
        return f"{value:g} s"
    return f"{value:g}"


def metric_on_target(value: float | None, target: float | None, better: Any) -> bool | None:
    if value is None or target is None:
        return None
    return value <= target if getattr(better, "value", better) == "lower" else value >= target


def _most_severe(insights: list[Insight]) -> list[Insight]:
    """The LIST_LIMIT insights a reader should see first: most severe, then newest."""
    return sorted(insights, key=lambda i: (-analysis.weight(i), -(i.created or dt.date.min)
                                           .toordinal(), i.id))[:LIST_LIMIT]


class SiteRenderer:
    def __init__(self, catalog: Catalog, config: PortalConfig, today: dt.date,
                 template_dir: Path | None = None, directory_urls: bool = True,
                 events: list[Event] | None = None, site_name: str = "Insight Portal",
                 site_url: str = "", stash_html: bool = False,
                 root: Path | None = None) -> None:
        self.catalog, self.config, self.today = catalog, config, today
        self.events = events or []
        self.site_name, self.site_url = site_name, site_url
        self.directory_urls = directory_urls
        self.env = _environment(template_dir, root)
        # A builder that restores stashed HTML (our MkDocs plugin) gets pages with
        # placeholders; `portal generate` gets plain Markdown for any builder.
        self.stash_html = stash_html
        self._bodies: list[str] = []
        if stash_html:
            self.env.filters["safe_body"] = self._mark_body
        self.insights = sorted(catalog.insights.values(), key=lambda i: i.id)
        self.heat = {id: analysis.journey_heat(j, catalog)
                     for id, j in sorted(catalog.journeys.items())}

    # --- the whole site -------------------------------------------------------------

    def files(self) -> Iterator[GeneratedFile]:
        yield self._page("home.md.j2", "index.md", **self._home())
        yield self._page("insights_index.md.j2", "insights/index.md", **self._index_page())
        yield self._page("decisions.md.j2", "decisions/index.md", index_data=INDEX_DATA,
                         summary=analysis.status_summary(self.insights))
        personas = sorted(self.catalog.personas.values(), key=lambda p: p.id)
        yield self._page("personas_index.md.j2", "personas/index.md", personas=personas,
                         review_ages={p.id: analysis.review_age(p.last_reviewed, self.today)
                                      for p in personas})
        yield self._page("journeys_index.md.j2", "journeys/index.md",
                         heats=list(self.heat.values()))
        yield self._page("tags.md.j2", "tags/index.md", tags=self._tags())
        yield self._page("whats_new.md.j2", "whats-new/index.md", feed=FEED_PATH,
                         events=self.events[:WHATS_NEW_LIMIT], total=len(self.events))
        yield GeneratedFile(FEED_PATH, atom_feed(self.events, self.catalog, STATUS_LABELS,
                                                 self.site_name, self.site_url, self.today))
        yield from map_indexed(self._insight_page, len(self.insights), FORK_MIN_ITEMS)
        for persona in sorted(self.catalog.personas.values(), key=lambda p: p.id):
            yield self._entry_page("persona.md.j2", Kind.PERSONA, persona,
                                   **self._persona(persona))
        for journey_id, heat in self.heat.items():
            yield self._entry_page("journey.md.j2", Kind.JOURNEY,
                                   self.catalog.journeys[journey_id], heat=heat,
                                   **self._journey(heat))
        yield from self._redirects()
        yield GeneratedFile(INDEX_DATA, self._index_data())
        for path, content in export_files(self.catalog).items():
            yield GeneratedFile(path, content)
        for name in ASSETS:
            asset = resources.files("generator.site").joinpath("assets", name)
            yield GeneratedFile(f"assets/{name}", asset.read_text(encoding="utf-8"))
        yield GeneratedFile(ROBOTS, "User-agent: *\nDisallow: /\n")

    def _insight_page(self, index: int) -> GeneratedFile:
        insight = self.insights[index]
        return self._entry_page("insight.md.j2", Kind.INSIGHT, insight, **self._insight(insight))

    def _page(self, template: str, src_uri: str, **context: Any) -> GeneratedFile:
        link = Linker(src_uri, self.directory_urls)
        self._bodies = []
        try:
            content = self.env.get_template(template).render(
                link=link, catalog=self.catalog, today=self.today, config=self.config,
                **context)
        except TemplateFailure:
            raise
        except Exception as error:
            if not isinstance(self.env, ClosedSandbox) \
                    and not isinstance(error, jinja2.TemplateError):
                raise  # a bug of ours: its traceback is what we need
            raise TemplateFailure(template_failure(error, template)) from None
        if not self.stash_html:
            return GeneratedFile(src_uri, content)
        content, blocks, tail = stash_blocks(content, self._bodies)
        span = (len(self._bodies[0]), tail) if len(self._bodies) == 1 else None
        return GeneratedFile(src_uri, content, stashed=blocks, body_span=span)

    def _mark_body(self, body: str) -> Markup:
        self._bodies.append(strip_unsafe_html(body))
        return Markup(BODY_MARK)

    def _entry_page(self, template: str, kind: Kind, entry: Entry, **context: Any
                    ) -> GeneratedFile:
        src_uri = page_path(kind, entry.id)
        page = self._page(template, src_uri, entry=entry, **context)
        return replace(page, edit_path=entry.origin.path)

    # --- page contexts ----------------------------------------------------------------

    def _home(self) -> dict[str, Any]:
        debt = analysis.decision_debt(self.insights, self.today, self.config.undecided_after_days)
        return {
            "summary": analysis.status_summary(self.insights),
            # One row per owner, and the oldest few cards: bounded however large
            # the backlog grows; the decision log holds the rest.
            "debt": debt,
            "oldest_waiting": sorted((w for waiting in debt.values() for w in waiting),
                                     key=lambda w: (-w.age, w.insight.id))[:LIST_LIMIT],
            "newest": analysis.newest(self.insights),
            "heats": list(self.heat.values()),
        }

    def _index_page(self) -> dict[str, Any]:
        return {"newest": analysis.newest(self.insights, limit=50), "total": len(self.insights),
                "index_data": INDEX_DATA}

    def _insight(self, insight: Insight) -> dict[str, Any]:
        catalog = self.catalog
        journey = catalog.journeys.get(insight.journey or "")
        stage_names = {s.id: s.name for s in journey.stages} if journey else {}
        return {
            "insight": insight,
            "journey": journey,
            "stage_names": stage_names,
            "related": [catalog.insights[i] for i in insight.related if i in catalog.insights],
            "related_from": [catalog.insights[i] for i in catalog.related_from.get(insight.id, [])
                             if i not in insight.related],
            "supersedes": [catalog.insights[i] for i in insight.supersedes
                           if i in catalog.insights],
            "superseded_by": [catalog.insights[i]
                              for i in catalog.superseded_by.get(insight.id, [])],
        }

    def _persona(self, persona: Any) -> dict[str, Any]:
        ids = self.catalog.insights_of_persona.get(persona.id, [])
        grouped: dict[DecisionStatus, list[Insight]] = {}
        for insight_id in ids:
            insight = self.catalog.insights[insight_id]
            if insight.status:
                grouped.setdefault(insight.status, []).append(insight)
        by_status = [(status, _most_severe(grouped[status]), len(grouped[status]))
                     for status in DecisionStatus if status in grouped]
        return {
            "persona": persona,
            "by_status": by_status,
            "insight_count": len(ids),
            "review_age": analysis.review_age(persona.last_reviewed, self.today),
            "journeys": [self.catalog.journeys[j]
                         for j in self.catalog.journeys_of_persona.get(persona.id, [])],
        }

    def _journey(self, heat: analysis.JourneyHeat) -> dict[str, Any]:
        return {"journey": heat.journey, "on_target": metric_on_target,
                "shown": {s.stage.id: _most_severe(s.insights) for s in heat.stages},
                "max_persona_pains": max((n for s in heat.stages for n in s.by_persona.values()),
                                         default=0)}

    def _tags(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for insight in self.insights:
            for tag in dict.fromkeys(insight.tags):
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts.items())

    # --- data files ---------------------------------------------------------------------

    def _index_data(self) -> str:
        """Compact rows for the client-side index and decision log."""
        severity_rank = {s: n for n, s in enumerate(InsightSeverity)}
        facets, positions = index_facets(self.insights, self.catalog)
        rows = []
        for insight, facet_positions in zip(self.insights, positions, strict=True):
            decision = insight.decision
            rows.append({
                "id": insight.id,
                "title": insight.title or insight.id,
                "summary": insight.summary or "",
                "kind": insight.kind.value if insight.kind else "",
                "status": insight.status.value if insight.status else "",
                "severity": insight.severity.value if insight.severity else "",
                "rank": severity_rank.get(insight.severity, -1) if insight.severity else -1,
                "personas": insight.personas,
                "journey": insight.journey or "",
                "stages": insight.stages,
                "tags": insight.tags,
                "created": insight.created.isoformat() if insight.created else "",
                "owner": (decision.owner if decision else None) or "",
                "decided": decision.date.isoformat() if decision and decision.date else "",
                "f": facet_positions,  # per facet (in the order of "facets"), its options
            })
        names = {
            "persona": {p.id: p.name or p.id for p in self.catalog.personas.values()},
            "journey": {j.id: j.title or j.id for j in self.catalog.journeys.values()},
            "stage": {f"{j.id}/{s.id}": s.name or s.id for j in self.catalog.journeys.values()
                      for s in j.stages if s.id},
            "status": {s.value: label for s, label in STATUS_LABELS.items()},
        }
        return json.dumps({"today": self.today.isoformat(), "names": names, "facets": facets,
                           "insights": rows},
                          ensure_ascii=False, separators=(",", ":"))

    def _redirects(self) -> Iterator[GeneratedFile]:
        """An old id's URL forwards to the entry that now holds it."""
        for kind in Kind:
            for alias, id in sorted(self.catalog.aliases[kind].items()):
                old = f"{kind.folder}/{alias}.md"
                link = Linker(old, self.directory_urls)
                target = link.to(f"{kind.folder}/{id}.md")
                src = link.url_of(old) + ("index.html" if self.directory_urls else "")
                html = _REDIRECT.format(url=target)
                yield GeneratedFile(src, html)


    # --- one file at a time, for the preview server (generator/mkdocs/devserver.py) ------------

    def src_uris(self) -> list[str]:
        """The src_uri of every file `files()` yields, without rendering any.

        `portal serve` lists the site from this and renders a file only when a
        browser asks for it (`file`), so saving one insight costs one page, not
        the portal. tests/test_serve.py pins that both agree with `files()`.
        """
        return [*SECTIONS.values(), FEED_PATH,
                *(f"{Kind.INSIGHT.folder}/{insight.id}.md" for insight in self.insights),
                *(f"{Kind.PERSONA.folder}/{id}.md" for id in sorted(self.catalog.personas)),
                *(f"{Kind.JOURNEY.folder}/{id}.md" for id in self.heat),
                *(redirect.src_uri for redirect in self._redirects()),
                INDEX_DATA,
                *export_files(Catalog()),  # the export paths do not depend on the entries
                *(f"assets/{name}" for name in ASSETS), "robots.txt"]

    def file(self, src_uri: str) -> GeneratedFile | None:
        """The file `files()` yields for `src_uri`, rendering only that one (the
        catalog-wide numbers — heat maps, backlinks — were computed once in
        __init__); None if the site has no such generated file."""
        folder, _, name = src_uri.rpartition("/")
        id = name[:-3] if name.endswith(".md") else ""
        if folder == Kind.INSIGHT.folder and id in self.catalog.insights:
            insight = self.catalog.insights[id]
            return self._entry_page("insight.md.j2", Kind.INSIGHT, insight,
                                    **self._insight(insight))
        if folder == Kind.PERSONA.folder and id in self.catalog.personas:
            persona = self.catalog.personas[id]
            return self._entry_page("persona.md.j2", Kind.PERSONA, persona,
                                    **self._persona(persona))
        if folder == Kind.JOURNEY.folder and id in self.heat:
            heat = self.heat[id]
            return self._entry_page("journey.md.j2", Kind.JOURNEY, self.catalog.journeys[id],
                                    heat=heat, **self._journey(heat))
        if src_uri in SECTIONS.values() or src_uri == FEED_PATH:
            # files() yields the section pages and the feed before any entry page.
            return next((generated for generated in self.files()
                         if generated.src_uri == src_uri), None)
        if src_uri == INDEX_DATA:
            return GeneratedFile(INDEX_DATA, self._index_data())
        if src_uri.startswith("export/"):
            content = export_files(self.catalog).get(src_uri)
            return None if content is None else GeneratedFile(src_uri, content)
        if folder == "assets" and name in ASSETS:
            return GeneratedFile(src_uri, resources.files("generator.site").joinpath(
                "assets", name).read_text(encoding="utf-8"))
        if src_uri == "robots.txt":
            return GeneratedFile(src_uri, "User-agent: *\nDisallow: /\n")
        return next((redirect for redirect in self._redirects()
                     if redirect.src_uri == src_uri), None)

_REDIRECT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Moved</title>
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}"></head>
<body><p>This page has moved to <a href="{url}">{url}</a>.</p></body></html>
"""
