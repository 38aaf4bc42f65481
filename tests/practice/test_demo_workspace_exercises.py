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
from tests.practice.test_demo_own_accounts import BUILDERS as OWN_ACCOUNT_ANSWERS

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
    # The exercises added with the integrity work: their answers are written in test_demo_own_accounts.
    "account-plan",
    "ai-account-brief",
    "enablement-plan",
    "operating-agreement",
    "pilot-design",
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
    "sales-handoff",
    "target-account-list",
    "account-plan",
    "ai-account-brief",
    "enablement-plan",
    "operating-agreement",
    "pilot-design",
)


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
    """Resolve the two disagreements, write each account's own reason, evidence and dated milestone, and have each
    sales owner, invited as a guest, sign off their accounts (an imported "agreed" no longer counts)."""
    agreed_at = datetime(2026, 11, 12, 15, 0)
    # Corvessa is locked into a rival's three-year contract: take it off the list rather than argue.
    corvessa = _account(ws, "Corvessa Freight B.V.")
    corvessa.is_target = False
    write_reasons_of_their_own(ws)
    # Pallister: the rival contract renews in 2028; sales agrees to build the buying group before then.
    _account(ws, "Pallister Aerospace").progress_definition = (
        "Champion named and a renewal-criteria workshop with the COO and CFO held by the end of Q2 2027.")
    # Each sales owner, invited as a guest, signs off their own accounts on the sign-off page.
    for account in db.session.scalars(select(Account).where(Account.workspace_id == ws.id, Account.is_target)):
        account.sales_agreed, account.sales_agreed_via = True, "guest"
        account.sales_agreed_by, account.sales_agreed_at = account.sales_owner, agreed_at
        account.sales_disagree_reason = None


