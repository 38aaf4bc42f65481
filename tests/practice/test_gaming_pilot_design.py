"""Gamed pilot designs that must fail: copied reasons, teams as reps, a comparison group that is the pilot, and
success criteria nobody agreed."""

from __future__ import annotations

from tests.practice import builders_own_accounts as b
from tests.practice.snapshot_builders import load_checker

check = load_checker("pilot-design").check


def rules_failed(answer, ws=None) -> set[str]:
    result = check(ws or b.workspace(), answer)
    assert not result.passed
    return {f.rule for f in result.findings if f.severity != "good"}


def test_boilerplate_reasons_copied_across_reps_and_a_vague_decision_rule_fail():
    answer = b.pilot_design()
    for row in answer["reps"]:
        row["why"] = "Strong rep who is good with customers and a great fit for the pilot"
    answer["decision_rule"] = "We will review the results at the end and decide what to do next"
    assert {"reasons-follow-the-module", "decision-rule-is-set"} <= rules_failed(answer)


def test_team_names_as_reps_and_as_the_sales_leader_fail():
    answer = b.pilot_design()
    answer["reps"] = [{"rep": "Sales team", "why": "Willing to try it"}, {"rep": "SDRs", "why": "Have the time"}]
    answer["pilot_accounts"] = [dict(r, rep="Sales team") for r in answer["pilot_accounts"]]
    for row in answer["criteria"]:
        row["agreed_with"] = "Sales leadership"
    assert {"reps-are-named-sales-people", "success-criteria-are-agreed-up-front"} <= rules_failed(answer)


def test_a_comparison_group_that_is_the_pilot_fails():
    answer = b.pilot_design()
    answer["comparison"] = [dict(r) for r in answer["pilot_accounts"]]
    assert "comparison-group-is-separate" in rules_failed(answer)


def test_unsupported_criteria_with_no_baseline_over_a_year_fail():
    answer = b.pilot_design()
    answer["criteria"] = [{"metric": "pipeline sourced", "baseline": None, "target": None, "by_week": None,
                           "agreed_with": ""}]
    answer["length_weeks"] = 52
    assert {"success-criteria-are-agreed-up-front", "pilot-length-is-sane"} <= rules_failed(answer)


def test_accounts_sales_never_agreed_fail():
    answer = b.pilot_design()
    for row in answer["pilot_accounts"]:
        row["account"] = b.OUTSIDE.id
    assert "pilot-accounts-are-agreed" in rules_failed(answer)
