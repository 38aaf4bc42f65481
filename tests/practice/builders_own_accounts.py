"""A team workspace and a good answer for each of the five exercises on the learner's own accounts (account plan,
operating agreement, pilot design, enablement plan, AI account brief), for their checker and gaming tests."""

from __future__ import annotations

import copy
from datetime import datetime

from lms.abm.snapshot import OpportunitySnap, PersonSnap, SignalSnap, WorkspaceSnapshot
from tests.practice.snapshot_builders import make_account, make_contact, snapshot

PRIYA, TOM, SAM, ANA, LEE = "Priya Shah", "Tom Reed", "Sam Okafor", "Ana Ruiz", "Lee Grant"
TEAM = (
    PersonSnap(PRIYA, "priya@seller.example", "sales"),
    PersonSnap(TOM, "tom@seller.example", "marketing"),
    PersonSnap(SAM, "sam@seller.example", "sales"),
    PersonSnap(ANA, "ana@seller.example", "sales"),
    PersonSnap(LEE, "lee@seller.example", "marketing"),
)

CORVESSA = make_account(id=1, name="Corvessa Freight", tier="1:1", industry="Freight", employees=4000,
                        revenue=310_000_000, region="UK", domain="corvessa.example")
LARKSPUR = make_account(id=2, name="Larkspur Devices", tier="1:few", industry="Medical devices")
ASHGROVE = make_account(id=3, name="Ashgrove Cold Chain", tier="1:few")
BRILL = make_account(id=4, name="Brill Foods", tier="1:few")
FERN = make_account(id=5, name="Fernhollow Mills", tier="1:few")
OUTSIDE = make_account(id=6, name="Quill Paper", tier="1:few", is_target=False, sales_agreed=None)

DANA = make_contact(CORVESSA, "senior_decision_maker", id=11, first_name="Dana", last_name="Hollis",
                    title="Chief Operating Officer")
RAVI = make_contact(CORVESSA, "finance", id=12, first_name="Ravi", last_name="Kumar", title="Finance Director")
JO = make_contact(CORVESSA, "functional_owner", id=13, first_name="Jo", last_name="Marsh",
                  title="Head of Network Planning")
INTERN = make_contact(CORVESSA, id=14, first_name="Kit", last_name="Lowe", title="Operations Intern")
MEI = make_contact(LARKSPUR, "finance", id=21, first_name="Mei", last_name="Tan", title="Chief Financial Officer")

WEBINAR = SignalSnap(31, CORVESSA.id, JO.id, "webinar", datetime(2025, 2, 4, 10), "depot routing")
PRICING = SignalSnap(32, CORVESSA.id, DANA.id, "pricing_page_visit", datetime(2025, 2, 20, 15))
PILOT_DEAL = OpportunitySnap(41, CORVESSA.id, "Leeds depot routing pilot", "proposal", 80_000)


def workspace(**kw) -> WorkspaceSnapshot:
    """The team workspace every good answer is written for; override snapshot fields with keywords."""
    kw.setdefault("kind", "team")
    kw.setdefault("team", TEAM)
    kw.setdefault("signals", (WEBINAR, PRICING))
    kw.setdefault("opportunities", (PILOT_DEAL,))
    kw.setdefault("accounts", (CORVESSA, LARKSPUR, ASHGROVE, BRILL, FERN, OUTSIDE))
    kw.setdefault("contacts", (DANA, RAVI, JO, INTERN, MEI))
    return snapshot(**kw)


def personal(**kw) -> WorkspaceSnapshot:
    """The same records on a personal workspace: no team, so owners are any full names."""
    return workspace(kind="personal", team=(PersonSnap("Robin Vale", "robin@seller.example"),), **kw)


def account_plan() -> dict:
    return copy.deepcopy({
        "account": CORVESSA.id,
        "insight": "Jo Marsh, their head of network planning, joined our depot routing webinar on 4 February, "
                   "and the Leeds depot routing pilot has sat at proposal since January.",
        "problem": "Routing across the two new depots is planned by hand, and late loads are rising at Leeds.",
        "capability": "Our routing engine plans multi-depot rounds overnight from live orders.",
        "outcome": "Cut late loads from 6% to 3% within two quarters of go-live.",
        "relationships": [
            {"contact": "Dana Hollis", "role": "senior_decision_maker", "strength": "met once", "owner": PRIYA,
             "next_action": "Invite Dana to the April customer roundtable in Leeds."},
            {"contact": "Ravi Kumar", "role": "finance", "strength": "not yet met", "owner": TOM,
             "next_action": "Send the payback summary for the pilot and ask for a short call."},
            {"contact": "jo marsh", "role": "functional_owner", "strength": "regular contact", "owner": "Priya",
             "next_action": "Review the pilot routing results with her planners on site."},
        ],
        "next_90_days": [
            {"week": 1, "side": "marketing", "action": "Send Jo the routing benchmark for two-depot networks",
             "owner": TOM, "outcome": "Jo shares it with her planners"},
            {"week": 3, "side": "sales", "action": "Call Jo to agree the pilot scope and the data we need",
             "owner": PRIYA, "outcome": "Pilot scope agreed"},
            {"week": 6, "side": "marketing", "action": "Invite Dana and Ravi to the April roundtable",
             "owner": LEE, "outcome": "Dana attends"},
            {"week": 10, "side": "sales", "action": "Present the payback case to Ravi and Dana together",
             "owner": PRIYA, "outcome": "Budget meeting booked"},
        ],
        "plan_owner": PRIYA,
        "backup_owner": TOM,
    })


