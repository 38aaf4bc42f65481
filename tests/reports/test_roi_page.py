"""The ROI page: the inputs form (keeps typed values, validates ranges), outcomes from workspaces, figures shown."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from lms.accounts.models import Account, Handoff, Opportunity, Workspace
from lms.extensions import db
from lms.reports.models import ProgrammeCost

GOOD = {"currency": "GBP", "fee_per_seat": "500", "seats": "10", "hours_per_learner": "2", "hourly_cost": "50",
        "coach_costs": "2000", "platform_costs": "2000", "attribution": "0.5", "confidence": "0.8",
        "gross_margin": "0.5", "win_rate": "0.25", "comparison": "baseline", "baseline_start": "",
        "baseline_end": "", "comparison_cohort": ""}


def _workspace(world, cohort, start: datetime) -> Workspace:
    ws = Workspace(organization_id=world.org.id, cohort_id=cohort.id, name=f"{cohort.name} workspace", kind="team",
                   programme_start=start)
    db.session.add(ws)
    db.session.flush()
    return ws


def _opp(ws, amount, created, *, won=None, closed=None, target=True):
    account = Account(organization_id=ws.organization_id, workspace_id=ws.id, name=f"Acme {amount}",
                      is_target=target)
    db.session.add(account)
    db.session.flush()
    db.session.add(Opportunity(organization_id=ws.organization_id, workspace_id=ws.id, account_id=account.id,
                               name="Deal", amount=amount, created_at=created, is_won=won, closed_at=closed))
    return account


def _outcomes(world):
    start = datetime.combine(world.now.date() - timedelta(days=30), datetime.min.time())
    ws = _workspace(world, world.team_a, start)
    _opp(ws, 100_000, start + timedelta(days=1), won=True, closed=start + timedelta(days=5))
    account = _opp(ws, 200_000, start + timedelta(days=2))  # open
    _opp(ws, 999_000, start + timedelta(days=3), target=False)  # not a target account: ignored
    _opp(ws, 70_000, start + timedelta(days=4), won=False, closed=start + timedelta(days=9))  # lost: no value
    _opp(ws, 50_000, start - timedelta(days=5), won=True, closed=start - timedelta(days=1))  # baseline
    db.session.add(Handoff(organization_id=world.org.id, workspace_id=ws.id, account_id=account.id,
                           sent_at=start + timedelta(days=3), meeting_booked=True))
    other = _workspace(world, world.team_b, start)
    _opp(other, 500_000, start + timedelta(days=1), won=True, closed=start + timedelta(days=2))  # other cohort
    db.session.commit()
    return start


def test_missing_inputs_give_a_clear_message(client, auth, world):
    auth.login("manager@northwind.example")
    page = client.get(f"/reports/roi?cohort={world.team_a.id}").get_data(as_text=True)
    assert "Enter the programme fees (fee per seat and seats) to see ROI." in page
    assert "Set the programme start on the cohort&#39;s workspace" in page
    assert "Traceback" not in page


def test_form_keeps_typed_values_and_validates_ranges(client, auth, world):
    auth.login("manager@northwind.example")
    bad = {**GOOD, "attribution": "1.5", "seats": "-3", "fee_per_seat": "abc", "baseline_start": "2026-01-10"}
    response = client.post(f"/reports/roi/{world.team_a.id}/inputs", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a number from 0 to 1." in page and "Enter 0 or more seats." in page
    assert "Not a valid decimal value" in page
    assert "Enter both baseline dates, or leave both empty." in page
    assert 'value="1.5"' in page and 'value="0.8"' in page and 'value="2000"' in page  # typed values kept
    assert db.session.query(ProgrammeCost).count() == 0
    group = {**GOOD, "comparison": "group"}
    assert "Choose the untrained group" in client.post(f"/reports/roi/{world.team_a.id}/inputs",
                                                         data=group).get_data(as_text=True)


def test_roi_with_a_baseline_period(client, auth, world):
    _outcomes(world)
    auth.login("manager@northwind.example")
    response = client.post(f"/reports/roi/{world.team_a.id}/inputs", data=GOOD)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Costs 5,000 + 2 h x 10 x 50 + 2,000 + 2,000 = 10,000. After: won 100,000 + open 200,000 x 0.25 = 150,000;
    # baseline (the 31 days before the start): 50,000. Benefit (150,000 - 50,000) x 0.5 x 0.5 x 0.8 = 20,000.
    assert "£20,000" in page and "£10,000" in page
    assert re.search(r'<span class="value">100%</span> <span class="label">ROI', page)
    assert re.search(r'<span class="value">2.00</span> <span class="label">benefit–cost ratio', page)
    assert "ROI 0% at an attribution factor of 0.25" in page and "ROI 300% at an attribution factor of 1.0" in page
    assert "£370,000" in page  # pipeline created on target accounts after the start (the lost deal included)
    assert "won 100,000.00 + open pipeline 200,000.00 x win rate 0.25" in page
    saved = db.session.query(ProgrammeCost).one()
    assert (saved.cohort_id, saved.attribution, saved.seats) == (world.team_a.id, 0.5, 10)


def test_roi_against_an_untrained_group(client, auth, world):
    _outcomes(world)
    auth.login("manager@northwind.example")
    client.post(f"/reports/roi/{world.team_a.id}/inputs",
                data={**GOOD, "comparison": "group", "comparison_cohort": str(world.team_b.id)})
    page = client.get(f"/reports/roi?cohort={world.team_a.id}").get_data(as_text=True)
    # Team B won 500,000 with 3 learners; Team A has 3: 150,000 - 500,000 < 0, so no benefit is credited.
    assert "no gain is credited to training" in page
    assert re.search(r'<span class="value">-100%</span>', page)


def test_roi_inputs_prefilled_on_return(client, auth, world):
    auth.login("manager@northwind.example")
    client.post(f"/reports/roi/{world.team_a.id}/inputs", data=GOOD)
    page = client.get(f"/reports/roi/{world.team_a.id}/inputs").get_data(as_text=True)
    assert 'value="0.25"' in page and 'value="500' in page