# What the learner has seen at each account (its signals, opportunities and people in the demo), in their words.
WHY_NOW = {
    "Fernhollow Labs plc": "Won the analytics add-on in July; a second add-on is in discovery and they read up on churn",
    "The Quenby Group": "Three AI forecasting guides downloaded this autumn while the 2026 pilot sits in qualification",
    "Wyndle Health Ltd": "Cloud security intent spiked in November and the analytics add-on is in discovery",
    "Ashcombe Building Society": "Downloaded our ERP migration guide in January; the move off their core system starts",
    "Harrowgate Logistics Ltd": "Lost the 2025 pilot on price, yet they keep reading about customer retention",
    "Pennicott Insurance plc": "Warehouse automation research since May, after moving claims storage in-house",
    "Marlow & Finch LLP": "The 2026 pilot was won; the analytics add-on is in negotiation and partners read on AI",
    "Ilvermoor Analytics": "Intent on self-service analytics since December as they rebuild client reporting",
    "Tamberley Energy Ltd": "Asked for a demo of net zero reporting in November ahead of new disclosure rules",
    "Brackenfield Foods plc": "Requested a meeting on predictive maintenance in October; the 2025 pilot stalled",
    "Cobalt Row Software Ltd": "Two regulatory reporting visits in October after losing both deals to a cheaper tool",
    "Northgate Utilities plc": "Pilot won in 2026; now downloading regulatory reporting and cloud security papers",
    "Saltmarsh Retail Group": "Platform renewal in negotiation; stock-flow and retention pages visited all November",
    "Kestrel Point Media Ltd": "Cost reduction intent in June after the expansion deal was lost to a rival",
    "Greyfriars University Press": "Replied to our cloud security email in October after an intent spike",
    "Kettlewell & Sons GmbH": "Viewed the pricing page for net zero reporting in September",
    "Société Nautique Ardelle SA": "Joined the net zero reporting webinar in August; self-service analytics intent too",
    "Oyelaran Systems Oy": "Customer on the platform since 2025; the analytics add-on proposal is open",
    "Brünnhof Maschinenbau GmbH": "Data residency intent spiked in October as German plants move data in-house",
    "Vellacourt Banque SA": "Platform deal in qualification with 24 signals this year, most on self-service analytics",
    "Åkerlund Mätteknik AB": "Won the 2026 expansion; warehouse automation pages visited in November",
    "Lindqvist Medical AB": "Replied about ERP migration in September and downloaded the analytics guide",
    "Casa Ferrante S.p.A.": "Asked for a meeting on regulatory reporting in September after our food event",
    "Huerta Solar S.L.": "Pilot won in 2026; supply chain visibility research since May",
    "Dalgaard Shipping A/S": "Cloud security intent in November while planning warehouse automation at the port",
    "Verhoeven Chemie NV": "Two deals in qualification; regulatory reporting visits in October",
    "Moreau Télécom SA": "Won the platform and the pilot in 2026; self-service analytics is the next step",
    "Kowalczyk Pharma Sp. z o.o.": "Supply chain visibility intent twice this year and a pricing page visit in October",
    "Aurelio Mobility S.r.l.": "Pilot won in 2026 after the 2025 loss; cloud security event attended in October",
    "Larkspur Devices, Inc.": "First visit to the self-service analytics pages on 1 November",
    "Tallis Data Systems": "Won one expansion and lost another in 2026; regulatory reporting intent in November",
    "Redfern Capital Partners LLC": "Requested an AI forecasting demo in August after the 2026 expansion was lost",
    "Bluepine Health Systems": "Warehouse automation intent in October and net zero webinar attendance",
    "Granite Arch Insurance Corp.": "21 signals this year on warehouse automation and regulatory reporting",
    "Halloway Robotics Inc.": "Viewed net zero reporting pricing in November; analytics add-on in qualification",
    "Cinderford Retail Co.": "Pilot in negotiation; predictive maintenance pages visited twice in October",
    "Meridian Peak Energy": "Viewed cloud security pricing in October; the analytics add-on is in discovery",
    "Ostrander Labs Inc.": "Supply chain visibility download and ERP migration visits in October",
    "Sable Creek Logistics": "Replied about cloud security in October; analytics add-on in discovery",
    "Whitcombe Learning Inc.": "Analytics add-on proposal open; replied on cloud security in November",
    "Quillon Security Inc.": "Cloud security intent in March and a net zero reporting download",
    "Evermont Foods Corp.": "Attended the predictive maintenance event in November; expansion in qualification",
    "Tidewater Telecom LLC": "Downloaded the self-service analytics guide and joined the webinar in October",
    # The rival contract renews in 2028; sales agrees to build the buying group before then.
    "Pallister Aerospace": "Rival contract renews in Q1 2028; building the buying group and a champion now "
                           "positions us for the renewal evaluation.",
}
_SENIORITY = {"c_level": 0, "vp": 1, "director": 2, "manager": 3, "ic": 4}
_BY_TIER = {"1:1": "31 January 2027", "1:few": "the end of Q1 2027", "1:many": "the end of Q2 2027"}


def write_reasons_of_their_own(ws: Workspace) -> None:
    """For target-account-list: a reason, ICP evidence and a dated milestone written for each account, naming the
    two most senior people the learner knows there."""
    for account in db.session.scalars(select(Account).where(Account.workspace_id == ws.id, Account.is_target)):
        people = sorted(db.session.scalars(select(Contact).where(Contact.account_id == account.id)),
                        key=lambda c: (_SENIORITY.get(c.seniority or "", 5), c.id))[:2]
        named = " and ".join(f"{c.first_name} {c.last_name} ({c.title or 'title to confirm'})" for c in people)
        account.why_selected = WHY_NOW[account.name]
        account.icp_reasons = f"{account.icp_reasons}; we know {named}"
        account.progress_definition = f"Discovery meeting with {named} by {_BY_TIER[account.tier]}"


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
    owner, backup = "Dana Whitlock", "Priya Raman"  # the account executives, each covering for the other
    return {"rules": [
        {"name": "Hot hand-raisers", "level": "hot", "signal_types": ["demo_request", "meeting_request",
                                                                        "pricing_page_visit", "email_reply"],
         "min_signals": 1.0, "window_days": 7.0, "min_contacts": 1.0, "roles": [], "tiers": [],
         "owner": owner, "backup": backup, "response_hours": 4.0},
        {"name": "Buying-group build-up", "level": "warm", "signal_types": ["content_download", "webinar",
                                                                            "event_attendance", "intent_spike"],
         "min_signals": 3.0, "window_days": 30.0, "min_contacts": 2.0, "roles": [], "tiers": [],
         "owner": backup, "backup": owner, "response_hours": 24.0},
    ]}


