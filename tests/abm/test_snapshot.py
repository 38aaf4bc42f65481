"""The workspace snapshot's look-ups: each answers what a scan of the records would, built once per snapshot."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from lms.abm.snapshot import (
    AccountSnap,
    ContactSnap,
    HandoffSnap,
    OpportunitySnap,
    SignalSnap,
    WorkspaceSnapshot,
)

NOW = datetime(2026, 11, 16)


def workspace() -> WorkspaceSnapshot:
    accounts = (AccountSnap(1, "Acme"), AccountSnap(2, "Brill", is_target=False), AccountSnap(3, "Corvessa"),
                AccountSnap(1, "Acme (imported twice)"))
    contacts = tuple(ContactSnap(10 + n, (1, 2, None, 1, 3)[n % 5], f"Jo{n}", "Okafor") for n in range(12))
    signals = tuple(SignalSnap(20 + n, (1, None, 3, 1)[n % 4], 10 + n, "webinar", NOW) for n in range(9))
    opportunities = (OpportunitySnap(30, 3, "Depots"), OpportunitySnap(31, 1, "Routing"),
                     OpportunitySnap(32, 3, "Fleet"))
    handoffs = (HandoffSnap(40, 1, 10, None, NOW), HandoffSnap(41, 3, 12, None, NOW), HandoffSnap(42, 1, 13, None, NOW))
    return WorkspaceSnapshot("w", NOW, accounts=accounts, contacts=contacts, signals=signals,
                             opportunities=opportunities, handoffs=handoffs)


def test_each_look_up_gives_the_records_a_scan_gives_in_snapshot_order():
    ws = workspace()
    for account_id in (1, 2, 3, None, 99):
        assert ws.contacts_of(account_id) == tuple(c for c in ws.contacts if c.account_id == account_id)
        assert ws.signals_of(account_id) == tuple(s for s in ws.signals if s.account_id == account_id)
        assert ws.opportunities_of(account_id) == tuple(o for o in ws.opportunities if o.account_id == account_id)
        assert ws.handoffs_of(account_id) == tuple(h for h in ws.handoffs if h.account_id == account_id)
    assert ws.targets == (ws.accounts[0], ws.accounts[2], ws.accounts[3])
    assert ws.account(1).name == "Acme (imported twice)"  # the last of two records with one id, as before
    assert ws.contact(13) == ws.contacts[3] and ws.account(99) is None and ws.contact(None) is None


def test_a_replaced_snapshot_answers_from_its_own_records():
    ws = workspace()
    assert len(ws.contacts_of(1)) == 5 and len(ws.signals_of(1)) == 5 and ws.account(2).name == "Brill"
    # dataclasses.replace hands the new snapshot the same cache: it must not answer from the old records.
    fewer = dataclasses.replace(ws, contacts=ws.contacts[:3], signals=ws.signals[:1],
                                accounts=(AccountSnap(2, "Brill Devices"),), opportunities=(), handoffs=())
    assert fewer.contacts_of(1) == (ws.contacts[0],) and fewer.signals_of(1) == (ws.signals[0],)
    assert fewer.account(2).name == "Brill Devices" and fewer.targets == (fewer.accounts[0],)
    assert fewer.contact(13) is None and fewer.opportunities_of(3) == () and fewer.handoffs_of(1) == ()
    assert len(ws.contacts_of(1)) == 5 and ws.account(2).name == "Brill"  # and the first still answers from its own


def test_a_contact_is_named_by_the_parts_of_the_name_that_are_set():
    assert ContactSnap(1, None, "Jo", "Okafor").name == "Jo Okafor"
    assert ContactSnap(1, None, None, "Okafor").name == "Okafor"
    assert ContactSnap(1, None, "Jo", "").name == "Jo"
    assert ContactSnap(1, None, "", None, email="jo@acme.example").name == "jo@acme.example"
    assert ContactSnap(7, None).name == "contact 7"
