"""Precision and recall of the possible-duplicate rule on a labelled set of pairs.

    python benchmarks/duplicates.py [--pairs benchmarks/duplicates/pairs.yaml] [--misses]

Scores every pair of benchmarks/duplicates/pairs.yaml with the rule's own
similarity (generator/core/validate/duplicates.py: comparable_text, similarity)
and prints, at the rule's THRESHOLD and at a few others around it, the confusion
counts (true and false positives, false negatives, true negatives), precision
and recall, then what the chosen threshold reports in each category of pairs.
--misses lists the pairs it gets wrong. Every pair is one the rule could meet
(two insights of one kind, persona and stage): the blocks are not what is
measured here, the reading of title and summary is.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.core.validate.duplicates import (  # noqa: E402 - after the path is set
    THRESHOLD,
    comparable_text,
    similarity,
)

PAIRS = Path(__file__).resolve().parent / "duplicates" / "pairs.yaml"
OTHER_THRESHOLDS = (55.0, 60.0, 64.0, 66.0, 70.0, 72.0, 75.0, 80.0)


@dataclass(frozen=True)
class Scored:
    score: float
    duplicate: bool
    category: str
    titles: tuple[str, str]


@dataclass(frozen=True)
class Counts:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score_pairs(path: Path) -> list[Scored]:
    pairs = yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"]
    scored = []
    for pair in pairs:
        a, b = pair["a"], pair["b"]
        score = similarity(comparable_text(a["title"], a["summary"]),
                           comparable_text(b["title"], b["summary"]))
        scored.append(Scored(score, bool(pair["duplicate"]), pair["category"],
                             (a["title"], b["title"])))
    return scored


def counts(scored: list[Scored], threshold: float) -> Counts:
    hits = [(s.score >= threshold, s.duplicate) for s in scored]
    return Counts(tp=hits.count((True, True)), fp=hits.count((True, False)),
                  fn=hits.count((False, True)), tn=hits.count((False, False)))


def report(scored: list[Scored], misses: bool) -> str:
    by_category: dict[str, int] = {}
    for s in scored:
        by_category[s.category] = by_category.get(s.category, 0) + 1
    lines = [f"{len(scored)} labelled pairs: "
             + ", ".join(f"{n} {category}" for category, n in by_category.items()), "",
             "| threshold | TP | FP | FN | TN | precision | recall |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for threshold in sorted({THRESHOLD, *OTHER_THRESHOLDS}):
        c = counts(scored, threshold)
        mark = " (chosen)" if threshold == THRESHOLD else ""
        lines.append(f"| {threshold:g}{mark} | {c.tp} | {c.fp} | {c.fn} | {c.tn} | "
                     f"{c.precision:.3f} | {c.recall:.3f} |")
    lines += ["", f"At {THRESHOLD:g}, reported as possible duplicates:"]
    for category in by_category:
        members = [s for s in scored if s.category == category]
        reported = sum(s.score >= THRESHOLD for s in members)
        lines.append(f"  {category}: {reported} of {len(members)}")
    if misses:
        lines += ["", "Pairs the chosen threshold gets wrong:"]
        for s in sorted(scored, key=lambda s: -s.score):
            if (s.score >= THRESHOLD) != s.duplicate:
                what = "false positive" if s.score >= THRESHOLD else "missed"
                lines.append(f"  {s.score:5.1f} {what}: {s.titles[0]!r} / {s.titles[1]!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--misses", action="store_true", help="list the pairs it gets wrong")
    args = parser.parse_args(argv)
    print(report(score_pairs(args.pairs), args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
