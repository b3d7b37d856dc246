"""`portal new insight|persona|journey SLUG`: a new entry from a template."""

from __future__ import annotations

import click


@click.command("new")
def new() -> None:
    """Write a new insight, persona or journey (being built)."""
    raise click.UsageError("portal new is not built yet")
