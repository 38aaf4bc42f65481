"""Engagement signals: which signal types show intent, a per-account time index, and when an account is engaged.

Shared by the KPIs and by the qualification and handoff exercises.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime

from lms.abm.snapshot import SignalSnap, WorkspaceSnapshot
from lms.abm.vocabulary import SIGNAL_TYPES

# Signals that show buying intent (module 09's "usually a signal" column): the qualification-rules exercise reads
# a rule that fires on these alone as a hot rule.
HIGH_INTENT_TYPES: frozenset[str] = frozenset(
    {"demo_request", "meeting_request", "pricing_page_visit", "email_reply"}
)
# Module 09's hot rule: "a demo or meeting request from any mapped role at a target account".
HOT_TYPES: frozenset[str] = frozenset({"demo_request", "meeting_request"})
# Light signals (modules 09 and 11): an ad click or a single page view is background, too light to act on alone,
# and never counts towards engagement.
LIGHT_TYPES: frozenset[str] = frozenset({"ad_click", "website_visit"})
LOW_INTENT_TYPES = LIGHT_TYPES  # the older name, kept for callers
# Signals that count towards engagement: every tracked type except the light ones.
QUALIFYING_TYPES: frozenset[str] = frozenset(SIGNAL_TYPES) - LIGHT_TYPES

# Module 12: "Engagement means at least three qualifying signals from at least one known contact" in the window.
DEFAULT_MIN_SIGNALS = 3
DEFAULT_MIN_CONTACTS = 1


class SignalIndex:
    """Signals grouped by (resolved) account and sorted by time; build once per snapshot and share it."""

    def __init__(self, ws: WorkspaceSnapshot) -> None:
        contact_account = {c.id: c.account_id for c in ws.contacts}
        self.known_contacts = frozenset(contact_account)
        by_account: dict[int, list[SignalSnap]] = {}
        for s in ws.signals:
            if not isinstance(s.occurred_at, datetime):
                continue
            acc = s.account_id if s.account_id is not None else contact_account.get(s.contact_id)
            if acc is None:
                continue
            by_account.setdefault(acc, []).append(s)
        for sigs in by_account.values():
            sigs.sort(key=lambda s: s.occurred_at)  # stable: equal times keep snapshot order
        self.by_account = by_account
        self.times = {acc: [s.occurred_at for s in sigs] for acc, sigs in by_account.items()}
        self.total = len(ws.signals)

    def between(self, account_id: int, start: datetime, end: datetime) -> list[SignalSnap]:
        """Return the account's signals with start <= occurred_at < end, oldest first."""
        times = self.times.get(account_id)
        if not times:
            return []
        return self.by_account[account_id][bisect_left(times, start) : bisect_left(times, end)]

    def any_in(self, account_id: int, start: datetime, end: datetime, *, end_inclusive: bool = False) -> bool:
        """Return True when the account has a signal in [start, end) (or [start, end] when end_inclusive)."""
        times = self.times.get(account_id)
        if not times:
            return False
        hi = bisect_right(times, end) if end_inclusive else bisect_left(times, end)
        return hi > bisect_left(times, start)


def signal_account_id(ws: WorkspaceSnapshot, signal: SignalSnap) -> int | None:
    """Return the account a signal belongs to: its own account_id, else its contact's account."""
    if signal.account_id is not None:
        return signal.account_id
    contact = ws.contact(signal.contact_id)
    return contact.account_id if contact else None


def is_engaged(
    signals: Iterable[SignalSnap],
    known_contacts: Iterable[int] | frozenset[int],
    *,
    min_signals: int = DEFAULT_MIN_SIGNALS,
    min_contacts: int = DEFAULT_MIN_CONTACTS,
    high_intent_types: Iterable[str] = (),
    qualifying_types: Iterable[str] | None = QUALIFYING_TYPES,
) -> bool:
    """Return True when these signals (one account, one window) make the account engaged.

    Engaged (module 12, measuring ABM) = at least `min_signals` qualifying signals from known contacts, coming
    from at least `min_contacts` distinct known contacts. Qualifying types default to every type but the light
    ones (ad clicks, page views); None counts every type. Anonymous signals never count: an account-level signal
    is a reason to reach the buying group, not engagement. A team that has agreed a shortcut can pass
    `high_intent_types`: one such signal from a known contact then makes the account engaged on its own.
    """
    high = frozenset(high_intent_types)
    qual = frozenset(qualifying_types) if qualifying_types is not None else None
    known = known_contacts if isinstance(known_contacts, frozenset | set) else frozenset(known_contacts)
    count = 0
    people: set[int] = set()
    for s in signals:
        if s.contact_id not in known:
            continue
        if s.type in high:
            return True
        if qual is None or s.type in qual:
            count += 1
            people.add(s.contact_id)
    return count >= max(1, min_signals) and len(people) >= max(0, min_contacts)
