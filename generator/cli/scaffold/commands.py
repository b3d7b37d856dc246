"""`portal new insight|persona|journey`: one command per kind. Each takes its
values from flags, checks them against the portal, asks for the rest in a
terminal, then writes the kind's template (templates.py).
"""

from __future__ import annotations

import click

from ...core.model import (
    Confidence,
    DecisionStatus,
    EvidenceSource,
    InsightKind,
    InsightSeverity,
    Kind,
)
from ...core.suggest import Suggester
from ...core.validate.fields import is_slug, slugify
from .asking import Asker
from .group import CHOICE, asker_for, common_options, new, words, write
from .portal import (
    Portal,
    git_user_name,
    in_registry,
    journey_options,
    known,
    open_portal,
    persona_options,
    stage_options,
    unique,
)
from .templates import (
    InsightDraft,
    StageDraft,
    insight_document,
    journey_document,
    persona_document,
    stage_name,
)


@new.command("insight", short_help="Write insights/SLUG.md.")
@click.argument("slug")
@click.option("--title", help="One line a busy reader understands.")
@click.option("--summary", help="One or two sentences a busy reader can act on.")
@click.option("--kind", "insight_kind", type=click.Choice(words(InsightKind), **CHOICE),
              help="What sort of insight this is.")
@click.option("--persona", "personas", multiple=True, metavar="ID",
              help="A persona id this insight concerns (repeat for more).")
@click.option("--journey", metavar="ID", help="The journey id where it happens.")
@click.option("--stage", "stages", multiple=True, metavar="ID",
              help="A stage id of that journey (repeat for more).")
@click.option("--severity", type=click.Choice(words(InsightSeverity), **CHOICE),
              help="How much it matters to customers.")
@click.option("--confidence", type=click.Choice(words(Confidence), **CHOICE),
              help="How sure the evidence makes us.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--source", type=click.Choice(words(EvidenceSource), **CHOICE),
              help="How the evidence was gathered.")
@click.option("--ref", help="Evidence reference: ticket id, recording, dashboard URL.")
@click.option("--quote", help="A customer's words, verbatim and anonymised.")
@click.option("--count", type=click.IntRange(min=1), help="How many times this was seen.")
@click.option("--author", "authors", multiple=True,
              help="Who wrote it (repeat for more; default: git config user.name).")
@click.option("--status", type=click.Choice(words(DecisionStatus), **CHOICE),
              help="Decision status (default: new).")
@click.option("--owner", metavar="TEAM",
              help="Team accountable for acting (needed unless the status is new).")
@click.option("--rationale", help="Why — needed when the status is declined.")
@common_options(written_as="created, and as the decision's date when --status needs one")
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
    portal = open_portal(root, today, Kind.INSIGHT, slug)
    ask = asker_for(interactive)
    draft = InsightDraft(
        title=title, summary=summary, kind=insight_kind, personas=list(personas),
        journey=journey, stages=list(stages), severity=severity, confidence=confidence,
        tags=list(tags), source=source, ref=ref, quote=quote, count=count,
        authors=list(authors), owner=owner, rationale=rationale)
    _check_insight_flags(portal, draft)
    if ask.enabled:
        _ask_insight(ask, portal, draft)
    _fill_authors(ask, portal, draft)
    _fill_decision(ask, portal, draft, status)
    write(portal, insight_document(portal, draft))


def _check_insight_flags(portal: Portal, draft: InsightDraft) -> None:
    """The ids, teams and tags the flags name, each one the portal knows."""
    draft.personas = [known(portal, Kind.PERSONA, persona, "--persona")
                      for persona in unique(draft.personas)]
    journey = draft.journey
    if journey:
        journey = draft.journey = known(portal, Kind.JOURNEY, journey.strip(), "--journey")
    draft.stages = unique(draft.stages)
    if draft.stages and not journey:
        raise click.BadParameter("a stage needs its journey: give --journey too.",
                                 param_hint="--stage")
    if journey and draft.stages:
        offered = [value for value, _ in stage_options(portal, journey)]
        for stage in draft.stages:
            if offered and stage not in offered:
                hint = Suggester(offered).did_you_mean(stage).strip() or \
                    f"Stages of {journey}: {', '.join(offered)}."
                raise click.BadParameter(f'"{stage}" is not a stage of journey "{journey}". '
                                         f"{hint}", param_hint="--stage")
    draft.tags = [in_registry(tag, portal.tags(), "tag", "--tag") for tag in unique(draft.tags)]
    if draft.owner:
        draft.owner = in_registry(draft.owner.strip(), portal.teams(), "team", "--owner")
    draft.authors = unique(draft.authors)


def _ask_insight(ask: Asker, portal: Portal, draft: InsightDraft) -> None:
    """Ask for what no flag gave, in the file's order, up to the evidence."""
    draft.title = draft.title or ask.text("Title")
    draft.summary = draft.summary or ask.text("Summary")
    draft.kind = draft.kind or ask.word("Kind", InsightKind)
    draft.personas = draft.personas or ask.choose("Personas", persona_options(portal),
                                                  many=True)
    if draft.journey is None and portal.ids(Kind.JOURNEY):
        draft.journey = ask.one("Journey", journey_options(portal), optional=True)
    journey = draft.journey
    if journey and not draft.stages and stage_options(portal, journey):
        draft.stages = ask.choose(f"Stages of {journey}", stage_options(portal, journey),
                                  many=True, optional=True)
    draft.severity = draft.severity or ask.word("Severity", InsightSeverity)
    draft.confidence = draft.confidence or ask.word("Confidence", Confidence)
    if not draft.tags:
        known_tags = portal.tags()
        if known_tags is not None:
            draft.tags = ask.choose("Tags", [(t, "") for t in known_tags], many=True,
                                    optional=True, noun="tag")
        else:
            draft.tags = unique(ask.text("Tags (separated by commas, Enter for none)")
                                .split(","))
    draft.source = draft.source or ask.word("Evidence source", EvidenceSource)
    if draft.ref is None:
        draft.ref = ask.text("Evidence reference: ticket id, recording, URL (Enter for none)")


