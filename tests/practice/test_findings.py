"""lms/practice/findings.py: stored findings, grouping by severity, where to fix each one, summary figures."""

from __future__ import annotations

import json
import math
from datetime import date, datetime

import pytest

from lms.practice.findings import (
    OTHER_FINDINGS,
    SEVERITY_LABELS,
    FixTarget,
    finding_account,
    findings_by_account,
    fix_first,
    fix_target,
    group_findings,
    jsonable,
    module_ref,
    parse_finding_comments,
    severity_counts,
    snapshot_counts,
    stored_result,
    summary_figures,
)
from lms.practice.result import Finding, Result
from tests.practice.snapshot_builders import make_account, make_contact, snapshot


def test_the_labels_learners_see():
    assert SEVERITY_LABELS == {"blocker": "Must fix", "improve": "Could be better", "good": "Done well"}


def test_groups_put_blockers_first_keep_indexes_and_skip_empty_groups():
    findings = [{"severity": "good", "message": "a"}, {"severity": "improve", "message": "b"},
                {"severity": "blocker", "message": "c"}, {"severity": "weird", "message": "d"}, "junk"]
    groups = group_findings(findings)
    assert [(g.severity, g.label) for g in groups] == [("blocker", "Must fix"), ("improve", "Could be better"),
                                                       ("good", "Done well")]
    assert [i for i, _ in groups[0].items] == [2]
    assert [i for i, _ in groups[1].items] == [1, 3]  # an unknown severity is shown as an improvement
    assert group_findings([{"severity": "good", "message": "x"}])[0].label == "Done well"
    assert group_findings([]) == [] and group_findings(None) == []
    assert severity_counts(findings) == {"blocker": 1, "improve": 1, "good": 1}


def test_stored_results_are_json_safe():
    result = Result(50, False, (Finding("blocker", "m", "account", 3, "Acme", "tier", "c/m"),),
                    {"when": datetime(2025, 1, 2, 3, 4), "day": date(2025, 1, 2), "share": math.nan,
                     "roles": ("a", "b"), "set": {"y", "x"}, "nested": {1: [1.5, None]}, "obj": object})
    findings, summary, total = stored_result(result)
    assert total == 1
    assert findings == [{"severity": "blocker", "message": "m", "about": "account", "about_id": 3, "label": "Acme",
                         "field": "tier", "module": "c/m", "account_id": 3, "account": "Acme", "rule": None}]
    json.dumps(summary)
    assert summary["when"] == "2025-01-02T03:04:00" and summary["share"] is None
    assert summary["roles"] == ["a", "b"] and summary["set"] == ["x", "y"] and summary["nested"] == {"1": [1.5, None]}
    assert jsonable(make_account(id=5, name="Acme"))["name"] == "Acme"


def test_stored_findings_keep_blockers_first_and_are_capped():
    found = tuple(Finding(s, f"{s} {i}") for i in range(3) for s in ("good", "improve", "blocker"))
    findings, _, total = stored_result(Result(10, False, found), limit=4)
    assert total == 9
    assert [f["message"] for f in findings] == ["blocker 0", "blocker 1", "blocker 2", "improve 0"]


def test_groups_show_the_first_findings_and_count_the_rest():
    findings = [{"severity": "improve", "message": str(i)} for i in range(7)]
    (group,) = group_findings(findings, limit=5)
    assert [i for i, _ in group.items] == [0, 1, 2, 3, 4]
    assert (group.total, group.hidden) == (7, 2)


def test_snapshot_counts():
    a = make_account(is_target=False)
    counts = snapshot_counts(snapshot([a, make_account()], [make_contact(a)]))
    assert counts == {"accounts": 2, "targets": 1, "contacts": 1, "signals": 0, "opportunities": 0, "handoffs": 0}


