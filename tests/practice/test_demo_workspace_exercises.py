"""Acceptance: the demo workspace can pass every exercise after the edits a learner would make.

The demo is loaded the way the product loads it, each of the nine checkers is run on the untouched demo (the
exercises that need learner work must fail), then the edits a learner would make are applied through the
workspace models, the answers a learner would write are filled in, and every checker must pass.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.demo import load_demo_workspace
from lms.accounts.models import Account, Contact, Handoff, Workspace
from lms.accounts.workspaces import build_snapshot, workspace_for
from lms.extensions import db
from lms.practice.registry import scan
from tests.factories import make_org, make_user

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 16)
EXERCISES = (
    "buying-committee-map",
    "campaign-plan",
    "contact-list-build",
    "measurement-plan",
    "qualification-rules",
    "role-messaging",
    "sales-feedback-loop",
    "sales-handoff",
    "target-account-list",
)
# What the raw demo is built to leave for the learner (tests/fixtures/demo_workspace/README.md); the two
# exercises left out already pass on the raw import (its contact list and handoff briefs are good enough).
FAILS_UNTOUCHED = (
    "buying-committee-map",
    "campaign-plan",
    "measurement-plan",
    "qualification-rules",
    "role-messaging",
    "sales-feedback-loop",
    "target-account-list",
)
SALES_REVIEWER = "Dana Whitlock"


# --- reading the demo ------------------------------------------------------------------------------------------


def _account(ws: Workspace, name: str) -> Account:
    return db.session.scalars(select(Account).where(Account.workspace_id == ws.id, Account.name == name)).one()


def _contact(ws: Workspace, account: Account, first: str, last: str) -> Contact:
    return db.session.scalars(select(Contact).where(
        Contact.workspace_id == ws.id, Contact.account_id == account.id, Contact.first_name == first,
        Contact.last_name == last)).one()


def _handoff(ws: Workspace, account_name: str, sent_at: datetime) -> Handoff:
    account = _account(ws, account_name)
    return db.session.scalars(select(Handoff).where(
        Handoff.workspace_id == ws.id, Handoff.account_id == account.id, Handoff.sent_at == sent_at)).one()


def _blockers(result) -> str:
    lines = [f"  [{f.about} {f.label or f.about_id or ''} {f.field or ''}] {f.message}"
             for f in result.findings if f.severity == "blocker"]
    return f"score {result.score}, blockers:\n" + ("\n".join(lines) or "  (none: score below the pass mark)")


# --- the learner's edits to the workspace ----------------------------------------------------------------------


def agree_with_sales_and_fill_the_five_questions(ws: Workspace) -> None:
    """Resolve the two disagreements, get the unreviewed accounts signed off, and write the missing progress."""
    agreed_at = datetime(2026, 11, 12, 15, 0)
    # Corvessa is locked into a rival's three-year contract: take it off the list rather than argue.
    corvessa = _account(ws, "Corvessa Freight B.V.")
    corvessa.is_target = False
    # Pallister: the rival contract renews in 2028; sales agrees to build the buying group before then.
    pallister = _account(ws, "Pallister Aerospace")
    pallister.why_selected = ("Rival contract renews in Q1 2028; building the buying group and a champion now "
                              "positions us for the renewal evaluation.")
    pallister.progress_definition = ("Champion named and a renewal-criteria workshop with the COO and CFO held "
                                     "by the end of Q2 2027.")
    for name in ("Pallister Aerospace", "Kettlewell & Sons GmbH", "Brünnhof Maschinenbau GmbH",
                 "Granite Arch Insurance Corp.", "Sable Creek Logistics"):
        account = _account(ws, name)
        account.sales_agreed = True
        account.sales_agreed_by = SALES_REVIEWER
        account.sales_agreed_at = agreed_at
        account.sales_disagree_reason = None
    progress = {
        "Marlow & Finch LLP": "Meeting with the managing partner and a finance contact engaged by March 2027.",
        "Ilvermoor Analytics": "Two contacts attend the analytics webinar and one books a discovery call by Q1.",
        "Dalgaard Shipping A/S": "Operations director replies to outreach and agrees a route-cost review by Q1.",
        "Aurelio Mobility S.r.l.": "Programme restarts: COO meeting booked and finance contact identified by Q2.",
        "Tallis Data Systems": "Discovery meeting with the CEO and head of IT, finance contact named by Q1.",
    }
    for name, text in progress.items():
        _account(ws, name).progress_definition = text


def map_missing_roles(ws: Workspace) -> None:
    """Tag the untitled contacts, mark a champion at every 1:1 account, and add the people who were missing."""
    retag = {  # (account, first, last): (title found on LinkedIn, role)
        ("Marlow & Finch LLP", "Zoë", "de Vries"): ("Finance Director", "finance"),
        ("Cobalt Row Software Ltd", "Ingrid", "García"): ("Head of Engineering", "technical_evaluator"),
        ("Oyelaran Systems Oy", "Mikko", "Price"): ("Head of Operations", "functional_owner"),
    }
    for (account_name, first, last), (title, role) in retag.items():
        contact = _contact(ws, _account(ws, account_name), first, last)
        contact.title = title
        contact.roles = [role]
        contact.roles_set_by_learner = True
    champions = {  # the person who has engaged most and will sell it internally
        "Marlow & Finch LLP": ("Mateo", "Horvat"),
        "Saltmarsh Retail Group": ("Greta", "Horvat"),
        "Vellacourt Banque SA": ("Małgorzata", "Haddad"),
        "Granite Arch Insurance Corp.": ("Søren", "Le Gall"),
        "Pallister Aerospace": ("Mateo", "Kettlewell"),
    }
    for account_name, (first, last) in champions.items():
        contact = _contact(ws, _account(ws, account_name), first, last)
        contact.roles = [*contact.roles, "champion"]
        contact.roles_set_by_learner = True
    new_people = {  # account: [(first, last, title, role, seniority)]
        "Marlow & Finch LLP": [("Harriet", "Coles", "Managing Partner", "senior_decision_maker", "c_level")],
        "Saltmarsh Retail Group": [("Owen", "Pryce", "Procurement Manager", "procurement", "manager")],
        "Fernhollow Labs plc": [("Rachel", "Amos", "Chief Operating Officer", "senior_decision_maker", "c_level"),
                                ("Tom", "Birch", "Finance Director", "finance", "director")],
        "The Quenby Group": [("Helen", "Carver", "Chief Operating Officer", "senior_decision_maker", "c_level")],
        "Wyndle Health Ltd": [("Ravi", "Doshi", "Financial Controller", "finance", "director")],
        "Oyelaran Systems Oy": [("Antti", "Virtanen", "Head of IT", "technical_evaluator", "director"),
                                ("Laura", "Koskinen", "Finance Director", "finance", "director")],
        "Moreau Télécom SA": [("Julien", "Marchand", "Director of Operations", "functional_owner", "director"),
                              ("Claire", "Roussel", "Head of IT", "technical_evaluator", "director"),
                              ("Marc", "Fabre", "Finance Director", "finance", "director")],
        "Tallis Data Systems": [("Ben", "Ashdown", "Financial Controller", "finance", "director")],
        "Bluepine Health Systems": [("Kara", "Lind", "Enterprise Architect", "technical_evaluator", "ic"),
                                    ("Sean", "Boyd", "Finance Director", "finance", "director")],
        "Halloway Robotics Inc.": [("Dev", "Anand", "Head of IT", "technical_evaluator", "director"),
                                   ("Lucy", "Hart", "FP&A Manager", "finance", "manager")],
        "Ostrander Labs Inc.": [("Noah", "Reyes", "Finance Director", "finance", "director")],
        "Tidewater Telecom LLC": [("Erin", "Walsh", "Financial Controller", "finance", "director")],
    }
    for account_name, people in new_people.items():
        account = _account(ws, account_name)
        for first, last, title, role, seniority in people:
            db.session.add(Contact(
                organization_id=ws.organization_id, workspace_id=ws.id, account_id=account.id, first_name=first,
                last_name=last, email=f"{first}.{last}@{account.domain}".lower(), title=title, roles=[role],
                roles_set_by_learner=True, seniority=seniority))


def get_sales_verdicts_on_waiting_handoffs(ws: Workspace) -> None:
    """Ask the sales owners to accept or reject every handoff waiting more than a week, with a reason."""
    verdicts = {  # (account, sent_at): (status, rejection reason, feedback)
        ("Kestrel Point Media Ltd", datetime(2026, 1, 27, 15, 30)):
            ("rejected", "missing_context", "No relevance or suggested message; could not tell why to call."),
        ("Casa Ferrante S.p.A.", datetime(2026, 2, 21, 13, 45)):
            ("accepted", None, "Right person; called after the pricing review."),
        ("Whitcombe Learning Inc.", datetime(2026, 4, 16, 9, 20)):
            ("rejected", "missing_context", "No recommended follow-up; what did they look at?"),
        ("Verhoeven Chemie NV", datetime(2026, 6, 17, 16, 0)):
            ("accepted", None, "Good context; booked a call."),
        ("Aurelio Mobility S.r.l.", datetime(2026, 6, 19, 13, 55)):
            ("rejected", "poor_timing", "Account is paused while they restructure; revisit in Q2."),
        ("Halloway Robotics Inc.", datetime(2026, 8, 13, 17, 55)):
            ("accepted", None, "Worth a call; I know the procurement lead."),
        ("Marlow & Finch LLP", datetime(2026, 8, 29, 16, 0)):
            ("accepted", None, "Yes, they are evaluating this quarter."),
    }
    for (account_name, sent_at), (status, reason, feedback) in verdicts.items():
        handoff = _handoff(ws, account_name, sent_at)
        handoff.status = status
        handoff.rejection_reason = reason
        handoff.sales_feedback = feedback


# --- the learner's answers ---------------------------------------------------------------------------------------


def write_qualification_rules() -> dict:
    return {"rules": [
        {"name": "Hot hand-raisers", "signal_types": ["demo_request", "meeting_request", "pricing_page_visit",
                                                       "email_reply"],
         "min_signals": 1.0, "window_days": 7.0, "min_contacts": 1.0, "roles": [], "tiers": [],
         "owner": "sales", "response_hours": 4.0},
        {"name": "Buying-group build-up", "signal_types": ["content_download", "webinar", "event_attendance",
                                                           "intent_spike", "website_visit"],
         "min_signals": 3.0, "window_days": 30.0, "min_contacts": 2.0, "roles": [], "tiers": [],
         "owner": "sdr", "response_hours": 48.0},
    ]}


def write_role_messages(ws: Workspace) -> dict:
    wyndle = _account(ws, "Wyndle Health Ltd").id
    verhoeven = _account(ws, "Verhoeven Chemie NV").id
    rows = [
        (wyndle, "senior_decision_maker", "linkedin",
         "Pieter, Wyndle Health's growth plan depends on faster patient logistics. Three peer trusts made it a "
         "strategic priority and cut turnaround by a third. Worth comparing notes?"),
        (wyndle, "procurement", "linkedin",
         "Kwame, if Wyndle Health reviews suppliers this year, our framework contract and compliance pack are "
         "ready, with pricing fixed for three years. Happy to share the terms."),
        (wyndle, "technical_evaluator", "phone_script",
         "Hi Pieter, it's Alex. I'm calling because Wyndle Health runs its scheduling on an in-house system, and "
         "heads of IT usually ask how our API integrates with it and how we keep patient data secure. Could I "
         "send our architecture note and book thirty minutes with our engineer?"),
        (wyndle, "functional_owner", "linkedin",
         "Hiroshi, your customer service team at Wyndle Health is being asked to hit tighter service level "
         "targets. We helped two similar teams lift productivity without extra headcount. Connect?"),
        (wyndle, "finance", "linkedin",
         "Ravi, trusts like Wyndle Health cut patient transport cost by 8% with payback inside two quarters. "
         "I have a one-page ROI model with the budget risks spelled out. Shall I send it?"),
        (verhoeven, "senior_decision_maker", "linkedin",
         "Pieter, Verhoeven Chemie's expansion into two new plants is a strategic bet. Peers treated logistics "
         "as a competitive advantage and grew revenue faster. Would a short briefing help?"),
        (verhoeven, "technical_evaluator", "phone_script",
         "Hi Imogen, it's Alex. Verhoeven Chemie has several plant systems to connect, so I wanted to explain "
         "how our platform integrates through standard APIs, supports single sign-on and keeps data encrypted. "
         "Could I book a technical session with our architect?"),
        (verhoeven, "finance", "linkedin",
         "Ibrahim, plants like Verhoeven Chemie's cut logistics cost by 8% with payback inside two quarters. "
         "I have a one-page ROI model with the budget risks spelled out. Shall I send it?"),
        (verhoeven, "influencer", "linkedin",
         "Nadia, our research on how chemical producers run programmes gives a useful benchmark for Verhoeven "
         "Chemie. I would value your perspective on which best practice fits you."),
        (verhoeven, "procurement", "linkedin",
         "Amara, for Verhoeven Chemie's supplier review we can offer a framework contract, clear terms and a "
         "compliance pack that meets your vendor checks. Shall I send them over?"),
    ]
    return {"messages": [{"account": account, "role": role, "channel": channel, "subject": "", "message": text}
                         for account, role, channel, text in rows]}


def plan_a_one_to_few_campaign(ws: Workspace) -> dict:
    accounts = [_account(ws, "Whitcombe Learning Inc.").id, _account(ws, "Ostrander Labs Inc.").id]
    economic, owner, tech, finance = "senior_decision_maker", "functional_owner", "technical_evaluator", "finance"
    steps = [
        (1, "linkedin", "marketing", [economic, owner], "Connect with the CTO and service lead with a note on "
                                                        "their expansion plans."),
        (2, "email", "marketing", [finance], "Send the finance lead the payback one-pager with a personal note."),
        (3, "webinar", "marketing", [owner, tech], "Invite the service and IT leads to the integration webinar."),
        (4, "phone", "sdr", [owner], "SDR calls the service lead to follow up the webinar and book a meeting."),
        (5, "email", "marketing", [tech], "Send the IT lead the security and architecture note."),
        (6, "sales_meeting", "sales", [economic, finance], "Account executive meets the CTO and finance lead "
                                                           "to agree the business case."),
        (7, "direct_mail", "marketing", [economic], "Send the CTO the printed peer benchmark report."),
        (8, "phone", "sales", [owner, tech], "Account executive calls to scope a pilot with service and IT."),
    ]
    return {"tier": "1:few", "accounts": [{"account": a} for a in accounts],
            "steps": [{"week": float(week), "channel": channel, "owner": who, "roles": roles, "action": action}
                      for week, channel, who, roles, action in steps]}


def set_measurement_targets() -> dict:
    rows = [
        ("engagement_rate", 0.45, "marketing", "monthly"),
        ("buying_group_coverage", 0.85, "marketing", "monthly"),
        ("sales_acceptance_rate", 0.9, "both", "monthly"),
        ("follow_up_sla", 0.7, "sales", "weekly"),
        ("pipeline_sourced", 1_500_000.0, "both", "quarterly"),
    ]
    return {"window_start": "", "window_end": "",
            "targets": [{"kpi": kpi, "target": target, "owner": owner, "review": review}
                        for kpi, target, owner, review in rows]}


def plan_changes_from_rejection_reasons() -> dict:
    rows = [
        ("missing_context", "Every handoff brief will carry the engagement summary with the pages and topics, "
                            "why the person matters in the buying group and a ready-to-send message; we "
                            "will check acceptance for missing context drops to zero.", "marketing", 2.0),
        ("poor_timing", "Before handing off we will check the CRM for recent renewals with rivals and paused "
                        "accounts, and hold those until the renewal window opens, tracking timing rejections "
                        "monthly.", "both", 4.0),
        ("weak_role", "Hand off only when a senior decision maker, finance or a champion has engaged, adding "
                      "the finance contact to the brief, and review weak role rejections in the monthly "
                      "pipeline meeting.", "marketing", 5.0),
        ("light_signal", "Raise the qualification threshold so a single content download never qualifies: we "
                         "need three signals from two contacts within thirty days, and we will watch the "
                         "light signal rejections fall.", "marketing", 6.0),
    ]
    return {"changes": [{"reason": reason, "change": change, "owner": owner, "due_week": week}
                        for reason, change, owner, week in rows]}


# --- the test ----------------------------------------------------------------------------------------------------


@pytest.fixture
def demo(app):
    org = make_org()
    user = make_user(org)
    workspace = workspace_for(user, org)
    load_demo_workspace(workspace, user)
    db.session.commit()
    return workspace


def test_the_demo_workspace_passes_every_exercise_after_the_learners_edits(demo):
    exercises = scan(ROOT / "exercises")[0]
    assert sorted(exercises) == sorted(EXERCISES)

    untouched = build_snapshot(demo, now=NOW)
    before = {slug: exercises[slug].check(untouched, {}) for slug in EXERCISES}
    still_passing = [slug for slug in FAILS_UNTOUCHED if before[slug].passed]
    assert not still_passing, f"the raw demo already passes exercises that should need learner work: {still_passing}"

    agree_with_sales_and_fill_the_five_questions(demo)
    map_missing_roles(demo)
    get_sales_verdicts_on_waiting_handoffs(demo)
    db.session.commit()

    answers = {
        "campaign-plan": plan_a_one_to_few_campaign(demo),
        "measurement-plan": set_measurement_targets(),
        "qualification-rules": write_qualification_rules(),
        "role-messaging": write_role_messages(demo),
        "sales-feedback-loop": plan_changes_from_rejection_reasons(),
    }
    edited = build_snapshot(demo, now=NOW)
    after = {slug: exercises[slug].check(edited, answers.get(slug, {})) for slug in EXERCISES}
    failing = {slug: result for slug, result in after.items() if not result.passed}
    assert not failing, "\n".join(f"{slug} (pass mark {exercises[slug].pass_mark}): {_blockers(result)}"
                                  for slug, result in failing.items())
