"""Asking in a terminal for the values no flag gave: text, lists, and picks from
the portal's own ids by number or by name. Asks nothing when not interactive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

import click

from ...core.suggest import Suggester
from .portal import Option, Portal, unique


class Asker:
    """Prompts for values not given by flags; asks nothing when not interactive."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._told = False

    def _intro(self) -> None:
        if not self._told:
            click.echo("Press Enter to skip a field and fill it in later: "
                       "`portal check` will point to it.")
            self._told = True

    def text(self, label: str, default: str = "") -> str:
        self._intro()
        return str(click.prompt(label, default=default, show_default=bool(default))).strip()

    def texts(self, label: str) -> list[str]:
        """One value per line until an empty line."""
        self._intro()
        values: list[str] = []
        while True:
            value = self.text(f"{label} {len(values) + 1} (Enter when done)")
            if not value:
                return values
            values.append(value)

    def choose(self, label: str, options: Sequence[Option], *, many: bool = False,
               default: str = "", listed: bool = True, optional: bool = False,
               noun: str = "id") -> list[str]:
        """Values picked from `options` by number or by value; [] when skipped."""
        self._intro()
        values = [value for value, _ in options]
        if listed:
            click.echo(f"{label}:")
            width = max((len(value) for value in values), default=0)
            for number, (value, description) in enumerate(options, start=1):
                click.echo(f"  {number:>2}  {value:<{width}}  {description}".rstrip())
            how = f"{noun}s or their numbers, separated by commas" if many else \
                f"{noun} or its number"
            question = f"{label} ({how}{', Enter for none' if optional else ''})"
        else:
            question = f"{label} ({' | '.join(values)})"
        while True:
            answer = self.text(question, default=default)
            if not answer:
                return []
            tokens = [token for token in re.split(r"[,\s]+", answer) if token]
            if not many and len(tokens) > 1:
                click.echo("  Pick one.")
                continue
            picked, wrong = _pick(tokens, values)
            if not wrong:
                return unique(picked)
            click.echo(f"  '{wrong}' is not offered. "
                       f"{Suggester(values).did_you_mean(wrong)}Pick from the list.")

    def one(self, label: str, options: Sequence[Option], default: str = "",
            listed: bool = True, optional: bool = False, noun: str = "id") -> str | None:
        picked = self.choose(label, options, default=default, listed=listed, optional=optional,
                             noun=noun)
        return picked[0] if picked else None

    def word(self, label: str, vocabulary: type[StrEnum], default: str = "") -> str | None:
        return self.one(label, [(word.value, "") for word in vocabulary], default=default,
                        listed=False)

    def team(self, label: str, portal: Portal, default: str = "") -> str | None:
        teams = portal.teams()
        if teams is None:
            return self.text(label, default=default) or None
        return self.one(label, [(team, "") for team in teams], default=default, noun="team")


def _pick(tokens: list[str], values: list[str]) -> tuple[list[str], str | None]:
    by_lower = {value.lower(): value for value in values}
    picked = []
    for token in tokens:
        if token.isdigit() and 1 <= int(token) <= len(values):
            picked.append(values[int(token) - 1])
        elif token in values or token.lower() in by_lower:
            picked.append(token if token in values else by_lower[token.lower()])
        else:
            return picked, token
    return picked, None
