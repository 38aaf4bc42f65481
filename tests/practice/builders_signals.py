"""Builders for signals, handoffs and opportunities in checker tests, plus the shared KPI fixture and a big workspace.

Accounts, contacts and snapshots come from snapshot_builders; this adds the activity records they lack.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache

from lms.abm.snapshot import (
    AccountSnap,
    ContactSnap,
    HandoffSnap,
    OpportunitySnap,
    SignalSnap,
    WorkspaceSnapshot,
)
from lms.abm.vocabulary import SIGNAL_TYPES
from tests.practice.snapshot_builders import NOW, large_workspace, make_account, make_contact, snapshot

_ids = itertools.count(500_000)


def _account_id(account: AccountSnap | int | None) -> int | None:
    return account.id if isinstance(account, AccountSnap) else account


def make_signal(
    account: AccountSnap | int | None,
    contact: ContactSnap | int | None,
    type: str = "webinar",
    at: datetime | None = None,
    **kw,
) -> SignalSnap:
    """A signal at `account` from `contact` (either may be None) of `type`, occurring `at` (default NOW)."""
    contact_id = contact.id if isinstance(contact, ContactSnap) else contact
    return SignalSnap(
        id=kw.pop("id", None) or next(_ids),
        account_id=_account_id(account),
        contact_id=contact_id,
        type=type,
        occurred_at=at or NOW,
        **kw,
    )


def make_handoff(account: AccountSnap | int, contact: ContactSnap | int | None, **kw) -> HandoffSnap:
    """A complete, accepted handoff sent an hour before NOW and touched within its 4-hour SLA; override with keywords."""
    contact_id = contact.id if isinstance(contact, ContactSnap) else contact
    name = account.name if isinstance(account, AccountSnap) else "the account"
    sent = kw.pop("sent_at", NOW - timedelta(hours=3))
    fields = {
        "signal_id": None,
        "contact_role": "finance",
        "buying_group_relevance": "Holds the budget for planning software and signs off the business case",
        "engagement_summary": "Requested a demo on Monday after two colleagues read the route planning guide",
        "qualification_level": "hot",
        "recommended_follow_up": (
            f"Thank them for the demo request, then offer a 30-minute call on how {name} could cut route "
            "planning time across the two new depots before the peak season starts."
        ),
        "sales_owner": "Priya Shah",
        "sla_hours": 4,
        "first_touch_at": sent + timedelta(hours=1) if isinstance(sent, datetime) else None,
        "status": "accepted",
    }
    fields.update(kw)
    return HandoffSnap(
        id=fields.pop("id", None) or next(_ids),
        account_id=_account_id(account),
        contact_id=contact_id,
        sent_at=sent,
        **fields,
    )


def make_opportunity(account: AccountSnap | int, amount: float | None = 10_000, **kw) -> OpportunitySnap:
    """An opportunity at `account`; created a month before NOW unless overridden."""
    fields = {"name": "New business", "created_at": NOW - timedelta(days=30), "source": "abm"}
    fields.update(kw)
    return OpportunitySnap(
        id=fields.pop("id", None) or next(_ids), account_id=_account_id(account), amount=amount, **fields
    )


# --- the KPI fixture: hand-computed figures for the window Q4 2024 (the last full quarter before NOW) ----------

Q4_START = datetime(2024, 10, 1)
Q4_END = datetime(2025, 1, 1)


def kpi_workspace(**overrides) -> WorkspaceSnapshot:
    """A small workspace whose Q4 2024 KPIs are worked out by hand in tests/practice/test_kpis.py."""
    a1 = make_account(id=1, name="Alder Freight", tier="1:1")
    a2 = make_account(id=2, name="Birch Logistics", tier="1:few")
    a3 = make_account(id=3, name="Cedar Haulage", tier="1:many")
    a4 = make_account(id=4, name="Damson Transport", tier="1:many")
    a5 = make_account(id=5, name="Elm Carriers", is_target=False)
    a6 = make_account(id=6, name="Fir Couriers", tier=None)
    c11 = make_contact(a1, "senior_decision_maker", id=11)
    c12 = make_contact(a1, "champion", id=12)
    c21 = make_contact(a2, "senior_decision_maker", "functional_owner", id=21)
    c22 = make_contact(a2, "technical_evaluator", "finance", id=22)
    c41 = make_contact(a4, "senior_decision_maker", id=41)
    c51 = make_contact(a5, "finance", id=51)
    c98 = make_contact(777, "user", id=98)  # linked to an account that is not in the workspace
    c99 = make_contact(None, "user", id=99)  # not matched to any account
    meeting = make_signal(a1, c11, "meeting_request", datetime(2024, 12, 10), id=105)
    signals = (
        make_signal(a1, c11, "webinar", datetime(2024, 10, 5), id=101),
        make_signal(a1, c12, "content_download", datetime(2024, 11, 1), id=102),
        meeting,
        make_signal(a2, None, "pricing_page_visit", datetime(2024, 12, 1), id=201),
        make_signal(a3, None, "ad_click", datetime(2024, 11, 15), id=301),
        make_signal(a4, c41, "webinar", datetime(2024, 9, 1), id=400),  # before the window
        make_signal(a4, c41, "website_visit", datetime(2024, 10, 10), id=401),
        make_signal(None, c41, "ad_click", datetime(2024, 12, 20), id=402),  # account from the contact
        make_signal(a4, c41, "meeting_request", datetime(2024, 11, 20), id=403),
        make_signal(a5, c51, "demo_request", datetime(2024, 11, 1), id=501),  # not a target
        make_signal(a5, c51, "meeting_request", datetime(2024, 11, 2), id=502),  # not a target
    )
    handoffs = (
        make_handoff(
            a1,
            c11,
            id=1,
            signal_id=105,
            sent_at=datetime(2024, 10, 10, 9),
            sla_hours=4,
            first_touch_at=datetime(2024, 10, 10, 11),
            status="accepted",
            meeting_booked=True,
        ),
        make_handoff(
            a2,
            c21,
            id=2,
            sent_at=datetime(2024, 11, 1, 9),
            sla_hours=24,
            first_touch_at=datetime(2024, 11, 2, 15),
            status="accepted",
            meeting_booked=True,
        ),
        make_handoff(
            a4,
            c41,
            id=3,
            sent_at=datetime(2024, 12, 1, 9),
            sla_hours=24,
            first_touch_at=None,
            status="rejected",
            rejection_reason="light_signal",
        ),
        make_handoff(
            a1,
            c12,
            id=4,
            sent_at=datetime(2024, 12, 30, 12),
            sla_hours=72,
            first_touch_at=datetime(2024, 12, 31, 12),
            status="sent",
        ),
        make_handoff(
            a2,
            c22,
            id=5,
            sent_at=datetime(2024, 9, 30, 20),
            sla_hours=None,
            first_touch_at=datetime(2024, 10, 1, 10),
            status="accepted",
        ),
    )
    opportunities = (
        make_opportunity(a1, 100_000, id=1, created_at=datetime(2024, 11, 15), source="abm"),
        make_opportunity(a2, 50_000, id=2, created_at=datetime(2024, 10, 20), source="ABM "),
        make_opportunity(a3, 30_000, id=3, created_at=datetime(2024, 12, 20), source="sales"),
        make_opportunity(a5, 70_000, id=4, created_at=datetime(2024, 11, 1), source="abm"),
        make_opportunity(
            a4,
            20_000,
            id=5,
            created_at=datetime(2024, 8, 1),
            source="abm",
            is_won=True,
            closed_at=datetime(2024, 11, 30),
        ),
        make_opportunity(
            a1,
            40_000,
            id=6,
            created_at=datetime(2024, 7, 1),
            source="sales",
            is_won=True,
            closed_at=datetime(2025, 1, 15),
        ),
        make_opportunity(a6, None, id=7, created_at=datetime(2024, 12, 1), source="abm"),
    )
    ws = snapshot(
        [a1, a2, a3, a4, a5, a6],
        [c11, c12, c21, c22, c41, c51, c98, c99],
        signals=signals,
        handoffs=handoffs,
        opportunities=opportunities,
    )
    return replace(ws, _by_id={}, **overrides) if overrides else ws


# --- a big workspace for the scale runs -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def large_activity_workspace(
    n_accounts: int = 5000, n_signals: int = 50_000, n_handoffs: int = 5000
) -> WorkspaceSnapshot:
    """snapshot_builders.large_workspace plus signals, handoffs and opportunities spread over the last 200 days."""
    ws = large_workspace(n_accounts)
    contacts_by_account: dict[int, list[int]] = {}
    for c in ws.contacts:
        if c.account_id is not None:
            contacts_by_account.setdefault(c.account_id, []).append(c.id)
    signals = []
    for i in range(n_signals):
        acc = (i * 7919) % n_accounts + 1
        people = contacts_by_account.get(acc) or [None]
        contact = people[i % len(people)] if i % 5 else None
        at = NOW - timedelta(hours=(i * 37) % (200 * 24))
        signals.append(
            SignalSnap(
                id=i + 1,
                account_id=acc if i % 9 else None if contact else acc,
                contact_id=contact,
                type=SIGNAL_TYPES[(i * 3) % len(SIGNAL_TYPES)],
                occurred_at=at,
                topic=("route planning", "fleet costs", None)[i % 3],
                followed_up_at=at + timedelta(hours=(i % 6) * 12) if i % 4 else None,
            )
        )
    handoffs = []
    statuses = ("sent", "accepted", "rejected")
    reasons = ("wrong_account", "weak_role", "poor_timing", "light_signal", "missing_context", None)
    for i in range(n_handoffs):
        s = signals[(i * 10) % n_signals]
        acc = s.account_id or (i % n_accounts) + 1
        people = contacts_by_account.get(acc) or [None]
        status = statuses[i % 3]
        sent = s.occurred_at + timedelta(hours=2)
        handoffs.append(
            HandoffSnap(
                id=i + 1,
                account_id=acc,
                contact_id=people[i % len(people)] if i % 13 else None,
                signal_id=s.id,
                sent_at=sent,
                contact_role="finance" if i % 4 else None,
                buying_group_relevance="Signs off the budget for the new planning tool" if i % 5 else None,
                engagement_summary="Two webinars and a pricing page visit in the last fortnight"
                if i % 6
                else "",
                qualification_level=("hot", "warm")[i % 2],
                recommended_follow_up=(
                    f"Offer Company {acc} a short call on route planning for their depots, with the cost model "
                    "their finance team asked about last week."
                    if i % 7
                    else "Call them"
                ),
                sales_owner="Sam" if i % 11 else None,
                sla_hours=(4, 24, 48, None)[i % 4],
                first_touch_at=sent + timedelta(hours=(i % 8) * 6) if i % 3 else None,
                status=status,
                rejection_reason=reasons[i % 6] if status == "rejected" else None,
                sales_feedback="Too early for them" if status == "rejected" and i % 2 else None,
                meeting_booked=i % 10 == 0,
            )
        )
    opportunities = [
        OpportunitySnap(
            id=i + 1,
            account_id=(i * 13) % n_accounts + 1,
            name=f"Deal {i}",
            amount=float(5000 + (i * 991) % 90_000),
            created_at=NOW - timedelta(days=(i * 3) % 200),
            closed_at=NOW - timedelta(days=(i * 5) % 100) if i % 3 == 0 else None,
            is_won=True if i % 6 == 0 else (False if i % 3 == 0 else None),
            source=("abm", "sales", None)[i % 3],
        )
        for i in range(n_accounts // 2)
    ]
    return replace(
        ws, signals=tuple(signals), handoffs=tuple(handoffs), opportunities=tuple(opportunities), _by_id={}
    )
