"""`portal schema`: the JSON Schema of each kind, generated from generator/core/schema.py.

The sample files validate against the shipped schemas, bad files do not, the
shipped files are exactly the generator's output, and on single-file mistakes
the schema and `portal check` agree.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import BASE_FILES, REPO, TODAY, run_portal
from jsonschema import Draft202012Validator

from generator.check.pipeline import check_portal
from generator.cli.json_schema import file_name, json_schema, render, schema
from generator.core import schema as schema_module
from generator.core.model import DecisionStatus, Kind
from generator.core.schema import FIELDS_BY_KIND, FieldSpec, FieldType

SCHEMAS = REPO / "schemas"
REFRESH = "refresh with `portal schema --out schemas` (from the repository root)"


def jsonable(value: Any) -> Any:
    """Front matter as a JSON tool sees it: YAML dates become ISO strings.

    (PyYAML reads an unquoted 2026-09-14 as a date; editors using YAML 1.2,
    such as the YAML language server, read it as the string it is written as.)
    """
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def front_matter(text: str) -> dict[str, Any]:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    assert lines[0].rstrip() == "---", "no front matter"
    end = next(index for index, line in enumerate(lines[1:], 1) if line.rstrip() == "---")
    data = yaml.safe_load("\n".join(lines[1:end]))
    assert isinstance(data, dict)
    return data


def validator(kind: Kind, shipped: bool = True) -> Draft202012Validator:
    document = json.loads((SCHEMAS / file_name(kind)).read_text(encoding="utf-8")) if shipped \
        else json_schema(kind)
    return Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(kind: Kind, data: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in validator(kind).iter_errors(jsonable(data))]


def sample_files() -> list[tuple[Kind, Path]]:
    return [(kind, path) for kind in Kind for path in sorted((REPO / kind.folder).glob("*.md"))]


# --- the shipped schemas ------------------------------------------------------------

@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_shipped_schema_is_the_generated_one(kind: Kind) -> None:
    path = SCHEMAS / file_name(kind)
    assert path.is_file(), f"{path} is missing: {REFRESH}"
    assert path.read_bytes() == render(kind).encode("utf-8"), \
        f"{path.relative_to(REPO)} differs from the generator's output: {REFRESH}"


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_schema_is_valid_draft_2020_12(kind: Kind) -> None:
    document = json_schema(kind)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith("/" + file_name(kind))
    Draft202012Validator.check_schema(document)
    assert document["type"] == "object"
    assert document["additionalProperties"] is False


def test_output_is_deterministic() -> None:
    for kind in Kind:
        assert render(kind) == render(kind)
        assert render(kind).endswith("}\n")


@pytest.mark.parametrize(("kind", "path"), sample_files(),
                         ids=lambda item: item.name if isinstance(item, Path) else str(item))
def test_sample_file_validates(kind: Kind, path: Path) -> None:
    data = front_matter(path.read_text(encoding="utf-8"))
    assert schema_errors(kind, data) == []


def test_there_are_samples_of_every_kind() -> None:
    assert {kind for kind, _ in sample_files()} == set(Kind)


# --- generated from schema.py, never hand-copied ---------------------------------

def _walk(specs: tuple[FieldSpec, ...], node: dict[str, Any]) -> int:
    """Check every FieldSpec (nested ones too) against its schema; count them."""
    properties = node["properties"]
    assert list(properties) == [spec.name for spec in specs]
    assert node.get("required", []) == [spec.name for spec in specs if spec.required]
    count = 0
    for spec in specs:
        prop = properties[spec.name]
        assert prop["description"] == spec.description
        value = prop["items"] if spec.many else prop
        if spec.many:
            assert prop.get("minItems", 0) == spec.min_items
        if spec.choices is not None:
            assert [word for word in value["enum"] if word is not None] == \
                [choice.value for choice in spec.choices]
        if spec.type is FieldType.MAPPING:
            assert value["additionalProperties"] is False
            count += _walk(spec.fields, value)
        count += 1
    return count


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_every_field_spec_is_in_the_schema(kind: Kind) -> None:
    assert _walk(FIELDS_BY_KIND[kind], json_schema(kind)) > 5


def test_a_field_added_to_schema_py_appears(monkeypatch: pytest.MonkeyPatch) -> None:
    added = FieldSpec("pronouns", FieldType.TEXT, "How they refer to themselves.",
                      required=True)
    monkeypatch.setitem(schema_module.FIELDS_BY_KIND, Kind.PERSONA,
                        schema_module.PERSONA_FIELDS + (added,))
    document = json_schema(Kind.PERSONA)
    assert document["properties"]["pronouns"]["description"] == "How they refer to themselves."
    assert "pronouns" in document["required"]
    assert render(Kind.PERSONA).encode() != (SCHEMAS / "persona.schema.json").read_bytes()


def test_decision_rules_follow_the_model() -> None:
    rules = json_schema(Kind.INSIGHT)["properties"]["decision"]["allOf"]
    by_field = {rule["then"]["required"][0]: rule["if"]["properties"]["status"]
                for rule in rules}
    assert by_field["owner"]["enum"] == [s.value for s in DecisionStatus if s.needs_owner]
    assert by_field["date"]["enum"] == [s.value for s in DecisionStatus if s.needs_date]
    assert by_field["rationale"] == {"const": "declined"}


# --- bad files fail, and agree with `portal check` ----------------------------------

BASE_PATHS = {Kind.INSIGHT: "insights/fees-surprise.md", Kind.PERSONA: "personas/shopper.md",
              Kind.JOURNEY: "journeys/order.md"}


@dataclass
class Case:
    name: str
    kind: Kind
    change: Callable[[dict[str, Any]], None]
    valid: bool
    hit: str = ""  # part of the schema error expected, when invalid
    extra: dict[str, Any] = field(default_factory=dict)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """data['a']['0']['b'] = value for 'a.0.b'; value DELETE removes the key."""
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is DELETE:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return change


DELETE = object()


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for one in changes:
            one(data)
    return change


INS, PER, JOU = Kind.INSIGHT, Kind.PERSONA, Kind.JOURNEY
CASES = [
    Case("insight as given", INS, _set("title", "Delivery fee surprises"), True),
    Case("unknown field", INS, _set("severty", "high"), False, "Additional properties"),
    Case("bad vocabulary", INS, _set("severity", "huge"), False, "'huge' is not one of"),
    Case("missing required", INS, _set("title", DELETE), False, "'title' is a required"),
    Case("blank required text", INS, _set("summary", "  "), False, "does not match"),
    Case("number as text", INS, _set("title", 42), True),
    Case("yes/no as text", INS, _set("title", True), False, "is not of type"),
    Case("empty optional field", INS, _both(_set("stages", DELETE), _set("journey", None),
                                          _set("tags", None)), True),
    Case("stages without journey", INS, _set("journey", DELETE), False, "'journey' is a required"),
    Case("empty stages without journey", INS, _both(_set("journey", DELETE), _set("stages", [])),
         True),
    Case("no personas", INS, _set("personas", []), False, "should be non-empty"),
    Case("persona not a slug", INS, _set("personas", ["Shopper"]), False, "does not match"),
    Case("personas not a list", INS, _set("personas", "shopper"), False, "is not of type"),
    Case("blank author", INS, _set("authors", ["dana", ""]), False, "does not match"),
    Case("no evidence", INS, _set("evidence", []), False, "should be non-empty"),
    Case("count below one", INS, _set("evidence.0.count", 0), False, "less than the minimum"),
    Case("count not a number", INS, _set("evidence.0.count", "many"), False, "is not of type"),
    Case("empty optional evidence field", INS, _set("evidence.0.ref", None), True),
    Case("unknown evidence field", INS, _set("evidence.0.sauce", "x"), False,
         "Additional properties"),
    Case("bad source", INS, _set("evidence.0.source", "tweet"), False, "is not one of"),
    Case("impossible date", INS, _set("evidence.0.date", "2026-02-30"), False, "is not a 'date'"),
    Case("not a date", INS, _set("created", "last week"), False, "does not match"),
    Case("date as text", INS, _set("created", "2026-09-20"), True),
    Case("decision not a mapping", INS, _set("decision", "accepted"), False, "is not of type"),
    Case("link not http", INS, _set("decision.link", "ftp://tracker.example/1"), False,
         "does not match"),
    Case("link https", INS, _set("decision.link", "HTTPS://tracker.example/CHK-1"), True),
    Case("review_by ahead", INS, _set("decision.review_by", dt.date(2027, 3, 1)), True),
    Case("blank owner", INS, _set("decision.owner", ""), False, "does not match"),
    Case("alias not a slug", INS, _set("aliases", ["Old_Id"]), False, "does not match"),
    Case("alias slug", INS, _set("aliases", ["old-id"]), True),
    Case("persona as given", PER, _set("status", "archived"), True),
    Case("persona status empty", PER, _set("status", None), True),
    Case("persona bad status", PER, _set("status", "retired"), False, "is not one of"),
    Case("persona missing review", PER, _set("last_reviewed", DELETE), False, "is a required"),
    Case("persona goals not a list", PER, _set("goals", "save time"), False, "is not of type"),
    Case("journey as given", JOU, _set("stages.1.metrics.0.value", 3), True),
    Case("stage id not a slug", JOU, _set("stages.0.id", "Basket Stage"), False,
         "does not match"),
    Case("stage without owner", JOU, _set("stages.0.owner", DELETE), False, "is a required"),
    Case("metric value text", JOU, _set("stages.1.metrics.0.value", "high"), False,
         "is not of type"),
    Case("metric bad unit", JOU, _set("stages.1.metrics.0.unit", "kg"), False, "is not one of"),
    Case("no stages", JOU, _set("stages", []), False, "should be non-empty"),
    Case("unknown stage field", JOU, _set("stages.0.colour", "red"), False,
         "Additional properties"),
]


def _decision_cases() -> list[Case]:
    """Every status with each of owner, date, rationale given or not (PRODUCT.md rules)."""
    cases = []
    for status, owner, date, rationale in itertools.product(
            DecisionStatus, (True, False), (True, False), (True, False)):
        decision: dict[str, Any] = {"status": status.value}
        if owner:
            decision["owner"] = "checkout-team"
        if date:
            decision["date"] = dt.date(2026, 10, 2)
        if rationale:
            decision["rationale"] = "Cost outweighs the gain this year."
        valid = (owner or status == "new") \
            and (date or status not in ("accepted", "in-progress", "done", "declined")) \
            and (rationale or status != "declined")
        name = f"{status} owner={owner} date={date} rationale={rationale}"
        cases.append(Case(name, INS, _set("decision", decision), valid,
                          "" if valid else "is a required"))
    return cases


ALL_CASES = CASES + _decision_cases()


def _base(kind: Kind) -> dict[str, Any]:
    return front_matter(textwrap.dedent(BASE_FILES[BASE_PATHS[kind]]))


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.name)
def test_schema_verdict(case: Case) -> None:
    data = copy.deepcopy(_base(case.kind))
    case.change(data)
    errors = schema_errors(case.kind, data)
    if case.valid:
        assert errors == []
    else:
        assert errors, "the schema accepted a bad file"
        assert any(case.hit in error for error in errors), errors


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.name)
def test_schema_agrees_with_portal_check(make_portal, case: Case) -> None:
    data = copy.deepcopy(_base(case.kind))
    case.change(data)
    text = "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n"
    root = make_portal({BASE_PATHS[case.kind]: text})
    errors = [(p.rule, p.message) for p in check_portal(root, TODAY).problems
              if p.severity == "error"]
    assert (errors == []) == case.valid, errors


def test_jsonschema_validate_raises_on_a_bad_file() -> None:
    data = _base(Kind.INSIGHT)
    data["decision"] = {"status": "declined", "owner": "checkout-team", "date": "2026-10-02"}
    with pytest.raises(jsonschema.ValidationError, match="rationale"):
        jsonschema.validate(jsonable(data), json_schema(Kind.INSIGHT),
                            cls=Draft202012Validator)


# --- the command --------------------------------------------------------------------

def test_portal_schema_prints_json() -> None:
    result = run_portal("schema", "insight")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert result.stdout == render(Kind.INSIGHT)
    Draft202012Validator.check_schema(document)


def test_portal_schema_rejects_a_bad_kind() -> None:
    result = run_portal("schema", "insights")
    assert result.returncode == 2
    assert "insight" in result.stderr


def test_portal_schema_needs_a_kind_or_out() -> None:
    result = CliRunner().invoke(schema, [])
    assert result.exit_code == 2
    assert "--out" in result.output


def test_portal_schema_out_writes_all_three(tmp_path: Path) -> None:
    result = CliRunner().invoke(schema, ["--out", str(tmp_path / "schemas")])
    assert result.exit_code == 0, result.output
    for kind in Kind:
        written = tmp_path / "schemas" / file_name(kind)
        assert written.read_bytes() == (SCHEMAS / file_name(kind)).read_bytes()


def test_portal_schema_out_with_a_kind_writes_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(schema, ["persona", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [path.name for path in tmp_path.iterdir()] == ["persona.schema.json"]


def test_a_declared_default_is_in_the_schema_and_the_record() -> None:
    """The schema's default (PersonaStatus, Metric.better) reaches editors and records."""
    persona = json_schema(Kind.PERSONA)["properties"]["status"]
    assert persona["default"] == "active"
    stage = json_schema(Kind.JOURNEY)["properties"]["stages"]["items"]["properties"]
    assert stage["metrics"]["items"]["properties"]["better"]["default"] == "higher"
