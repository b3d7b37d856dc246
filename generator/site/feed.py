"""The Atom feed of what changed: the events of What's new (history.py), an
entry each, dated by the event."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import quote

from ..core.catalog import Catalog
from ..core.routes import FEED_PATH, slug
from .charts import format_value
from .history import ADDED, METRIC_OFF, PERSONA_DUE, REVIEW_PASSED, Event

ATOM = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 50


def event_title(event: Event, catalog: Catalog, labels: dict) -> str:
    if event.kind == METRIC_OFF:
        journey = catalog.journeys[event.entry_id]
        stage = journey.stage(event.stage)
        return f"Off target: {event.metric} at {stage.name} ({journey.title})"
    if event.kind == PERSONA_DUE:
        persona = catalog.personas[event.entry_id]
        return f"Persona due for review: {persona.name or persona.id}"
    insight = catalog.insights[event.entry_id]
    title = insight.title or insight.id
    if event.kind == ADDED:
        return f"New insight: {title}"
    if event.kind == REVIEW_PASSED:
        return f"Review date passed: {title}"
    before = f"{labels.get(event.previous, 'No status')} → " if event.previous else ""
    return f"{before}{labels.get(event.status, 'Decision')}: {title}"


def atom_feed(events: list[Event], catalog: Catalog, labels: dict, site_name: str,
              site_url: str, today: dt.date, path: str = FEED_PATH,
              page: str = "whats-new/", title: str = "what's new") -> str:
    """`events` newest first, as the feed at `path` of the page `page` (the site's
    What's new, or a team's page). Links are absolute when the site's URL is known."""
    ET.register_namespace("", ATOM)
    # Without the site's URL, links are relative to where the feed itself is.
    base = site_url.rstrip("/") + "/" if site_url else "../" * path.count("/")

    def element(parent: ET.Element, tag: str, text: str | None = None, **attributes: str
                ) -> ET.Element:
        child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            child.text = text
        return child

    feed = ET.Element(f"{{{ATOM}}}feed")
    element(feed, "title", f"{site_name}: {title}")
    name = slug(site_name) or "portal"
    feed_id = f"urn:insight-portal:{name}" + ("" if path == FEED_PATH else f":{path}")
    element(feed, "id", f"{base}{path}" if base else feed_id)
    shown = events[:FEED_LIMIT]
    updated = shown[0].date if shown else today
    element(feed, "updated", _timestamp(updated))
    element(feed, "link", rel="self", href=f"{base}{path}")
    element(feed, "link", rel="alternate", href=f"{base}{page}")
    for event in shown:
        entry = element(feed, "entry")
        element(entry, "title", event_title(event, catalog, labels))
        status = event.status.value if event.status else ""
        subject = f"{event.entry_id}/{event.stage}/{quote(event.metric or '')}" \
            if event.kind == METRIC_OFF else event.entry_id
        element(entry, "id", f"urn:insight-portal:{subject}:{event.kind}:"
                             f"{event.date.isoformat()}:{status}")
        element(entry, "updated", _timestamp(event.date))
        author = element(entry, "author")
        if event.kind == METRIC_OFF:
            stage = catalog.journeys[event.entry_id].stage(event.stage)
            element(entry, "link", rel="alternate",
                    href=f"{base}journeys/{event.entry_id}/#stage-{stage.id}")
            element(author, "name", stage.owner or "research")
            metric = stage.metric(event.metric)
            reading = metric.reading_on(event.date)
            element(entry, "summary", f"{metric.name}: {format_value(reading[1], metric.unit)} "
                                      f"on {event.date.isoformat()}, target "
                                      f"{format_value(metric.target, metric.unit)}.")
            continue
        if event.kind == PERSONA_DUE:
            persona = catalog.personas[event.entry_id]
            element(entry, "link", rel="alternate", href=f"{base}personas/{persona.id}/")
            element(author, "name", persona.owner or "research")
            if persona.summary:
                element(entry, "summary", persona.summary)
            continue
        insight = catalog.insights[event.entry_id]
        element(entry, "link", rel="alternate", href=f"{base}insights/{insight.id}/")
        owner = insight.decision.owner if insight.decision else None
        element(author, "name", (insight.authors[0] if insight.authors else None)
                or owner or "research")
        summary = f"{event.note}. {insight.summary or ''}" if event.note else insight.summary
        if summary:
            element(entry, "summary", summary.strip())
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") \
        + "\n"


def _timestamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"
