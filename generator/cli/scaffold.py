"""`portal new insight|persona|journey SLUG`: a new entry from a template.

The file is written in the documented format, fields in the documented order,
with today's date and (for insights) the author. A value not given by a flag
is asked for when the command runs in a terminal, and otherwise left as a
placeholder that `portal check` reports on its own line: an empty text
(`empty-field`), an empty list (`too-few-items`), each with a `# TODO:` comment
saying what belongs there. So a file made with every flag passes `portal check`
at once, and one made with a few flags is still written and points to the rest.
Optional fields a contributor is asked for (an insight's journey, stages and
evidence details) are written commented out, with `# optional:` saying what
belongs there: they pass `portal check` as they are (commented, or uncommented
and left empty, they are simply absent).

User errors (a bad slug, an existing file or id, an unknown persona, journey,
stage, team or tag) stop the command with exit status 2 before anything is
written, and never with a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import click
import yaml

from ..check.pipeline import PortalResult, check_portal
from ..check.report import format_problem
from ..core.catalog import Catalog
from ..core.config import PortalConfig
from ..core.loader import IGNORED_NAMES, discover
from ..core.model import (
    Confidence,
    DecisionStatus,
    EvidenceSource,
    InsightKind,
    InsightSeverity,
    Kind,
    PersonaStatus,
)
from ..core.schema import EVIDENCE_FIELDS, FIELDS_BY_KIND, STAGE_FIELDS, FieldSpec
from ..core.suggest import Suggester
from ..core.validate.fields import is_slug, slugify
from .options import EXIT_USAGE, reference_day, resolve_root

NEXT_STEP = "Edit it, then run `portal check`."

BODIES = {
    Kind.INSIGHT: "## What we saw\n\n## Why it matters\n\n## What we don't know yet\n",
    Kind.PERSONA: "## Who they are\n\n## How we know\n\n## What to keep in mind\n",
    Kind.JOURNEY: "## About this map\n\n## Where it breaks\n",
}


class Refused(click.ClickException):
    """A request the command will not carry out; nothing is written."""

    exit_code = EXIT_USAGE


# --- writing YAML -----------------------------------------------------------------

def _scalar(value: str, in_list: bool = False) -> str:
    """`value` as a YAML scalar: plain where it reads back as the same text, else quoted."""
    text = value.strip()
    probe = f"[{text}]" if in_list else f"key: {text}"
    try:
        loaded = yaml.safe_load(probe)
    except yaml.YAMLError:
        loaded = None
    plain = loaded == ([text] if in_list else {"key": text})
    if plain and text and "\n" not in text and text[0] not in "'\"":
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _flow(values: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar(value, in_list=True) for value in values) + "]"


def _describe(spec: FieldSpec) -> str:
    """The schema's description of a field, as a TODO comment."""
    if spec.choices is not None:
        return " | ".join(spec.choices)
    text = spec.description.rstrip(".")
    return text[:1].lower() + text[1:]


class _Front:
    """Front-matter lines, each field either with its value or as a flagged placeholder."""

    def __init__(self, specs: tuple[FieldSpec, ...]) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.lines = ["---"]

    def _todo(self, name: str, extra: str = "") -> str:
        spec = self.specs[name]
        return f"  # TODO: {_describe(spec)}{extra}"

    def text(self, name: str, value: str | None, indent: str = "", extra: str = "") -> None:
        """`name: value`, or `name:` (reported as empty-field) with a TODO comment."""
        if value and value.strip():
            self.lines.append(f"{indent}{name}: {_scalar(value)}")
        else:
            self.lines.append(f"{indent}{name}:{self._todo(name, extra)}")

    def optional(self, name: str, value: str | None, indent: str = "") -> None:
        if value and value.strip():
            self.lines.append(f"{indent}{name}: {_scalar(value)}")

    def commented(self, name: str, indent: str = "", empty: str = "", extra: str = "") -> None:
        """`# name:` with what belongs there: shown, but not read until uncommented."""
        spec = self.specs[name]
        self.lines.append(f"{indent}# {name}:{empty}  # optional: {_describe(spec)}{extra}")

    def ids(self, name: str, values: Sequence[str], extra: str = "") -> None:
        """`name: [a, b]`, or `name: []` (reported as too-few-items) with a TODO comment."""
        if values:
            self.lines.append(f"{name}: {_flow(values)}")
        else:
            self.lines.append(f"{name}: []{self._todo(name, extra)}")

    def items(self, name: str, values: Sequence[str]) -> None:
        """A block list of sentences, or `name: []` with a TODO comment."""
        if not values:
            self.lines.append(f"{name}: []{self._todo(name)}")
            return
        self.lines.append(f"{name}:")
        self.lines.extend(f"  - {_scalar(value)}" for value in values)

    def raw(self, line: str) -> None:
        self.lines.append(line)

    def document(self, body: str) -> str:
        return "\n".join([*self.lines, "---", body.rstrip("\n")]) + "\n"


