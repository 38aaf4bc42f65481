"""The campaign-plan checker, rule by rule: each rule passes on an honest plan and fails on its fault.

Also one test per contradiction fixed between the checker and modules 08, 13 and alignment 05 (`test_module_...`).
"""

from __future__ import annotations

from dataclasses import replace

from lms.abm.snapshot import PersonSnap
from tests.practice.snapshot_builders import load_checker, make_account, make_contact, snapshot

ck = load_checker("campaign-plan")

SDM, FO, TE, FIN = "senior_decision_maker", "functional_owner", "technical_evaluator", "finance"
TITLES = {SDM: "Chief Operating Officer", FO: "Head of Network Operations", TE: "Head of IT", FIN: "Finance Director"}
ACME = make_account(id=1, name="Acme Freight", tier="1:few", industry="Freight",
                    why_selected="Opening a second cross-dock hub next spring; planners still use spreadsheets")
BRILL = make_account(id=2, name="Brill Haulage", tier="1:few", industry="Haulage",
                     why_selected="Replacing its legacy routing system after a failed migration last year")
MARKETER, EXEC, SDR = ("Ruth Evans", "marketing"), ("Sam Reyes", "sales"), ("Lin Osei", "sdr")
HONEST = [
    (0, "sales_meeting", MARKETER, [], "Brief the account executive and the SDR on the accounts and the messages."),
    (1, "ads", MARKETER, [SDM, FO, FIN], "Account-targeted LinkedIn ads with the multi-site planning message."),
    (2, "linkedin", EXEC, [SDM], "Sam sends the COO a personal connection note about the second hub."),
    (2, "email", MARKETER, [FO], "Email the head of operations the walk-through on moving planning off spreadsheets."),
    (3, "email", MARKETER, [TE], "Send the IT lead the integration and data-security summary."),
    (4, "direct_mail", MARKETER, [SDM, FIN], "Post the printed payback worksheet with a handwritten note from Sam."),
    (4, "phone", SDR, [FO], "Lin calls the head of operations about the walk-through and offers a planning review."),
    (5, "webinar", MARKETER, [FO, TE], "Run the multi-hub planning roundtable with Sam hosting a table."),
    (6, "phone", EXEC, [FO, FIN], "Sam follows up on what each contact engaged with and proposes a pilot."),
]


def workspace(**kw):
    contacts = [make_contact(a, role, id=a.id * 10 + i, title=TITLES[role])
                for a in (ACME, BRILL) for i, role in enumerate((SDM, FO, TE, FIN))]
    return snapshot([ACME, BRILL], contacts, **kw)


def plan(steps=HONEST, tier="1:few", accounts=(1, 2)) -> dict:
    return {"tier": tier, "accounts": [{"account": a} for a in accounts],
            "steps": [{"week": w, "channel": ch, "owner": who, "owner_team": team, "roles": roles, "action": act}
                      for w, ch, (who, team), roles, act in steps]}


def with_step(index: int, **fields) -> dict:
    """The honest plan with one step's fields changed."""
    answer = plan()
    answer["steps"][index] = {**answer["steps"][index], **fields}
    return answer


def ctx(answer=None, ws=None):
    return ck.build_context(ws or workspace(), plan() if answer is None else answer)


def severities(outcome) -> list[str]:
    return [f.severity for f in outcome.findings]


def test_honest_plan_passes_with_full_marks():
    result = ck.check(workspace(), plan())
    assert result.passed and result.score == 100, [f.message for f in result.findings]


def test_pass_mark_matches_the_exercise():
    assert ck.PASS_MARK == 75


# --- target-accounts-of-the-tier ------------------------------------------------------------------------------

def test_target_accounts_of_the_tier_pass():
    assert ck.target_accounts_of_the_tier(ctx()).met == 1


def test_no_accounts_is_a_blocker_and_a_wrong_tier_is_flagged():
    assert severities(ck.target_accounts_of_the_tier(ctx(plan(accounts=())))) == ["blocker"]
    ws = replace(workspace(), accounts=(ACME, replace(BRILL, tier="1:1")))
    outcome = ck.target_accounts_of_the_tier(ctx(ws=ws))
    assert outcome.met == 0.5 and outcome.findings[0].account == "Brill Haulage"


# --- steps-are-complete ---------------------------------------------------------------------------------------

def test_complete_steps_pass():
    assert ck.steps_are_complete(ctx()).met == 1


