"""A large generated workspace for the exercise checkers, and a full answer for each exercise over it.

The checker benchmark (tests/benchmarks/bench_checkers.py) times every checker on the 5,000-account workspace;
tests/practice/test_checkers_at_scale.py runs every checker on smaller ones of the same shape.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

from lms.abm.snapshot import (
    AccountSnap,
    ContactSnap,
    HandoffSnap,
    OpportunitySnap,
    SignalSnap,
    WorkspaceSnapshot,
)
from lms.abm.vocabulary import BUYING_ROLES, REJECTION_REASONS, SIGNAL_TYPES

ACCOUNTS = 5000
CONTACTS_PER_ACCOUNT = 8
NOW = datetime(2026, 11, 15, 9, 0)
TIERS = ("1:1", "1:few", "1:few", "1:many", "1:many", "1:many", "1:many", "1:many")


def big_workspace(n_accounts: int = ACCOUNTS) -> WorkspaceSnapshot:
    """`n_accounts` (5,000) accounts with ~8 contacts each (~40,000), ~20,000 signals over a year, 2,500 opportunities and 1,500
    handoffs; a realistic mix of tiers, gaps, duplicates, personal emails and unlinked contacts."""
    accounts, contacts, signals, opportunities, handoffs = [], [], [], [], []
    cid = sid = 0
    for i in range(1, n_accounts + 1):
        domain = f"company{i}.example"
        accounts.append(AccountSnap(
            id=i, name=f"Company {i} Ltd", domain=domain, website=f"https://www.{domain}", industry="Logistics",
            employees=200 + i % 5000, region="United Kingdom", is_target=i % 9 != 0,
            tier=TIERS[i % len(TIERS)] if i % 13 else None, icp_fit=(i * 7) % 101,
            icp_reasons="Mid-market logistics firm with manual route planning across depots" if i % 3 else "big",
            why_selected="Opening two depots this year and hiring a head of network planning" if i % 4 else None,
            sales_owner="Priya Shah" if i % 5 else None, marketing_owner="Tom Reed",
            progress_definition="Meeting with the operations director booked this quarter" if i % 6 else None,
            sales_agreed=(True, True, None, False)[i % 4],
            sales_disagree_reason="Existing supplier on a three-year contract" if i % 4 == 3 else None))
        first = cid + 1
        for j in range(CONTACTS_PER_ACCOUNT + i % 3 - 1):
            cid += 1
            email = f"person{cid}@{domain}"
            if cid % 97 == 0:
                email = f"person{cid}@gmail.com"
            elif cid % 89 == 0:
                email = "not-an-email"
            elif cid % 83 == 0:
                email = f"person{cid - 1}@{domain}"
            contacts.append(ContactSnap(
                id=cid, account_id=i if cid % 61 else None, first_name=f"First{cid}", last_name=f"Last{cid}",
                email=email, title="Director of Operations" if cid % 17 else None,
                roles=(BUYING_ROLES[(i + j) % len(BUYING_ROLES)],) if j % 7 else ()))
        for k in range(4):
            sid += 1
            signals.append(SignalSnap(
                id=sid, account_id=i, contact_id=first + k, type=SIGNAL_TYPES[(i + k) % len(SIGNAL_TYPES)],
                occurred_at=NOW - timedelta(days=(i * 7 + k * 11) % 365, hours=k),
                followed_up_at=NOW - timedelta(days=(i * 7 + k * 11) % 365) if (i + k) % 3 else None))
        if i % 2 == 0:
            opportunities.append(OpportunitySnap(
                id=i, account_id=i, name=f"Company {i} routing", stage="Proposal", amount=25_000.0 + i,
                created_at=NOW - timedelta(days=i % 300), closed_at=NOW - timedelta(days=i % 30) if i % 6 == 0 else None,
                is_won=True if i % 12 == 0 else None, source="abm" if i % 4 == 0 else "inbound"))
        if i % 10 < 3:
            status = ("sent", "accepted", "rejected")[i % 3]
            handoffs.append(HandoffSnap(
                id=i, account_id=i, contact_id=first, signal_id=sid, sent_at=NOW - timedelta(days=i % 60),
                contact_role="finance", buying_group_relevance="Signs off the budget for the routing project",
                engagement_summary="Downloaded the payback guide and visited pricing twice this week",
                qualification_level="hot", recommended_follow_up=(
                    "Call about the payback guide and offer a route-cost review for their two new depots"),
                sales_owner="Priya Shah", sla_hours=24, first_touch_at=NOW - timedelta(days=i % 60) + timedelta(hours=30),
                status=status, rejection_reason=REJECTION_REASONS[i % 5] if status == "rejected" else None,
                sales_feedback="Too early: they are mid-tender" if status == "rejected" else None,
                meeting_booked=status == "accepted"))
    return WorkspaceSnapshot(name="Benchmark workspace", now=NOW, accounts=tuple(accounts), contacts=tuple(contacts),
                             signals=tuple(signals), opportunities=tuple(opportunities), handoffs=tuple(handoffs),
                             programme_start=NOW - timedelta(days=200))


def answers(ws: WorkspaceSnapshot) -> dict[str, dict]:
    """A full, plausible answer for each exercise that has a form, over the benchmark workspace."""
    few = [a.id for a in ws.accounts if a.tier == "1:few" and a.is_target][:20]
    one = next(a for a in ws.accounts if a.tier == "1:1" and a.is_target and ws.contacts_of(a.id))
    people = ws.contacts_of(one.id)
    elsewhere = [c for c in ws.contacts[100:700:60] if c.account_id != one.id]  # at other accounts
    roles = ("finance", "technical_evaluator", "senior_decision_maker", "functional_owner")
    team = ("Priya Shah", "Tom Reed", "Lin Osei")
    return {
        "account-plan": {
            "account": one.id, "plan_owner": "Priya Shah", "backup_owner": "Tom Reed",
            "insight": f"{one.name} is opening two depots this year and hiring a head of network planning, "
                       "https://example.com/news/depots",
            "problem": "Manual route planning across depots costs them fuel and missed delivery slots every week",
            "capability": "Our routing engine plans multi-depot routes in minutes with live traffic data",
            "outcome": "Cut fuel cost per drop by 8% within two quarters",
            "relationships": [
                {"contact": c.email, "role": role, "strength": "met once", "owner": team[n % 3],
                 "next_action": f"Invite {c.first_name} to the route-cost review in week {n + 2}"}
                for n, (c, role) in enumerate(zip((*people[:4], *elsewhere[:4]),
                                                  (*roles, "champion", "user", "procurement", "influencer"),
                                                  strict=False))]
            + [{"contact": "Nobody We Know", "role": "finance", "owner": "Tom Reed", "next_action": "Find them"}],
            "next_90_days": [{"week": float(w), "side": ("sales", "marketing")[w % 2], "owner": team[w % 3],
                              "action": f"Depot review step {w}: share the route-cost model with the planners",
                              "outcome": "Meeting booked with the finance director"} for w in range(1, 9)]},
        "ai-account-brief": {
            "account": one.id, "prompt": f"Write a brief on {one.name} and cite a source for every fact",
            "checked_by_hand": "I compared each figure with the account record and removed one wrong date",
            "claims": [
                {"claim": f"{one.name} employs {one.employees} people", "source_type": "account record", "source": ""},
                {"claim": f"{people[0].first_name} runs operations there", "source_type": "contact",
                 "source": people[0].email},
                {"claim": "They asked for a demo recently", "source_type": "signal", "source": "demo request"},
                {"claim": "An opportunity for routing is open", "source_type": "opportunity",
                 "source": f"{one.name} routing"},
                {"claim": "They announced two new depots", "source_type": "web page",
                 "source": "https://example.com/news/depots"}]},
        "buying-committee-map": {"accounts": [], "required_1_1": [], "required_1_few": [], "required_1_many": []},
        "campaign-plan": {"tier": "1:few", "accounts": [{"account": a} for a in few], "steps": [
            {"week": float(w), "channel": ("email", "linkedin", "webinar", "phone", "sales_meeting")[w % 5],
             "owner": ("marketing", "sales", "sdr", "both")[w % 4], "roles": list(roles[: 1 + w % 4]),
             "action": "Send the finance lead the payback one-pager with a personal note"} for w in range(1, 13)]},
        "enablement-plan": {
            "gains": [{"practice": "Signals", "gain": "Reps see which accounts are in market this week"},
                      {"practice": "Briefs", "gain": "Reps open a call knowing who engaged and with what"}],
            "managers": [{"manager": "Priya Shah", "weekly": "Reviews each rep's handoffs in their one-to-one",
                          "backup": "Lin Osei"}],
            "tracking": [{"practice": "Signals", "metric": "handoffs accepted", "source": "CRM report",
                          "target": 60.0, "review_date": "2027-01-15"},
                         {"practice": "Briefs", "metric": "briefs opened before the call", "source": "LMS",
                          "target": 80.0, "review_date": "2027-01-15"}],
            "training": [{"moment": "Before a rep's first handoff", "format": "bite-size unit", "owner": "Tom Reed"},
                         {"moment": "Monthly, after the pipeline review", "format": "peer win story",
                          "owner": "Priya Shah"}]},
        "measurement-plan": {"window_start": "2026-07-01", "window_end": "2026-09-30", "targets": [
            {"kpi": kpi, "target": target, "owner": owner, "review": review} for kpi, target, owner, review in (
                ("engagement_rate", 0.4, "marketing", "weekly"), ("buying_group_coverage", 0.7, "both", "monthly"),
                ("sales_acceptance_rate", 0.6, "sales", "weekly"), ("follow_up_sla", 0.9, "sales", "weekly"),
                ("pipeline_sourced", 2_000_000.0, "both", "quarterly"))]},
        "operating-agreement": {
            "raci": [{"activity": activity, "responsible": "Tom Reed", "accountable": "Priya Shah",
                      "backup": "Lin Osei", "consulted": "Tom Reed", "informed": "Lin Osei"} for activity in (
                "target account list", "buying-group mapping", "campaign", "signal follow-up",
                "handoff acceptance", "reporting")],
            "cadence": [{"meeting": meeting, "frequency": frequency, "chair": "Priya Shah", "decides": decides}
                        for meeting, frequency, decides in (
                            ("account review", "weekly", "Which accounts get a sales touch this week"),
                            ("programme review", "monthly", "Budget and the tiering of the list"),
                            ("list review", "quarterly", "Which accounts join or leave the list"))],
            "escalation_trigger": "A handoff misses its response time twice in a week",
            "escalation_to": "Lin Osei", "escalation_days": 3.0},
        "pilot-design": {
            "reps": [{"rep": "Priya Shah", "why": "Runs the most 1:few accounts and keeps her CRM current"},
                     {"rep": "Lin Osei", "why": "New to the territory, so the playbook is tested on fresh accounts"}],
            "pilot_accounts": [{"account": a, "rep": ("Priya Shah", "Lin Osei")[n % 2]} for n, a in enumerate(few[:8])],
            "comparison": [{"account": a} for a in few[8:16]],
            "criteria": [{"metric": metric, "baseline": base, "target": target, "by_week": 12.0,
                          "agreed_with": "Priya Shah"} for metric, base, target in (
                ("sales acceptance rate", 40.0, 60.0), ("meetings created", 4.0, 10.0))],
            "length_weeks": 12.0,
            "decision_rule": "Scale if acceptance reaches 60%, change the playbook between 45% and 60%, stop below"},
        "qualification-rules": {"rules": [
            {"name": "Hot hand-raisers", "signal_types": ["demo_request", "meeting_request", "pricing_page_visit"],
             "min_signals": 1.0, "window_days": 7.0, "min_contacts": 1.0, "roles": [], "tiers": [], "owner": "sales",
             "response_hours": 4.0},
            {"name": "Build-up", "signal_types": ["content_download", "webinar", "website_visit", "email_reply"],
             "min_signals": 3.0, "window_days": 30.0, "min_contacts": 2.0, "roles": [], "tiers": ["1:1", "1:few"],
             "owner": "sdr", "response_hours": 24.0}]},
        "role-messaging": {"messages": [
            {"account": a, "role": r, "channel": "email", "subject": "Routing costs",
             "message": f"Company {a} Ltd could cut routing costs by a fifth: here is the payback case for {r}."}
            for a in few[:5] for r in roles]},
        "sales-feedback-loop": {"changes": [
            {"reason": reason, "owner": "marketing", "due_week": float(n + 1),
             "change": "Raise the qualification threshold for light signals and add context on the account to "
                       "every brief, then check acceptance weekly"} for n, reason in enumerate(REJECTION_REASONS)]},
    }


# Words for reasons of their own: a few hundred of the trade's, and a couple of thousand made of syllables that
# stand for the names, places and products a real list is full of (so two texts share words as real ones do).
_SYLLABLES = ("ra", "to", "ne", "mi", "ka", "lu", "so", "de", "vi", "po", "ter", "lan", "mor", "sen", "dal", "fi",
              "gro", "ha", "jun", "ke", "ly", "mas", "nor", "pe", "qui", "ros", "sta", "tu", "ul", "ve", "wen", "zen",
              "bri", "cal", "dor", "el", "fen", "gar", "hol", "ist", "jor", "kel", "lor", "mun", "nid", "ord")
WORDS = ("depot", "routing", "fleet", "budget", "hiring", "planner", "warehouse", "tender", "carrier", "invoice",
         "freight", "network", "customs", "expansion", "merger", "pricing", "renewal", "contract", "emissions",
         "electric", "vans", "cold", "chain", "pharma", "retail", "grocery", "parcel", "returns", "automation",
         "robotics", "forecast", "drivers", "overtime", "telematics", "yard", "slots", "backhaul") + tuple(
    a + b for a in _SYLLABLES for b in _SYLLABLES)


def own_reasons(ws: WorkspaceSnapshot, seed: int = 16) -> WorkspaceSnapshot:
    """The workspace with a reason of its own on every account and a brief of its own on every handoff: no two
    texts alike, one in fifty a near copy of an earlier one (a word changed), as a careful learner's list."""
    rnd = random.Random(seed)

    def text(kind: str, n: int) -> str:
        return f"{kind} {n}: " + " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(7, 16)))

    def near(earlier: str) -> str:
        words = earlier.split()
        words[rnd.randrange(2, len(words))] = rnd.choice(WORDS)
        return " ".join(words)

    accounts, briefs = [], {}
    for n, a in enumerate(ws.accounts):
        why, icp, progress = (text(kind, n) for kind in ("Trigger", "Evidence", "By Q3 2027"))
        if n % 50 == 49:
            why, icp = near(accounts[-1].why_selected), near(accounts[-1].icp_reasons)
        accounts.append(dataclasses.replace(a, why_selected=why, icp_reasons=icp, progress_definition=progress))
    for n, h in enumerate(ws.handoffs):
        briefs[h.id] = dataclasses.replace(h, buying_group_relevance=text("Role", n),
                                           engagement_summary=text("Engaged", n),
                                           recommended_follow_up=text("Call about", n) + " " + text("then", n))
    return dataclasses.replace(ws, accounts=tuple(accounts), handoffs=tuple(briefs.values()), _by_id={})
