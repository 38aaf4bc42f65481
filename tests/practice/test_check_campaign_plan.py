"""exercises/campaign-plan/check.py: channels, step completeness, sales touches, roles, cadence, real contacts."""

import pytest

from lms.abm.coverage import DEFAULT_REQUIRED_ROLES, required_roles
from tests.practice.snapshot_builders import (
    ONE_TO_FEW_FULL,
    committee,
    large_workspace,
    load_checker,
    make_account,
    snapshot,
)

checker = load_checker("campaign-plan")

M_ORCH = "abm-foundations/multi-channel-orchestration"
M_RHYTHM = "abm-foundations/the-operating-rhythm"
M_PILOT = "abm-alignment-programme/piloting-with-a-few-reps"
M_ROLES = "abm-foundations/buying-groups-and-roles"


def step(week, channel, owner, roles, action="Send the one-pager with a personal note"):
    return {"week": week, "channel": channel, "owner": owner, "roles": list(roles), "action": action}


def good_steps():
    return [
        step(1, "linkedin", "marketing", ["senior_decision_maker", "functional_owner"]),
        step(1, "email", "marketing", ["technical_evaluator", "finance"]),
        step(2, "phone", "sdr", ["functional_owner"], "Call the operations director about the benchmark"),
        step(3, "webinar", "marketing", ["technical_evaluator"]),
        step(4, "direct_mail", "both", ["finance"], "Post the payback pack to the finance director"),
        step(
            5,
            "sales_meeting",
            "sales",
            ["senior_decision_maker", "finance"],
            "Discovery meeting with the exec",
        ),
        step(
            6, "email", "sales", ["functional_owner", "technical_evaluator"], "Follow up with the pilot plan"
        ),
    ]


def workspace():
    harbour = make_account(name="Harbourline Logistics", tier="1:few")
    fern = make_account(name="Fernhollow Labs", tier="1:few")
    contacts = committee(harbour, *ONE_TO_FEW_FULL) + committee(fern, *ONE_TO_FEW_FULL)
    return harbour, fern, contacts


def run(edit=None, *, ws=None, tier="1:few"):
    """Check the good plan for Harbourline and Fernhollow (or for `ws`: (harbour, fern, contacts)), after `edit`."""
    harbour, fern, contacts = ws or workspace()
    accounts = [a for a in (harbour, fern) if a is not None]
    answer = {"tier": tier, "accounts": [{"account": a.id} for a in accounts], "steps": good_steps()}
    if edit:
        edit(answer)
    return checker.check(snapshot(accounts, contacts), answer), harbour, fern


def answer_findings(result, field):
    return [f for f in result.findings if f.about == "answer" and f.field == field]


def test_a_good_plan_passes_with_full_marks():
    result, _, _ = run()
    assert [f.severity for f in result.findings] == ["good"], [f.message for f in result.findings]
    assert "Sales is in from week 2" in result.findings[0].message
    assert result.passed
    assert result.score == 100
    assert result.summary["channels"] == [
        "direct_mail",
        "email",
        "linkedin",
        "phone",
        "sales_meeting",
        "webinar",
    ]
    assert result.summary["weeks"] == [1, 6]
    assert result.summary["first_sales_week"] == 2
    assert result.summary["role_coverage"] == 1.0


def test_coverage_module_is_shared_with_the_buying_committee_map():
    account = make_account(tier="1:many", required_roles=())
    assert required_roles(account, tier="1:1") == DEFAULT_REQUIRED_ROLES["1:1"]
    assert required_roles(account) == DEFAULT_REQUIRED_ROLES["1:many"]
    assert required_roles(make_account(required_roles=("finance",)), tier="1:1").must == ("finance",)


def test_empty_workspace_says_import_first():
    result = checker.check(snapshot(), {"tier": "1:1", "steps": good_steps()})
    assert result.score == 0
    assert result.findings[0].severity == "blocker"
    assert "import your accounts" in result.findings[0].message


def test_no_steps_is_a_blocker():
    result, _, _ = run(lambda a: a.update(steps=[]))
    assert result.score == 0
    (finding,) = answer_findings(result, "steps")
    assert finding.severity == "blocker"
    assert "no steps yet" in finding.message


def test_no_accounts_chosen_is_a_blocker():
    result, _, _ = run(lambda a: a.update(accounts=[]))
    finding = answer_findings(result, "accounts")[0]
    assert finding.severity == "blocker"
    assert "Choose the accounts" in finding.message
    assert not result.passed


