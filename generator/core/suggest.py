"""'Did you mean …?' for mistyped ids, fields and vocabulary words."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable

# Above this many candidates, only those sharing the word's first letter and
# roughly its length are compared: difflib costs O(candidates) per lookup, which
# at 40,000 ids and many broken references would take minutes.
_FULL_SCAN_LIMIT = 1_000


class Suggester:
    """Closest-word lookups over one fixed set of candidates."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self.candidates = sorted(set(candidates))
        self._by_lower = {candidate.lower(): candidate for candidate in self.candidates}
        self._buckets: dict[str, list[str]] = defaultdict(list)
        if len(self.candidates) > _FULL_SCAN_LIMIT:
            for candidate in self.candidates:
                self._buckets[candidate[:1]].append(candidate)
        self._memo: dict[str, str | None] = {}

    def closest(self, word: str) -> str | None:
        """The candidate most like `word`, or None when nothing is close."""
        lowered = word.strip().lower()
        if lowered in self._memo:
            return self._memo[lowered]
        match = self._by_lower.get(lowered)  # `High`, `Under-Review`: only the case is wrong
        if match is None:
            pool = self.candidates
            if len(pool) > _FULL_SCAN_LIMIT:
                pool = [c for c in self._buckets.get(lowered[:1], ())
                        if abs(len(c) - len(lowered)) <= 3]
            found = difflib.get_close_matches(lowered, pool, n=1, cutoff=0.6)
            match = found[0] if found else None
        self._memo[lowered] = match
        return match

    def did_you_mean(self, word: str) -> str:
        """A hint sentence with a trailing space, or '' when nothing is close."""
        match = self.closest(word)
        return f'Did you mean "{match}"? ' if match else ""

    def sample(self, limit: int = 8) -> str:
        """A few candidates, for hints when nothing is close."""
        if not self.candidates:
            return "none yet"
        shown = ", ".join(self.candidates[:limit])
        return shown + (", …" if len(self.candidates) > limit else "")


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """One-off lookup over a small vocabulary (fields, statuses, teams)."""
    return Suggester(candidates).did_you_mean(word)
