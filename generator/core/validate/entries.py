"""First pass: one file on its own — its fields, its decision rules, its body.

Everything here depends only on the file's content and the configuration, never
on other files or on today's date, so its result can be cached per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..config import PortalConfig
from ..loader import Document
from ..model import (
    RECORD_CLASSES,
    Confidence,
    DecisionStatus,
    Entry,
    EvidenceStrength,
    Insight,
    Journey,
    Kind,
    Origin,
    Persona,
)
from ..problems import Problem, make_problem
from ..schema import FIELDS_BY_KIND, FieldSpec
from .body import relative_links, unsafe_html
from .fields import FieldChecker, is_slug, label, slugify
from .personal_data import find_personal_data


def check_document(doc: Document, config: PortalConfig) -> tuple[Entry, list[Problem]]:
    source = doc.source
    problems: list[Problem] = []
    if not is_slug(source.id):
        problems.append(make_problem("bad-slug", source.rel, 1, what="file name",
                                     value=source.rel.rsplit("/", 1)[-1],
                                     suggestion=slugify(source.id)))
    checker = FieldChecker(source.rel, doc.lines, config, problems)
    values = checker.mapping(doc.data, FIELDS_BY_KIND[source.kind])
    origin = Origin(source.rel, doc.lines, doc.body_line, checker.past_dates)
    links = relative_links(doc.body, doc.body_line)

    entry: Entry = _record(_ENTRY_RECORDS[source.kind], FIELDS_BY_KIND[source.kind], values,
                           id=source.id, origin=origin, body=doc.body, links=links)
    if source.kind is Kind.INSIGHT:
        _insight_rules(entry, doc.data, problems)
    elif source.kind is Kind.JOURNEY:
        _journey_rules(entry, doc, problems)

    _personal_data(doc, config, problems)
    _hidden_characters(doc, problems)
    for line, what in unsafe_html(doc.body, doc.body_line):
        problems.append(make_problem("html-removed", source.rel, line, what=what))
    return entry, problems


# --- records -------------------------------------------------------------------

_ENTRY_RECORDS: dict[Kind, type] = {Kind.INSIGHT: Insight, Kind.PERSONA: Persona,
                                    Kind.JOURNEY: Journey}
# Per field table, its fields that hold records: (name, record class, its table, many).
_NESTED: dict[int, tuple[tuple[str, type, tuple[FieldSpec, ...], bool], ...]] = {}


def _record(cls: type, specs: tuple[FieldSpec, ...], values: dict[str, Any],
            **given: Any) -> Any:
    """A record of the checked values: every field the table declares, nested
    mappings as their own records; a field left out (or invalid) keeps its default."""
    nested = _NESTED.get(id(specs))
    if nested is None:
        nested = _NESTED[id(specs)] = tuple(
            (spec.name, RECORD_CLASSES[spec.record], spec.fields, spec.many)
            for spec in specs if spec.record is not None)
    for name, part, part_specs, many in nested:
        value = values.get(name)
        if value is not None:
            values[name] = [_record(part, part_specs, item) for item in value] if many \
                else _record(part, part_specs, value)
    return cls(**given, **values)


# --- rules within one file ------------------------------------------------------

def _insight_rules(insight: Insight, raw: dict[str, Any], problems: list[Problem]) -> None:
    origin = insight.origin
    if insight.stages and not _given(raw, "journey"):
        problems.append(make_problem("stage-without-journey", origin.path, origin.line("stages")))
    for field in ("related", "supersedes"):
        for index, ref in enumerate(getattr(insight, field)):
            if ref == insight.id:
                problems.append(make_problem("self-reference", origin.path,
                                             origin.line(field, index), id=insight.id,
                                             field=field))
    if insight.confidence is Confidence.HIGH \
            and insight.evidence_strength is EvidenceStrength.SINGLE:
        problems.append(make_problem("confidence-unsupported", origin.path,
                                     origin.line("confidence"),
                                     method=insight.evidence_methods[0]))
    decision = insight.decision
    if decision is None or decision.status is None:
        return
    status = decision.status

    def report(rule: str, **facts: object) -> None:
        # The line is looked up only for a problem: most files have none.
        problems.append(make_problem(rule, origin.path, origin.line("decision", "status"),
                                     **facts))

    if status.needs_owner and not _given(raw, "decision", "owner"):
        report("decision-missing-owner", status=status)
    if status.needs_date and not _given(raw, "decision", "date"):
        report("decision-missing-date", status=status)
    if status is DecisionStatus.DECLINED and not _given(raw, "decision", "rationale"):
        report("decision-missing-rationale")
    if status is DecisionStatus.DONE and not decision.outcome:
        report("done-without-outcome")
    if decision.history:
        _history_rules(insight, problems)


def _history_rules(insight: Insight, problems: list[Problem]) -> None:
    """Each earlier status dated, in order, within the insight's life, and not the
    current one again (its dates' validity and future are checked with every date)."""
    origin, decision = insight.origin, insight.decision
    previous = None  # the date before, in the list's order
    for index, change in enumerate(decision.history):
        line = origin.line("decision", "history", index, "date")
        if change.date is None:
            continue
        if insight.created is not None and change.date < insight.created:
            problems.append(make_problem("history-before-created", origin.path, line,
                                         date=change.date, created=insight.created))
        if previous is not None and change.date < previous:
            problems.append(make_problem("history-out-of-order", origin.path, line,
                                         date=change.date, previous=previous))
        previous = change.date
    if decision.date is not None and previous is not None and decision.date < previous:
        problems.append(make_problem("history-out-of-order", origin.path,
                                     origin.line("decision", "date"), date=decision.date,
                                     previous=previous))
    last = decision.history[-1]
    if last.status is not None and last.status is decision.status:
        problems.append(make_problem("history-repeats-status", origin.path,
                                     origin.line("decision", "history",
                                                 len(decision.history) - 1, "status"),
                                     status=last.status))


def _journey_rules(journey: Journey, doc: Document, problems: list[Problem]) -> None:
    first_seen: dict[str, int] = {}  # stage id -> index
    for index, stage in enumerate(journey.stages):
        if not stage.id:
            continue
        if stage.id in first_seen:
            first_line = doc.lines.line("stages", first_seen[stage.id], "id")
            problems.append(make_problem("duplicate-stage", doc.source.rel,
                                         doc.lines.line("stages", index, "id"),
                                         value=stage.id, first_line=first_line))
        else:
            first_seen[stage.id] = index
        named: dict[str, int] = {}  # metric name -> its index in the stage
        for number, metric in enumerate(stage.metrics):
            path = ("stages", index, "metrics", number)
            if metric.name in named:
                problems.append(make_problem(
                    "duplicate-metric", doc.source.rel, doc.lines.line(*path, "name"),
                    value=metric.name, stage=stage.id or index,
                    first_line=doc.lines.line("stages", index, "metrics", named[metric.name],
                                              "name")))
            elif metric.name:
                named[metric.name] = number
            _metric_history_rules(metric, doc, path, problems)


def _metric_history_rules(metric: Any, doc: Document, path: tuple[str | int, ...],
                          problems: list[Problem]) -> None:
    """Earlier readings oldest first, all before the metric's own as_of."""
    previous = None
    for index, reading in enumerate(metric.history):
        if reading.as_of is None:
            continue
        line = doc.lines.line(*path, "history", index, "as_of")
        if previous is not None and reading.as_of <= previous:
            problems.append(make_problem("metric-history-out-of-order", doc.source.rel, line,
                                         metric=metric.name, date=reading.as_of,
                                         previous=previous))
        if metric.as_of is not None and reading.as_of >= metric.as_of:
            problems.append(make_problem("metric-history-after-as-of", doc.source.rel, line,
                                         metric=metric.name, date=reading.as_of,
                                         as_of=metric.as_of))
        previous = reading.as_of


def _given(raw: Any, *path: str) -> bool:
    """A non-empty value in the file, even one whose type was wrong (reported already)."""
    for key in path:
        if not isinstance(raw, dict):
            return False
        raw = raw.get(key)
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


# --- personal data ------------------------------------------------------------------

def _personal_data(doc: Document, config: PortalConfig, problems: list[Problem]) -> None:
    rel, body, allow = doc.source.rel, doc.body, config.personal_data_allow
    values: list[str] = []
    _collect_strings(doc.data, values)
    # One scan over all values and the body joined is much cheaper than one per
    # value, and almost always finds nothing. No match spans a line break, so
    # joined by "\n" they give exactly the findings separate scans would.
    joined = "\n".join(values)
    body_start = len(joined) + 1
    findings = list(find_personal_data(f"{joined}\n{body}" if body else joined, allow))
    if not findings:
        return
    if any(finding.offset < body_start for finding in findings):
        # Only now look value by value, for the line of each.
        for path, text in _strings(doc.data, ()):
            for finding in find_personal_data(text, allow):
                problems.append(make_problem("personal-data", rel, doc.lines.line(*path),
                                             field=f"field '{label(path)}'", what=finding.what,
                                             masked=finding.masked))
    for finding in findings:
        if finding.offset >= body_start:
            offset = finding.offset - body_start
            line = doc.body_line + body.count("\n", 0, offset)
            problems.append(make_problem("personal-data", rel, line, field="the body",
                                         what=finding.what, masked=finding.masked))


# C0 and C1 controls (tab, line feed and carriage return are text), private-use
# characters and the noncharacters: nothing a researcher means to write, and the
# build's own placeholders are made of such characters.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufdd0-\ufdef"
                     "\ufffe\uffff\U000f0000-\U0010ffff]")