def test_unknown_account_rows_are_reported():
    result, _, _ = run(lambda a: a["accounts"].append({"account": 424242}))
    (finding,) = answer_findings(result, "accounts.account")
    assert finding.about_id == 3
    assert "424242" in finding.message
    assert result.passed


def test_fewer_than_three_channels():
    def edit(a):
        for s in a["steps"]:
            s["channel"] = "email" if s["owner"] == "marketing" else "phone"

    result, _, _ = run(edit)
    (finding,) = answer_findings(result, "steps.channel")
    assert finding.severity == "improve"
    assert "uses 2 channels (email and phone)" in finding.message
    assert "at least 3" in finding.message
    assert result.score == 90


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("owner", None, "has no owner"),
        ("owner", "intern", "has no owner"),
        ("roles", [], "not aimed at any buying role"),
        ("roles", ["wizard"], "not aimed at any buying role"),
        ("action", "", "has no action"),
        ("action", "Email", "too short an action"),
        ("channel", "carrier pigeon", "channel 'carrier pigeon'"),
        ("week", 0, "week 0"),
        ("week", 27, "week 27"),
        ("week", 2.5, "week 2.5"),
        ("week", None, "has no week"),
    ],
)
def test_every_step_needs_week_channel_owner_roles_and_action(column, value, words):
    result, _, _ = run(lambda a: a["steps"][3].update({column: value}))
    (finding,) = answer_findings(result, f"steps.{column}")
    assert finding.about_id == 4
    assert finding.label == "Step 4"
    assert words in finding.message
    assert result.summary["parts"]["complete"] == round(6 / 7, 3)
    assert result.score == 99


def test_week_as_numeric_text_is_accepted():
    result, _, _ = run(lambda a: a["steps"][3].update(week="3"))
    assert result.score == 100


def test_no_sales_touch_is_a_blocker():
    def edit(a):
        a["steps"] = [s for s in a["steps"] if s["channel"] not in ("phone", "sales_meeting")]
        for s in a["steps"]:
            s["owner"] = "marketing"

    result, _, _ = run(edit)
    blocker = result.findings[0]
    assert blocker.severity == "blocker"
    assert blocker.field == "steps.owner"
    assert "no sales touch" in blocker.message
    assert blocker.module == M_PILOT
    assert not result.passed


def test_an_sdr_owned_email_is_a_sales_touch():
    def edit(a):
        a["steps"] = [s for s in a["steps"] if s["channel"] not in ("phone", "sales_meeting")]
        for s in a["steps"]:
            s["owner"] = "marketing"
        a["steps"][1]["owner"] = "sdr"

    result, _, _ = run(edit)
    assert not [f for f in result.findings if f.severity == "blocker"]


def test_sales_only_at_the_very_end():
    def edit(a):
        for s in a["steps"]:
            if s["channel"] in ("phone", "sales_meeting") or s["owner"] in ("sales", "sdr"):
                s.update(owner="marketing", channel="content")
        a["steps"].append(step(8, "sales_meeting", "sales", ["finance"], "Meet the finance director"))

    result, _, _ = run(edit)
    (finding,) = [f for f in answer_findings(result, "steps.week") if "Sales first appears" in f.message]
    assert "week 8 of a campaign that runs weeks 1-8" in finding.message
    assert "by week 6" in finding.message
    assert finding.about_id == 8
    assert result.score == 95


def test_required_role_not_reached():
    def edit(a):
        for s in a["steps"]:
            s["roles"] = [r for r in s["roles"] if r != "finance"] or ["functional_owner"]

    result, harbour, fern = run(edit)
    finding = next(f for f in answer_findings(result, "steps.roles") if "No step is aimed" in f.message)
    assert "No step is aimed at the finance role: add at least one step" in finding.message
    assert finding.module == M_ROLES
    assert result.summary["role_coverage"] == 0.75
    assert result.score == 93  # 30% x 3/4


def test_one_to_one_plan_needs_a_champion_and_four_more_roles():
    harbour = make_account(name="Harbourline Logistics", tier="1:1")
    contacts = committee(harbour, *ONE_TO_FEW_FULL)
    result, _, _ = run(ws=(harbour, None, contacts), tier="1:1")
    messages = [f.message for f in answer_findings(result, "steps.roles")]
    assert "No step is aimed at the champion role: add at least one step that reaches them." in messages
    assert any("add steps for any 1 of procurement, influencer and user" in m for m in messages)
    assert result.summary["role_coverage"] == round(4 / 6, 3)