def _sample(ids: Iterable[str], limit: int = 5) -> str:
    ids = list(ids)
    if not ids:
        return ""
    shown = ", ".join(ids[:limit]) + (", …" if len(ids) > limit else "")
    return f", e.g. {shown}"


# --- the portal the entry goes into -----------------------------------------------

@dataclass(slots=True)
class _Portal:
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


def _open_portal(root: str | None, today: str | None, kind: Kind, slug: str) -> _Portal:
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
    return _Portal(folder, reference_date, result, kind, slug)


def _known(portal: _Portal, kind: Kind, ref: str, option: str) -> str:
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


def _in_registry(value: str, registry: list[str] | None, what: str, option: str) -> str:
    if registry is None or value in registry:
        return value
    hint = Suggester(registry).did_you_mean(value).strip() or \
        f"Known {what}s: {', '.join(registry)}."
    raise click.BadParameter(f"'{value}' is not in the {what}s listed in mkdocs.yml. {hint}",
                             param_hint=option)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


def _git_user_name(root: Path) -> str | None:
    try:
        completed = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True,
                                   text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    name = completed.stdout.strip()
    return name if completed.returncode == 0 and name else None


# --- asking in a terminal ---------------------------------------------------------

Option = tuple[str, str]  # (value, description)


class _Asker:
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
                return _unique(picked)
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

    def team(self, label: str, portal: _Portal, default: str = "") -> str | None:
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


def _persona_options(portal: _Portal) -> list[Option]:
    options = []
    for id in portal.ids(Kind.PERSONA):
        persona = portal.catalog.personas.get(id)
        name = (persona.name or "") if persona else ""
        if persona is not None and persona.status is PersonaStatus.ARCHIVED:
            name += " (archived)"
        options.append((id, name))
    return options


def _journey_options(portal: _Portal) -> list[Option]:
    options = []
    for id in portal.ids(Kind.JOURNEY):
        journey = portal.catalog.journeys.get(id)
        options.append((id, (journey.title or "") if journey else ""))
    return options


def _stage_options(portal: _Portal, journey_id: str) -> list[Option]:
    journey = portal.catalog.journeys.get(journey_id)
    if journey is None:
        return []
    return [(stage.id, f"{stage.name or ''}" + (f" ({stage.owner})" if stage.owner else ""))
            for stage in journey.stages if stage.id]


# --- the command ------------------------------------------------------------------