def _fill_authors(ask: Asker, portal: Portal, draft: InsightDraft) -> None:
    """No --author: git's user name, offered as the answer in a terminal."""
    if not draft.authors:
        name = git_user_name(portal.root)
        if ask.enabled:
            name = ask.text("Author", default=name or "")
        draft.authors = [name] if name else []


def _fill_decision(ask: Asker, portal: Portal, draft: InsightDraft,
                   status: str | None) -> None:
    """The decision's status (new unless given or answered), and in a terminal the
    owner and rationale that status needs."""
    decision = DecisionStatus(status) if status else None
    if decision is None:
        decision = DecisionStatus(ask.word("Decision status", DecisionStatus, default="new")
                                  or "new") if ask.enabled else DecisionStatus.NEW
    draft.decision = decision
    if ask.enabled and decision.needs_owner and not draft.owner:
        draft.owner = ask.team("Decision owner (team)", portal)
    if ask.enabled and decision is DecisionStatus.DECLINED and not draft.rationale:
        draft.rationale = ask.text("Rationale (why we chose not to act)")


@new.command("persona", short_help="Write personas/SLUG.md.")
@click.argument("slug")
@click.option("--name", "--title", "name", help="Display name.")
@click.option("--summary", help="Who they are, in a sentence.")
@click.option("--segment", help="Market segment.")
@click.option("--goal", "goals", multiple=True, help="What they want to achieve (repeat).")
@click.option("--frustration", "frustrations", multiple=True,
              help="What gets in their way (repeat).")
@click.option("--owner", metavar="TEAM", help="Team that keeps this persona current.")
@common_options(written_as="last_reviewed")
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
    portal = open_portal(root, today, Kind.PERSONA, slug)
    ask = asker_for(interactive)
    if owner:
        owner = in_registry(owner.strip(), portal.teams(), "team", "--owner")
    goal_list, frustration_list = unique(goals), unique(frustrations)
    if ask.enabled:
        name = name or ask.text("Name")
        summary = summary or ask.text("Summary (who they are, in a sentence)")
        if segment is None:
            segment = ask.text("Segment (Enter for none)")
        goal_list = goal_list or ask.texts("Goal")
        frustration_list = frustration_list or ask.texts("Frustration")
        owner = owner or ask.team("Owner (team that keeps this persona current)", portal)
    write(portal, persona_document(portal, name=name, summary=summary, segment=segment,
                                   goals=goal_list, frustrations=frustration_list,
                                   owner=owner))


def _parse_stage(value: str) -> StageDraft:
    parts = value.split(":")
    draft = StageDraft(parts[0].strip())
    if len(parts) >= 2:
        draft.name = ":".join(parts[1:-1] if len(parts) > 2 else parts[1:]).strip() or None
    if len(parts) >= 3:
        draft.owner = parts[-1].strip() or None
    if not is_slug(draft.id):
        raise click.BadParameter(f"'{value}': the stage id '{draft.id}' is not a valid id "
                                 f"(lowercase letters, digits and hyphens). Try "
                                 f"'{slugify(draft.id)}'. Give stages as ID:NAME:OWNER.",
                                 param_hint="--stage")
    draft.name = draft.name or stage_name(draft.id)
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
@common_options(written_as=None)
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
    portal = open_portal(root, today, Kind.JOURNEY, slug)
    ask = asker_for(interactive)
    persona_ids = [known(portal, Kind.PERSONA, ref, "--persona") for ref in unique(personas)]
    if owner:
        owner = in_registry(owner.strip(), portal.teams(), "team", "--owner")
    drafts = [_parse_stage(value) for value in stages]
    seen: set[str] = set()
    for draft in drafts:
        if draft.id in seen:
            raise click.BadParameter(f"the stage id '{draft.id}' is given twice; stage ids are "
                                     f"unique within a journey.", param_hint="--stage")
        seen.add(draft.id)
        if draft.owner:
            draft.owner = in_registry(draft.owner, portal.teams(), "team", "--stage")

    if ask.enabled:
        title = title or ask.text("Title")
        summary = summary or ask.text("Summary (from where to where)")
        persona_ids = persona_ids or ask.choose("Personas", persona_options(portal), many=True)
        owner = owner or ask.team("Owner (team that owns the journey)", portal)
        if not drafts:
            drafts = _ask_stages(ask, portal, owner)
    write(portal, journey_document(portal, title=title, summary=summary,
                                   personas=persona_ids, owner=owner, stages=drafts))


def _ask_stages(ask: Asker, portal: Portal, journey_owner: str | None) -> list[StageDraft]:
    drafts: list[StageDraft] = []
    while True:
        stage_id = ask.text(f"Stage {len(drafts) + 1} id (Enter when done)")
        if not stage_id:
            return drafts
        if not is_slug(stage_id) or any(d.id == stage_id for d in drafts):
            reason = "is given already" if is_slug(stage_id) else \
                f"is not a valid id; try '{slugify(stage_id)}'"
            click.echo(f"  '{stage_id}' {reason}.")
            continue
        name = ask.text("  Name", default=stage_name(stage_id))
        owner = ask.team("  Owner (team that owns this moment)", portal,
                         default=journey_owner or "")
        drafts.append(StageDraft(stage_id, name or None, owner))