def test_account_required_roles_win():
    harbour = make_account(
        name="Harbourline Logistics", tier="1:few", required_roles=("finance", "procurement")
    )
    contacts = committee(harbour, *ONE_TO_FEW_FULL)
    result, _, _ = run(ws=(harbour, None, contacts))
    finding = next(f for f in answer_findings(result, "steps.roles") if "No step is aimed" in f.message)
    assert "the procurement role (required at Harbourline Logistics)" in finding.message


def test_more_than_three_touches_to_a_role_in_a_week():
    def edit(a):
        a["steps"] += [step(3, "ads", "marketing", ["technical_evaluator"]) for _ in range(3)]

    result, _, _ = run(edit)
    (finding,) = [f for f in answer_findings(result, "steps.week") if "touches to the" in f.message]
    assert "Week 3 has 4 touches to the technical evaluator" in finding.message
    assert finding.about_id == 10
    assert finding.module == M_RHYTHM


def test_a_quiet_gap_longer_than_three_weeks():
    result, _, _ = run(lambda a: a["steps"].append(step(11, "email", "marketing", ["finance"])))
    (finding,) = [f for f in answer_findings(result, "steps.week") if "Nothing happens" in f.message]
    assert "Nothing happens in weeks 7-10 (4 weeks)" in finding.message
    assert finding.label == "Weeks 7-10"


def test_a_gap_of_three_quiet_weeks_is_fine():
    result, _, _ = run(lambda a: a["steps"].append(step(10, "email", "marketing", ["finance"])))
    assert not [f for f in result.findings if "Nothing happens" in f.message]


def test_a_campaign_shorter_than_four_weeks():
    def edit(a):
        for s in a["steps"]:
            s["week"] = min(s["week"], 3)

    result, _, _ = run(edit)
    (finding,) = [f for f in answer_findings(result, "steps.week") if "spans" in f.message]
    assert "Your plan spans 3 weeks" in finding.message
    assert "at least 4" in finding.message


def test_targeted_role_with_no_contact_at_an_account():
    harbour, fern, contacts = workspace()
    contacts = [c for c in contacts if not (c.account_id == harbour.id and "finance" in c.roles)]
    result, _, _ = run(ws=(harbour, fern, contacts))
    (finding,) = [f for f in result.findings if f.about_id == harbour.id]
    assert finding.about == "account"
    assert finding.field == "contacts"
    assert (
        "Your plan reaches finance, but Harbourline Logistics has no finance contact: add the people"
        in finding.message
    )
    assert result.score == 98  # 7 of 8 targeted roles have a contact


def test_chosen_account_with_no_contacts():
    harbour, fern, contacts = workspace()
    contacts = [c for c in contacts if c.account_id != fern.id]
    result, _, _ = run(ws=(harbour, fern, contacts))
    (finding,) = [f for f in result.findings if f.about_id == fern.id]
    assert "Fernhollow Labs has no contacts" in finding.message


def test_tier_mismatch_and_non_target_accounts():
    harbour = make_account(name="Harbourline Logistics", tier="1:many", is_target=False)
    contacts = committee(harbour, *ONE_TO_FEW_FULL)
    result, _, _ = run(ws=(harbour, None, contacts))
    fields = sorted(f.field for f in result.findings if f.about_id == harbour.id)
    assert fields == ["is_target", "tier"]


def test_missing_tier_is_inferred_from_the_accounts():
    result, _, _ = run(lambda a: a.pop("tier"))
    (finding,) = answer_findings(result, "tier")
    assert "the check assumes 1:few" in finding.message
    assert result.summary["tier"] == "1:few"


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "plan",
        {"tier": ["1:1"], "accounts": "all", "steps": "lots"},
        {"accounts": [None, 1.5, "x", {"account": {}}], "steps": [None, 3, "x", {}]},
        {"steps": [{"week": "soon", "channel": ["email"], "owner": {}, "roles": "finance", "action": 5}]},
        {"steps": [{"week": float("nan")}, {"week": True}, {"week": 1e309}]},
    ],
)
def test_garbage_answers_do_not_raise(answer):
    harbour, fern, contacts = workspace()
    result = checker.check(snapshot([harbour, fern], contacts), answer)
    assert 0 <= result.score <= 100
    assert not result.passed


def test_a_large_workspace_runs():
    ws = large_workspace(5000, 8)
    answer = {"tier": "1:1", "accounts": [{"account": a.id} for a in ws.accounts], "steps": good_steps() * 50}
    result = checker.check(ws, answer)
    assert result.summary["accounts"] == 5000