def test_a_step_without_week_team_or_roles_is_incomplete():
    outcome = ck.steps_are_complete(ctx(with_step(2, week=40, owner_team="", roles=[])))
    assert outcome.met == 8 / 9
    assert all(w in outcome.findings[0].message for w in ("week", "team", "roles"))


# --- each-step-says-what-happens ------------------------------------------------------------------------------

def test_distinct_actions_pass():
    assert ck.each_step_says_what_happens(ctx()).met == 1


def test_an_action_copied_into_another_step_is_a_blocker():
    outcome = ck.each_step_says_what_happens(ctx(with_step(4, action=HONEST[3][4])))
    assert severities(outcome) == ["blocker", "blocker"]


def test_a_one_to_one_plan_mentions_its_account():
    ws = replace(workspace(), accounts=(replace(ACME, tier="1:1"), replace(BRILL, tier="1:1")))
    assert ck.each_step_says_what_happens(ctx(plan(tier="1:1", accounts=(1,)), ws)).met == 1  # "the second hub"
    generic = [(w, ch, who, roles, f"Step {w}.{i}: send {', '.join(roles) or 'the team'} our standard {ch} "
                f"touch with a call to action") for i, (w, ch, who, roles, _) in enumerate(HONEST)]
    outcome = ck.each_step_says_what_happens(ctx(plan(generic, tier="1:1", accounts=(1,)), ws))
    assert outcome.met < 1 and outcome.findings[-1].account == "Acme Freight"


# --- named-owners ---------------------------------------------------------------------------------------------

def test_named_owners_pass():
    assert ck.named_owners(ctx()).met == 1


def test_a_team_as_owner_is_a_blocker():
    outcome = ck.named_owners(ctx(with_step(1, owner="Marketing")))
    assert severities(outcome) == ["blocker"] and "not a person" in outcome.findings[0].message


def test_on_a_team_workspace_the_owner_is_a_member_in_their_own_team():
    team = (PersonSnap("Ruth Evans", None, "marketing"), PersonSnap("Sam Reyes", None, "sales"),
            PersonSnap("Lin Osei", None, "sales"))
    ws = workspace(kind="team", team=team)
    assert ck.named_owners(ctx(ws=ws)).met == 1
    outcome = ck.named_owners(ctx(with_step(1, owner="Ruth Evans", owner_team="sales"), ws))
    assert severities(outcome) == ["improve"] and "works in marketing" in outcome.findings[0].message
    outcome = ck.named_owners(ctx(with_step(1, owner="Jo Bloggs"), ws))
    assert severities(outcome) == ["blocker"] and "not a member" in outcome.findings[0].message


# --- three-channels -------------------------------------------------------------------------------------------

def test_three_channels_pass():
    assert ck.three_channels(ctx()).met == 1


def test_two_channels_are_flagged():
    steps = [(w, "email" if i % 2 else "phone", who, roles, act) for i, (w, _, who, roles, act) in enumerate(HONEST)]
    outcome = ck.three_channels(ctx(plan(steps)))
    assert outcome.met == 2 / 3 and severities(outcome) == ["improve"]


# --- sales-from-the-start -------------------------------------------------------------------------------------

def test_sales_from_the_start_passes():
    outcome = ck.sales_from_the_start(ctx())
    assert outcome.met == 1 and outcome.summary["first_sales_week"] == 2


def test_no_sales_touch_is_a_blocker():
    steps = [(w, ch, MARKETER, roles, act) for w, ch, _, roles, act in HONEST]
    outcome = ck.sales_from_the_start(ctx(plan(steps)))
    assert outcome.met == 0 and severities(outcome) == ["blocker"]


def test_sales_only_at_the_end_is_a_blocker():
    steps = [(w, ch, MARKETER if w < 6 else who, roles, act) for w, ch, who, roles, act in HONEST]
    outcome = ck.sales_from_the_start(ctx(plan(steps)))
    assert outcome.met == 0 and severities(outcome) == ["blocker", "improve"]  # and only one sales touch
    assert "week 6" in outcome.findings[0].message


# --- reaches-the-required-roles -------------------------------------------------------------------------------

def test_required_roles_reached_pass():
    assert ck.reaches_the_required_roles(ctx()).met == 1


