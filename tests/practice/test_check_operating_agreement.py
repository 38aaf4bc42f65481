"""The operating-agreement checker: RACI rows, the review rhythm and the escalation path, rule by rule."""

from __future__ import annotations

import pytest

from tests.practice.builders_own_accounts import (
    ANA,
    LEE,
    PRIYA,
    SAM,
    TOM,
    operating_agreement,
    personal,
    workspace,
)
from tests.practice.snapshot_builders import load_checker, snapshot

module = load_checker("operating-agreement")
check = module.check


def ctx(answer=None, ws=None):
    answer = operating_agreement() if answer is None else answer
    raci = [(n, r) for n, r in enumerate(answer.get("raci") or [], start=1)]
    return module.Ctx(ws or workspace(), answer, raci)


def test_a_good_agreement_passes_on_a_team_and_a_personal_workspace():
    for ws in (workspace(), personal()):
        result = check(ws, operating_agreement())
        assert result.passed and result.score == 100, result.findings


@pytest.mark.parametrize("answer", [None, [], {"raci": "x", "cadence": 3, "escalation_days": "soon"}])
def test_any_answer_shape_is_read_without_raising(answer):
    result = check(snapshot(), answer)
    assert not result.passed and any(f.severity == "blocker" for f in result.findings)


def test_every_core_activity_needs_a_row():
    assert module.raci_covers_the_core_activities(ctx()).met == 1
    answer = operating_agreement()
    answer["raci"] = [r for r in answer["raci"] if r["activity"] not in ("reporting", "handoff acceptance")]
    outcome = module.raci_covers_the_core_activities(ctx(answer))
    assert outcome.met == pytest.approx(4 / 6)
    assert "handoff acceptance, reporting" in outcome.findings[0].message


def test_no_raci_at_all_is_a_blocker():
    outcome = module.raci_covers_the_core_activities(ctx({"raci": []}))
    assert outcome.findings[0].severity == "blocker"


@pytest.mark.parametrize("accountable, why", [(f"{PRIYA} and {SAM}", "when two people are accountable"),
                                              (f"{PRIYA}/{TOM}", "when two people are accountable"),
                                              ("Sales", "team or a placeholder"),
                                              ("Jordan Pike", "not a member of your team"), ("", "no one is named")])
def test_exactly_one_named_team_member_is_accountable(accountable, why):
    answer = operating_agreement()
    answer["raci"][0]["accountable"] = accountable
    outcome = module.one_accountable_person_per_activity(ctx(answer))
    assert outcome.met == pytest.approx(5 / 6) and why in outcome.findings[0].message


def test_one_activity_listed_twice_with_different_accountable_people_is_a_finding():
    answer = operating_agreement()
    answer["raci"].append(dict(answer["raci"][0], accountable=TOM))
    outcome = module.one_accountable_person_per_activity(ctx(answer))
    assert outcome.met < 1 and "appears twice" in outcome.findings[0].message


def test_responsible_people_are_named_not_teams():
    assert module.responsible_people_are_named(ctx()).met == 1
    answer = operating_agreement()
    answer["raci"][2]["responsible"] = f"{LEE}, SDRs"
    outcome = module.responsible_people_are_named(ctx(answer))
    assert outcome.met == pytest.approx(5 / 6) and "'SDRs'" in outcome.findings[0].message


def test_every_activity_has_a_backup_who_is_someone_else():
    assert module.every_activity_has_a_backup(ctx()).met == 1
    answer = operating_agreement()
    answer["raci"][0]["backup"] = answer["raci"][0]["accountable"]
    answer["raci"][1]["backup"] = ""
    outcome = module.every_activity_has_a_backup(ctx(answer))
    assert outcome.met == pytest.approx(4 / 6)
    assert "the backup is the accountable person" in outcome.findings[0].message


def test_accountability_is_shared_between_sales_and_marketing_and_sales_accepts_handoffs():
    assert module.accountability_is_shared(ctx()).met == 1
    answer = operating_agreement()
    for row in answer["raci"]:
        row["accountable"] = TOM
    outcome = module.accountability_is_shared(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert "One person is accountable for everything" in messages and "No one from sales" in messages
    assert "Handoff acceptance is a sales decision" in messages and outcome.met == 0


def test_on_a_personal_workspace_only_the_number_of_accountable_people_is_checked():
    answer = operating_agreement()
    for row in answer["raci"]:
        row["accountable"] = "Robin Vale"
    outcome = module.accountability_is_shared(ctx(answer, personal()))
    assert outcome.met == 0 and len(outcome.findings) == 1


def test_the_rhythm_needs_the_three_reviews_at_their_frequencies():
    assert module.the_rhythm_has_three_reviews(ctx()).met == 1
    answer = operating_agreement()
    answer["cadence"][0]["frequency"] = "monthly"
    answer["cadence"] = answer["cadence"][:2]
    outcome = module.the_rhythm_has_three_reviews(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert "account review is monthly" in messages and "Add the list review" in messages


def test_a_rhythm_chaired_only_by_marketing_is_a_finding():
    answer = operating_agreement()
    for row in answer["cadence"]:
        row["chair"] = LEE
    outcome = module.the_rhythm_has_three_reviews(ctx(answer))
    assert any("Marketing chairs every meeting" in f.message for f in outcome.findings)


def test_meetings_that_decide_the_same_thing_are_a_finding():
    answer = operating_agreement()
    for row in answer["cadence"]:
        row["decides"] = "Review progress and agree the next actions for the programme"
    outcome = module.the_rhythm_has_three_reviews(ctx(answer))
    assert sum("decides the same" in f.message for f in outcome.findings) == 3


def test_no_rhythm_is_a_blocker():
    assert module.the_rhythm_has_three_reviews(ctx(dict(operating_agreement(), cadence=[]))).findings[0].severity \
        == "blocker"


@pytest.mark.parametrize("days, met", [(3, 1), (1, 1), (5, 1), (0, 2 / 3), (10, 2 / 3), (None, 2 / 3)])
def test_escalation_is_settled_within_one_to_five_working_days(days, met):
    outcome = module.escalation_is_named_and_time_boxed(ctx(dict(operating_agreement(), escalation_days=days)))
    assert outcome.met == pytest.approx(met)


def test_escalation_goes_to_a_named_person_on_a_trigger():
    answer = dict(operating_agreement(), escalation_to="Leadership", escalation_trigger="issues")
    outcome = module.escalation_is_named_and_time_boxed(ctx(answer))
    assert outcome.met == pytest.approx(1 / 3) and len(outcome.findings) == 2


def test_findings_carry_their_rule_and_module():
    answer = operating_agreement()
    answer["raci"][4]["accountable"] = ANA + " and " + SAM
    result = check(workspace(), answer)
    assert all(f.rule and f.module for f in result.findings)


def test_someone_is_consulted_or_informed_for_each_activity():
    answer = operating_agreement()
    answer["raci"][3].update(consulted="", informed="")
    outcome = module.responsible_people_are_named(ctx(answer))
    assert outcome.met == pytest.approx(5 / 6) and "consulted before" in outcome.findings[0].message
