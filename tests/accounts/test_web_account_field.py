"""The account of a contact, signal or opportunity, picked on its form at any workspace size: a select box of a few
accounts, or past picks.SELECT_MAX a name typed with one list to pick from (3,000 options made the form 154 KB)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select

from lms.accounts import picks
from lms.accounts.models import Account, Contact, Opportunity, Signal
from lms.extensions import db
from tests.accounts.web_support import make_team, text


@pytest.fixture
def team(app, auth):
    team = make_team()
    auth.login(team.marketing.email)
    return team


def _accounts(team) -> dict[str, Account]:
    ws = team.workspace()
    made = {key: Account(organization_id=team.org.id, workspace_id=ws.id, name=name, domain=domain, tier=tier,
                         is_target=tier is not None)
            for key, name, domain, tier in (("fern", "Fernhollow Labs", "fern.example", "1:1"),
                                            ("uk", "Twin Co", "twin.co.uk", "1:few"),
                                            ("com", "Twin Co", "twin.com", "1:few"),
                                            ("other", "Northgate Freight", "northgate.example", None))}
    db.session.add_all(made.values())
    db.session.commit()
    return made


def _signal(account: str) -> dict:
    return {"account_id": account, "type": "pricing_page_visit", "topic": "Pricing page", "occurred_at": "2026-11-30T10:00"}


def test_a_few_accounts_are_a_select_box_with_same_names_told_apart(client, team):
    made = _accounts(team)
    page = client.get(f"/workspace/contacts/new?account_id={made['com'].id}").get_data(as_text=True)
    assert '<select aria-describedby' not in page and '<select id="account_id" name="account_id">' in page
    assert '<option value="">No account yet</option>' in page
    assert f'<option selected value="{made["com"].id}">Twin Co (twin.com) (1:few)</option>' in page
    assert f'<option value="{made["uk"].id}">Twin Co (twin.co.uk) (1:few)</option>' in page
    assert '<optgroup label="Other accounts"><option value="' in page
    response = client.post("/workspace/contacts/new", data={"last_name": "Lee", "account_id": str(made["uk"].id)})
    assert response.status_code == 302
    assert db.session.scalar(select(Contact.account_id).where(Contact.last_name == "Lee")) == made["uk"].id


def test_many_accounts_are_typed_and_read_back_by_name(client, team, monkeypatch):
    monkeypatch.setattr(picks, "SELECT_MAX", 2)
    made = _accounts(team)
    page = client.get("/workspace/signals/new").get_data(as_text=True)
    assert re.search(r'<input aria-describedby="account_id-help" autocomplete="off" id="account_id" '
                     r'list="account_id-accounts" name="account_id"', page)
    assert "name and pick it from the list. Two accounts with the same name show their domains." in page
    assert '<datalist id="account_id-accounts"><option value="Fernhollow Labs">1:1 target</option>' in page
    assert "<select" not in page.split('id="account_id"')[1].split("</datalist>")[0]
    assert client.post("/workspace/signals/new", data=_signal("  twin CO (twin.com)")).status_code == 302
    assert db.session.scalar(select(Signal.account_id)) == made["com"].id
    signal = db.session.scalar(select(Signal))
    edit = client.get(f"/workspace/signals/{signal.id}/edit").get_data(as_text=True)
    assert 'value="Twin Co (twin.com)"' in edit  # shown by its label
    response = client.post("/workspace/contacts/new", data={"last_name": "Lee", "account_id": "fernhollow labs"})
    assert response.status_code == 302
    assert db.session.scalar(select(Contact.account_id).where(Contact.last_name == "Lee")) == made["fern"].id


@pytest.mark.parametrize(("typed", "said"), [
    ("Fernhollow Lab", "No account in your workspace is called Fernhollow Lab."),
    ("twin co", "2 of your accounts are called twin co: pick one from the list as you type"),
    ("", "Choose the account the signal came from."),
])
def test_a_typed_name_that_is_not_one_account_saves_nothing_and_keeps_the_text(client, team, monkeypatch, typed, said):
    monkeypatch.setattr(picks, "SELECT_MAX", 2)
    _accounts(team)
    response = client.post("/workspace/signals/new", data=_signal(typed))
    assert response.status_code == 200 and said in text(response)
    page = response.get_data(as_text=True)
    assert f'value="{typed}"' in page and 'aria-invalid="true"' in page and 'value="Pricing page"' in page
    assert db.session.scalar(select(Signal)) is None


def test_another_workspaces_account_is_refused_by_id_as_by_name(client, team, monkeypatch):
    theirs = make_team(name="Contoso", prefix="c-")
    ws = theirs.workspace()
    other = Account(organization_id=theirs.org.id, workspace_id=ws.id, name="Secret Target", domain="secret.example")
    db.session.add(other)
    db.session.commit()
    _accounts(team)
    deal = {"name": "Sneaky", "amount": "5", "currency": "GBP", "outcome": "open"}
    for sent, said in ((str(other.id), "Choose an account of your workspace."),
                       ("Secret Target", "No account in your workspace is called Secret Target.")):
        response = client.post("/workspace/opportunities/new", data={**deal, "account_id": sent})
        assert response.status_code == 200 and said in text(response)
    monkeypatch.setattr(picks, "SELECT_MAX", 2)
    response = client.post("/workspace/opportunities/new", data={**deal, "account_id": "Secret Target"})
    assert "No account in your workspace is called Secret Target." in text(response)
    assert "Secret Target" not in response.get_data(as_text=True).split("<datalist")[1].split("</datalist>")[0]
    assert db.session.scalar(select(Opportunity)) is None


def test_at_three_thousand_accounts_the_forms_stay_small(client, team):
    ws = team.workspace()
    db.session.execute(insert(Account), [
        {"organization_id": team.org.id, "workspace_id": ws.id, "name": f"Account {i:04d} Holdings Limited",
         "domain": f"acc{i}.example", "tier": ("1:1", "1:few", "1:many", None)[i % 4], "is_target": i % 5 != 0}
        for i in range(3000)])
    db.session.commit()
    for path in ("/workspace/contacts/new", "/workspace/signals/new", "/workspace/opportunities/new",
                 "/workspace/handoffs/new"):
        page = client.get(path).get_data(as_text=True)
        listed = page.split('<datalist id="account_id-accounts">')[1].split("</datalist>")[0]
        assert listed.count("<option") == 500, path  # the 500 offered; any of the 3,000 can be typed
        assert len(page.encode()) < 80_000, (path, len(page.encode()))  # 153-180 KB with a select of every account
    response = client.post("/workspace/signals/new", data=_signal("Account 2999 Holdings Limited"))
    assert response.status_code == 302