def _hidden_characters(doc: Document, problems: list[Problem]) -> None:
    """One problem per field or body line holding a control or private-use
    character, naming the character (one scan of everything, as for personal data)."""
    rel, body = doc.source.rel, doc.body
    values: list[str] = []
    _collect_strings(doc.data, values)
    text = "\n".join((*values, body))
    # Every hidden character is unprintable, and most files are all printable:
    # str.isprintable is twice as fast as the pattern.
    if text.replace("\n", "").replace("\t", "").isprintable() or not _HIDDEN.search(text):
        return
    for path, text in _strings(doc.data, ()):
        found = _HIDDEN.search(text)
        if found:
            problems.append(make_problem("hidden-character", rel, doc.lines.line(*path),
                                         field=f"field '{label(path)}'",
                                         **_describe(found.group())))
    line, counted, reported = doc.body_line, 0, 0
    for found in _HIDDEN.finditer(body):
        line += body.count("\n", counted, found.start())  # counted once: linear time
        counted = found.start()
        if line != reported:  # one problem a line
            reported = line
            problems.append(make_problem("hidden-character", rel, line, field="the body",
                                         **_describe(found.group())))


def _describe(char: str) -> dict[str, str]:
    code = ord(char)
    what = "a control character" if code < 0xA0 else \
        "a noncharacter" if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE else \
        "a private-use character"
    return {"code": f"U+{code:04X}", "what": what}


def _collect_strings(value: Any, out: list[str]) -> None:
    """Every text value, in the order _strings yields them."""
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (dict, list)):
            _collect_strings(item, out)


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))