def write_role_messages(ws: Workspace) -> dict:
    wyndle = _account(ws, "Wyndle Health Ltd").id
    verhoeven = _account(ws, "Verhoeven Chemie NV").id
    rows = [  # each names the account and its situation, answers one role's question and fits its channel
        (wyndle, "senior_decision_maker", "linkedin", "",
         "Pieter, Wyndle Health is weighing the analytics add-on while its healthcare data must stay in the UK. "
         "Other healthcare operators made that a strategic priority for growth. Worth comparing notes?"),
        (wyndle, "procurement", "linkedin", "",
         "Kwame, if Wyndle Health moves the analytics add-on to a contract this year, our framework terms and "
         "UK data-residency compliance pack for healthcare buyers are ready. Shall I share them?"),
        (wyndle, "technical_evaluator", "phone_script", "",
         "Hi Pieter, it's Alex. Your team at Wyndle Health has been reading about cloud security, and healthcare "
         "data has to stay in the UK, so I wanted to explain where our platform hosts data and how it integrates. "
         "Could I book thirty minutes with our engineer?"),
        (wyndle, "functional_owner", "linkedin", "",
         "Hiroshi, your customer service team at Wyndle Health is being asked to hit tighter healthcare service "
         "level targets. The analytics add-on shows where the team's time goes. Worth a short look?"),
        (wyndle, "finance", "linkedin", "",
         "Ravi, the partner who referred us says Wyndle Health's finance team is reviewing the analytics add-on. "
         "I would build the payback case on your own healthcare volumes, with the budget risks spelled out. "
         "Shall I send the outline?"),
        (verhoeven, "senior_decision_maker", "linkedin", "",
         "Pieter, new regulatory reporting rules are on Verhoeven Chemie's agenda this autumn. Peers in chemicals "
         "turned reporting into a competitive advantage rather than a cost. Would a short briefing help?"),
        (verhoeven, "technical_evaluator", "phone_script", "",
         "Hi Imogen, it's Alex. Your colleagues at Verhoeven Chemie have been reading about regulatory reporting, "
         "so I wanted to explain how our platform integrates with your plant systems and keeps data encrypted. "
         "Could I book a technical session with our architect?"),
        (verhoeven, "finance", "linkedin", "",
         "Ibrahim, before Verhoeven Chemie commits budget to regulatory reporting, I can model the cost phasing and "
         "payback on your own figures rather than our averages. Would that help your business-case workshop?"),
        (verhoeven, "influencer", "linkedin", "",
         "Nadia, our research on how chemicals producers run regulatory reporting programmes gives a useful "
         "benchmark for Verhoeven Chemie. I would value your perspective on which best practice fits you."),
        (verhoeven, "procurement", "linkedin", "",
         "Amara, for the supplier review behind Verhoeven Chemie's regulatory reporting project we can offer a "
         "framework contract, clear terms and a compliance pack that meets your vendor checks. Send them over?"),
    ]
    return {"messages": [{"account": account, "role": role, "channel": channel, "subject": subject,
                          "message": text} for account, role, channel, subject, text in rows]}


def plan_a_one_to_few_campaign(ws: Workspace) -> dict:
    accounts = [_account(ws, "Whitcombe Learning Inc.").id, _account(ws, "Ostrander Labs Inc.").id]
    economic, owner, tech, finance = "senior_decision_maker", "functional_owner", "technical_evaluator", "finance"
    marketer, executive, sdr = ("Sofia Lindgren", "marketing"), ("Priya Raman", "sales"), ("Tom Okafor", "sdr")
    steps = [  # (week, channel, (owner, team), roles, action): one named person per step, sales from week 1
        (0, "sales_meeting", marketer, [], "Brief the account executives and the SDR on the accounts, the role "
                                           "messages, the qualification rules and who follows up."),
        (1, "linkedin", executive, [economic, owner], "Priya sends the CTO and the service lead a personal note "
                                                        "on replacing their legacy planning stack."),
        (2, "email", marketer, [finance], "Send the finance lead the payback one-pager built on their own volumes."),
        (3, "webinar", marketer, [owner, tech], "Invite the service and IT leads to the integration webinar."),
        (4, "phone", sdr, [owner], "Tom calls the service lead after the webinar to book a discovery meeting."),
        (5, "email", marketer, [tech], "Send the IT lead the security review and architecture note."),
        (6, "sales_meeting", executive, [economic, finance], "Priya meets the CTO and the financial controller "
                                                            "to agree the business case."),
        (7, "direct_mail", marketer, [economic], "Post the CTO the printed peer benchmark with Priya's handwritten "
                                                 "note."),
        (8, "phone", executive, [owner, tech], "Priya calls service and IT to scope a pilot alongside the current "
                                               "planning tool."),
    ]
    return {"tier": "1:few", "accounts": [{"account": a} for a in accounts],
            "steps": [{"week": float(week), "channel": channel, "owner": who, "owner_team": team, "roles": roles,
                       "action": action}
                      for week, channel, (who, team), roles, action in steps]}


