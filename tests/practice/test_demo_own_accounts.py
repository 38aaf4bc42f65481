"""Acceptance for the five exercises on the learner's own accounts: the demo workspace, loaded as the product
loads it and its list signed off by sales, fails each of them with no answer and passes each with the answers a
learner would write from its records.

The answer builders read the demo snapshot by name, so tests/practice/test_demo_workspace_exercises.py can reuse
them when it takes these exercises into its list.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from lms.abm.snapshot import WorkspaceSnapshot
from lms.accounts.demo import load_demo_workspace
from lms.accounts.models import Account, Workspace
from lms.accounts.workspaces import build_snapshot, workspace_for
from lms.extensions import db
from tests.factories import make_org, make_user
from tests.practice.snapshot_builders import load_checker

NOW = datetime(2026, 11, 16)
SALES_LEADER, SELLERS, MARKETERS = "Dana Whitlock", ("Priya Raman", "Tom Ellery"), ("Hannah Kerr", "Luca Bianchi")


def _id(snap: WorkspaceSnapshot, name: str) -> int:
    return next(a.id for a in snap.accounts if a.name == name)


def account_plan(snap: WorkspaceSnapshot) -> dict:
    """A plan for Saltmarsh Retail Group, a 1:1 account with a complete buying group in the demo."""
    priya, hannah = SELLERS[0], MARKETERS[0]
    step = {"sales": priya, "marketing": hannah}
    weeks = [(1, "marketing", "Send Greta the regulatory reporting checklist from the webinar", "Greta shares it"),
             (2, "sales", "Call Greta to review the Platform 2026 proposal terms", "Open points listed"),
             (6, "marketing", "Invite Kwame and Anneliese to the retail finance roundtable", "Both attend"),
             (9, "sales", "Present the payback case to Anneliese", "Negotiation closed")]
    return {
        "account": _id(snap, "Saltmarsh Retail Group"),
        "insight": "Greta Horvat's team joined our regulatory reporting webinar on 1 November, and the Platform 2026 "
                   "opportunity (£285,000) is in negotiation.",
        "problem": "Regulatory reporting across 4,800 staff is assembled by hand from store systems each quarter.",
        "capability": "Our platform builds the reporting pack automatically from store and supply chain data.",
        "outcome": "Cut the quarterly reporting effort from 15 days to 5 within two quarters.",
        "relationships": [
            {"contact": "Kwame Ní Bhriain", "role": "senior_decision_maker", "strength": "met once", "owner": priya,
             "next_action": "Invite Kwame to the retail finance roundtable in January."},
            {"contact": "Anneliese Johansson", "role": "finance", "strength": "not yet met", "owner": hannah,
             "next_action": "Send the payback model for Platform 2026 and ask for a call."},
            {"contact": "Greta Horvat", "role": "functional_owner", "strength": "regular contact", "owner": priya,
             "next_action": "Agree the proposal's open points with her supply chain leads."},
        ],
        "next_90_days": [{"week": w, "side": side, "action": action, "owner": step[side], "outcome": outcome}
                         for w, side, action, outcome in weeks],
        "plan_owner": priya,
        "backup_owner": hannah,
    }


def operating_agreement(snap: WorkspaceSnapshot) -> dict:
    priya, tom = SELLERS
    hannah, luca = MARKETERS
    rows = [("target account list", hannah, SALES_LEADER, luca), ("buying-group mapping", luca, hannah, luca),
            ("campaign", luca, hannah, luca), ("signal follow-up", priya, SALES_LEADER, tom),
            ("handoff acceptance", tom, priya, SALES_LEADER), ("reporting", luca, hannah, priya)]
    return {
        "raci": [{"activity": a, "responsible": r, "accountable": acc, "backup": bk, "consulted": "Sales managers",
                  "informed": "The account team"} for a, r, acc, bk in rows],
        "cadence": [
            {"meeting": "account review", "frequency": "weekly", "chair": priya,
             "decides": "Who follows up each engaged account by when, and this week's rejection fixes."},
            {"meeting": "programme review", "frequency": "monthly", "chair": hannah,
             "decides": "Stalled accounts, coverage gaps and changes to rules or content."},
            {"meeting": "list review", "frequency": "quarterly", "chair": SALES_LEADER,
             "decides": "Accounts in and out, tier changes and next quarter's targets."},
        ],
        "escalation_trigger": "An account or a rejected handoff still disputed after the weekly account review.",
        "escalation_to": SALES_LEADER,
        "escalation_days": 3,
    }


def pilot_design(snap: WorkspaceSnapshot) -> dict:
    priya, tom = SELLERS
    pilot = [("Fernhollow Labs plc", priya), ("Cinderford Retail Co.", priya), ("The Quenby Group", tom),
             ("Aurelio Mobility S.r.l.", tom)]
    return {
        "reps": [{"rep": priya, "why": "Willing to try it and respected by peers in the UK team."},
                 {"rep": tom, "why": "Typical of the team's mid-market sellers, with time this quarter."}],
        "pilot_accounts": [{"account": _id(snap, name), "rep": rep} for name, rep in pilot],
        "comparison": [{"account": _id(snap, name), "rep": SALES_LEADER}
                       for name in ("Wyndle Health Ltd", "Cobalt Row Software Ltd")],
        "criteria": [
            {"metric": "sales acceptance rate", "baseline": 45, "target": 65, "by_week": 8,
             "agreed_with": SALES_LEADER},
            {"metric": "meetings created", "baseline": 3, "target": 8, "by_week": 12, "agreed_with": SALES_LEADER},
        ],
        "length_weeks": 13,
        "decision_rule": "Scale to the next wave if both targets are met; change the playbook and run again if only "
                         "acceptance moves; stop if neither beats the comparison group.",
    }


def enablement_plan(snap: WorkspaceSnapshot) -> dict:
    practices = [("Handoffs as CRM tasks", "Less time on research: the brief says who engaged and why, so the "
                                           "first call is better timed.", "Handoffs first touched within the SLA"),
                 ("ABM account view", "Pipeline reviews take minutes instead of an afternoon of admin before the "
                                      "forecast.", "Pipeline reviews run from the account view")]
    return {
        "gains": [{"practice": p, "gain": g} for p, g, _ in practices],
        "managers": [{"manager": SALES_LEADER, "weekly": "Runs one-to-ones from the ABM account view and asks "
                                                         "about every engaged account.", "backup": SELLERS[0]}],
        "tracking": [{"practice": p, "metric": m, "source": "CRM report", "target": 75, "review_date": "2027-01-11"}
                     for p, _, m in practices],
        "training": [{"moment": "The first time a rep opens a handoff task in the CRM", "format": "help in the "
                      "workflow", "owner": MARKETERS[0]},
                     {"moment": "At the monthly sales meeting after the first pilot win", "format": "peer win story",
                      "owner": SELLERS[0]}],
    }


def ai_account_brief(snap: WorkspaceSnapshot) -> dict:
    return {
        "account": _id(snap, "Saltmarsh Retail Group"),
        "prompt": "Draft a one-page brief on Saltmarsh Retail Group for the account team and cite a source for "
                  "every fact.",
        "claims": [
            {"claim": "Saltmarsh is a UK retail group with about 4,800 staff.", "source_type": "account record",
             "source": ""},
            {"claim": "Anneliese Johansson is their financial controller.", "source_type": "contact",
             "source": "Anneliese Johansson"},
            {"claim": "Their team joined our regulatory reporting webinar on 2026-11-01.", "source_type": "signal",
             "source": "webinar 2026-11-01"},
            {"claim": "The Platform 2026 deal is worth £285,000 and is in negotiation.", "source_type": "opportunity",
             "source": "Saltmarsh Retail Group – Platform 2026"},
        ],
        "checked_by_hand": "I compared every name, date and amount with the CRM records and removed a store-count "
                           "figure the tool could not source.",
    }


BUILDERS = {"account-plan": account_plan, "operating-agreement": operating_agreement, "pilot-design": pilot_design,
            "enablement-plan": enablement_plan, "ai-account-brief": ai_account_brief}


def sign_off_the_list(workspace: Workspace) -> None:
    """Each sales owner, invited as a guest, signs off their accounts (as the learner gets done for the list)."""
    for account in db.session.scalars(select(Account).where(Account.workspace_id == workspace.id,
                                                            Account.is_target)):
        account.sales_agreed, account.sales_agreed_via = True, "guest"
        account.sales_agreed_by, account.sales_agreed_at = account.sales_owner, datetime(2026, 11, 12, 15)
        account.sales_disagree_reason = None


@pytest.fixture
def demo_snapshot(app) -> WorkspaceSnapshot:
    org = make_org()
    user = make_user(org)
    workspace = workspace_for(user, org)
    load_demo_workspace(workspace, user)
    sign_off_the_list(workspace)
    db.session.commit()
    return build_snapshot(workspace, now=NOW)


def test_the_untouched_demo_fails_each_exercise_and_the_learners_answers_pass_it(demo_snapshot):
    for slug, build in BUILDERS.items():
        check = load_checker(slug).check
        assert not check(demo_snapshot, {}).passed, slug
        result = check(demo_snapshot, build(demo_snapshot))
        problems = [f"{f.rule}: {f.message}" for f in result.findings if f.severity != "good"]
        assert result.passed and not problems, (slug, result.score, problems)
