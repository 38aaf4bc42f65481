"""Gamed account plans that must fail: the work a learner in a hurry skips, and what a practitioner would reject."""

from __future__ import annotations

from tests.practice.builders_own_accounts import MEI, account_plan, workspace
from tests.practice.snapshot_builders import load_checker

check = load_checker("account-plan").check


def rules_failed(answer) -> set[str]:
    result = check(workspace(), answer)
    assert not result.passed
    return {f.rule for f in result.findings if f.severity != "good"}


def test_boilerplate_next_actions_and_steps_copied_across_rows_fail():
    answer = account_plan()
    for row in answer["relationships"]:
        row["next_action"] = "Send a personalised email and follow up with a call"
    for row in answer["next_90_days"]:
        row["action"] = "Send a personalised email and follow up with a call"
    answer["outcome"] = "Better results"
    assert {"relationships-have-owners-and-actions", "ninety-days-are-planned"} <= rules_failed(answer)


def test_team_names_as_owners_fail():
    answer = account_plan()
    for row in answer["relationships"]:
        row["owner"] = "Sales"
    for row in answer["next_90_days"]:
        row["owner"] = "Marketing team"
    answer["plan_owner"], answer["backup_owner"] = "ABM team", "Everyone"
    assert {"relationships-have-owners-and-actions", "ninety-days-are-planned",
            "plan-has-an-owner-and-a-backup"} <= rules_failed(answer)


def test_a_vague_unsupported_insight_and_hypothesis_fail():
    answer = account_plan()
    answer.update(insight="Corvessa Freight is a leading freight business with strong growth and big potential.",
                  problem="They need to grow and become more efficient as a business.",
                  outcome="Transform their operations and customer experience")
    assert {"insight-is-specific", "value-hypothesis-is-testable"} <= rules_failed(answer)


def test_a_map_of_people_from_another_account_fails():
    answer = account_plan()
    for row in answer["relationships"]:
        row["contact"] = f"{MEI.first_name} {MEI.last_name}"
    assert "relationships-cover-the-buying-group" in rules_failed(answer)


def test_a_marketing_only_quarter_with_sales_at_the_end_fails():
    answer = account_plan()
    answer["next_90_days"] = [dict(r, side="marketing", owner="Tom Reed") for r in answer["next_90_days"]]
    assert "ninety-days-are-planned" in rules_failed(answer)
