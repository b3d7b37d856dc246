"""'Did you mean …?' for mistyped ids, fields and vocabulary words."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `word`, or None when nothing is close."""
    options = list(candidates)
    lowered = word.strip().lower()
    for option in options:  # `High` or `Under-Review`: only the case is wrong
        if option.lower() == lowered:
            return option
    matches = difflib.get_close_matches(lowered, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint sentence with a trailing space, or '' when nothing is close."""
    match = closest(word, candidates)
    return f'Did you mean "{match}"? ' if match else ""
