"""The portal a new entry goes into: the slug checked against it, the portal
loaded, and the ids, teams and tags a flag or an answer must name.

A value the portal does not know stops the command here, with a hint and exit
status 2, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

from ...check.pipeline import PortalResult, check_portal
from ...core.catalog import Catalog
from ...core.config import PortalConfig
from ...core.loader import IGNORED_NAMES, discover
from ...core.model import Kind, PersonaStatus
from ...core.suggest import Suggester
from ...core.validate.fields import is_slug, slugify
from ..options import EXIT_USAGE, reference_day, resolve_root


class Refused(click.ClickException):
    """A request the command will not carry out; nothing is written."""

    exit_code = EXIT_USAGE



@dataclass(slots=True)
class Portal:
    root: Path
    today: dt.date
    result: PortalResult
    kind: Kind
    slug: str
    path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.path = self.root / self.kind.folder / f"{self.slug}.md"

    @property
    def rel(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def catalog(self) -> Catalog:
        return self.result.catalog

    @property
    def config(self) -> PortalConfig:
        return self.result.config

    def ids(self, kind: Kind) -> list[str]:
        return sorted(self.catalog.file_ids[kind])

    def teams(self) -> list[str] | None:
        return sorted(self.config.teams) if self.config.teams is not None else None

    def tags(self) -> list[str] | None:
        return sorted(self.config.tags) if self.config.tags is not None else None


def open_portal(root: str | None, today: str | None, kind: Kind, slug: str) -> Portal:
    """Check the root and the slug, refuse a taken id, and load the portal."""
    folder = resolve_root(root)
    reference_date = reference_day(today)
    if not is_slug(slug):
        suggestion = slugify(slug[:-3] if slug.lower().endswith(".md") else slug)
        raise click.BadParameter(
            f"'{slug}' is not a valid id: use lowercase letters, digits and single hyphens "
            f"(the id is the file name, without .md). Try '{suggestion}'.", param_hint="SLUG")
    if f"{slug}.md" in IGNORED_NAMES:
        raise click.BadParameter(
            f"'{slug}' is a reserved name: {kind.folder}/{slug}.md documents the folder and is "
            f"not read as an entry. Choose another id.", param_hint="SLUG")
    target = folder / kind.folder / f"{slug}.md"
    if target.exists():
        raise Refused(f"{kind.folder}/{slug}.md already exists; nothing was written. Edit that "
                      f"file, or choose another id.")
    for source in discover(folder):
        if source.kind is kind and source.id == slug:
            raise Refused(f"the {kind.value} id '{slug}' is already used by {source.rel} (ids "
                          f"are unique per kind, subfolders included); nothing was written. "
                          f"Choose another id.")
    result = check_portal(folder, reference_date, use_cache=False)  # a refusal writes nothing
    renamed = result.catalog.aliases[kind].get(slug)
    if renamed:
        raise Refused(f"'{slug}' is a former id of {kind.folder}/{renamed}.md (listed in its "
                      f"aliases, so its old URL redirects there); nothing was written. "
                      f"Choose another id.")
    return Portal(folder, reference_date, result, kind, slug)


def known(portal: Portal, kind: Kind, ref: str, option: str) -> str:
    """`ref` if an entry of `kind` has that id; else a usage error with a hint."""
    if portal.catalog.exists(kind, ref):
        return ref
    renamed = portal.catalog.aliases[kind].get(ref)
    if renamed:
        hint = f'"{ref}" was renamed to "{renamed}": give the new id.'
    else:
        suggester = Suggester(portal.catalog.file_ids[kind])
        hint = suggester.did_you_mean(ref).strip() or f"Known {kind.folder}: {suggester.sample()}."
    raise click.BadParameter(f'no {kind.value} has the id "{ref}". {hint}', param_hint=option)


def in_registry(value: str, registry: list[str] | None, what: str, option: str) -> str:
    if registry is None or value in registry:
        return value
    hint = Suggester(registry).did_you_mean(value).strip() or \
        f"Known {what}s: {', '.join(registry)}."
    raise click.BadParameter(f"'{value}' is not in the {what}s listed in mkdocs.yml. {hint}",
                             param_hint=option)


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


def git_user_name(root: Path) -> str | None:
    try:
        completed = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True,
                                   text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    name = completed.stdout.strip()
    return name if completed.returncode == 0 and name else None


Option = tuple[str, str]  # (value, description)


def persona_options(portal: Portal) -> list[Option]:
    options = []
    for id in portal.ids(Kind.PERSONA):
        persona = portal.catalog.personas.get(id)
        name = (persona.name or "") if persona else ""
        if persona is not None and persona.status is PersonaStatus.ARCHIVED:
            name += " (archived)"
        options.append((id, name))
    return options


def journey_options(portal: Portal) -> list[Option]:
    options = []
    for id in portal.ids(Kind.JOURNEY):
        journey = portal.catalog.journeys.get(id)
        options.append((id, (journey.title or "") if journey else ""))
    return options


def stage_options(portal: Portal, journey_id: str) -> list[Option]:
    journey = portal.catalog.journeys.get(journey_id)
    if journey is None:
        return []
    return [(stage.id, f"{stage.name or ''}" + (f" ({stage.owner})" if stage.owner else ""))
            for stage in journey.stages if stage.id]
