"""One small broken corpus per rule: each case asserts the rule id, the file and
the line. `test_every_rule_has_a_case` fails when a rule has no case here, so a
rule cannot be added, or silently removed, without a test noticing.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pytest
from conftest import BASE_FILES, MKDOCS_YML, TODAY

from generator.check.pipeline import check_portal
from generator.core.problems import RULES, Problem

INSIGHT = "insights/fees-surprise.md"
PERSONA = "personas/shopper.md"
JOURNEY = "journeys/order.md"


def base(path: str) -> str:
    return textwrap.dedent(BASE_FILES[path])


def changed(path: str, old: str, new: str) -> str:
    """The base file at `path` with one exact piece of text replaced."""
    text = base(path)
    assert old in text, f"{old!r} is not in {path}"
    return text.replace(old, new, 1)


def add_to_insight(lines: str) -> str:
    """Base insight with extra front-matter lines appended (they start on line 23)."""
    return changed(INSIGHT, "  date: 2026-10-02\n---", f"  date: 2026-10-02\n{lines}\n---")


PLUGINS_YML = MKDOCS_YML.split("\n", 1)[1]  # the test mkdocs.yml without its site_name

SECOND_INSIGHT = """\
---
title: Second insight
summary: Another one.
kind: need
personas: [shopper]
severity: low
confidence: low
evidence: [{source: survey}]
created: 2026-09-01
authors: [sam]
decision: {status: superseded, owner: cx-team}
supersedes: [fees-surprise]
---
"""


@dataclass
class Case:
    rule: str
    files: dict[str, str | bytes | None]
    path: str
    line: int
    hint_contains: str = ""
    mkdocs_yml: str = MKDOCS_YML
    extra: dict[str, object] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # symbolic link -> its target


CASES = [
    # --- reading the file ---
    Case("not-utf8", {"insights/latin.md": b"---\ntitle: caf\xe9\n---\n"}, "insights/latin.md", 2),
    Case("file-too-large", {"insights/huge.md": "---\ntitle: x\n---\n" + "words " * 200_000},
         "insights/huge.md", 1),
    Case("not-a-file", {"insights/folder.md/README.md": "notes\n"}, "insights/folder.md", 1),
    Case("outside-link", {"notes/secret.md": base(INSIGHT)}, "insights/linked.md", 1,
         "copy the file", links={"insights/linked.md": "../notes/secret.md"}),
    Case("empty-file", {"insights/blank.md": "\n  \n"}, "insights/blank.md", 1,
         "portal new insight blank"),
    Case("no-front-matter", {"insights/plain.md": "Just some notes.\n"}, "insights/plain.md", 1),
    Case("no-front-matter", {"insights/open.md": "---\ntitle: never closed\n"},
         "insights/open.md", 1),
    Case("invalid-yaml", {"insights/tab.md": "---\ntitle: x\n\tsummary: y\n---\n"},
         "insights/tab.md", 3),
    Case("invalid-yaml", {"insights/flow.md": "---\ntitle: x\ntags: [a, b\n---\n"},
         "insights/flow.md", 3),
    Case("not-a-mapping", {"insights/list.md": "---\n- a\n- b\n---\n"}, "insights/list.md", 2),
    Case("not-a-mapping", {"insights/hollow.md": "---\n---\nBody only.\n"},
         "insights/hollow.md", 1),
    Case("duplicate-key", {INSIGHT: changed(INSIGHT, "severity: high",
                                            "severity: high\nseverity: low")}, INSIGHT, 9),
    Case("too-complex", {"insights/deep.md": "---\ntitle: " + "[" * 80 + "]" * 80 + "\n---\n"},
         "insights/deep.md", 2),
    # --- one file's fields ---
    Case("bad-slug", {"insights/Fees_Surprise.md": base(INSIGHT), INSIGHT: None},
         "insights/Fees_Surprise.md", 1, "fees-surprise"),
    Case("bad-slug", {JOURNEY: changed(JOURNEY, "- id: basket", "- id: Basket Page")},
         JOURNEY, 7, "basket-page"),
    Case("missing-field", {INSIGHT: changed(INSIGHT, "confidence: medium\n", "")}, INSIGHT, 1,
         "confidence"),
    Case("missing-field", {INSIGHT: changed(INSIGHT, "  status: accepted\n", "")}, INSIGHT, 19,
         "under 'decision'"),
    Case("empty-field", {INSIGHT: changed(INSIGHT, "title: Delivery fee surprises shoppers "
                                                   "at checkout", "title:")}, INSIGHT, 2),
    Case("too-few-items", {INSIGHT: changed(INSIGHT, "personas: [shopper]", "personas: []")},
         INSIGHT, 5),
    Case("wrong-type", {INSIGHT: changed(INSIGHT, "personas: [shopper]", "personas: shopper")},
         INSIGHT, 5, "personas: [shopper]"),
    Case("wrong-type", {INSIGHT: changed(INSIGHT, "count: 12", "count: many")}, INSIGHT, 16),
    Case("wrong-type", {INSIGHT: changed(INSIGHT, "title: Delivery fee surprises shoppers "
                                                  "at checkout", "title: yes")}, INSIGHT, 2,
         "quotes"),
    Case("wrong-type", {JOURNEY: changed(JOURNEY, "value: 0.71", 'value: "71%"')}, JOURNEY, 15),
    Case("unknown-field", {INSIGHT: changed(INSIGHT, "summary:", "titel: typo\nsummary:")},
         INSIGHT, 3, 'Did you mean "title"?'),
    Case("bad-value", {INSIGHT: changed(INSIGHT, "kind: pain", "kind: pian")}, INSIGHT, 4,
         'Did you mean "pain"?'),
    Case("bad-value", {INSIGHT: changed(INSIGHT, "source: support-ticket", "source: ticket")},
         INSIGHT, 12),
    Case("bad-value", {INSIGHT: changed(INSIGHT, "status: accepted", "status: Accepted")},
         INSIGHT, 20, 'Did you mean "accepted"?'),
    Case("invalid-date", {INSIGHT: changed(INSIGHT, "created: 2026-09-20",
                                           "created: 2026-02-30")}, INSIGHT, 17),
    Case("invalid-date", {PERSONA: changed(PERSONA, "last_reviewed: 2026-10-01",
                                           "last_reviewed: last spring")}, PERSONA, 7),
    Case("duplicate-stage", {JOURNEY: changed(JOURNEY, "- id: checkout", "- id: basket")},
         JOURNEY, 10),
    Case("stage-without-journey", {INSIGHT: changed(INSIGHT, "journey: order\n", "")},
         INSIGHT, 6),
    Case("self-reference", {INSIGHT: add_to_insight("related: [fees-surprise]")}, INSIGHT, 23),
    Case("decision-missing-owner", {INSIGHT: changed(INSIGHT, "  owner: checkout-team\n", "")},
         INSIGHT, 20),
    Case("decision-missing-date", {INSIGHT: changed(INSIGHT, "  date: 2026-10-02\n", "")},
         INSIGHT, 20),
    Case("decision-missing-rationale", {INSIGHT: changed(INSIGHT, "status: accepted",
                                                         "status: declined")}, INSIGHT, 20),
    Case("history-out-of-order", {INSIGHT: changed(
        INSIGHT, "  date: 2026-10-02\n", "  date: 2026-10-02\n  history:\n"
        "    - {status: new, date: 2026-09-25}\n    - status: under-review\n"
        "      date: 2026-09-21\n")}, INSIGHT, 26, "oldest first"),
    Case("history-before-created", {INSIGHT: changed(
        INSIGHT, "  date: 2026-10-02\n", "  date: 2026-10-02\n  history:\n"
        "    - status: new\n      date: 2026-09-01\n")}, INSIGHT, 25),
    Case("history-repeats-status", {INSIGHT: changed(
        INSIGHT, "  date: 2026-10-02\n", "  date: 2026-10-02\n  history:\n"
        "    - {status: new, date: 2026-09-20}\n    - {status: accepted, date: 2026-09-25}\n")},
         INSIGHT, 25, "remove its last item"),
    Case("metric-history-out-of-order", {JOURNEY: changed(
        JOURNEY, "as_of: 2026-10-01\n", "as_of: 2026-10-01\n        history:\n"
        "          - {as_of: 2026-08-01, value: 0.70}\n"
        "          - {as_of: 2026-07-01, value: 0.69}\n")}, JOURNEY, 21, "oldest first"),
    Case("duplicate-metric", {JOURNEY: changed(
        JOURNEY, "as_of: 2026-10-01\n", "as_of: 2026-10-01\n"
        "      - {name: Checkout completion, value: 0.7}\n")}, JOURNEY, 19, "its own name"),
    Case("metric-history-after-as-of", {JOURNEY: changed(
        JOURNEY, "as_of: 2026-10-01\n", "as_of: 2026-10-01\n        history:\n"
        "          - {as_of: 2026-07-01, value: 0.69}\n"
        "          - {as_of: 2026-10-01, value: 0.70}\n")}, JOURNEY, 21, "earlier readings"),
    Case("confidence-unsupported", {INSIGHT: changed(INSIGHT, "confidence: medium",
                                                     "confidence: high")}, INSIGHT, 9,
         "second method"),
    Case("personal-data", {INSIGHT: changed(INSIGHT, '"Why is there a fee now?"',
                                            '"Write to jo.bloggs@mailbox.example"')},
         INSIGHT, 15, "personal_data_allow"),
    Case("personal-data", {INSIGHT: base(INSIGHT) + "\nShe said: call me on 07700 900123.\n"},
         INSIGHT, 26),
    Case("personal-data", {PERSONA: changed(PERSONA, "frustrations: [surprise fees]",
                                            "frustrations: [card 4111 1111 1111 1111 declined]")},
         PERSONA, 5),
    Case("hidden-character", {INSIGHT: changed(INSIGHT, "title: Delivery fee surprises",
                                               'title: "Delivery \\x1b fee" #')},
         INSIGHT, 2, "control and private-use characters"),
    Case("hidden-character", {INSIGHT: base(INSIGHT) + "\nA glyph \ue000 pasted here.\n"},
         INSIGHT, 26, "retyping"),
    Case("active-image", {"docs/img/evil.svg": '<svg xmlns="http://www.w3.org/2000/svg" '
                                               'onload="alert(1)"/>'},
         "docs/img/evil.svg", 1, "without scripts"),
    Case("page-meta", {"docs/page.md": "---\nhide: 5\n---\n# Page\n"}, "docs/page.md", 2,
         "'hide' takes a list"),
    Case("unknown-team", {}, PERSONA, 6, 'Did you mean "research"?',
         mkdocs_yml=MKDOCS_YML + "      teams: [research, cx-team, catalog-team, "
                                 "checkout-team]\n"),
    Case("unknown-tag", {}, INSIGHT, 10, 'Did you mean "fee"?',
         mkdocs_yml=MKDOCS_YML + "      tags: [fee, mobile]\n"),
    # --- links between files ---
    Case("duplicate-id", {"insights/2025/fees-surprise.md": base(INSIGHT)}, INSIGHT, 1),
    Case("unknown-metric", {INSIGHT: changed(INSIGHT, "  date: 2026-10-02\n",
                                             "  date: 2026-10-02\n  metric: Checkout complete\n")},
         INSIGHT, 23, 'Did you mean "Checkout completion"?'),
    Case("unknown-metric", {INSIGHT: changed(
        INSIGHT, "stages: [checkout]", "stages: [basket]").replace(
        "  date: 2026-10-02\n", "  date: 2026-10-02\n  metric: Checkout completion\n")},
         INSIGHT, 23, "of one of the insight's stages"),
    Case("alias-conflict", {INSIGHT: add_to_insight("aliases: [fees-surprise]")}, INSIGHT, 23),
    Case("alias-conflict", {"insights/second.md": SECOND_INSIGHT.replace(
        "supersedes: [fees-surprise]", "aliases: [fees-surprise]")}, "insights/second.md", 12),
    Case("unknown-persona", {INSIGHT: changed(INSIGHT, "personas: [shopper]",
                                              "personas: [shoper]")}, INSIGHT, 5,
         'Did you mean "shopper"?'),
    Case("unknown-persona", {JOURNEY: changed(JOURNEY, "personas: [shopper]",
                                              "personas: [shopper, ghost]")}, JOURNEY, 4),
    Case("unknown-journey", {INSIGHT: changed(INSIGHT, "journey: order", "journey: ordr")},
         INSIGHT, 6, 'Did you mean "order"?'),
    Case("unknown-stage", {INSIGHT: changed(INSIGHT, "stages: [checkout]",
                                            "stages: [checkot]")}, INSIGHT, 7,
         'Did you mean "checkout"?'),
    Case("unknown-insight", {INSIGHT: add_to_insight("related: [no-such-insight]")}, INSIGHT, 23),
    Case("superseded-not-marked", {"insights/second.md": SECOND_INSIGHT}, "insights/second.md",
         12, "status: superseded"),
    Case("supersedes-cycle", {
        "insights/second.md": SECOND_INSIGHT,
        INSIGHT: add_to_insight("supersedes: [second]").replace("status: accepted",
                                                                "status: superseded"),
    }, INSIGHT, 23),
    Case("broken-link", {INSIGHT: changed(INSIGHT, "../personas/shopper.md",
                                          "../personas/shoper.md")}, INSIGHT, 24,
         "Did you mean '../personas/shopper.md'?"),
    Case("broken-link", {INSIGHT: changed(INSIGHT, "../personas/shopper.md",
                                          "../../secrets.md")}, INSIGHT, 24),
    Case("future-date", {INSIGHT: changed(INSIGHT, "created: 2026-09-20",
                                          "created: 2026-12-01")}, INSIGHT, 17),
    Case("future-date", {JOURNEY: changed(JOURNEY, "as_of: 2026-10-01", "as_of: 2027-10-01")},
         JOURNEY, 18),
    # --- warnings ---
    Case("unused-persona", {"personas/nobody.md": changed(PERSONA, "name: Shopper",
                                                          "name: Nobody")},
         "personas/nobody.md", 1),
    Case("unused-journey", {"journeys/returns.md": base(JOURNEY)}, "journeys/returns.md", 1),
    Case("done-without-outcome", {INSIGHT: changed(INSIGHT, "status: accepted", "status: done")},
         INSIGHT, 20),
    Case("archived-persona", {
        INSIGHT: changed(INSIGHT, "  status: accepted\n  owner: checkout-team\n"
                                  "  date: 2026-10-02\n", "  status: new\n"),
        PERSONA: changed(PERSONA, "last_reviewed: 2026-10-01",
                         "last_reviewed: 2026-10-01\nstatus: archived"),
    }, INSIGHT, 5),
    Case("html-removed", {INSIGHT: base(INSIGHT) + '<script>alert("hi")</script>\n'},
         INSIGHT, 25),
    Case("html-removed", {INSIGHT: base(INSIGHT) + '<img src="x.png" onerror="steal()">\n'},
         INSIGHT, 25),
    # --- reminders ---
    Case("decision-overdue", {INSIGHT: changed(INSIGHT, "status: accepted",
                                               "status: under-review")}, INSIGHT, 20),
    Case("review-date-passed", {INSIGHT: add_to_insight("  review_by: 2026-11-01")}, INSIGHT, 23),
    Case("persona-review-overdue", {PERSONA: changed(PERSONA, "last_reviewed: 2026-10-01",
                                                     "last_reviewed: 2026-01-15")}, PERSONA, 7),
    Case("possible-duplicate", {"insights/fee-shock.md": changed(
        INSIGHT, "title: Delivery fee surprises shoppers at checkout",
        "title: Shoppers are surprised by the delivery fee at checkout").replace(
        "created: 2026-09-20", "created: 2026-10-01")}, "insights/fee-shock.md", 2,
         "list \"fees-surprise\" in 'related'"),
    # --- configuration ---
    Case("invalid-config", {}, "mkdocs.yml", 6,
         mkdocs_yml=MKDOCS_YML + "      undecided_after_dayz: 10\n"),
    Case("invalid-config", {}, "mkdocs.yml", 7,
         mkdocs_yml=MKDOCS_YML + "      personal_data_allow:\n        - '[unclosed'\n"),
    Case("unsafe-config", {}, "mkdocs.yml", 2, "Remove the tag",
         mkdocs_yml="site_name: T\nx: !!python/object/apply:os.getpid []\n" + PLUGINS_YML),
    Case("unsafe-config", {}, "mkdocs.yml", 2, "Remove 'hooks'",
         mkdocs_yml="site_name: T\nhooks: [evil.py]\n" + PLUGINS_YML),
]


def _id(case: Case) -> str:
    return f"{case.rule}@{case.path}:{case.line}"


def problems_of(make_portal, case: Case) -> list[Problem]:
    root = make_portal(case.files, mkdocs_yml=case.mkdocs_yml)
    for link, target in case.links.items():
        (root / link).symlink_to(target)
    return check_portal(root, TODAY).problems


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rule_reports_file_line_and_hint(make_portal, case: Case) -> None:
    problems = problems_of(make_portal, case)
    matching = [p for p in problems if p.rule == case.rule]
    assert matching, f"no {case.rule}; got {[(p.rule, p.path, p.line) for p in problems]}"
    located = [p for p in matching if (p.path, p.line) == (case.path, case.line)]
    assert located, f"{case.rule} at {[(p.path, p.line) for p in matching]}, " \
                    f"expected {case.path}:{case.line}"
    problem = located[0]
    assert problem.severity == RULES[case.rule].severity
    assert problem.message and problem.hint
    assert case.hint_contains in problem.hint


def test_every_rule_has_a_case() -> None:
    # internal-error: tested below; page-budget: a build's, in tests/test_page_budget.py.
    covered = {case.rule for case in CASES} | {"internal-error", "page-budget"}
    assert set(RULES) - covered == set()


def test_base_corpus_is_clean(make_portal) -> None:
    assert check_portal(make_portal(), TODAY).problems == []


def test_unclosed_quote_is_reported_where_it_opens(make_portal) -> None:
    """An unclosed quote swallows the lines up to the next quote, where YAML fails:
    the line to fix is the one where the quote opens."""
    files = {"insights/open-quote.md": changed(INSIGHT, "title: Delivery fee surprises",
                                               'title: "Delivery fee surprises'),
             "insights/open-quote-later.md": changed(INSIGHT, "summary: Shoppers abandon",
                                                     'summary: "Shoppers abandon')}
    problems = [p for p in check_portal(make_portal(files), TODAY).problems
                if p.rule == "invalid-yaml"]
    # The quotes run on to the next quote: `quote: "Why…` on line 15.
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("insights/open-quote-later.md", 3, "front matter is not valid YAML: the quoted text "
         "that starts on this line runs on to line 15: is its closing quote missing?"),
        ("insights/open-quote.md", 2, "front matter is not valid YAML: the quoted text that "
         "starts on this line runs on to line 15: is its closing quote missing?"),
    ]


def test_broken_link_hint_names_the_file_to_link(make_portal) -> None:
    """'Did you mean' gives the link as it should be written (a file name relative to
    the page, anchor kept), not the bare id the link would not work with."""
    body = ("See [the shopper](../personas/shoper.md#goals), [the map](../journeys/order) "
            "and [nothing like it](../personas/zzzzzzzz.md).\n")
    files = {INSIGHT: base(INSIGHT) + body}
    hints = {p.message.split("'")[1]: p.hint for p in check_portal(make_portal(files), TODAY)
             .problems if p.rule == "broken-link"}
    assert hints["../personas/shoper.md#goals"].endswith(
        " Did you mean '../personas/shopper.md#goals'?")
    assert hints["../journeys/order"].endswith(" Did you mean '../journeys/order.md'?")
    assert "Did you mean" not in hints["../personas/zzzzzzzz.md"]
