"""The site's own addresses besides the entries' pages. Links in bodies and docs/
pages may point at them, so the link check knows them from here; the site
package writes them."""

from __future__ import annotations

from .model import Kind

ASSETS = ("insight-portal.css", "insight-portal.js")
SECTIONS = {  # nav title -> page
    "Home": "index.md",
    "Insights": "insights/index.md",
    "Decisions": "decisions/index.md",
    "Personas": "personas/index.md",
    "Journeys": "journeys/index.md",
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
