"""The enablement-plan checker: gains in a rep's terms, managers' weekly support, usage tracked per practice with
dated reviews, and just-in-time training, rule by rule."""

from __future__ import annotations

import pytest

from tests.practice import builders_own_accounts as b
from tests.practice.snapshot_builders import load_checker, snapshot

module = load_checker("enablement-plan")
check = module.check


def ctx(answer=None, ws=None):
    answer = b.enablement_plan() if answer is None else answer
    rows = (module.filled_rows(answer, n) for n in ("gains", "managers", "tracking", "training"))
    return module.Ctx(ws or b.workspace(), answer, *rows)


def test_a_good_plan_passes_on_a_team_and_a_personal_workspace():
    answer = b.enablement_plan()
    for ws in (b.workspace(), b.personal()):
        result = check(ws, answer)
        assert result.passed and result.score == 100, result.findings


@pytest.mark.parametrize("answer", [None, 5, {"gains": "x", "tracking": {}, "training": [None, 3]}])
def test_any_answer_shape_is_read_without_raising(answer):
    result = check(snapshot(), answer)
    assert not result.passed and any(f.severity == "blocker" for f in result.findings)


def test_a_gain_in_marketing_terms_is_a_finding_that_names_the_jargon():
    assert module.gains_are_in_rep_terms(ctx()).met == 1
    answer = b.enablement_plan()
    answer["gains"][0]["gain"] = "Higher engagement and more MQLs from our target account campaigns"
    outcome = module.gains_are_in_rep_terms(ctx(answer))
    assert outcome.met == pytest.approx(0.75)
    assert "not in a rep's terms (campaigns, engagement, mqls are marketing's measures)" in outcome.findings[0].message


def test_one_gain_copied_across_practices_is_a_finding():
    answer = b.enablement_plan()
    answer["gains"][1]["gain"] = answer["gains"][0]["gain"]
    outcome = module.gains_are_in_rep_terms(ctx(answer))
    rows = [f for f in outcome.findings if f.field == "gains.gain"]
    assert outcome.met == 0.5 and len(rows) == 2 and all("same as for another practice" in f.message for f in rows)
    assert any(f.severity == "blocker" for f in outcome.findings)  # so no gain is the rep's own


def test_one_practice_is_not_enough_and_none_is_a_blocker():
    answer = b.enablement_plan()
    answer["gains"] = answer["gains"][:1]
    assert module.gains_are_in_rep_terms(ctx(answer)).met == 0.5
    assert module.gains_are_in_rep_terms(ctx(dict(answer, gains=[]))).findings[0].severity == "blocker"


def test_managers_are_named_sales_people_who_act_every_week_with_a_backup():
    assert module.managers_are_named_and_act_weekly(ctx()).met == 1
    answer = b.enablement_plan()
    answer["managers"] = [{"manager": b.LEE, "weekly": "Supports the team", "backup": b.LEE}]
    outcome = module.managers_are_named_and_act_weekly(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert outcome.met == 0 and "works in marketing" in messages and "every week" in messages
    assert "the backup is the manager" in messages


def test_managers_described_with_the_same_words_are_a_finding():
    answer = b.enablement_plan()
    answer["managers"].append(dict(answer["managers"][0], manager=b.ANA, backup=b.SAM))
    outcome = module.managers_are_named_and_act_weekly(ctx(answer))
    assert outcome.met == 0 and sum("same as another manager" in f.message for f in outcome.findings) == 2


def test_no_managers_is_a_blocker():
    outcome = module.managers_are_named_and_act_weekly(ctx(dict(b.enablement_plan(), managers=[])))
    assert outcome.findings[0].severity == "blocker"


def test_every_practice_needs_a_tracking_row_with_a_measure_a_source_and_a_target():
    assert module.usage_is_tracked_per_practice(ctx()).met == 1
    answer = b.enablement_plan()
    answer["tracking"] = answer["tracking"][:1]
    answer["tracking"][0].update(source="", target=150)
    outcome = module.usage_is_tracked_per_practice(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert outcome.met == 0 and "Nothing tracks whether reps use ABM account view" in messages
    assert "where the figure comes from" in messages and "percentage from 1 to 100" in messages


def test_logins_are_not_a_measure_of_use():
    answer = b.enablement_plan()
    answer["tracking"][0]["metric"] = "Weekly logins"
    outcome = module.usage_is_tracked_per_practice(ctx(answer))
    assert outcome.met == 0.5 and "logins show that reps opened the tool" in outcome.findings[0].message


@pytest.mark.parametrize("when, met", [("2025-04-14", 1), ("14/04/2025", 1), ("14 April 2025", 1),
                                       ("2025-02-01", 0), ("2025-12-01", 0), ("next quarter", 0), ("", 0)])
def test_reviews_are_dated_within_the_next_quarter(when, met):
    answer = b.enablement_plan()
    for row in answer["tracking"]:
        row["review_date"] = when
    assert module.reviews_are_dated(ctx(answer)).met == met


def test_training_needs_two_owned_moments_and_one_in_the_workflow():
    assert module.training_is_just_in_time(ctx()).met == 1
    answer = b.enablement_plan()
    answer["training"] = [dict(answer["training"][0], format="live session", owner="Enablement")]
    outcome = module.training_is_just_in_time(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert outcome.met == 0 and "at least 2 training moments" in messages and "bite-size unit" in messages
    assert "name who runs it ('Enablement' is not a member of your team's workspace)" in messages


def test_findings_carry_their_rule_and_module():
    answer = b.enablement_plan()
    answer["gains"][0]["gain"] = "Better brand awareness"
    result = check(b.workspace(), answer)
    assert result.findings and all(f.rule and f.module for f in result.findings)
