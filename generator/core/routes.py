"""The site's own addresses besides the entries' pages. Links in bodies and docs/
pages may point at them, so the link check knows them from here; the site
package writes them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .model import Entry, Kind

if TYPE_CHECKING:
    from .catalog import Catalog

ASSETS = ("insight-portal.css", "insight-portal.js")
SECTIONS = {  # nav title -> page
    "Home": "index.md",
    "Insights": "insights/index.md",
    "Decisions": "decisions/index.md",
    "Personas": "personas/index.md",
    "Journeys": "journeys/index.md",
    "Teams": "teams/index.md",
    "Tags": "tags/index.md",
    "What's new": "whats-new/index.md",
}
INDEX_DATA = "assets/insight-index.json"
FEED_PATH = "feed.xml"
ROBOTS = "robots.txt"
EXPORT_FORMATS = ("json", "csv")


def export_path(kind: Kind, extension: str) -> str:
    return f"export/{kind.folder}.{extension}"


GENERATED_PATHS = frozenset({
    *SECTIONS.values(), FEED_PATH, INDEX_DATA, ROBOTS,
    *(export_path(kind, extension) for kind in Kind for extension in EXPORT_FORMATS),
    *(f"assets/{name}" for name in ASSETS)})


def slug(text: str) -> str:
    """Text as an address part: "Delivery Ops!" -> "delivery-ops" ("" if no letter or digit)."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def owner_names(catalog: Catalog) -> list[str]:
    """Every team (PRODUCT.md, "Teams"): each owner named by a decision, a persona,
    a journey or a stage, in alphabetical order."""
    names: set[str] = set()
    for insight in catalog.insights.values():
        if insight.decision and insight.decision.owner:
            names.add(insight.decision.owner)
    for persona in catalog.personas.values():
        if persona.owner:
            names.add(persona.owner)
    for journey in catalog.journeys.values():
        names.update(owner for owner in [journey.owner, *(s.owner for s in journey.stages)]
                     if owner)
    return sorted(names, key=lambda name: (name.lower(), name))


def team_slugs(catalog: Catalog) -> dict[str, str]:
    """Team name -> the slug of its page (teams/<slug>/), unique: "Delivery Ops" ->
    "delivery-ops"; a second name with the same slug gets "-2"."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in owner_names(catalog):
        base = slug(name) or "team"
        found, number = base, 2
        while found in taken:
            found, number = f"{base}-{number}", number + 1
        taken.add(found)
        slugs[name] = found
    return slugs


def team_paths(catalog: Catalog) -> frozenset[str]:
    """Every team page and feed, for the link check."""
    return frozenset(path for slug in team_slugs(catalog).values()
                     for path in (team_page(slug), team_feed(slug)))


_TEAM_PATH = re.compile(r"^teams/[a-z0-9]+(?:-[a-z0-9]+)*/(?:index\.md|feed\.xml)$")


def is_team_path(path: str) -> bool:
    """Whether `path` is where a team's page or feed would be (any team)."""
    return _TEAM_PATH.match(path) is not None


def team_page(slug: str) -> str:
    """A team's page: teams/<slug>/index.md, its feed beside it (team_feed)."""
    return f"teams/{slug}/index.md"


def team_feed(slug: str) -> str:
    return f"teams/{slug}/{FEED_PATH}"


def page_path(kind: Kind, entry_id: str) -> str:
    """The source path of an entry's page: insights/<id>.md."""
    return f"{kind.folder}/{entry_id}.md"


_KIND_OF_FOLDER = {kind.folder: kind for kind in Kind}


def entry_at(catalog: Catalog | None, src_uri: str) -> Entry | None:
    """The entry whose page `src_uri` is (None: another page, such as an index)."""
    folder, _, name = src_uri.partition("/")
    kind = _KIND_OF_FOLDER.get(folder)
    if catalog is None or kind is None or "/" in name or not name.endswith(".md"):
        return None
    return catalog.entries(kind).get(name[:-3])
