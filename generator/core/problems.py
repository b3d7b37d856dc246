"""Problems and the one catalog of rules that words them.

Every message and hint lives here, so wording stays consistent and a rule id in
output can always be looked up. Call sites pass the facts (ids, fields, values);
the catalog turns them into sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# What output calls a reminder (a warning --strict never promotes) in place of
# its severity: text, GitHub annotations, the build log and the preview.
REMINDER = "reminder"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    message: str
    hint: str
    # Reminders are facts about the organisation (ages, overdue reviews), not
    # mistakes in a file: --strict never promotes them, so they cannot fail an
    # unrelated pull request.
    reminder: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    severity: Severity
    rule: str
    message: str
    hint: str

    @property
    def is_reminder(self) -> bool:
        return RULES[self.rule].reminder

    @property
    def label(self) -> str:
        """What people read: 'error', 'warning' or 'reminder'."""
        return REMINDER if self.is_reminder else str(self.severity)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line, self.rule, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": str(self.severity),
            # Reminders keep severity "warning" (what tools read before there
            # were reminders); every problem says whether it is one.
            "reminder": self.is_reminder,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }


E, W = Severity.ERROR, Severity.WARNING

_RULES = [
    # --- reading the file ---------------------------------------------------
    Rule("not-utf8", E, "file is not valid UTF-8 (first bad byte on line {bad_line})",
         "Save the file as UTF-8 (most editors offer 'Save with encoding')."),
    Rule("file-too-large", E, "file is larger than {limit}; it was not read further",
         "An entry is front matter and a short body; keep long material (transcripts, "
         "exports) elsewhere and link to it."),
    Rule("not-a-file", E, "this is not a Markdown file but {what}",
         "Only files named '<id>.md' belong here: rename or remove it."),
    Rule("outside-link", E, "'{link}' is a symbolic link to '{target}', outside {outside}; "
         "it was not read, and is not published",
         "The portal never reads content from elsewhere: copy the file into the portal "
         "instead of linking to it."),
    Rule("empty-file", E, "file is empty",
         "Start the file with front matter between two '---' lines; "
         "`portal new {kind} {id}` writes a complete template."),
    Rule("no-front-matter", E, "{detail}",
         "The file must start with a line '---', then YAML fields, then a closing '---' line."),
    Rule("invalid-yaml", E, "front matter is not valid YAML: {detail}",
         "Check indentation (spaces, not tabs) and quote values that contain ': ' or start "
         "with a special character."),
    Rule("not-a-mapping", E, "front matter must be a mapping of fields, not {actual}",
         "Write one 'field: value' per line between the '---' lines."),
    Rule("duplicate-key", E, "field '{field}' is given twice (first on line {first_line})",
         "Keep one of them; YAML would silently use only the last."),
    Rule("too-complex", E, "front matter is too large or too deeply nested ({detail})",
         "Front matter holds a few dozen fields; move long text into the body."),
    # --- one file's fields -------------------------------------------------
    Rule("bad-slug", E, "{what} '{value}' is not a valid id",
         "Ids are lowercase slugs: letters a-z, digits and single hyphens, e.g. '{suggestion}'."),
    Rule("missing-field", E, "required field '{field}' is missing",
         "Add '{field}:' ({expected}).{extra}"),
    Rule("empty-field", E, "field '{field}' is empty",
         "Give '{field}' a value ({expected})."),
    Rule("too-few-items", E, "field '{field}' needs at least {minimum} item(s)",
         "Add at least {minimum} item(s) to '{field}'."),
    Rule("wrong-type", E, "field '{field}' must be {expected}, not {actual}",
         "{extra}"),
    Rule("unknown-field", E, "unknown field '{field}'",
         "{suggestion}Fields allowed here: {allowed}."),
    Rule("bad-value", E, "field '{field}' has '{value}', which is not one of: {allowed}",
         "{suggestion}"),
    Rule("invalid-date", E, "field '{field}' is not a valid date: '{value}'",
         "Write dates as YYYY-MM-DD, e.g. 2026-09-14, and check the day exists in that month."),
    Rule("duplicate-stage", E, "stage id '{value}' is used twice in this journey "
         "(first on line {first_line})",
         "Stage ids must be unique within a journey; rename one of them."),
    Rule("stage-without-journey", E, "insight lists stages but no journey",
         "Add 'journey: <journey id>' so the stages can be found, or remove 'stages'."),
    Rule("self-reference", E, "insight \"{id}\" refers to itself in '{field}'",
         "Remove \"{id}\" from '{field}'."),
    Rule("decision-missing-owner", E, "decision with status '{status}' has no owner",
         "Add 'owner:' under 'decision:' — the team accountable for acting on this insight."),
    Rule("decision-missing-date", E, "decision with status '{status}' has no date",
         "Add 'date: YYYY-MM-DD' under 'decision:' — when the decision was made."),
    Rule("decision-missing-rationale", E, "declined decision has no rationale",
         "Add 'rationale:' under 'decision:' — why we chose not to act, so the reason "
         "is not lost."),
    Rule("history-out-of-order", E, "decision history is out of date order: {date} comes "
         "after {previous}",
         "List 'history' oldest first, each date on or after the one before, and the "
         "decision's own 'date' on or after the last."),
    Rule("history-before-created", E, "decision history has {date}, before the insight was "
         "created ({created})",
         "A status cannot predate the insight: check the year, or 'created'."),
    Rule("history-repeats-status", E, "the last status in decision history is '{status}', "
         "the current status",
         "'history' lists the statuses before the current one: remove its last item (portal "
         "decide keeps it right)."),
    Rule("duplicate-metric", E, "metric '{value}' is listed twice in stage '{stage}' (first on "
         "line {first_line})",
         "Give each metric of a stage its own name: decisions and events name a metric by it."),
    Rule("metric-history-out-of-order", E, "metric '{metric}' has a reading of {date} "
         "after one of {previous}",
         "List a metric's 'history' oldest first, each reading dated after the one before."),
    Rule("metric-history-after-as-of", E, "metric '{metric}' has a reading of {date} in "
         "'history', not before its current 'as_of' ({as_of})",
         "'history' holds the earlier readings: the current one is 'value' with 'as_of'. "
         "Check the year, or move the newest reading to 'value' and 'as_of'."),
    Rule("confidence-unsupported", W, "confidence is high, but all the evidence comes from "
         "one method ({method})",
         "High confidence needs corroboration: add evidence from a second method (for example "
         "analytics beside interviews), or lower 'confidence' to medium."),
    Rule("personal-data", E, "{field} contains what looks like {what} ({masked})",
         "Remove or anonymise customer personal data. If this text is safe (e.g. our own "
         "domain), allow it with a pattern under 'personal_data_allow' in mkdocs.yml."),
    Rule("active-image", E, "this SVG image holds {what}: opened on its own, it would run "
         "with the portal's rights; it is not published",
         "Export the drawing again without scripts, links or event handlers (most editors "
         "offer a plain or optimised SVG), or use a PNG."),
    Rule("page-meta", W, "'{field}' in the front matter of a hand-written page {detail}; "
         "it is ignored",
         "'hide' takes a list such as [navigation, toc]; 'template' names a template of the "
         "theme (main.html) or of its custom_dir."),
    Rule("hidden-character", E, "{field} contains the invisible character {code} ({what})",
         "Delete it: control and private-use characters never show on a page, and can "
         "break the page or hide text from reviewers. They usually come with text pasted "
         "from another program; retyping the words around it removes it."),
    Rule("unknown-team", E, "field '{field}' has '{value}', which is not a team listed under "
         "'teams' in mkdocs.yml",
         "{suggestion}Add the team to 'teams' in mkdocs.yml if it is new."),
    Rule("unknown-tag", E, "tag '{value}' is not listed under 'tags' in mkdocs.yml",
         "{suggestion}Add the tag to 'tags' in mkdocs.yml if it is new."),
    # --- links between files -----------------------------------------------
    Rule("duplicate-id", E, "{kind} id \"{id}\" is already used by {other}",
         "Ids are file names and must be unique per kind; rename one file."),
    Rule("alias-conflict", E, "alias \"{alias}\" is already {other}",
         "An alias keeps an old id alive; it cannot be the id or alias of another {kind}."),
    Rule("unknown-persona", E, "{kind} \"{id}\" (field {field}) refers to persona \"{ref}\", "
         "which does not exist", "{suggestion}"),
    Rule("unknown-journey", E, "insight \"{id}\" (field journey) refers to journey \"{ref}\", "
         "which does not exist", "{suggestion}"),
    Rule("unknown-stage", E, "insight \"{id}\" (field {field}) refers to stage \"{ref}\", "
         "which is not a stage of journey \"{journey}\"", "{suggestion}"),
    Rule("unknown-metric", E, "decision of insight \"{id}\" names metric \"{ref}\", which "
         "is not a metric of {where}", "{suggestion}"),
    Rule("unknown-insight", E, "insight \"{id}\" (field {field}) refers to insight \"{ref}\", "
         "which does not exist", "{suggestion}"),
    Rule("superseded-not-marked", E, "insight \"{id}\" supersedes \"{ref}\", but \"{ref}\" has "
         "decision status '{status}'",
         "Set 'status: superseded' in the decision of insights/{ref}.md."),
    Rule("supersedes-cycle", E, "supersedes cycle: {cycle}",
         "An insight cannot (indirectly) supersede itself; remove one link of the cycle."),
    Rule("broken-link", E, "link '{target}' {reason}",
         "Links are relative to this page's place in the site, e.g. '../personas/<id>.md' "
         "or '<insight-id>.md' from an insight, 'personas/<id>.md' from docs/<page>.md."
         "{suggestion}"),
    Rule("future-date", E, "field '{field}' is {value}, which lies in the future (today is "
         "{today})",
         "This date records something that already happened; check the year and month."),
    # --- warnings (--strict makes them errors) --------------------------------
    Rule("unused-persona", W, "persona \"{id}\" is not used by any insight",
         "Link insights to it, or set 'status: archived' if it is retired."),
    Rule("unused-journey", W, "journey \"{id}\" is not used by any insight",
         "Link insights to its stages with 'journey:' and 'stages:'."),
    Rule("done-without-outcome", W, "decision is done but has no outcome",
         "Add 'outcome:' under 'decision:' — what changed for customers, ideally measured."),
    Rule("archived-persona", W, "new insight refers to archived persona \"{ref}\"",
         "{suggestion}"),
    Rule("page-budget", W, "its text {reason}; the page shows a notice with a link to this "
         "file in place of {what}",
         "Markdown and the search index slow down on text that repeats one piece of syntax "
         "thousands of times (headings, '[', '<div>', reference definitions, table rows). "
         "Shorten or split the text, or keep long material elsewhere and link to it."),
    Rule("html-removed", W, "{what} will be removed from the page",
         "Use Markdown instead; scripts, frames, event handlers, style attributes and "
         "script URLs (javascript:, vbscript:, data:) never reach the portal."),
    # --- reminders (never promoted by --strict) -------------------------------
    Rule("decision-overdue", W, "insight has waited {age} days for a decision (status "
         "'{status}', {since})",
         "Decide: accept, decline with a rationale, or set an owner reviewing it. Threshold: "
         "undecided_after_days = {limit}.", reminder=True),
    Rule("review-date-passed", W, "decision review date {review_by} has passed "
         "({age} days ago)",
         "Revisit the decision and set a new 'review_by', or record the outcome.", reminder=True),
    Rule("persona-review-overdue", W, "persona last reviewed {age} days ago ({last_reviewed})",
         "Review the persona with fresh research and update 'last_reviewed'. Threshold: "
         "persona_review_after_days = {limit}.", reminder=True),
    # A suggestion to a reviewer, not a mistake: a reminder too (duplicates.py).
    Rule("possible-duplicate", W, "this insight reads like the older insight \"{ref}\" "
         "({file}, created {created}), of the same kind, persona and stage",
         "If it is the same finding, add this evidence to {file} instead; if it is another "
         "finding, list \"{ref}\" in 'related' so readers see both.", reminder=True),
    # --- configuration and the checker itself -------------------------------
    Rule("invalid-config", E, "{detail}", "{hint}"),
    # mkdocs.yml asks for code to run, or for a folder outside the portal (config_guard.py).
    Rule("unsafe-config", E, "{detail}", "{hint}"),
    Rule("internal-error", E, "the checker failed on this file: {detail}",
         "This is a bug in Insight Portal, not in your file; please report it with the file. "
         "The other files were still checked."),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


class _Blank(dict[str, object]):
    """Leaves a template's unknown placeholders empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def make_problem(rule_id: str, path: str, line: int, **facts: object) -> Problem:
    rule = RULES[rule_id]
    values = _Blank(facts)
    return Problem(
        path=path,
        line=max(1, int(line)),
        severity=rule.severity,
        rule=rule.id,
        message=rule.message.format_map(values),
        hint=" ".join(rule.hint.format_map(values).split()),
    )


def promote_warnings(problems: list[Problem]) -> list[Problem]:
    """--strict: warnings about files become errors; reminders stay warnings."""
    return [
        Problem(p.path, p.line, Severity.ERROR, p.rule, p.message, p.hint)
        if p.severity is Severity.WARNING and not p.is_reminder
        else p
        for p in problems
    ]
