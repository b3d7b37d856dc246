"""When each page's content last changed: the sitemap's `<lastmod>`.

MkDocs dates every page with the day of the build (`page.update_date`), and
takes the modification time in `sitemap.xml.gz`'s gzip header from the latest
of those dates, so two builds of one commit on different days differed. The
plugin dates each page from its content instead:

- an entry page: the latest of its file's last commit and the dates written in
  it (`created`, evidence and decision dates, `last_reviewed`, metric `as_of`:
  the schema's dates of things that already happened);
- the pages made from every entry (home, indexes, decision log, teams, tags,
  what's new): the latest date of any entry or history event;
- a hand-written page: its file's last commit;
- the reference date when nothing better is known (an uncommitted file with no
  dates in it).

Dates never lie after the reference date. Ages shown relative to the reference
date (decision debt, review age) are not counted as changes: they would make
every page change every day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from ..core.catalog import Catalog
from ..core.model import Kind
from ..core.routes import page_path
from .git_log import GitLog
from .history import Event


def git_last_changed(root: Path, folders: Iterable[str],
                     log: GitLog | None = None) -> dict[str, dt.date]:
    """Path relative to `root` -> the committer date of the last commit touching
    it, for every committed file under `folders`; empty outside a repository.
    From the portal's one `git log` (git_log.py): a path's first appearance,
    newest first, is its last change."""
    starts = [folder if folder.endswith("/") else folder + "/" for folder in folders]
    return (log or GitLog.start(root)).last_changed(starts)


def page_dates(catalog: Catalog, events: list[Event], changed: dict[str, dt.date],
               today: dt.date, shared: Iterable[str]) -> dict[str, dt.date]:
    """src_uri -> the date its page last changed, for every entry page and every
    page made from all of them (`shared`)."""
    dates: dict[str, dt.date] = {}
    for kind, entries in ((Kind.INSIGHT, catalog.insights), (Kind.PERSONA, catalog.personas),
                          (Kind.JOURNEY, catalog.journeys)):
        for id, entry in entries.items():
            known = [date for _, date in entry.origin.past_dates]
            if entry.origin.path in changed:
                known.append(changed[entry.origin.path])
            known = [date for date in known if date <= today]
            if known:
                dates[page_path(kind, id)] = max(known)
    latest = max([*dates.values(), *(event.date for event in events if event.date <= today)],
                 default=today)
    for src_uri in shared:
        dates[src_uri] = latest
    return dates
