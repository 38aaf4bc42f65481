"""An honest sales-handoff workspace for the checker and gaming tests: two qualified target accounts, each handed
to sales with a specific brief, a named owner and backup, an SLA that fits the rule and a first touch in time."""

from __future__ import annotations

from datetime import timedelta

from tests.practice.builders_signals import make_handoff, make_signal
from tests.practice.snapshot_builders import NOW, make_account, make_contact, snapshot

ALDER = make_account(id=1, name="Alder Freight", industry="Freight forwarding",
                     why_selected="Opening a second cross-dock hub in Leeds next spring; its freight planners use spreadsheets")
BIRCH = make_account(id=2, name="Birch Logistics", industry="Cold chain",
                     why_selected="New COO hired from a customer; 3 depots moving to a single planning team")
INES = make_contact(ALDER, "functional_owner", id=11, first_name="Ines", last_name="Cole",
                    title="Head of Network Operations")
DANA = make_contact(ALDER, "senior_decision_maker", id=12, first_name="Dana", last_name="Mercer", title="COO")
RAVI = make_contact(BIRCH, "finance", id=21, first_name="Ravi", last_name="Shah", title="Financial Controller")
OMAR = make_contact(BIRCH, "technical_evaluator", id=22, first_name="Omar", last_name="Nyberg", title="IT Director")
MAYA = make_contact(BIRCH, "functional_owner", id=23, first_name="Maya", last_name="Lund",
                    title="Director of Operations")

DEMO = make_signal(ALDER, INES, "demo_request", NOW - timedelta(days=3), id=101, topic="load planning")
WARM = (  # Birch: 3 signals from 3 mapped roles (one a functional owner) within 14 days: the module's warm rule
    make_signal(BIRCH, RAVI, "content_download", NOW - timedelta(days=12), id=201, topic="cold chain costs"),
    make_signal(BIRCH, OMAR, "webinar", NOW - timedelta(days=9), id=202, topic="integration"),
    make_signal(BIRCH, MAYA, "pricing_page_visit", NOW - timedelta(days=6), id=203),
)

ALDER_BRIEF = {
    "contact_role": "functional_owner", "qualification_level": "hot", "sla_hours": 1,
    "buying_group_relevance": "Ines runs the planning team and briefs Dana Mercer, the COO, who signs off",
    "engagement_summary": "Ines requested a demo on load planning three days ago after reading the hub guide",
    "recommended_follow_up": "Ines, thanks for asking for a demo on load planning: could we show your team how Alder "
                             "Freight would plan nightly loads across both hubs once the Leeds site opens?",
    "sales_owner": "Sam Reyes (backup: Lin Osei)",
}
BIRCH_BRIEF = {
    "contact_role": "finance", "qualification_level": "warm (3 signals, 3 roles, 14 days)", "sla_hours": 24,
    "buying_group_relevance": "Ravi holds the budget; Maya owns operations and Omar evaluates the integration",
    "engagement_summary": "Ravi read the cold chain cost guide, Omar joined the webinar, Maya viewed pricing",
    "recommended_follow_up": "Ravi, your colleagues at Birch Logistics have looked at cold chain costs and pricing "
                             "this fortnight: may I send a payback model built on your three depots?",
    "sales_owner": "Priya Shah (backup: Tom Reed)",
}


def alder_handoff(**kw):
    """The honest handoff of Alder's demo request, sent an hour after it and touched within the hour."""
    sent = kw.pop("sent_at", DEMO.occurred_at + timedelta(hours=1))
    fields = {**ALDER_BRIEF, "signal_id": DEMO.id, "sent_at": sent, "first_touch_at": sent + timedelta(minutes=40)}
    return make_handoff(ALDER, kw.pop("contact", INES), id=kw.pop("id", 1), **{**fields, **kw})


def birch_handoff(**kw):
    """The honest handoff of Birch's warm build-up, sent the day after it qualified and touched the same day."""
    sent = kw.pop("sent_at", WARM[-1].occurred_at + timedelta(days=1))
    fields = {**BIRCH_BRIEF, "signal_id": WARM[-1].id, "sent_at": sent, "first_touch_at": sent + timedelta(hours=5)}
    return make_handoff(BIRCH, kw.pop("contact", RAVI), id=kw.pop("id", 2), **{**fields, **kw})


def honest_workspace(handoffs=None, signals=None, **kw):
    """The honest workspace; replace its handoffs or signals, or pass snapshot keywords (answers, kind, team)."""
    return snapshot([ALDER, BIRCH], [INES, DANA, RAVI, OMAR, MAYA],
                    signals=tuple(signals if signals is not None else (DEMO, *WARM)),
                    handoffs=tuple(handoffs if handoffs is not None else (alder_handoff(), birch_handoff())), **kw)
