"""Gamed enablement plans that must fail: one gain copied everywhere, marketing's measures as the rep's gain,
teams as managers, and tracking nobody can act on."""

from __future__ import annotations

from tests.practice import builders_own_accounts as b
from tests.practice.snapshot_builders import load_checker

check = load_checker("enablement-plan").check


def rules_failed(answer) -> set[str]:
    result = check(b.workspace(), answer)
    assert not result.passed
    return {f.rule for f in result.findings if f.severity != "good"}


def test_boilerplate_copied_across_practices_and_managers_fails():
    answer = b.enablement_plan()
    for row in answer["gains"]:
        row["gain"] = "Saves reps time and helps them sell more to their accounts"
    answer["managers"].append(dict(answer["managers"][0], manager=b.ANA, backup=b.SAM))
    for row in answer["training"]:
        row["moment"] = "During onboarding for the new ABM process"
    assert {"gains-are-in-rep-terms", "managers-are-named-and-act-weekly"} <= rules_failed(answer)


def test_marketing_measures_sold_as_rep_gains_fail():
    answer = b.enablement_plan()
    answer["gains"][0]["gain"] = "More engagement and MQLs from target accounts for the campaign"
    answer["gains"][1]["gain"] = "Better brand awareness and content downloads at target accounts"
    assert "gains-are-in-rep-terms" in rules_failed(answer)


def test_team_names_as_managers_and_owners_fail():
    answer = b.enablement_plan()
    answer["managers"] = [{"manager": "Sales leadership", "weekly": "Reviews the pipeline every week with the reps",
                           "backup": "Management"}]
    for row in answer["training"]:
        row["owner"] = "Enablement team"
    assert {"managers-are-named-and-act-weekly", "training-is-just-in-time"} <= rules_failed(answer)


def test_vanity_tracking_with_no_dates_fails():
    answer = b.enablement_plan()
    for row in answer["tracking"]:
        row.update(metric="Logins", source="", target=None, review_date="TBC")
    assert {"usage-is-tracked-per-practice", "reviews-are-dated"} <= rules_failed(answer)
