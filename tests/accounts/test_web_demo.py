"""The demo workspace loader: the fixture CSVs through the import services, idempotent, programme start set."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from lms.abm.coverage import coverage
from lms.accounts.demo import load_demo_workspace
from lms.accounts.models import Account, Contact, Handoff, ImportBatch, Opportunity, Signal
from lms.accounts.workspaces import build_snapshot
from lms.extensions import db
from lms.tracking.models import Statement
from tests.accounts.web_support import count, make_team, text

SIZES = {Account: 45, Contact: 187, Signal: 330, Opportunity: 44, Handoff: 28}


def test_the_demo_loads_every_file_and_sets_the_programme_start(app):
    team = make_team()
    ws = team.workspace()
    results = load_demo_workspace(ws, team.marketing)
    db.session.commit()

    assert {m: count(m, ws.id) for m in SIZES} == SIZES
    assert results["contacts"]["merged"] == 3  # the people entered twice
    assert all(r["rejected"] == 0 for r in results.values())
    assert ws.programme_start == datetime(2026, 1, 5)
    assert [s.verb for s in db.session.scalars(select(Statement))] == ["imported"] * 5


def test_loading_the_demo_twice_changes_nothing(app):
    team = make_team()
    ws = team.workspace()
    load_demo_workspace(ws, team.marketing)
    db.session.commit()
    stamps = sorted((c.id, c.updated_at, tuple(c.roles)) for c in db.session.scalars(select(Contact)))

    again = load_demo_workspace(ws, team.marketing)
    db.session.commit()
    assert all(r["new"] == 0 and r["updated"] == 0 for r in again.values()), again
    assert {m: count(m, ws.id) for m in SIZES} == SIZES
    assert sorted((c.id, c.updated_at, tuple(c.roles)) for c in db.session.scalars(select(Contact))) == stamps
    assert count(ImportBatch) == 5 and count(Statement) == 5


def test_the_demo_has_the_roles_gaps_and_verdicts_exercises_look_for(app):
    team = make_team()
    ws = team.workspace()
    load_demo_workspace(ws, team.marketing)
    snapshot = build_snapshot(ws)

    roles = Counter(r for c in snapshot.contacts for r in c.roles)
    assert roles["champion"] == 2 and roles["blocker"] == 1  # only from the CRM role column
    # The demo file's sales verdicts are not imported: the learner has to get the list signed off.
    assert {(a.sales_agreed, a.sales_agreed_via) for a in snapshot.accounts} == {(None, None)}
    one_to_one = [a for a in snapshot.accounts if a.tier == "1:1"]
    gaps = [a.name for a in one_to_one if coverage(a, snapshot.contacts_of(a.id)) < 1]
    assert 1 <= len(gaps) < len(one_to_one)
    assert all(s.account_id for s in snapshot.signals)
    assert sum(1 for h in snapshot.handoffs if h.signal_id is None) == 0


def test_the_demo_workspace_shows_on_the_pages(app, client, auth):
    team = make_team()
    load_demo_workspace(team.workspace(), team.marketing)
    db.session.commit()
    auth.login(team.sales.email)
    assert "45 Accounts" in text(client.get("/workspace"))
    assert "Fernhollow Labs plc" in text(client.get("/workspace/accounts?q=fernhollow"))
