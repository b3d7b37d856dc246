"""What's new, This week and the Atom feed: events dated by the files' own dates
where they have them, by git otherwise (a status change committed without
decision.history), newest first."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
from conftest import TODAY, PortalFactory, run_portal
from test_rules import SECOND_INSIGHT

from generator.check.pipeline import check_portal
from generator.core.model import DecisionStatus
from generator.site import history

ATOM = "{http://www.w3.org/2005/Atom}"
SECOND = "insights/second.md"
THIRD = "insights/third.md"


def git(root: Path, *args: str, date: str | None = None) -> None:
    environment = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        environment["GIT_AUTHOR_DATE"] = environment["GIT_COMMITTER_DATE"] = \
            f"{date}T12:00:00+00:00"
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c",
                    "user.email=test@example.invalid", *args],
                   check=True, capture_output=True, env=environment)


def commit(root: Path, message: str, date: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)


def second_insight(status: str = "new") -> str:
    return SECOND_INSIGHT.replace("decision: {status: superseded, owner: cx-team}",
                                  f"decision: {{status: {status}, owner: cx-team}}") \
                         .replace("supersedes: [fees-surprise]\n", "")


def third_insight() -> str:
    return second_insight().replace("Second insight", "Third insight") \
                           .replace("created: 2026-09-01", "created: 2026-11-01")


def history_portal(make_portal: PortalFactory) -> Path:
    """fees-surprise added 09-01, second added 10-01 and accepted 10-15, third uncommitted."""
    root = make_portal({SECOND: None})
    (root / "docs").mkdir(exist_ok=True)
    git(root, "init", "-q")
    commit(root, "first", "2026-09-01")
    (root / SECOND).write_text(second_insight(), encoding="utf-8")
    commit(root, "second", "2026-10-01")
    (root / SECOND).write_text(second_insight("accepted").replace(
        "owner: cx-team}", "owner: cx-team, date: 2026-10-15}"), encoding="utf-8")
    commit(root, "accept second", "2026-10-15")
    (root / THIRD).write_text(third_insight(), encoding="utf-8")
    return root


def events_of(root: Path, today=TODAY) -> list[tuple[str, str, str, str | None, str | None]]:
    catalog = check_portal(root, today).catalog
    return [(e.date.isoformat(), e.entry_id, e.kind, e.status, e.previous)
            for e in history.portal_history(root, catalog, today, 180).events]


def test_events_newest_first_dated_by_the_files_then_git(make_portal: PortalFactory) -> None:
    assert events_of(history_portal(make_portal)) == [
        ("2026-11-01", "third", history.ADDED, None, None),  # not committed: its created date
        # Committed new, then accepted: git's change, dated by decision.date.
        ("2026-10-15", "second", history.CHANGED, DecisionStatus.ACCEPTED, DecisionStatus.NEW),
        ("2026-10-02", "fees-surprise", history.CHANGED, DecisionStatus.ACCEPTED, None),
        ("2026-09-20", "fees-surprise", history.ADDED, None, None),
        ("2026-09-01", "second", history.ADDED, None, None),  # its created, not its commit
    ]


def test_without_git_the_files_own_dates_are_used(make_portal: PortalFactory) -> None:
    assert [(date, kind) for date, _, kind, _, _ in events_of(make_portal())] == [
        ("2026-10-02", history.CHANGED), ("2026-09-20", history.ADDED)]


def test_whats_new_page_and_atom_feed(make_portal: PortalFactory, tmp_path: Path) -> None:
    root = history_portal(make_portal)
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today", "2026-11-24")
    assert result.returncode == 0, result.stdout + result.stderr

    page = lxml.html.parse(str(site / "whats-new" / "index.html")).getroot()
    items = [" ".join(li.text_content().split())
             for li in page.xpath("//ul[@class='ip-events']/li")]
    assert items[0].startswith("2026-11-01 New insight Third insight")
    assert items[1].startswith("2026-10-15 Decided: New → Accepted Second insight — by Test")

    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    for entry in entries:
        for required in ("id", "title", "updated", "link", "author"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    dates = [entry.find(f"{ATOM}updated").text for entry in entries]
    assert dates == sorted(dates, reverse=True)
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == len(entries)
    assert entries[1].find(f"{ATOM}title").text == "New → Accepted: Second insight"
    assert entries[1].find(f"{ATOM}link").get("href") == "insights/second/"


def test_a_committed_status_change_shows_on_the_timeline_this_week_and_the_feed(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    """The file has no decision.history: git's commit is the step, dated by it."""
    root = history_portal(make_portal)
    (root / SECOND).write_text(second_insight("accepted").replace(
        "owner: cx-team}", "owner: cx-team, date: 2026-10-15}").replace(
        "status: accepted", "status: in-progress"), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start", date="2026-11-20")
    (root / SECOND).write_text((root / SECOND).read_text(encoding="utf-8").replace(
        "date: 2026-10-15", "date: 2026-11-20"), encoding="utf-8")
    commit(root, "date it", "2026-11-21")
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today", "2026-11-24")
    assert result.returncode == 0, result.stdout + result.stderr

    def texts(page: str, path: str) -> list[str]:
        tree = lxml.html.parse(str(site / page)).getroot()
        return [" ".join(node.text_content().split()) for node in tree.xpath(path)]

    assert texts("insights/second/index.html", "//ol[@class='ip-timeline']/li") == [
        "2026-09-01 New",  # added in a commit of 10-01: dated by its created
        "2026-10-15 Accepted — committed by Test",
        "2026-11-20 In progress (now) — committed by Test"]
    week = texts("index.html", "//ul[contains(@class, 'ip-this-week')]/li")
    assert week[0] == "2026-11-20 Started: Accepted → In progress Second insight — by Test"
    assert all(line[:10] > "2026-11-17" for line in week)
    feed = ET.parse(site / "feed.xml").getroot()
    first = feed.findall(f"{ATOM}entry")[0]
    assert first.find(f"{ATOM}title").text == "Accepted → In progress: Second insight"
    assert first.find(f"{ATOM}updated").text == "2026-11-20T00:00:00Z"
