"""The pilot-design checker: reps, their agreed accounts, a separate comparison group, criteria agreed up front, the
length and the decision rule, rule by rule."""

from __future__ import annotations

import pytest

from tests.practice import builders_own_accounts as b
from tests.practice.snapshot_builders import load_checker, snapshot

module = load_checker("pilot-design")
check = module.check


def ctx(answer=None, ws=None):
    answer = b.pilot_design() if answer is None else answer
    rows = (module.filled_rows(answer, n) for n in ("reps", "pilot_accounts", "comparison", "criteria"))
    return module.Ctx(ws or b.workspace(), answer, *rows)


def test_a_good_design_passes_on_a_team_and_a_personal_workspace():
    for ws in (b.workspace(), b.personal()):
        result = check(ws, b.pilot_design())
        assert result.passed and result.score == 100, result.findings


@pytest.mark.parametrize("answer", [None, "x", {"reps": 3, "criteria": "none", "length_weeks": "long"}])
def test_any_answer_shape_is_read_without_raising(answer):
    result = check(b.workspace(), answer)
    assert not result.passed and any(f.severity == "blocker" for f in result.findings)


def test_an_empty_workspace_is_a_blocker():
    assert check(snapshot(), b.pilot_design()).findings[0].severity == "blocker"


def test_reps_must_be_sales_members_of_the_team():
    assert module.reps_are_named_sales_people(ctx()).met == 1
    answer = b.pilot_design()
    answer["reps"][1]["rep"] = b.LEE  # marketing
    outcome = module.reps_are_named_sales_people(ctx(answer))
    assert outcome.met == pytest.approx(0.75) and "works in marketing" in outcome.findings[0].message


def test_on_a_personal_workspace_reps_need_full_names():
    answer = b.pilot_design()
    answer["reps"][0]["rep"] = "Priya"
    answer["pilot_accounts"][0]["rep"] = "Priya"
    outcome = module.reps_are_named_sales_people(ctx(answer, b.personal()))
    assert outcome.met == pytest.approx(0.75) and "not a full name" in outcome.findings[0].message


@pytest.mark.parametrize("count, met", [(1, 0.5), (2, 1), (6, 1), (7, 0.5)])
def test_a_pilot_has_two_to_six_reps(count, met):
    names = [f"Rep{i} Person{i}" for i in range(count)]
    answer = dict(b.pilot_design(), reps=[{"rep": n, "why": "Willing and typical"} for n in names])
    assert module.reps_are_named_sales_people(ctx(answer, b.personal())).met == pytest.approx(met)


def test_reasons_must_be_the_reps_own_and_on_the_modules_grounds():
    assert module.reasons_follow_the_module(ctx()).met == 1
    answer = b.pilot_design()
    answer["reps"][0]["why"] = "Top performer who always closes the biggest deals every quarter"
    outcome = module.reasons_follow_the_module(ctx(answer))
    assert outcome.met == 0.5 and "willing, typical of the team" in outcome.findings[0].message


def test_pilot_accounts_must_be_targets_sales_agreed_worked_by_pilot_reps():
    assert module.pilot_accounts_are_agreed(ctx()).met == 1
    answer = b.pilot_design()
    answer["pilot_accounts"][0]["account"] = b.OUTSIDE.id
    answer["pilot_accounts"][1]["rep"] = b.SAM
    outcome = module.pilot_accounts_are_agreed(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert "Quill Paper is not a target account sales has agreed" in messages
    assert "Sam Okafor is not one of your pilot reps" in messages and "Ana Ruiz has no pilot accounts" in messages
    assert outcome.findings[0].account == "Quill Paper"


def test_a_pilot_of_mostly_one_to_one_accounts_is_a_finding():
    answer = b.pilot_design()
    answer["pilot_accounts"][0]["account"] = b.CORVESSA.id
    answer["pilot_accounts"].append({"account": b.CORVESSA.id, "rep": b.ANA})
    outcome = module.pilot_accounts_are_agreed(ctx(answer))
    assert any("not 1:few" in f.message for f in outcome.findings)


def test_no_pilot_accounts_is_a_blocker():
    assert module.pilot_accounts_are_agreed(ctx(dict(b.pilot_design(), pilot_accounts=[]))).findings[0].severity \
        == "blocker"


def test_the_comparison_group_must_not_overlap_the_pilot():
    assert module.comparison_group_is_separate(ctx()).met == 1
    answer = b.pilot_design()
    answer["comparison"] = [{"account": b.LARKSPUR.id, "rep": ""}, {"account": b.CORVESSA.id, "rep": b.PRIYA}]
    outcome = module.comparison_group_is_separate(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert outcome.met == 0 and "Larkspur Devices is in the pilot too" in messages
    assert "not the same tier" in messages and "Priya Shah is a pilot rep" in messages


def test_no_comparison_group_is_a_finding():
    outcome = module.comparison_group_is_separate(ctx(dict(b.pilot_design(), comparison=[])))
    assert outcome.met == 0 and "comparison group" in outcome.findings[0].message


def test_criteria_need_a_baseline_a_different_target_a_week_and_a_sales_leader():
    assert module.success_criteria_are_agreed_up_front(ctx()).met == 1
    answer = b.pilot_design()
    answer["criteria"][0].update(target=40, by_week=30, agreed_with=b.TOM)
    answer["criteria"][1].update(baseline=None, agreed_with="Sales")
    outcome = module.success_criteria_are_agreed_up_front(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert "target equals the baseline" in messages and "by which week" in messages
    assert "Tom Reed is not in sales" in messages and "team or a placeholder" in messages
    assert outcome.met == pytest.approx(2 / 3)


def test_criteria_on_pipeline_alone_are_a_finding():
    answer = b.pilot_design()
    for row, metric in zip(answer["criteria"], ("pipeline sourced", "pipeline influenced"), strict=True):
        row["metric"] = metric
    outcome = module.success_criteria_are_agreed_up_front(ctx(answer))
    assert any("pipeline alone" in f.message for f in outcome.findings)


def test_no_criteria_is_a_blocker():
    outcome = module.success_criteria_are_agreed_up_front(ctx(dict(b.pilot_design(), criteria=[])))
    assert outcome.findings[0].severity == "blocker"


@pytest.mark.parametrize("weeks, met", [(13, 1), (8, 1), (26, 1), (4, 0), (52, 0), (None, 0)])
def test_the_pilot_runs_eight_to_twenty_six_weeks(weeks, met):
    assert module.pilot_length_is_sane(ctx(dict(b.pilot_design(), length_weeks=weeks))).met == met


def test_the_decision_rule_says_when_to_scale_change_and_stop():
    assert module.decision_rule_is_set(ctx()).met == 1
    outcome = module.decision_rule_is_set(ctx(dict(b.pilot_design(), decision_rule="We will scale it if it works "
                                                                                  "well for the reps")))
    assert outcome.met == 0 and "missing: change, stop" in outcome.findings[0].message
