"""Gaming the sales-feedback-loop checker: shortcuts a learner in a hurry might take must each fail."""

from __future__ import annotations

from tests.practice.test_check_sales_feedback_loop import LIGHT, WEAK, check, workspace

COPY = ("We will review the feedback from sales every month and improve our process so that fewer handoffs are "
        "rejected in future")


def test_the_honest_plan_passes():
    assert check(workspace(), {"changes": [LIGHT, WEAK]}).passed


def test_the_same_change_pasted_for_every_reason_fails():
    rows = [{**LIGHT, "change": COPY}, {**WEAK, "change": COPY}]
    result = check(workspace(), {"changes": rows})
    assert not result.passed
    assert any("same change is given for another reason" in f.message for f in result.findings)


def test_teams_as_owners_fail():
    rows = [{**LIGHT, "owner": "marketing"}, {**WEAK, "owner": "both"}]
    assert not check(workspace(), {"changes": rows}).passed


def test_vague_changes_with_no_check_fail():
    rows = [{**LIGHT, "change": "Better signals", "check": ""}, {**WEAK, "change": "Better roles", "check": "tbd"}]
    assert not check(workspace(), {"changes": rows}).passed


def test_a_plan_for_every_reason_but_the_most_frequent_fails():
    spray = [{**WEAK, "reason": reason, "change": f"{WEAK['change']} ({reason})", "due_week": week}
             for week, reason in enumerate(("weak_role", "wrong_account", "poor_timing", "missing_context"), 1)]
    result = check(workspace(), {"changes": spray})
    assert not result.passed
    assert any(f.severity == "blocker" and "most frequent" in f.message for f in result.findings)
