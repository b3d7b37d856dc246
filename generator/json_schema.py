"""`portal schema insight|persona|journey`: JSON Schema generated from schema.py."""

from __future__ import annotations

import click


@click.command("schema")
def schema() -> None:
    """Print the JSON Schema of a kind's front matter (being built)."""
    raise click.UsageError("portal schema is not built yet")
