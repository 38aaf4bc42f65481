"""Gamed operating agreements that must fail: teams as owners, everyone accountable, one person for everything,
copied decisions and an open-ended escalation."""

from __future__ import annotations

from tests.practice.builders_own_accounts import LEE, PRIYA, TOM, operating_agreement, workspace
from tests.practice.snapshot_builders import load_checker

check = load_checker("operating-agreement").check


def rules_failed(answer) -> set[str]:
    result = check(workspace(), answer)
    assert not result.passed
    return {f.rule for f in result.findings if f.severity != "good"}


def test_team_names_as_owners_fail():
    answer = operating_agreement()
    for row in answer["raci"]:
        row.update(responsible="Marketing", accountable="Sales team", backup="Ops")
    assert {"one-accountable-person-per-activity", "responsible-people-are-named",
            "every-activity-has-a-backup"} <= rules_failed(answer)


def test_everyone_accountable_for_everything_fails():
    answer = operating_agreement()
    for row in answer["raci"]:
        row["accountable"] = f"{PRIYA}, {TOM} and {LEE}"
    assert "one-accountable-person-per-activity" in rules_failed(answer)


def test_one_marketer_owning_everything_with_copied_meeting_decisions_fails():
    answer = operating_agreement()
    for row in answer["raci"]:
        row.update(accountable=TOM, backup=LEE)
    for row in answer["cadence"]:
        row.update(chair=TOM, decides="Discuss progress and agree next steps for the accounts")
    assert {"accountability-is-shared", "the-rhythm-has-three-reviews"} <= rules_failed(answer)


def test_a_vague_escalation_with_no_time_limit_and_a_rare_rhythm_fails():
    answer = operating_agreement()
    answer.update(escalation_trigger="problems", escalation_to="Management", escalation_days=30)
    answer["cadence"][0]["frequency"] = "monthly"
    answer["cadence"][2]["frequency"] = "yearly"
    assert {"escalation-is-named-and-time-boxed", "the-rhythm-has-three-reviews"} <= rules_failed(answer)