def set_measurement_targets() -> dict:
    # Baselines for Q3 2026: engagement 2% overall (1:1 20%, 1:few and 1:many 0%), coverage 72%, acceptance 80%,
    # SLA completion 30%, pipeline sourced 977,000. Each KPI has a marketing and a sales owner by name.
    rows = [
        ("engagement_rate", 0.06, "Hannah Kerr", "Dana Whitlock", "monthly"),
        ("engagement_rate_1_1", 0.4, "Hannah Kerr", "Priya Raman", "monthly"),
        ("engagement_rate_1_few", 0.1, "Luca Bianchi", "Tom Ellery", "monthly"),
        ("engagement_rate_1_many", 0.05, "Luca Bianchi", "Marcus Oyelowo", "monthly"),
        ("buying_group_coverage", 0.85, "Hannah Kerr", "Priya Raman", "monthly"),
        ("sales_acceptance_rate", 0.9, "Luca Bianchi", "Dana Whitlock", "weekly"),
        ("follow_up_sla", 0.7, "Luca Bianchi", "Tom Ellery", "weekly"),
        ("pipeline_sourced", 1_500_000.0, "Hannah Kerr", "Dana Whitlock", "quarterly"),
    ]
    return {"window_start": "", "window_end": "",
            "targets": [{"kpi": kpi, "target": target, "marketing_owner": marketing, "sales_owner": sales,
                         "review": review} for kpi, target, marketing, sales, review in rows]}


def plan_changes_from_rejection_reasons() -> dict:
    rows = [
        ("missing_context", "Every handoff brief will carry the engagement summary with the pages and topics, "
                            "why the person matters in the buying group and a ready-to-send message.",
         "Hannah Kerr", 2.0, "Missing-context rejections drop to zero next month"),
        ("poor_timing", "Before handing off we will check the CRM for recent renewals with rivals and paused "
                        "accounts, and hold those until the renewal window opens.",
         "Dana Whitlock", 4.0, "Fewer poor-timing rejections in the monthly tally"),
        ("weak_role", "Hand off only when a senior decision maker, finance or a champion has engaged, adding "
                      "the finance contact to the brief.",
         "Luca Bianchi", 5.0, "Weak-role rejections fall and acceptance rises"),
        ("light_signal", "Raise the qualification threshold so a single content download never qualifies: we "
                         "need three signals from two contacts within thirty days.",
         "Luca Bianchi", 6.0, "Light-signal rejections fall at the monthly review"),
    ]
    return {"changes": [{"reason": reason, "change": change, "owner": owner, "due_week": week, "check": check}
                        for reason, change, owner, week, check in rows]}