def operating_agreement() -> dict:
    raci = [
        ("target account list", f"{TOM}, {PRIYA}", SAM, LEE),
        ("buying-group mapping", TOM, LEE, TOM),
        ("campaign", LEE, TOM, LEE),
        ("signal follow-up", f"{PRIYA}, {ANA}", SAM, PRIYA),
        ("handoff acceptance", ANA, PRIYA, SAM),
        ("reporting", LEE, TOM, PRIYA),
    ]
    return copy.deepcopy({
        "raci": [{"activity": a, "responsible": r, "accountable": acc, "backup": b, "consulted": "Sales managers",
                  "informed": "Whole team"} for a, r, acc, b in raci],
        "cadence": [
            {"meeting": "account review", "frequency": "weekly", "chair": PRIYA,
             "decides": "Who follows up each engaged account and by when; fixes for this week's rejections."},
            {"meeting": "programme review", "frequency": "monthly", "chair": TOM,
             "decides": "Which accounts are stuck, coverage gaps to close, and changes to rules or content."},
            {"meeting": "list review", "frequency": "quarterly", "chair": SAM,
             "decides": "Accounts added, removed or re-tiered, the playbook update and next quarter's targets."},
        ],
        "escalation_trigger": "An account or a rejected handoff still disputed after the weekly account review.",
        "escalation_to": SAM,
        "escalation_days": 3,
    })


def pilot_design() -> dict:
    return copy.deepcopy({
        "reps": [
            {"rep": PRIYA, "why": "Willing to try it and respected by peers in the northern team."},
            {"rep": ANA, "why": "Typical of the team's mid-market sellers, with time this quarter."},
        ],
        "pilot_accounts": [
            {"account": LARKSPUR.id, "rep": PRIYA},
            {"account": ASHGROVE.id, "rep": "Ana"},
        ],
        "comparison": [{"account": BRILL.id, "rep": SAM}, {"account": FERN.id, "rep": ""}],
        "criteria": [
            {"metric": "sales acceptance rate", "baseline": 40, "target": 60, "by_week": 8, "agreed_with": SAM},
            {"metric": "meetings created", "baseline": 2, "target": 6, "by_week": 12, "agreed_with": SAM},
        ],
        "length_weeks": 13,
        "decision_rule": "Scale to the next wave if both targets are met; change the playbook and run again if "
                         "only acceptance moves; stop if neither moves against the comparison group.",
    })


def enablement_plan() -> dict:
    return copy.deepcopy({
        "gains": [
            {"practice": "Handoffs as CRM tasks", "gain": "Less time on research: the brief says who engaged and "
                                                           "why, so the first call is better timed."},
            {"practice": "ABM account view", "gain": "Pipeline reviews take minutes, not an afternoon of admin "
                                                      "before the forecast."},
        ],
        "managers": [
            {"manager": SAM, "weekly": "Runs one-to-ones from the ABM account view and asks about every engaged "
                                       "account.", "backup": PRIYA},
        ],
        "tracking": [
            {"practice": "Handoffs as CRM tasks", "metric": "Handoffs first touched within the agreed time",
             "source": "CRM handoff report", "target": 80, "review_date": "2025-04-14"},
            {"practice": "ABM account view", "metric": "Pipeline reviews run from the account view",
             "source": "CRM usage report", "target": 70, "review_date": "2025-04-14"},
        ],
        "training": [
            {"moment": "The first time a rep opens a handoff task in the CRM", "format": "help in the workflow",
             "owner": TOM},
            {"moment": "At the monthly sales meeting after the first pilot win", "format": "peer win story",
             "owner": PRIYA},
        ],
    })


def ai_account_brief() -> dict:
    return copy.deepcopy({
        "account": CORVESSA.id,
        "prompt": "Draft a one-page brief on Corvessa Freight for our sales team, and cite a source for every fact.",
        "claims": [
            {"claim": "Corvessa is a UK freight operator with about 4,000 staff.", "source_type": "account record",
             "source": ""},
            {"claim": "Ravi Kumar is their finance director.", "source_type": "contact", "source": "Ravi Kumar"},
            {"claim": "Jo Marsh joined our depot routing webinar on 2025-02-04.", "source_type": "signal",
             "source": "webinar 2025-02-04"},
            {"claim": "The Leeds routing pilot is worth £80k and sits at proposal.", "source_type": "opportunity",
             "source": "Leeds depot routing pilot"},
            {"claim": "They are opening two depots in the Midlands this year.", "source_type": "web page",
             "source": "https://corvessa.example/news/new-depots"},
        ],
        "checked_by_hand": "I compared each contact and figure with the CRM records, removed an acquisition the tool "
                           "invented, and corrected the staff figure from 5,000 to 4,000.",
    })