class _KindGroup(click.Group):
    """Accepts the folder names too: `portal new insights x` means `portal new insight x`."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name.endswith("s"):
            command = super().get_command(ctx, cmd_name[:-1])
        return command


@click.group("new", cls=_KindGroup, short_help="Write a new insight, persona or journey.")
def new() -> None:
    """Write a new insight, persona or journey from a template:
    `portal new insight|persona|journey SLUG [ROOT]`.

    The file gets every required field, in the documented order, with today's
    date. In a terminal, values not given by flags are asked for (with the
    existing personas, journeys and stages to pick from); otherwise they are left
    as placeholders that `portal check` reports line by line. ROOT is the
    portal's folder; without it, the nearest folder upward from here that holds
    mkdocs.yml. Exit status: 0 the file was written, 2 usage error (nothing
    written).
    """


def _common(written_as: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """[ROOT] after the slug, --today (documented where the kind writes a date: a
    journey has none, and takes it hidden so one script can pass it to every
    kind), --interactive, and the deprecated --root DIR."""
    today_help = None if written_as is None else (
        f"Date written as {written_as} (default: $SOURCE_DATE_EPOCH, else the system date).")
    options = [
        click.argument("root", required=False, metavar="[ROOT]"),
        click.option("--root", "root_option", metavar="DIR", hidden=True),
        click.option("--today", metavar="YYYY-MM-DD", help=today_help,
                     hidden=written_as is None),
        click.option("--interactive/--no-interactive", default=None,
                     help="Ask for values not given by flags (default: only when standard "
                          "input is a terminal)."),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def with_root(*args: Any, root: str | None, root_option: str | None,
                      **kwargs: Any) -> Any:
            return command(*args, root=_root_given(root, root_option), **kwargs)

        decorated: Callable[..., Any] = with_root
        for option in reversed(options):
            decorated = option(decorated)
        return decorated
    return decorate


def _root_given(root: str | None, root_option: str | None) -> str | None:
    if root_option is None:
        return root
    if root is not None and root != root_option:
        raise click.UsageError(f"two portal folders given: '{root}' and --root "
                               f"'{root_option}'. Give one, after the id.")
    click.echo("Note: --root DIR is deprecated; give the folder after the id: "
               "portal new KIND SLUG DIR.", err=True)
    return root_option


def _asker(interactive: bool | None) -> _Asker:
    if interactive is None:
        try:
            interactive = sys.stdin is not None and sys.stdin.isatty()
        except ValueError:  # standard input closed
            interactive = False
    return _Asker(interactive)


def _write(portal: _Portal, content: str) -> None:
    portal.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with portal.path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except FileExistsError:
        raise Refused(f"{portal.rel} already exists; nothing was written.") from None
    except OSError as error:
        raise Refused(f"cannot write {portal.rel}: {error.strerror}") from None
    click.echo(f"Wrote {portal.rel}")
    result = check_portal(portal.root, portal.today)
    problems = [p for p in result.problems if p.path == portal.rel]
    errors = sum(p.severity == "error" for p in problems)
    # The count names every line listed below it: errors, and warnings if any.
    counted = [_count(errors, "error"), _count(len(problems) - errors, "warning")]
    if errors:
        click.echo(f"Still to fill in: `portal check` reports "
                   f"{' and '.join(c for c in counted if c)}:")
    elif problems:
        click.echo(f"It passes `portal check`, with {counted[1]}:")
    else:
        click.echo("It passes `portal check`.")
    for problem in problems:
        click.echo("  " + format_problem(problem))
    click.echo(NEXT_STEP)


def _count(number: int, noun: str) -> str:
    return "" if not number else f"{number} {noun}{'s' if number != 1 else ''}"


_CHOICE = {"case_sensitive": False}


def _words(vocabulary: type[StrEnum]) -> list[str]:
    """The vocabulary's words as plain text (click would show an enum's member names)."""
    return [word.value for word in vocabulary]


@new.command("insight", short_help="Write insights/SLUG.md.")
@click.argument("slug")
@click.option("--title", help="One line a busy reader understands.")
@click.option("--summary", help="One or two sentences a busy reader can act on.")
@click.option("--kind", "insight_kind", type=click.Choice(_words(InsightKind), **_CHOICE),
              help="What sort of insight this is.")
@click.option("--persona", "personas", multiple=True, metavar="ID",
              help="A persona id this insight concerns (repeat for more).")
@click.option("--journey", metavar="ID", help="The journey id where it happens.")
@click.option("--stage", "stages", multiple=True, metavar="ID",
              help="A stage id of that journey (repeat for more).")
@click.option("--severity", type=click.Choice(_words(InsightSeverity), **_CHOICE),
              help="How much it matters to customers.")
@click.option("--confidence", type=click.Choice(_words(Confidence), **_CHOICE),
              help="How sure the evidence makes us.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--source", type=click.Choice(_words(EvidenceSource), **_CHOICE),
              help="How the evidence was gathered.")
@click.option("--ref", help="Evidence reference: ticket id, recording, dashboard URL.")
@click.option("--quote", help="A customer's words, verbatim and anonymised.")
@click.option("--count", type=click.IntRange(min=1), help="How many times this was seen.")
@click.option("--author", "authors", multiple=True,
              help="Who wrote it (repeat for more; default: git config user.name).")
@click.option("--status", type=click.Choice(_words(DecisionStatus), **_CHOICE),
              help="Decision status (default: new).")
@click.option("--owner", metavar="TEAM",
              help="Team accountable for acting (needed unless the status is new).")
@click.option("--rationale", help="Why — needed when the status is declined.")
@_common(written_as="created, and as the decision's date when --status needs one")
def insight(slug: str, title: str | None, summary: str | None, insight_kind: str | None,
            personas: tuple[str, ...], journey: str | None, stages: tuple[str, ...],
            severity: str | None, confidence: str | None, tags: tuple[str, ...],
            source: str | None, ref: str | None, quote: str | None, count: int | None,
            authors: tuple[str, ...], status: str | None, owner: str | None,
            rationale: str | None, root: str | None, today: str | None,
            interactive: bool | None) -> None:
    """Write insights/SLUG.md in the portal (ROOT, else the nearest folder upward
    with mkdocs.yml).

    \b
    Example:
      portal new insight evening-slots-sold-out --title "Evening slots sell out by noon" \\
        --summary "Parents who shop after work find no evening slot left." \\
        --kind pain --persona busy-parent --journey online-grocery-order \\
        --stage checkout --severity high --confidence medium --source interview
    """
    portal = _open_portal(root, today, Kind.INSIGHT, slug)
    ask = _asker(interactive)
    persona_ids = [_known(portal, Kind.PERSONA, ref_, "--persona") for ref_ in _unique(personas)]
    if journey:
        journey = _known(portal, Kind.JOURNEY, journey.strip(), "--journey")
    stage_ids = _unique(stages)
    if stage_ids and not journey:
        raise click.BadParameter("a stage needs its journey: give --journey too.",
                                 param_hint="--stage")
    if journey and stage_ids:
        offered = [value for value, _ in _stage_options(portal, journey)]
        for stage in stage_ids:
            if offered and stage not in offered:
                hint = Suggester(offered).did_you_mean(stage).strip() or \
                    f"Stages of {journey}: {', '.join(offered)}."
                raise click.BadParameter(f'"{stage}" is not a stage of journey "{journey}". '
                                         f"{hint}", param_hint="--stage")
    tag_list = [_in_registry(tag, portal.tags(), "tag", "--tag") for tag in _unique(tags)]
    if owner:
        owner = _in_registry(owner.strip(), portal.teams(), "team", "--owner")
    author_list = _unique(authors)

    if ask.enabled:
        title = title or ask.text("Title")
        summary = summary or ask.text("Summary")
        insight_kind = insight_kind or ask.word("Kind", InsightKind)
        persona_ids = persona_ids or ask.choose("Personas", _persona_options(portal), many=True)
        if journey is None and portal.ids(Kind.JOURNEY):
            journey = ask.one("Journey", _journey_options(portal), optional=True)
        if journey and not stage_ids and _stage_options(portal, journey):
            stage_ids = ask.choose(f"Stages of {journey}", _stage_options(portal, journey),
                                   many=True, optional=True)
        severity = severity or ask.word("Severity", InsightSeverity)
        confidence = confidence or ask.word("Confidence", Confidence)
        if not tag_list:
            known_tags = portal.tags()
            if known_tags is not None:
                tag_list = ask.choose("Tags", [(t, "") for t in known_tags], many=True,
                                      optional=True, noun="tag")
            else:
                tag_list = _unique(ask.text("Tags (separated by commas, Enter for none)")
                                   .split(","))
        source = source or ask.word("Evidence source", EvidenceSource)
        if ref is None:
            ref = ask.text("Evidence reference: ticket id, recording, URL (Enter for none)")
    if not author_list:
        name = _git_user_name(portal.root)
        if ask.enabled:
            name = ask.text("Author", default=name or "")
        author_list = [name] if name else []
    decision = DecisionStatus(status) if status else None
    if decision is None:
        decision = DecisionStatus(ask.word("Decision status", DecisionStatus, default="new")
                                  or "new") if ask.enabled else DecisionStatus.NEW
    if ask.enabled and decision.needs_owner and not owner:
        owner = ask.team("Decision owner (team)", portal)
    if ask.enabled and decision is DecisionStatus.DECLINED and not rationale:
        rationale = ask.text("Rationale (why we chose not to act)")

    front = _Front(FIELDS_BY_KIND[Kind.INSIGHT])
    front.text("title", title)
    front.text("summary", summary)
    front.text("kind", insight_kind)
    front.ids("personas", persona_ids, extra=_sample(portal.ids(Kind.PERSONA)))
    if journey:
        front.raw(f"journey: {journey}")
    else:
        front.commented("journey", extra=_sample(portal.ids(Kind.JOURNEY)))
    if stage_ids:
        front.raw(f"stages: {_flow(stage_ids)}")
    else:
        stage_ids_offered = [value for value, _ in _stage_options(portal, journey)] \
            if journey else []
        front.commented("stages", empty=" []", extra=_sample(stage_ids_offered, limit=12))
    front.text("severity", severity)
    front.text("confidence", confidence)
    if tag_list:
        front.raw(f"tags: {_flow(tag_list)}")
    front.raw("evidence:")
    if source:
        front.raw(f"  - source: {source}")
    else:
        front.raw(f"  - source:  # TODO: {' | '.join(EvidenceSource)}")
    evidence = _Front(EVIDENCE_FIELDS)
    for name, value in (("ref", ref), ("quote", quote)):
        if value and value.strip():
            evidence.optional(name, value, indent="    ")
        else:
            evidence.commented(name, indent="    ")
    if count is not None:
        evidence.raw(f"    count: {count}")
    else:
        evidence.commented("count", indent="    ")
    front.lines.extend(evidence.lines[1:])
    front.raw(f"created: {portal.today.isoformat()}")
    front.ids("authors", author_list)
    front.raw("decision:")
    front.raw(f"  status: {decision}")
    owner_line = f"  owner: {_scalar(owner)}" if owner else \
        f"  owner:  # TODO: team accountable for acting{_sample(portal.teams() or [])}"
    if owner or decision.needs_owner:
        front.raw(owner_line)
    if decision.needs_date:
        front.raw(f"  date: {portal.today.isoformat()}")
    if rationale:
        front.raw(f"  rationale: {_scalar(rationale)}")
    elif decision is DecisionStatus.DECLINED:
        front.raw("  rationale:  # TODO: why we chose not to act")
    _write(portal, front.document(BODIES[Kind.INSIGHT]))


@new.command("persona", short_help="Write personas/SLUG.md.")
@click.argument("slug")
@click.option("--name", "--title", "name", help="Display name.")
@click.option("--summary", help="Who they are, in a sentence.")
@click.option("--segment", help="Market segment.")
@click.option("--goal", "goals", multiple=True, help="What they want to achieve (repeat).")
@click.option("--frustration", "frustrations", multiple=True,
              help="What gets in their way (repeat).")
@click.option("--owner", metavar="TEAM", help="Team that keeps this persona current.")
@_common(written_as="last_reviewed")
def persona(slug: str, name: str | None, summary: str | None, segment: str | None,
            goals: tuple[str, ...], frustrations: tuple[str, ...], owner: str | None,
            root: str | None, today: str | None, interactive: bool | None) -> None:
    """Write personas/SLUG.md in the portal (ROOT, else the nearest folder upward
    with mkdocs.yml); last_reviewed is today.

    \b
    Example:
      portal new persona night-shift-nurse --name "Night-shift nurse" \\
        --summary "Orders after a night shift and sleeps until noon." \\
        --goal "Delivery after noon" --frustration "Morning-only slots" --owner research-team
    """
    portal = _open_portal(root, today, Kind.PERSONA, slug)
    ask = _asker(interactive)
    if owner:
        owner = _in_registry(owner.strip(), portal.teams(), "team", "--owner")
    goal_list, frustration_list = _unique(goals), _unique(frustrations)
    if ask.enabled:
        name = name or ask.text("Name")
        summary = summary or ask.text("Summary (who they are, in a sentence)")
        if segment is None:
            segment = ask.text("Segment (Enter for none)")
        goal_list = goal_list or ask.texts("Goal")
        frustration_list = frustration_list or ask.texts("Frustration")
        owner = owner or ask.team("Owner (team that keeps this persona current)", portal)

    front = _Front(FIELDS_BY_KIND[Kind.PERSONA])
    front.text("name", name)
    front.text("summary", summary)
    front.optional("segment", segment)
    front.items("goals", goal_list)
    front.items("frustrations", frustration_list)
    front.text("owner", owner, extra=_sample(portal.teams() or []))
    front.raw(f"last_reviewed: {portal.today.isoformat()}")
    _write(portal, front.document(BODIES[Kind.PERSONA]))


@dataclass(slots=True)
class _StageDraft:
    id: str
    name: str | None = None
    owner: str | None = None


def _stage_name(stage_id: str) -> str:
    """A readable default name: 'sign-up' -> 'Sign up'."""
    text = stage_id.replace("-", " ")
    return text[:1].upper() + text[1:]


def _parse_stage(value: str) -> _StageDraft:
    parts = value.split(":")
    draft = _StageDraft(parts[0].strip())
    if len(parts) >= 2:
        draft.name = ":".join(parts[1:-1] if len(parts) > 2 else parts[1:]).strip() or None
    if len(parts) >= 3:
        draft.owner = parts[-1].strip() or None
    if not is_slug(draft.id):
        raise click.BadParameter(f"'{value}': the stage id '{draft.id}' is not a valid id "
                                 f"(lowercase letters, digits and hyphens). Try "
                                 f"'{slugify(draft.id)}'. Give stages as ID:NAME:OWNER.",
                                 param_hint="--stage")
    draft.name = draft.name or _stage_name(draft.id)
    return draft


@new.command("journey", short_help="Write journeys/SLUG.md.")
@click.argument("slug")
@click.option("--title", "--name", "title", help="Display name.")
@click.option("--summary", help="From where to where.")
@click.option("--persona", "personas", multiple=True, metavar="ID",
              help="A persona id who travels this journey (repeat for more).")
@click.option("--owner", metavar="TEAM", help="Team that owns the journey as a whole.")
@click.option("--stage", "stages", multiple=True, metavar="ID:NAME:OWNER",
              help="A stage, in order (repeat for more). NAME defaults to the id in words; "
                   "OWNER is the team that owns this moment.")
@_common(written_as=None)
def journey(slug: str, title: str | None, summary: str | None, personas: tuple[str, ...],
            owner: str | None, stages: tuple[str, ...], root: str | None, today: str | None,
            interactive: bool | None) -> None:
    """Write journeys/SLUG.md in the portal (ROOT, else the nearest folder upward
    with mkdocs.yml).

    \b
    Example:
      portal new journey returns --title Returns \\
        --summary "From a damaged item to the refund." --persona busy-parent --owner cx-team \\
        --stage "report:Report a problem:customer-care" --stage "refund:Refund:customer-care"
    """
    portal = _open_portal(root, today, Kind.JOURNEY, slug)
    ask = _asker(interactive)
    persona_ids = [_known(portal, Kind.PERSONA, ref, "--persona") for ref in _unique(personas)]
    if owner:
        owner = _in_registry(owner.strip(), portal.teams(), "team", "--owner")
    drafts = [_parse_stage(value) for value in stages]
    seen: set[str] = set()
    for draft in drafts:
        if draft.id in seen:
            raise click.BadParameter(f"the stage id '{draft.id}' is given twice; stage ids are "
                                     f"unique within a journey.", param_hint="--stage")
        seen.add(draft.id)
        if draft.owner:
            draft.owner = _in_registry(draft.owner, portal.teams(), "team", "--stage")

    if ask.enabled:
        title = title or ask.text("Title")
        summary = summary or ask.text("Summary (from where to where)")
        persona_ids = persona_ids or ask.choose("Personas", _persona_options(portal), many=True)
        owner = owner or ask.team("Owner (team that owns the journey)", portal)
        if not drafts:
            drafts = _ask_stages(ask, portal, owner)

    front = _Front(FIELDS_BY_KIND[Kind.JOURNEY])
    front.text("title", title)
    front.text("summary", summary)
    front.ids("personas", persona_ids, extra=_sample(portal.ids(Kind.PERSONA)))
    front.text("owner", owner, extra=_sample(portal.teams() or []))
    front.raw("stages:")
    stage_front = _Front(STAGE_FIELDS)
    for draft in drafts or [_StageDraft("")]:
        stage_front.text("id", draft.id, indent="  - ")
        stage_front.text("name", draft.name, indent="    ")
        stage_front.text("owner", draft.owner, indent="    ",
                         extra=_sample(portal.teams() or []))
    front.lines.extend(stage_front.lines[1:])
    _write(portal, front.document(BODIES[Kind.JOURNEY]))


def _ask_stages(ask: _Asker, portal: _Portal, journey_owner: str | None) -> list[_StageDraft]:
    drafts: list[_StageDraft] = []
    while True:
        stage_id = ask.text(f"Stage {len(drafts) + 1} id (Enter when done)")
        if not stage_id:
            return drafts
        if not is_slug(stage_id) or any(d.id == stage_id for d in drafts):
            reason = "is given already" if is_slug(stage_id) else \
                f"is not a valid id; try '{slugify(stage_id)}'"
            click.echo(f"  '{stage_id}' {reason}.")
            continue
        name = ask.text("  Name", default=_stage_name(stage_id))
        owner = ask.team("  Owner (team that owns this moment)", portal,
                         default=journey_owner or "")
        drafts.append(_StageDraft(stage_id, name or None, owner))
