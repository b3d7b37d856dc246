"""`portal schema insight|persona|journey`: JSON Schema generated from schema.py.

The schema is built by walking the same FieldSpec declarations the validator
uses (generator/core/schema.py), so it cannot drift from `portal check`. The copies
shipped in schemas/ are this module's output, refreshed with
`portal schema --out schemas` (a test compares them byte for byte).

What a JSON Schema of one file cannot say — references to other files, unique
ids, dates in the future, the `teams`/`tags` registries, personal data — is
left to `portal check`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..core.model import DecisionStatus, Kind
from ..core.schema import FIELDS_BY_KIND, FieldSpec, FieldType, Role

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://insight-portal.example/schemas/"

# The patterns the validator applies (validate/fields.py), in ECMA-262 syntax,
# which has no inline flags: the web-address check is case-insensitive there.
SLUG_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://\\S+$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
NOT_BLANK = "\\S"

# A reference is an id, and every id is a slug: a value that is not a slug can
# never name an existing entry.
_ID_ROLES = (Role.SLUG, Role.PERSONA, Role.JOURNEY, Role.STAGE, Role.INSIGHT)

_TITLES = {
    Kind.INSIGHT: "Insight",
    Kind.PERSONA: "Persona",
    Kind.JOURNEY: "Journey map",
}


def file_name(kind: Kind) -> str:
    return f"{kind.value}.schema.json"


def _value(spec: FieldSpec, required: bool) -> dict[str, Any]:
    """The schema of one value of `spec` (one item, for a list)."""
    types: list[str]
    schema: dict[str, Any] = {}
    if spec.type is FieldType.TEXT:
        # The validator reads numbers as text (`ref: 18822`), never yes/no.
        if spec.role in _ID_ROLES:
            types = ["string", "integer"]
            schema["minimum"] = 0  # `id: 404` is the slug "404"; "-4" is no slug
            schema["pattern"] = SLUG_PATTERN
        else:
            types = ["string", "number"]
            if spec.role is Role.URL:
                schema["pattern"] = URL_PATTERN
            elif required:
                schema["pattern"] = NOT_BLANK
    elif spec.type is FieldType.DATE:
        types = ["string"]
        schema["format"] = "date"
        schema["pattern"] = DATE_PATTERN
    elif spec.type is FieldType.INTEGER:
        types = ["integer"]
        schema["minimum"] = spec.minimum if spec.minimum is not None else 0
    elif spec.type is FieldType.NUMBER:
        types = ["number"]
    elif spec.type is FieldType.CHOICE:
        assert spec.choices is not None
        types = ["string"]
        schema["enum"] = [choice.value for choice in spec.choices]
    else:
        types = ["object"]
        schema.update(_object(spec.fields))
    return {"type": types[0] if len(types) == 1 else types, **schema}


def _field(spec: FieldSpec) -> dict[str, Any]:
    """The schema of a field: a value or a list of values, with its description.

    An optional field may be left empty (`journey:`), as the validator allows.
    """
    if spec.many:
        schema: dict[str, Any] = {"type": "array", "items": _value(spec, required=True)}
        if spec.min_items:
            schema["minItems"] = spec.min_items
    else:
        schema = _value(spec, spec.required)
    if not spec.required:
        types = schema["type"]
        schema["type"] = [*(types if isinstance(types, list) else [types]), "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    if spec.default is not None:  # what a file that leaves it out gets (editors show it)
        schema["default"] = getattr(spec.default, "value", spec.default)
    return {"description": spec.description, **schema}


def _object(specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    schema: dict[str, Any] = {"properties": {spec.name: _field(spec) for spec in specs}}
    required = [spec.name for spec in specs if spec.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def _given(spec: FieldSpec) -> dict[str, Any]:
    """`spec` present with a non-empty value, as a rule that needs it demands."""
    return {"required": [spec.name], "properties": {spec.name: _value(spec, required=True)}}


def _spec(specs: tuple[FieldSpec, ...], name: str) -> FieldSpec:
    return next(spec for spec in specs if spec.name == name)


def _when_status(statuses: list[DecisionStatus], then: dict[str, Any]) -> dict[str, Any]:
    condition = {"const": statuses[0].value} if len(statuses) == 1 else \
        {"enum": [status.value for status in statuses]}
    return {"if": {"required": ["status"], "properties": {"status": condition}}, "then": then}


def _insight_rules(schema: dict[str, Any], specs: tuple[FieldSpec, ...]) -> None:
    """The rules within one insight (validate/entries.py) that JSON Schema can state."""
    stages, journey = _spec(specs, "stages"), _spec(specs, "journey")
    schema["allOf"] = [{
        "if": {"required": [stages.name],
               "properties": {stages.name: {"type": "array", "minItems": 1}}},
        "then": _given(journey),
    }]
    decision = schema["properties"]["decision"]
    fields = _spec(specs, "decision").fields
    decision["allOf"] = [
        _when_status([s for s in DecisionStatus if s.needs_owner], _given(_spec(fields, "owner"))),
        _when_status([s for s in DecisionStatus if s.needs_date], _given(_spec(fields, "date"))),
        _when_status([DecisionStatus.DECLINED], _given(_spec(fields, "rationale"))),
    ]


def json_schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the front matter of one kind."""
    specs = FIELDS_BY_KIND[kind]
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": BASE_ID + file_name(kind),
        "$comment": f"Generated by `portal schema {kind.value}` from generator/core/schema.py; "
                    "do not edit. Refresh with `portal schema --out schemas`.",
        "title": f"{_TITLES[kind]} front matter",
        "description": f"The YAML front matter of {kind.folder}/<id>.md (Insight Portal). "
                       "`portal check` also checks what a schema cannot: references to "
                       "other files, unique ids, dates in the future, team and tag "
                       "registries, personal data.",
        "type": "object",
        **_object(specs),
    }
    if kind is Kind.INSIGHT:
        _insight_rules(schema, specs)
    return schema


def render(kind: Kind) -> str:
    """The schema as shipped: stable key order, two-space indent, final newline."""
    return json.dumps(json_schema(kind), indent=2) + "\n"


def write_schemas(out: Path, kinds: list[Kind]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in kinds:
        path = out / file_name(kind)
        path.write_text(render(kind), encoding="utf-8", newline="\n")
        written.append(path)
    return written


@click.command("schema")
@click.argument("kind", required=False, type=click.Choice([kind.value for kind in Kind]))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write <kind>.schema.json into this folder (all three kinds when KIND "
                   "is not given) instead of printing.")
def schema(kind: str | None, out_dir: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a kind's front matter.

    Generated from the declarations `portal check` validates with. Refresh the
    copies shipped in schemas/ with `portal schema --out schemas`.
    """
    if out_dir is None:
        if kind is None:
            raise click.UsageError("give a kind (insight, persona or journey), or --out DIR")
        click.echo(render(Kind(kind)), nl=False)
        return
    kinds = [Kind(kind)] if kind else list(Kind)
    for path in write_schemas(out_dir, kinds):
        click.echo(f"Wrote {path}")