def brief_sales_on_recent_handoffs(ws: Workspace) -> None:
    """Rewrite the last month's handoff briefs with specific context, a backup owner and the right role, and hand
    over Whitcombe Learning's demo request, which qualified under the module's hot rule but was never sent."""
    meridian, saltmarsh = _account(ws, "Meridian Peak Energy"), _account(ws, "Saltmarsh Retail Group")
    meridian.why_selected = "Energy firm of 480 staff re-evaluating after its competitor renewal went badly"
    saltmarsh.why_selected = "Retailer of 4,800 staff, a lookalike of our three best customers, fixing stock flow"
    _account(ws, "Bluepine Health Systems").why_selected = (
        "Healthcare group of 750 staff referred by a partner who works with their finance team")
    briefs = {  # (account, sent_at): (relevance, summary, follow-up, owner)
        ("Meridian Peak Energy", datetime(2026, 10, 21, 14, 55)): (
            "Ibrahim is the CIO and signs off analytics spend; the head of operations is the likely champion",
            "Ibrahim requested a demo of self-service analytics; two colleagues read the energy case study",
            "Ibrahim, thank you for asking for a demo of self-service analytics at Meridian Peak Energy. Could we "
            "take forty minutes next week to show how your operations team would build its own dashboards?",
            "Tom Ellery (backup: Dana Whitlock)"),
        ("Bluepine Health Systems", datetime(2026, 10, 29, 22, 15)): (
            "Anil supervises the warehouse team and influences the shortlist; finance is known via our partner",
            "An intent spike on customer retention across six Bluepine contacts this month, led by Anil's team",
            "Anil, warehouse teams at healthcare groups like Bluepine Health Systems tell us retention depends on "
            "on-time deliveries. Would a short call on how other hospitals track this be useful?",
            "Tom Ellery (backup: Marcus Oyelowo)"),
        ("Saltmarsh Retail Group", datetime(2026, 10, 30, 23, 0)): (
            "Anneliese holds the planning budget as financial controller; the COO is sponsoring the stock review",
            "Anneliese replied to our supply chain visibility email; seven Saltmarsh contacts engaged this month",
            "Anneliese, thank you for your reply on supply chain visibility. I can share what a retailer of "
            "Saltmarsh's size saved on stock write-offs, with a payback model for your planning budget.",
            "Priya Raman (backup: Tom Ellery)"),
    }
    for (account_name, sent_at), (relevance, summary, follow_up, owner) in briefs.items():
        handoff = _handoff(ws, account_name, sent_at)
        handoff.buying_group_relevance, handoff.engagement_summary = relevance, summary
        handoff.recommended_follow_up, handoff.sales_owner = follow_up, owner
    _handoff(ws, "Bluepine Health Systems", datetime(2026, 10, 29, 22, 15)).contact_role = "influencer"
    whitcombe = _account(ws, "Whitcombe Learning Inc.")
    whitcombe.why_selected = "Education provider of 1,200 staff re-evaluating after a competitor renewal went badly"
    callum = _contact(ws, whitcombe, "Callum", "de Vries")
    db.session.add(Handoff(
        organization_id=ws.organization_id, workspace_id=ws.id, account_id=whitcombe.id, contact_id=callum.id,
        sent_at=datetime(2026, 11, 15, 9, 0), contact_role="user", qualification_level="hot",
        buying_group_relevance="Callum plans the warehouse rota daily; Hiroshi Costa owns the budget as head of service",
        engagement_summary="Callum requested a demo on warehouse automation on 4 November, after the IT webinar",
        recommended_follow_up="Callum, thanks for requesting a demo of warehouse automation for Whitcombe Learning. "
                              "Could we book thirty minutes with you and Hiroshi to walk through your rota planning?",
        sales_owner="Priya Raman (backup: Tom Ellery)", sla_hours=1, first_touch_at=datetime(2026, 11, 15, 9, 40),
        status="accepted"))


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
    brief_sales_on_recent_handoffs(demo)
    db.session.commit()

    answers = {
        "campaign-plan": plan_a_one_to_few_campaign(demo),
        "measurement-plan": set_measurement_targets(),
        "qualification-rules": write_qualification_rules(),
        "role-messaging": write_role_messages(demo),
        "sales-feedback-loop": plan_changes_from_rejection_reasons(),
    }
    edited = build_snapshot(demo, now=NOW)
    answers.update({slug: build(edited) for slug, build in OWN_ACCOUNT_ANSWERS.items()})
    after = {slug: exercises[slug].check(edited, answers.get(slug, {})) for slug in EXERCISES}
    failing = {slug: result for slug, result in after.items() if not result.passed}
    assert not failing, "\n".join(f"{slug} (pass mark {exercises[slug].pass_mark}): {_blockers(result)}"
                                  for slug, result in failing.items())