def test_a_required_role_never_reached_is_flagged_per_account():
    steps = [(w, ch, who, [r for r in roles if r != TE], act) for w, ch, who, roles, act in HONEST]
    outcome = ck.reaches_the_required_roles(ctx(plan(steps)))
    assert outcome.met == 0.75 and [f.account for f in outcome.findings] == ["Acme Freight", "Brill Haulage"]
    assert "technical evaluator" in outcome.findings[0].message


# --- steady-cadence -------------------------------------------------------------------------------------------

def test_a_steady_cadence_passes():
    assert ck.steady_cadence(ctx()).met == 1


def test_overload_gaps_and_a_short_span_are_flagged():
    crowded = [(1, ch, who, [FO], act) for _, ch, who, _, act in HONEST[1:6]]
    outcome = ck.steady_cadence(ctx(plan(crowded)))
    assert outcome.met == 1 / 3 and len(outcome.findings) == 2
    gap = ck.steady_cadence(ctx(with_step(8, week=14)))
    assert gap.met == 2 / 3 and "weeks 6-13" in gap.findings[0].message


# --- direct-touches-reach-real-contacts -------------------------------------------------------------------------

def test_direct_touches_to_real_contacts_pass():
    assert ck.direct_touches_reach_real_contacts(ctx()).met == 1


def test_a_direct_touch_to_a_role_nobody_holds_is_flagged():
    outcome = ck.direct_touches_reach_real_contacts(ctx(with_step(4, roles=["procurement"])))
    assert outcome.met == 8 / 10 and "procurement" in outcome.findings[0].message


# --- the modules' definitions (one test per contradiction fixed) ------------------------------------------------

def test_module_08_one_named_owner_per_step_not_a_team():
    for team_name in ("marketing", "both", "SDR team", "sales"):
        assert not ck.check(workspace(), with_step(1, owner=team_name)).passed


def test_module_05_sales_touches_from_the_start_not_by_three_quarters():
    # Old rule: a first sales touch by three-quarters of the span passed. Module 05: sales from the start.
    steps = [(w, ch, MARKETER if w < 3 else who, roles, act) for w, ch, who, roles, act in HONEST]
    steps[4] = (3, "phone", EXEC, [TE], "Sam calls the IT lead about the integration summary.")
    outcome = ck.sales_from_the_start(ctx(plan(steps)))
    assert outcome.met == 0.75 and severities(outcome) == ["improve"] and "week 3" in outcome.findings[0].message


def test_module_08_roles_without_a_contact_are_reached_by_ads_or_the_website():
    ws = replace(workspace(), contacts=tuple(c for c in workspace().contacts if FIN not in c.roles))
    direct = ck.direct_touches_reach_real_contacts(ctx(ws=ws))
    assert direct.met < 1 and "ads or the website" in direct.findings[0].message
    only_ads = [(w, ch, who, [r for r in roles if r != FIN] if ch != "ads" else roles, act)
                for w, ch, who, roles, act in HONEST]
    assert ck.direct_touches_reach_real_contacts(ctx(plan(only_ads), ws)).met == 1


def test_module_08_contacts_count_only_for_believable_roles():
    intern = make_contact(ACME, SDM, FO, TE, FIN, id=99, title="Intern")
    ws = snapshot([ACME], [intern])
    outcome = ck.direct_touches_reach_real_contacts(ctx(plan(accounts=(1,)), ws))
    assert outcome.met < 0.5


def test_module_08_week_0_is_the_pre_launch_briefing():
    context = ctx()
    assert context.steps[0].week == 0 and not context.steps[0].is_touch
    assert ck.steps_are_complete(context).met == 1 and context.weeks[0] == 1


def test_module_08_bespoke_channels_do_not_fit_a_one_to_many_plan():
    ws = replace(workspace(), accounts=(replace(ACME, tier="1:many"), replace(BRILL, tier="1:many")))
    outcome = ck.three_channels(ctx(plan(tier="1:many"), ws))
    assert "1:many" in outcome.findings[0].message and "direct mail" in outcome.findings[0].message


def test_empty_workspace_and_unreadable_answer_are_findings_not_errors():
    assert ck.check(snapshot(), {}).findings[0].severity == "blocker"
    result = ck.check(workspace(), {"steps": "nonsense", "accounts": 7, "tier": 3})
    assert not result.passed and result.score == 0
    assert not ck.check(workspace(), {"steps": [None, {"week": "x"}], "accounts": [None, {"account": "y"}]}).passed
