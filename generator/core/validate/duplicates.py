"""Possible duplicates: a newer insight whose title and summary read like an
older one's, with the same kind, a shared persona and a shared journey stage.

How pairs are found, and why so. PRODUCT.md asks only about insights that share
a kind, a persona and a stage, so insights are put in blocks by (kind, persona,
journey, stage) and compared within a block, never all pairs with all pairs. An
insight with several personas or stages is in several blocks (a pair met in two
blocks is still reported once); one without a journey or a stage is in none, and
is never reported. Within a block, oldest first (by `created`, then id), each
insight is compared with the RECENT insights before it there, in one call to
rapidfuzz (C++), and a match is reported on the newer file, naming the older one.
The window keeps the work at most RECENT comparisons per insight and block: a
block of thousands of insights (everything filed under one persona and stage)
costs linear time, not quadratic, and a duplicate is usually written while the
first is recent. Pairs already linked by `related` or `supersedes`, either way,
are not reported.

Similarity is rapidfuzz's token sort ratio (0-100) of title and summary,
lowercased, without punctuation or a few English function words: word order
and small words do not count, word forms and spelling do. THRESHOLD was chosen
on a labelled set of pairs (benchmarks/duplicates.py) for precision over
recall: a possible duplicate is a suggestion to a reviewer, and false ones would
teach people to ignore it.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

from ..catalog import Catalog
from ..model import Insight
from ..problems import Problem, make_problem

SCORER = fuzz.ratio  # on texts whose words are sorted: rapidfuzz's token sort ratio
THRESHOLD = 68.0  # similarity (0-100) at or above which a pair reads alike
# Predecessors in a block each insight is compared with, the latest ones: at most
# 100 comparisons per insight and block, however large a block grows.
RECENT = 100

# Words that say nothing about a finding: left out before comparing.
STOP_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "for", "at", "by", "with",
    "from", "into", "than", "then", "so", "as", "is", "are", "was", "were", "be", "been", "it",
    "its", "this", "that", "these", "those", "they", "them", "their", "we", "our", "us", "do",
    "does", "did", "have", "has", "had", "not", "no", "can", "cannot", "when", "which", "who",
    "what", "while", "after", "before", "over", "more", "most", "some", "any", "each", "one",
    "only", "up", "out"})


def comparable_text(title: str | None, summary: str | None) -> str:
    """The words of title and summary that are compared, in sorted order."""
    words = [word for word in utils.default_process(f"{title or ''} {summary or ''}").split()
             if word not in STOP_WORDS]
    words.sort()
    return " ".join(words)


def similarity(first: str, second: str) -> float:
    """How alike two comparable texts read, 0-100."""
    return SCORER(first, second)


def looks_like(catalog: Catalog) -> dict[str, list[str]]:
    """Newer insight id -> the ids of the older insights it reads like, oldest first.

    The answer for the last catalog asked about is kept: the check computes it, and
    the site made from the same catalog (a build, the preview after a save) reads
    it instead of comparing everything again. Do not change the answer."""
    last = _LAST.get("answer")
    if last is not None and last[0] is catalog:
        return last[1]
    # Its block lists and keys die when it returns. A collection in the middle would
    # move them to the oldest generation and bring the next full collection (0.4 s at
    # 10,000 insights) forward, into the preview's reload after a save.
    collecting = gc.isenabled()
    gc.disable()
    try:
        found = _alike(catalog)
    finally:
        if collecting:
            gc.enable()
    _LAST["answer"] = (catalog, found)  # one tuple: a thread reads both or neither
    return found


# The last catalog looks_like was asked about, with its answer.
_LAST: dict[str, tuple[Catalog, dict[str, list[str]]]] = {}


def _alike(catalog: Catalog) -> dict[str, list[str]]:
    order = sorted(catalog.insights.values(), key=_age)
    texts = [comparable_text(insight.title, insight.summary) for insight in order]
    pairs: set[tuple[int, int]] = set()  # (newer, older) positions in `order`
    for members in _blocks(order, texts):
        if len(members) > 1:
            _compare(members, [texts[position] for position in members], pairs)
    found: dict[str, list[str]] = {}
    for newer, older in sorted(pairs):
        if not _linked(order[newer], order[older]):
            found.setdefault(order[newer].id, []).append(order[older].id)
    return found


def _blocks(order: list[Insight], texts: list[str]) -> Iterable[list[int]]:
    """The positions in `order` of the insights in each (kind, persona, journey,
    stage) block: none for an insight without a kind, journey, stage or words."""
    blocks: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for position, insight in enumerate(order):
        if insight.kind and insight.journey and texts[position]:
            for persona in set(insight.personas):
                for stage in set(insight.stages):
                    blocks[insight.kind, persona, insight.journey, stage].append(position)
    return blocks.values()


def _compare(members: list[int], block: list[str], pairs: set[tuple[int, int]]) -> None:
    """Each insight of a block (oldest first) against its RECENT predecessors there."""
    for index in range(1, len(members)):
        start = max(0, index - RECENT)
        for _, _, found in process.extract(block[index], block[start:index], scorer=SCORER,
                                           score_cutoff=THRESHOLD, limit=None):
            pairs.add((members[index], members[start + found]))


def check_duplicates(catalog: Catalog, problems: list[Problem],
                     found: dict[str, list[str]] | None = None) -> None:
    """A possible-duplicate reminder on each newer file, at its title, per older
    insight. `found`: what looks_like(catalog) answered elsewhere (another
    process, see corpus.py), kept as its answer for this catalog."""
    if found is None:
        found = looks_like(catalog)
    else:
        _LAST["answer"] = (catalog, found)
    for newer_id, older_ids in found.items():
        newer = catalog.insights[newer_id]
        for older_id in older_ids:
            older = catalog.insights[older_id]
            problems.append(make_problem(
                "possible-duplicate", newer.origin.path, newer.origin.line("title"),
                ref=older_id, file=older.origin.path,
                created=older.created.isoformat() if older.created else "no date"))


def _age(insight: Insight) -> tuple[dt.date, str]:
    return insight.created or dt.date.min, insight.id


def _linked(newer: Insight, older: Insight) -> bool:
    """Already linked by `related` or `supersedes`, either way."""
    return (older.id in newer.related or older.id in newer.supersedes
            or newer.id in older.related or newer.id in older.supersedes)
