"""Behaviour of the checker beyond single rules: encodings, strictness, no
cascades, no false alarms, and a bug in one file never hiding the others."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import TODAY
from test_rules import INSIGHT, PERSONA, SECOND_INSIGHT, base, changed

from generator.check.pipeline import check_portal
from generator.core.config import TodayError, resolve_today
from generator.core.problems import Severity
from generator.core.validate import entries
from generator.core.validate.personal_data import find_personal_data


def rules_at(root, today=TODAY, strict=False) -> list[tuple[str, str, int]]:
    return [(p.rule, p.path, p.line) for p in check_portal(root, today, strict).problems]


def test_byte_order_mark_and_windows_line_endings_are_valid(make_portal) -> None:
    crlf = base(INSIGHT).replace("\n", "\r\n")
    root = make_portal({INSIGHT: b"\xef\xbb\xbf" + crlf.encode()})
    assert rules_at(root) == []


def test_windows_line_endings_keep_line_numbers(make_portal) -> None:
    text = changed(INSIGHT, "kind: pain", "kind: pian").replace("\n", "\r\n")
    root = make_portal({INSIGHT: b"\xef\xbb\xbf" + text.encode()})
    assert rules_at(root) == [("bad-value", INSIGHT, 4)]


def test_reference_to_a_broken_file_does_not_add_a_second_problem(make_portal) -> None:
    root = make_portal({PERSONA: "---\nname: [broken\n---\n"})
    found = rules_at(root)
    assert [rule for rule, _, _ in found] == ["invalid-yaml"]
    assert found[0][1] == PERSONA


def test_reference_to_a_renamed_id_names_the_new_id(make_portal) -> None:
    root = make_portal({
        INSIGHT: changed(INSIGHT, "  date: 2026-10-02\n---",
                         "  date: 2026-10-02\naliases: [fee-shock]\n---"),
        "insights/second.md": SECOND_INSIGHT.replace("supersedes: [fees-surprise]",
                                                     "related: [fee-shock]"),
    })
    result = check_portal(root, TODAY)
    [problem] = [p for p in result.problems if p.rule == "unknown-insight"]
    assert 'renamed to "fees-surprise"' in problem.hint


def test_strict_promotes_warnings_but_never_reminders(make_portal) -> None:
    root = make_portal({
        INSIGHT: changed(INSIGHT, "status: accepted", "status: done"),
        PERSONA: changed(PERSONA, "last_reviewed: 2026-10-01", "last_reviewed: 2025-01-01"),
    })
    severities = {p.rule: p.severity for p in check_portal(root, TODAY, strict=True).problems}
    assert severities == {"done-without-outcome": Severity.ERROR,
                          "persona-review-overdue": Severity.WARNING}


def test_ages_are_measured_from_the_reference_date(make_portal) -> None:
    root = make_portal({INSIGHT: changed(INSIGHT, "status: accepted", "status: under-review")})
    created = dt.date(2026, 9, 20)
    assert rules_at(root, today=created + dt.timedelta(days=30)) == []
    assert [r for r, _, _ in rules_at(root, today=created + dt.timedelta(days=31))] == \
        ["decision-overdue"]


def test_thresholds_come_from_mkdocs_yml(make_portal) -> None:
    root = make_portal({INSIGHT: changed(INSIGHT, "status: accepted", "status: under-review")},
                       mkdocs_yml="site_name: t\nplugins:\n  - insight-portal:\n"
                                  "      undecided_after_days: 90\n")
    assert rules_at(root) == []


def test_review_by_in_the_future_is_fine(make_portal) -> None:
    root = make_portal({INSIGHT: changed(INSIGHT, "  date: 2026-10-02\n",
                                         "  date: 2026-10-02\n  review_by: 2027-03-01\n")})
    assert rules_at(root) == []


def test_links_and_html_inside_code_are_ignored(make_portal) -> None:
    body = "\n```markdown\n[example](../personas/nobody.md) <script>x</script>\n```\n" \
           "Inline `<iframe>` and `[x](missing.md)` are examples too.\n"
    root = make_portal({INSIGHT: base(INSIGHT) + body})
    assert rules_at(root) == []


def test_links_to_existing_files_and_anchors_resolve(make_portal) -> None:
    body = "\n[self](fees-surprise.md#evidence) [top](#what) [web](https://example.com/x.md)\n" \
           "[journey](../journeys/order.md)\n\n[ref]: ../personas/shopper.md\n"
    root = make_portal({INSIGHT: base(INSIGHT) + body})
    assert rules_at(root) == []


def test_a_bug_in_one_file_is_reported_and_the_others_still_checked(make_portal, monkeypatch
                                                                    ) -> None:
    real = entries.check_document

    def failing(document, config):
        if document.source.id == "shopper":
            raise RuntimeError("boom")
        return real(document, config)

    monkeypatch.setattr("generator.check.file_pass.check_document", failing)
    root = make_portal({INSIGHT: changed(INSIGHT, "kind: pain", "kind: pian")})
    found = rules_at(root)
    assert ("internal-error", PERSONA, 1) in found
    assert ("bad-value", INSIGHT, 4) in found


def test_every_problem_in_every_file_in_one_run(make_portal) -> None:
    root = make_portal({
        INSIGHT: changed(INSIGHT, "kind: pain", "kind: pian").replace("severity: high",
                                                                      "severity: huge"),
        PERSONA: changed(PERSONA, "owner: research-team\n", ""),
        "journeys/broken.md": "---\ntitle: [\n---\n",
    })
    found = rules_at(root)
    assert ("bad-value", INSIGHT, 4) in found and ("bad-value", INSIGHT, 8) in found
    assert ("missing-field", PERSONA, 1) in found
    assert ("invalid-yaml", "journeys/broken.md", 3) in found


def test_readme_files_in_content_folders_are_not_entries(make_portal) -> None:
    root = make_portal({"insights/README.md": "# How to write an insight\n"})
    assert rules_at(root) == []


# --- personal data: real hits, masked; no false alarms ---------------------------

@pytest.mark.parametrize("text, what", [
    ("mail jane.doe@example.org please", "an e-mail address"),
    ("call +44 20 7946 0958 after six", "a phone number"),
    ("ring 020 7946 0958", "a phone number"),
    ("ring (555) 123-4567", "a phone number"),
    ("mobile 07700900123", "a phone number"),
    ("card 4111-1111-1111-1111 was declined", "a payment-card number"),
    ("paid with 5500 0000 0000 0004", "a payment-card number"),
])
def test_personal_data_is_found(text: str, what: str) -> None:
    assert [f.what for f in find_personal_data(text)] == [what]


@pytest.mark.parametrize("text", [
    "Seen on 2026-09-14 and 14/09/2026 in ticket ZD-18822.",
    "4,120 first orders; conversion 0.71 against 0.85; £4.99 fee.",
    "Dashboard https://dash.example/d/4111111111111111/funnel?from=20260901",
    "Order 1234 5678 9012 3456 was late",  # 16 digits, fails the Luhn check
    "Between 18:30 and 19:30, 3 of 12 vans.",
    "Release 2026.11.3, build 20261124.",
])
def test_ordinary_numbers_are_not_personal_data(text: str) -> None:
    assert list(find_personal_data(text)) == []


def test_reports_mask_the_personal_data(make_portal) -> None:
    root = make_portal({INSIGHT: base(INSIGHT) + "Contact jane.doe@mailbox.example\n"})
    [problem] = check_portal(root, TODAY).problems
    assert "jane.doe" not in problem.message and "mailbox.example" in problem.message


def test_allowed_patterns_are_not_reported(make_portal) -> None:
    root = make_portal({INSIGHT: base(INSIGHT) + "Ask research@basketful.example\n"},
                       mkdocs_yml="site_name: t\nplugins:\n  - insight-portal:\n"
                                  "      personal_data_allow: ['@basketful\\.example$']\n")
    assert rules_at(root) == []


# --- the reference date -------------------------------------------------------------

def test_today_option_wins_over_source_date_epoch() -> None:
    environ = {"SOURCE_DATE_EPOCH": "0"}
    assert resolve_today("2026-11-24", environ) == dt.date(2026, 11, 24)
    assert resolve_today(None, environ) == dt.date(1970, 1, 1)
    assert resolve_today(None, {"SOURCE_DATE_EPOCH": "1795478400"}) == dt.date(2026, 11, 24)


@pytest.mark.parametrize("option, environ", [("24/11/2026", {}),
                                             (None, {"SOURCE_DATE_EPOCH": "yesterday"})])
def test_unreadable_reference_date_is_a_usage_error(option, environ) -> None:
    with pytest.raises(TodayError):
        resolve_today(option, environ)
