"""The account-plan checker: each rule passes on a good plan and fails when its part is missing or wrong."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.practice.builders_own_accounts import (
    CORVESSA,
    INTERN,
    LARKSPUR,
    MEI,
    OUTSIDE,
    PRIYA,
    TOM,
    account_plan,
    personal,
    workspace,
)
from tests.practice.snapshot_builders import load_checker, snapshot

module = load_checker("account-plan")
check = module.check


def ctx(answer=None, ws=None):
    ws = ws or workspace()
    answer = account_plan() if answer is None else answer
    account = ws.account(answer.get("account"))
    return module.Ctx(ws, answer, account, module._evidence(ws, account) if account else None)


def with_(**changes):
    answer = account_plan()
    answer.update(changes)
    return answer


def test_a_good_plan_passes_every_rule_on_a_team_workspace():
    result = check(workspace(), account_plan())
    assert result.passed and result.score == 100
    assert [f for f in result.findings if f.severity != "good"] == []


def test_an_empty_workspace_is_a_blocker_not_an_exception():
    result = check(snapshot(), {"account": 1})
    assert not result.passed and result.findings[0].severity == "blocker"


@pytest.mark.parametrize("answer", [None, "text", [], {"relationships": "x", "next_90_days": 7, "account": "abc"}])
def test_any_answer_shape_is_read_without_raising(answer):
    assert not check(workspace(), answer).passed


@pytest.mark.parametrize("account, why", [(None, "Choose the account"), (LARKSPUR.id, "1:few"),
                                          (999, "not in your workspace")])
def test_the_account_must_be_a_one_to_one_target(account, why):
    outcome = module.account_is_a_one_to_one_target(ctx(with_(account=account)))
    assert outcome.met == 0 and outcome.findings[0].severity == "blocker" and why in outcome.findings[0].message


def test_an_account_off_the_target_list_is_a_blocker_named_by_account():
    ws = workspace(accounts=(replace(CORVESSA, is_target=False),))
    outcome = module.account_is_a_one_to_one_target(ctx(ws=ws))
    assert outcome.met == 0 and outcome.findings[0].account == "Corvessa Freight"
    assert module.account_is_a_one_to_one_target(ctx()).met == 1


def test_insight_must_name_evidence_or_a_url_not_the_account_and_its_sector():
    vague = "Corvessa Freight is a large freight company with a lot of growth potential in the UK market."
    assert module.insight_is_specific(ctx(with_(insight=vague))).met == 0
    cited = vague + " Source: https://corvessa.example/annual-report-2024"
    assert module.insight_is_specific(ctx(with_(insight=cited))).met == 1
    assert module.insight_is_specific(ctx()).met == 1
    empty = module.insight_is_specific(ctx(with_(insight="")))
    assert empty.findings[0].severity == "blocker" and empty.findings[0].account_id == CORVESSA.id


def test_value_hypothesis_needs_a_specific_problem_a_capability_and_a_measured_outcome():
    assert module.value_hypothesis_is_testable(ctx()).met == 1
    unmeasured = module.value_hypothesis_is_testable(ctx(with_(outcome="A much better customer experience")))
    assert unmeasured.met == pytest.approx(2 / 3) and "measurable" in unmeasured.findings[0].message
    generic = module.value_hypothesis_is_testable(ctx(with_(problem="They want to grow revenue and cut costs "
                                                                      "across the business")))
    assert generic.met == pytest.approx(2 / 3) and "could be anyone's" in generic.findings[0].message


def test_relationship_map_must_cover_the_decision_maker_finance_and_one_more_role():
    assert module.relationships_cover_the_buying_group(ctx()).met == 1
    answer = account_plan()
    answer["relationships"] = [r for r in answer["relationships"] if r["role"] != "finance"]
    outcome = module.relationships_cover_the_buying_group(ctx(answer))
    assert outcome.met < 1 and any("finance" in f.message for f in outcome.findings)


def test_contacts_of_another_account_or_unknown_people_do_not_count():
    answer = account_plan()
    answer["relationships"][1]["contact"] = f"{MEI.first_name} {MEI.last_name}"
    answer["relationships"].append({"contact": "Someone Made-Up", "role": "champion", "owner": PRIYA,
                                    "strength": "met once", "next_action": "Ask about the pilot"})
    outcome = module.relationships_cover_the_buying_group(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert "works at Larkspur Devices, not Corvessa Freight" in messages and "'Someone Made-Up'" in messages
    assert all(f.account == "Corvessa Freight" for f in outcome.findings)


def test_a_title_that_contradicts_the_role_is_a_finding():
    answer = account_plan()
    answer["relationships"][0]["contact"] = f"{INTERN.first_name} {INTERN.last_name}"
    outcome = module.relationships_cover_the_buying_group(ctx(answer))
    assert any("too junior" in f.message for f in outcome.findings)


def test_one_contact_in_three_roles_is_a_finding():
    answer = account_plan()
    for role in ("champion", "user"):
        answer["relationships"].append(dict(answer["relationships"][2], role=role, next_action=f"Act as {role}"))
    outcome = module.relationships_cover_the_buying_group(ctx(answer))
    assert sum("plays 3 roles" in f.message for f in outcome.findings) == 1


def test_relationships_need_named_owners_and_their_own_actions():
    assert module.relationships_have_owners_and_actions(ctx()).met == 1
    answer = account_plan()
    answer["relationships"][0]["owner"] = "Sales team"
    answer["relationships"][1]["next_action"] = answer["relationships"][2]["next_action"]
    outcome = module.relationships_have_owners_and_actions(ctx(answer))
    assert outcome.met == pytest.approx(0)
    assert any("team or a placeholder" in f.message for f in outcome.findings)
    assert any("same as for relationship" in f.message for f in outcome.findings)


def test_an_owner_outside_the_team_fails_on_a_team_workspace_but_a_full_name_is_enough_on_a_personal_one():
    answer = account_plan()
    for row in answer["relationships"]:
        row["owner"] = "Morgan Blake"
    assert module.relationships_have_owners_and_actions(ctx(answer)).met == 0
    assert module.relationships_have_owners_and_actions(ctx(answer, personal())).met == 1


def test_the_ninety_days_need_a_sales_and_a_marketing_action_with_owners():
    assert module.ninety_days_are_planned(ctx()).met == 1
    answer = account_plan()
    answer["next_90_days"] = [r for r in answer["next_90_days"] if r["side"] == "marketing"]
    outcome = module.ninety_days_are_planned(ctx(answer))
    assert outcome.met < 1 and any("no complete sales action" in f.message for f in outcome.findings)


def test_a_step_outside_the_quarter_or_owned_by_nobody_is_a_finding():
    answer = account_plan()
    answer["next_90_days"][0].update(week=20, owner="")
    outcome = module.ninety_days_are_planned(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert "1 to 13" in messages and "no one is named" in messages


def test_an_owner_whose_function_contradicts_the_side_is_a_finding():
    answer = account_plan()
    answer["next_90_days"][1]["owner"] = TOM  # marketing, on a sales action
    outcome = module.ninety_days_are_planned(ctx(answer))
    assert any("Tom Reed works in marketing" in f.message for f in outcome.findings)


def test_the_plan_needs_an_owner_and_a_different_backup():
    assert module.plan_has_an_owner_and_a_backup(ctx()).met == 1
    assert module.plan_has_an_owner_and_a_backup(ctx(with_(backup_owner=PRIYA))).met == 0.5
    assert module.plan_has_an_owner_and_a_backup(ctx(with_(plan_owner="marketing", backup_owner=""))).met == 0


def test_a_plan_for_an_account_outside_the_list_fails_even_when_the_rest_is_good():
    result = check(workspace(), with_(account=OUTSIDE.id))
    assert not result.passed and any(f.rule == "account-is-a-one-to-one-target" for f in result.findings)


def test_every_finding_names_the_account_and_its_rule():
    answer = with_(outcome="better", backup_owner="", insight="Big company in a big market doing well lately")
    result = check(workspace(), answer)
    assert result.findings and all(f.account == CORVESSA.name and f.rule and f.module for f in result.findings)


def test_fewer_than_four_actions_in_the_quarter_is_a_finding():
    answer = account_plan()
    answer["next_90_days"] = answer["next_90_days"][:2]
    outcome = module.ninety_days_are_planned(ctx(answer))
    assert outcome.met == pytest.approx(3 / 4) and "plan at least 4" in outcome.findings[0].message