@pytest.mark.parametrize("finding, expected", [
    ({"about": "account", "about_id": 4, "field": "tier"},
     FixTarget("Fix it", "accounts.account_edit", (("account_id", 4),))),
    ({"about": "account", "about_id": 4, "field": "contacts"},
     FixTarget("Fix it", "accounts.account_show", (("account_id", 4),))),
    ({"about": "contact", "about_id": 9, "field": "roles"},
     FixTarget("Fix it", "accounts.contact_edit", (("contact_id", 9),))),
    ({"about": "signal", "about_id": 2}, FixTarget("Fix it", "accounts.signal_edit", (("signal_id", 2),))),
    ({"about": "opportunity", "about_id": 2},
     FixTarget("Fix it", "accounts.opportunity_edit", (("opportunity_id", 2),))),
    ({"about": "handoff", "about_id": 8}, FixTarget("Fix it", "accounts.handoff_edit", (("handoff_id", 8),))),
    ({"about": "handoff", "about_id": None, "field": "sent_at"}, FixTarget("Open your workspace", "accounts.overview")),
    ({"about": "answer", "about_id": 2, "field": "messages.account"},
     FixTarget("Fix it in your answer", anchor="field-messages")),
    ({"about": "answer", "field": None}, FixTarget("Fix it in your answer", anchor="answer-form")),
    ({"about": "workspace", "field": "accounts", "severity": "blocker"},
     FixTarget("Import your accounts", "accounts.import_start")),
    ({"about": "workspace", "field": "signals", "severity": "blocker"},
     FixTarget("Import your signals", "accounts.import_start")),
    ({"about": "workspace", "field": "handoffs", "severity": "blocker"},
     FixTarget("Open your workspace", "accounts.overview")),
    ({"about": "workspace", "field": "sales_agreed", "severity": "good"}, FixTarget("Fix it", "accounts.signoff")),
    ({"about": "workspace", "field": None}, None),
    ({"about": "account", "about_id": True, "field": "tier"}, FixTarget("Open your workspace", "accounts.overview")),
    ({}, None),
])
def test_fix_targets(finding, expected):
    assert fix_target(finding) == expected


def test_an_empty_workspace_sends_every_finding_to_the_import():
    assert fix_target({"about": "account", "about_id": 3}, workspace_empty=True).endpoint == "accounts.import_start"


def test_module_refs():
    assert module_ref("abm-foundations/buying-groups-and-roles") == ("abm-foundations", "buying-groups-and-roles")
    assert module_ref("nope") is None and module_ref("a/b/c") is None and module_ref(None) is None
    assert module_ref("/b") is None


def test_finding_comments_are_read_by_index_within_the_findings():
    form = {"finding-0": " Good ", "finding-1": "  ", "finding-2": "Fix", "finding-7": "out of range", "x": "y"}
    assert parse_finding_comments(form, 3) == {0: "Good", 2: "Fix"}
    assert parse_finding_comments({}, 3) == {}


def test_summary_figures_show_scalars_only():
    assert summary_figures({"mean_coverage": 0.8754, "accounts_mapped": 1200, "ok": True, "notes": "x",
                            "by_tier": {"1:1": 2}, "list": [1], "none": None, "big": 12345.6}) == [
        ("Mean coverage", "0.875"), ("Accounts mapped", "1,200"), ("Ok", "yes"), ("Notes", "x"), ("Big", "12,346")]
    assert summary_figures(None) == []


# --- Findings by account ---------------------------------------------------------------------------------------

def _f(severity: str, message: str, account_id=None, account=None, rule=None, **kw) -> dict:
    return {"severity": severity, "message": message, "account_id": account_id, "account": account, "rule": rule,
            "about": kw.pop("about", "account" if account_id else "workspace"), **kw}


def test_a_finding_names_its_account_and_old_findings_about_an_account_still_do():
    assert finding_account(_f("blocker", "m", 7, "Acme")) == (7, "Acme")
    old = {"severity": "blocker", "message": "m", "about": "account", "about_id": 9, "label": "Birch Ltd"}
    assert finding_account(old) == (9, "Birch Ltd")  # stored before findings carried their account
    assert finding_account({"about": "account", "about_id": 4}) == (4, "Account 4")
    assert finding_account({"about": "contact", "about_id": 3, "label": "Dana Whitlock"}) == (None, None)
    assert finding_account({"about": "answer", "about_id": 2}) == (None, None)
    assert finding_account({"account_id": True, "account": "x"}) == (None, None)
    assert finding_account({"account_id": 5, "account": "  "}) == (5, "Account 5")


