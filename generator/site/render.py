"""Render the catalog into the portal's files: Markdown pages from Jinja2
templates, the index data, exports, assets and redirects for renamed entries.

Knows nothing of MkDocs: the plugin hands these files to MkDocs, and
`portal generate` writes them to a folder for any other builder.
Templates live in generator/site/templates/; a portal overrides any of them by
putting a file of the same name in its own `templates/` folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..check.parallel import FORK_MIN_ITEMS, map_indexed
from ..core.catalog import Catalog
from ..core.config import PortalConfig
from ..core.model import DecisionStatus, Entry, EvidenceSource, Insight, InsightSeverity, Kind
from ..core.routes import (
    ASSETS,
    EXPORT_FORMATS,
    FEED_PATH,
    INDEX_DATA,
    ROBOTS,
    SECTIONS,
    export_path,
    page_path,
    team_feed,
    team_page,
)
from ..core.validate import duplicates
from . import analysis, charts, flow, moments, teams
from .export import export_file, export_files
from .facets import STATUS_LABELS, index_facets
from .feed import atom_feed
from .history import PortalHistory
from .html_stash import BODY_MARK, stash_blocks
from .outcomes import Outcome, metric_outcome
from .sandbox import ClosedSandbox
from .templating import (  # noqa: F401 - re-exported for the adapters
    Linker,
    TemplateFailure,
    environment,
    markdown_escape,
    strip_unsafe_html,
    template_failure,
)

MOMENTS_SHOWN = 5  # Home's first screen: the heaviest stages; the whole ranking below
THIS_WEEK_LIMIT = 8  # events on Home's and a team's This week; What's new has the rest
_PER_MONTH = "per month of decision over the last 12 months"
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


def _most_severe(insights: list[Insight]) -> list[Insight]:
    """The LIST_LIMIT insights a reader should see first: most severe, then newest."""
    return sorted(insights, key=lambda i: (-analysis.weight(i), -(i.created or dt.date.min)
                                           .toordinal(), i.id))[:LIST_LIMIT]


class SiteRenderer:
    def __init__(self, catalog: Catalog, config: PortalConfig, today: dt.date,
                 template_dir: Path | None = None, directory_urls: bool = True,
                 history: PortalHistory | None = None, site_name: str = "Insight Portal",
                 site_url: str = "", stash_html: bool = False,
                 root: Path | None = None) -> None:
        self.catalog, self.config, self.today = catalog, config, today
        self.history = history or PortalHistory()
        self.site_name, self.site_url = site_name, site_url
        self.directory_urls = directory_urls
        self.env = environment(template_dir, root)
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

    @functools.cached_property
    def routes(self) -> dict[str, Route]:
        """The site's one route table: every generated file's source path, in the
        order `files()` yields them, and how to make it. The preview lists the
        site from it and makes a file only when a browser asks (`file`): made
        once per renderer, not per request."""
        sections = {SECTIONS["Home"]: self._home_page,
                    SECTIONS["Insights"]: self._index_page,
                    SECTIONS["Decisions"]: self._decisions_page,
                    SECTIONS["Personas"]: self._personas_page,
                    SECTIONS["Journeys"]: self._journeys_page,
                    SECTIONS["Teams"]: self._teams_page,
                    SECTIONS["Tags"]: self._tags_page,
                    SECTIONS["What's new"]: self._whats_new_page}
        assert sections.keys() == set(SECTIONS.values()), "a section without its page"
        routes = {uri: Route(make) for uri, make in sections.items()}
        routes[FEED_PATH] = Route(self._feed)
        for index, insight in enumerate(self.insights):
            routes[page_path(Kind.INSIGHT, insight.id)] = Route(
                partial(self._insight_page, index), batch=_INSIGHT_PAGES)
        for persona_id in sorted(self.catalog.personas):
            routes[page_path(Kind.PERSONA, persona_id)] = Route(
                partial(self._persona_page, persona_id))
        for journey_id in self.heat:
            routes[page_path(Kind.JOURNEY, journey_id)] = Route(
                partial(self._journey_page, journey_id))
        for name, team in self.teams.items():
            routes[team_page(team.slug)] = Route(partial(self._team_page, name))
            routes[team_feed(team.slug)] = Route(partial(self._team_feed, name))
        for src_uri, target in self._redirects():
            routes[src_uri] = Route(partial(GeneratedFile, src_uri, _REDIRECT.format(url=target)))
        routes[INDEX_DATA] = Route(lambda: GeneratedFile(INDEX_DATA, self._index_data()))
        for kind in Kind:
            for extension in EXPORT_FORMATS:
                path = export_path(kind, extension)
                routes[path] = Route(partial(self._export, kind, extension), batch=_EXPORTS)
        for name in ASSETS:
            routes[f"assets/{name}"] = Route(partial(_asset, name))
        routes[ROBOTS] = Route(lambda: GeneratedFile(ROBOTS, "User-agent: *\nDisallow: /\n"))
        return routes

    @functools.cached_property
    def flow(self) -> flow.Flow:
        """How long decisions took, from every insight's timeline (flow.py)."""
        return flow.decision_flow(flow.lead(insight, self.history.timelines.get(insight.id, []))
                                  for insight in self.insights)

    @functools.cached_property
    def scale(self) -> analysis.HeatScale:
        """The heat maps' one colour scale (every journey's, every row's)."""
        return analysis.heat_scale(list(self.heat.values()))

    @functools.cached_property
    def team_slugs(self) -> dict[str, str]:
        """Team name -> its page's slug."""
        return {name: team.slug for name, team in self.teams.items()}

    @functools.cached_property
    def teams(self) -> dict[str, teams.Team]:
        """Every owner as a team, ranked by decision debt (teams.py)."""
        return teams.portal_teams(self.catalog, self.history.timelines, list(self.heat.values()),
                                  self.flow, self.history.events, self.today,
                                  self.config.undecided_after_days,
                                  self.config.persona_review_after_days)

    @functools.cached_property
    def looks_like(self) -> dict[str, list[str]]:
        """Insight id -> the older insights it reads like (possible duplicates), once
        per build rather than per page."""
        return duplicates.looks_like(self.catalog)

    def files(self) -> Iterator[GeneratedFile]:
        """Every generated file. Files made in a batch are made together: the
        insight pages on every core, the exports from one pass over the entries."""
        batches = {_INSIGHT_PAGES: self._insight_pages, _EXPORTS: self._exports}
        made: dict[str, GeneratedFile] = {}
        for src_uri, route in self.routes.items():
            if route.batch is None:
                yield route.make()
                continue
            if src_uri not in made:
                made.update(batches.pop(route.batch)())
            yield made.pop(src_uri)

    def src_uris(self) -> list[str]:
        """The src_uri of every file `files()` yields, without making any."""
        return list(self.routes)

    def file(self, src_uri: str) -> GeneratedFile | None:
        """The file `files()` yields for `src_uri`, making only that one (the
        catalog-wide numbers — heat maps, backlinks — were computed once in
        __init__); None if the site has no such generated file."""
        route = self.routes.get(src_uri)
        return route.make() if route is not None else None

    # --- the pages ------------------------------------------------------------------

    def _home_page(self) -> GeneratedFile:
        return self._page("home.md.j2", SECTIONS["Home"], **self._home())

    def _index_page(self) -> GeneratedFile:
        return self._page("insights_index.md.j2", SECTIONS["Insights"], index_data=INDEX_DATA,
                          newest=analysis.newest(self.insights, limit=50),
                          total=len(self.insights))

    def _decisions_page(self) -> GeneratedFile:
        return self._page("decisions.md.j2", SECTIONS["Decisions"], index_data=INDEX_DATA,
                          summary=analysis.status_summary(self.insights))

    def _personas_page(self) -> GeneratedFile:
        personas = sorted(self.catalog.personas.values(), key=lambda p: p.id)
        return self._page("personas_index.md.j2", SECTIONS["Personas"], personas=personas,
                          review_ages={p.id: analysis.review_age(p.last_reviewed, self.today)
                                       for p in personas})

    def _journeys_page(self) -> GeneratedFile:
        return self._page("journeys_index.md.j2", SECTIONS["Journeys"],
                          heats=list(self.heat.values()))

    def _teams_page(self) -> GeneratedFile:
        return self._page("teams_index.md.j2", SECTIONS["Teams"], teams=self.teams,
                          flow_charts=self._flow_charts(
                              [(team.name, team.flow) for team in self.teams.values()],
                              "per team"))

    def _team_page(self, name: str) -> GeneratedFile:
        team = self.teams[name]
        window = self.today - dt.timedelta(days=self.config.digest_days)
        months = flow.last_months(self.flow, self.today, team=name)
        return self._page("team.md.j2", team_page(team.slug), team=team,
                          this_week=[e for e in team.events if e.date > window],
                          feed=team_feed(team.slug), list_limit=LIST_LIMIT,
                          week_limit=THIS_WEEK_LIMIT, review_ahead=teams.REVIEW_AHEAD_DAYS,
                          month_charts=self._flow_charts(months, _PER_MONTH))

    def _team_feed(self, name: str) -> GeneratedFile:
        team = self.teams[name]
        return GeneratedFile(team_feed(team.slug), atom_feed(
            team.events, self.catalog, STATUS_LABELS, self.site_name, self.site_url, self.today,
            path=team_feed(team.slug), page=f"teams/{team.slug}/", title=name))

    @staticmethod
    def _flow_charts(groups: list[tuple[str, flow.FlowFigures]], per: str) -> Markup:
        """Two charts of median and 90th percentile days, per group: to decision, and
        from decision to done. Groups with nothing to show are left out; no chart
        without any."""
        shown = []
        for measure, pick in (("from insight to decision", lambda f: (
                f.decision_median, f.decision_p90, f.decided)),
                              ("from decision to done", lambda f: (
                f.done_median, f.done_p90, len(f.to_done)))):
            rows = [charts.FlowRow(label, *pick(figures)) for label, figures in groups
                    if pick(figures)[2]]
            if rows:
                shown.append(charts.flow_bars(rows, caption=f"Days {measure}, {per} "
                                              "(bar: median; line: 90th percentile)"))
        return Markup("\n\n").join(shown)

    def _tags_page(self) -> GeneratedFile:
        return self._page("tags.md.j2", SECTIONS["Tags"], tags=self._tags())

    def _whats_new_page(self) -> GeneratedFile:
        return self._page("whats_new.md.j2", SECTIONS["What's new"], feed=FEED_PATH,
                          events=self.history.events[:WHATS_NEW_LIMIT],
                          total=len(self.history.events))

    def _feed(self) -> GeneratedFile:
        return GeneratedFile(FEED_PATH, atom_feed(self.history.events, self.catalog, STATUS_LABELS,
                                                  self.site_name, self.site_url, self.today))

    def _insight_pages(self) -> dict[str, GeneratedFile]:
        pages = map_indexed(self._insight_page, len(self.insights), FORK_MIN_ITEMS)
        return {page.src_uri: page for page in pages}

    def _persona_page(self, persona_id: str) -> GeneratedFile:
        persona = self.catalog.personas[persona_id]
        return self._entry_page("persona.md.j2", Kind.PERSONA, persona, **self._persona(persona))

    def _journey_page(self, journey_id: str) -> GeneratedFile:
        heat = self.heat[journey_id]
        return self._entry_page("journey.md.j2", Kind.JOURNEY, self.catalog.journeys[journey_id],
                                heat=heat, **self._journey(heat))

    def _exports(self) -> dict[str, GeneratedFile]:
        return {path: GeneratedFile(path, content) for path, content
                in export_files(self.catalog, self.history.timelines).items()}

    def _export(self, kind: Kind, extension: str) -> GeneratedFile:
        path = export_path(kind, extension)
        return GeneratedFile(path, export_file(self.catalog, kind, extension,
                                               self.history.timelines))

    def _insight_page(self, index: int) -> GeneratedFile:
        insight = self.insights[index]
        return self._entry_page("insight.md.j2", Kind.INSIGHT, insight, **self._insight(insight))

    def _page(self, template: str, src_uri: str, **context: Any) -> GeneratedFile:
        link = Linker(src_uri, self.directory_urls)
        self._bodies = []
        try:
            content = self.env.get_template(template).render(
                link=link, catalog=self.catalog, today=self.today, config=self.config,
                team_slugs=self.team_slugs, **context)
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
        debt = analysis.decision_debt(self.insights, self.today, self.config.undecided_after_days,
                                      self.catalog)
        return {
            "summary": analysis.status_summary(self.insights),
            # One row per owner, and the oldest few cards: bounded however large
            # the backlog grows; the decision log holds the rest.
            "debt": debt,
            "oldest_waiting": sorted((w for waiting in debt.values() for w in waiting),
                                     key=lambda w: (-w.age, w.insight.id))[:LIST_LIMIT],
            "owner_of": {w.insight.id: owner for owner, waiting in debt.items() for w in waiting},
            "this_week": self.history.since(self.today - dt.timedelta(
                days=self.config.digest_days)),
            "heats": list(self.heat.values()),
            "week_limit": THIS_WEEK_LIMIT,
            **self._moments(),
            "flow": self.flow.overall,
            "month_charts": self._flow_charts(flow.last_months(self.flow, self.today),
                                              _PER_MONTH),
            "team_charts": self._flow_charts(list(self.flow.by_team.items())[:LIST_LIMIT],
                                             "per team with the most decisions"),
        }

    def _moments(self) -> dict[str, Any]:
        """Home's ranked stages, the blind ones, and the delights (moments.py)."""
        ranked = moments.moments(list(self.heat.values()))
        return {"moments": ranked, "moments_shown": MOMENTS_SHOWN,
                "moments_by_frequency": sorted(ranked, key=lambda m: -m.stage.evidence),
                "blind": [m for m in ranked if m.blind],
                "delights": moments.delights(self.catalog, list(self.heat.values())),
                "list_limit": LIST_LIMIT}

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
            "timeline": self.history.timelines.get(insight.id, []),
            "desk": teams.desk(insight, catalog, self.history.timelines.get(insight.id, [])),
            "evidence": analysis.evidence_summary(insight, self.today,
                                                  self.config.evidence_stale_after_days),
            "looks_like": [catalog.insights[i] for i in self.looks_like.get(insight.id, [])],
            "outcome": metric_outcome(insight, journey,
                                      self.history.timelines.get(insight.id, [])),
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
        journey = heat.journey
        outcomes: dict[str, list[Outcome]] = {}  # stage id -> decisions meant to move a metric
        for stage in heat.stages:
            for insight in stage.insights:
                found = metric_outcome(insight, journey,
                                       self.history.timelines.get(insight.id, []))
                if found is not None and found.stage.id == stage.stage.id:
                    outcomes.setdefault(stage.stage.id, []).append(found)
        stage_moments = moments.moments([heat], ranked=False)
        methods = [m for m in EvidenceSource
                   if any(moment.methods[m] for moment in stage_moments)]
        return {"journey": journey, "outcomes": outcomes,
                "stage_moments": stage_moments, "methods": methods,
                "flow_charts": self._flow_charts(
                    [(s.stage.name or s.stage.id, self.flow.by_stage.get(
                        (journey.id, s.stage.id), flow.FlowFigures())) for s in heat.stages],
                    "per stage"),
                "stage_flow": {s.stage.id: self.flow.by_stage.get((journey.id, s.stage.id),
                                                                  flow.FlowFigures())
                               for s in heat.stages},
                "shown": {s.stage.id: _most_severe(s.insights) for s in heat.stages},
                "scale": self.scale,}

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
                "strength": insight.evidence_strength.value if insight.evidence_strength else "",
                "strengthRank": insight.evidence_strength.rank if insight.evidence_strength
                else None,
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

    def _redirects(self) -> Iterator[tuple[str, str]]:
        """An old id's URL forwards to the entry that now holds it: (src, target)."""
        for kind in Kind:
            for alias, id in sorted(self.catalog.aliases[kind].items()):
                old = page_path(kind, alias)
                link = Linker(old, self.directory_urls)
                src = link.url_of(old) + ("index.html" if self.directory_urls else "")
                yield src, link.to(page_path(kind, id))


@dataclass(frozen=True, slots=True)
class Route:
    """How to make one generated file. Files of a `batch` are made together by
    `files()` (see there); `make` makes just the one."""
    make: Callable[[], GeneratedFile]
    batch: str | None = None


_INSIGHT_PAGES, _EXPORTS = "insight pages", "exports"


def _asset(name: str) -> GeneratedFile:
    asset = resources.files("generator.site").joinpath("assets", name)
    return GeneratedFile(f"assets/{name}", asset.read_text(encoding="utf-8"))


_REDIRECT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Moved</title>
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}"></head>
<body><p>This page has moved to <a href="{url}">{url}</a>.</p></body></html>
"""