def test_findings_are_grouped_by_account_worst_first_blockers_first_inside_then_the_rest():
    findings = [
        _f("good", "Birch: well mapped", 2, "Birch", "roles"),
        _f("improve", "Acme: add a trigger", 1, "Acme", "reasons"),
        _f("blocker", "Your workspace has no signals", rule="signals"),
        _f("blocker", "Birch: no finance contact", 2, "Birch", "roles", about="contact", about_id=30),
        _f("improve", "Birch: vague reason", 2, "Birch", "reasons"),
        _f("improve", "Row 2 repeats row 1", about="answer", about_id=2),
        {"severity": "good", "message": "old", "about": "account", "about_id": 3, "label": "Cedar"},
    ]
    view = findings_by_account(findings)
    assert [g.name for g in view.accounts] == ["Birch", "Acme", "Cedar"]  # most blockers, then improvements
    birch = view.accounts[0]
    assert [i for i, _ in birch.items] == [3, 4, 0]  # blocker, improve, good; indexes kept for comments
    assert birch.counts == {"blocker": 1, "improve": 1, "good": 1} and birch.worst == "blocker"
    assert view.accounts[2].worst == "good" and view.accounts[2].account_id == 3
    assert (view.accounts_total, view.accounts_to_fix, view.accounts_hidden) == (3, 2, 0)
    assert view.other.name == OTHER_FINDINGS and view.other.account_id is None
    assert [i for i, _ in view.other.items] == [2, 5]
    assert not view.empty


def test_a_huge_run_shows_the_first_accounts_and_findings_and_counts_the_rest():
    findings = [_f("improve", f"Account {n} needs a reason", n, f"Co {n:04}", "reasons") for n in range(1, 301)]
    findings += [_f("blocker", f"Co 0300 problem {n}", 300, "Co 0300", "roles") for n in range(7)]
    findings += [_f("improve", f"Workspace thing {n}") for n in range(9)]
    view = findings_by_account(findings, limit=5)
    assert view.accounts_total == 300 and view.accounts_hidden == 295
    assert view.accounts[0].name == "Co 0300"  # the one with blockers comes first
    assert len(view.accounts[0].items) == 5 and view.accounts[0].hidden == 3
    assert [g.name for g in view.accounts[1:]] == ["Co 0001", "Co 0002", "Co 0003", "Co 0004"]
    assert len(view.other.items) == 5 and view.other.hidden == 4


def test_fix_first_is_the_rule_naming_the_most_accounts_with_its_module_and_an_example():
    findings = [
        _f("blocker", "Acme has no finance contact", 1, "Acme", "roles", module="abm-foundations/buying-groups"),
        _f("blocker", "Acme has no champion", 1, "Acme", "roles", module="abm-foundations/buying-groups"),
        _f("improve", "Acme: say why it is on the list", 1, "Acme", "reasons", module="abm-foundations/icp"),
        _f("improve", "Birch: say why it is on the list", 2, "Birch", "reasons", module="abm-foundations/icp"),
        _f("good", "Cedar: well argued", 3, "Cedar", "praise"),
        _f("good", "Dune: well argued", 4, "Dune", "praise"),
        _f("good", "Elm: well argued", 5, "Elm", "praise"),  # praise is never the thing to fix
        _f("blocker", "No signals in the workspace", rule="signals"),
    ]
    first = fix_first(findings)
    assert (first.rule, first.accounts, first.blockers) == ("reasons", 2, 0)
    assert first.example == "Acme: say why it is on the list" and first.module == "abm-foundations/icp"
    assert findings_by_account(findings).fix_first == first


def test_fix_first_breaks_ties_on_blockers_and_is_none_without_rules_or_accounts():
    tie = [_f("improve", "a", 1, "A", "soft"), _f("blocker", "b", 1, "A", "hard")]
    assert fix_first(tie).rule == "hard"
    assert fix_first([_f("blocker", "old finding", 1, "A")]) is None  # stored before rules were named
    assert fix_first([_f("blocker", "workspace", rule="signals")]) is None
    assert fix_first([]) is None and fix_first(None) is None


def test_no_findings_or_junk_make_an_empty_view():
    view = findings_by_account([None, "junk", 3])
    assert view.empty and view.accounts == () and view.other is None and view.fix_first is None
    assert findings_by_account(None).empty
