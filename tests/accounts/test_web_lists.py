"""List pages: a fixed number of queries whatever the size, search, filters, sorting, paging, next steps."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lms.accounts.models import Account, Contact, Handoff, Opportunity, Signal
from lms.extensions import db
from tests.accounts.web_support import make_team, text


@pytest.fixture
def team(app, auth):
    team = make_team()
    auth.login(team.marketing.email)
    return team


def add_accounts(team, start: int, stop: int) -> list[Account]:
    """Accounts start..stop-1, each with two contacts, a signal, an opportunity and a handoff."""
    ws = team.workspace()
    accounts = []
    for i in range(start, stop):
        account = Account(organization_id=ws.organization_id, workspace_id=ws.id, name=f"Account {i:03d}",
                          normalised_name=f"account {i:03d}", domain=f"account{i}.example",
                          tier=("1:1", "1:few", "1:many")[i % 3], icp_fit=i % 101,
                          sales_agreed=(True, False, None)[i % 3], sales_agreed_via=("sales", "sales", None)[i % 3],
                          required_roles=[])
        db.session.add(account)
        accounts.append(account)
    db.session.flush()
    when = datetime(2026, 3, 1)
    for a in accounts:
        contacts = [Contact(organization_id=a.organization_id, workspace_id=a.workspace_id, account_id=a.id,
                            last_name=f"Person {a.id}-{k}", email=f"p{k}@{a.domain}", roles=["finance"])
                    for k in range(2)]
        db.session.add_all(contacts)
        db.session.flush()
        signal = Signal(organization_id=a.organization_id, workspace_id=a.workspace_id, account_id=a.id,
                        contact_id=contacts[0].id, type="webinar", occurred_at=when)
        db.session.add(signal)
        db.session.flush()
        db.session.add(Opportunity(organization_id=a.organization_id, workspace_id=a.workspace_id, account_id=a.id,
                                   name=f"Deal {a.id}", amount=1000.0, currency="GBP", created_at=when))
        db.session.add(Handoff(organization_id=a.organization_id, workspace_id=a.workspace_id, account_id=a.id,
                               contact_id=contacts[0].id, signal_id=signal.id, sent_at=when, status="sent"))
    db.session.commit()
    return accounts


PAGES = [
    "/workspace", "/workspace/accounts", "/workspace/accounts?sort=icp_fit&tier=1:few&agreement=agreed&q=account",
    "/workspace/contacts", "/workspace/contacts?role=finance", "/workspace/signals", "/workspace/opportunities",
    "/workspace/handoffs", "/workspace/signoff?show=all", "/workspace/import",
]


def test_list_pages_use_the_same_number_of_queries_for_5_and_200_accounts(client, team, queries):
    first = add_accounts(team, 0, 5)
    small = {}
    for path in [*PAGES, f"/workspace/accounts/{first[0].id}"]:
        with queries:
            assert client.get(path).status_code == 200
        small[path] = queries.count
    add_accounts(team, 5, 200)
    for account in first[:1]:  # a bigger buying group on the account page too
        db.session.add_all(Contact(organization_id=account.organization_id, workspace_id=account.workspace_id,
                                   account_id=account.id, last_name=f"Extra {k}", roles=["user"]) for k in range(40))
    db.session.commit()
    large = {}
    for path in small:
        with queries:
            assert client.get(path).status_code == 200
        large[path] = queries.count
    assert large == small
    assert max(small.values()) <= 10, small


def test_accounts_are_searched_by_name_or_domain_and_filtered_by_tier_and_agreement(client, team):
    add_accounts(team, 0, 12)
    assert "Account 007" in text(client.get("/workspace/accounts?q=account7.example"))
    assert "Account 008" not in text(client.get("/workspace/accounts?q=account7.example"))
    tiered = text(client.get("/workspace/accounts?tier=1:1"))
    assert "Account 003" in tiered and "Account 004" not in tiered
    disagreed = text(client.get("/workspace/accounts?agreement=disagreed"))
    assert "Account 001" in disagreed and "Account 000" not in disagreed and "Account 002" not in disagreed
    nothing = text(client.get("/workspace/accounts?q=zzz"))
    assert "No account matches." in nothing


def test_accounts_sort_by_icp_fit_best_first_and_by_last_update(client, team):
    accounts = add_accounts(team, 0, 4)
    page = text(client.get("/workspace/accounts?sort=icp_fit"))
    assert page.index("Account 003") < page.index("Account 002") < page.index("Account 000")
    accounts[1].updated_at = datetime(2030, 1, 1)
    db.session.commit()
    page = text(client.get("/workspace/accounts?sort=updated"))
    assert page.index("Account 001") < page.index("Account 000")


def test_bad_filter_values_fall_back_to_the_defaults(client, team):
    add_accounts(team, 0, 3)
    response = client.get("/workspace/accounts?sort=evil&tier=2:2&page=-4")
    assert response.status_code == 200 and "Account 000" in text(response)


def test_accounts_are_paged(client, team, app):
    app.config["PER_PAGE"] = 25
    add_accounts(team, 0, 30)
    first = text(client.get("/workspace/accounts"))
    assert "Page 1 of 2 · 30 in all" in first and "Account 024" in first and "Account 025" not in first
    second = text(client.get("/workspace/accounts?page=2"))
    assert "Account 025" in second and "Account 029" in second and "Account 000" not in second
    assert "Account 029" in text(client.get("/workspace/accounts?page=99"))  # past the end: the last page


def test_an_empty_workspace_asks_for_an_import_and_lists_the_crm_formats(client, team):
    page = text(client.get("/workspace"))
    assert "Your next step Import your accounts" in page
    for crm in ("Salesforce", "HubSpot", "Microsoft Dynamics 365", "ABM Academy"):
        assert crm in page
    for path in ("/workspace/accounts", "/workspace/contacts", "/workspace/signals", "/workspace/opportunities"):
        assert "Import" in text(client.get(path)), path


def test_the_overview_counts_and_next_steps_follow_the_workspace(client, team):
    accounts = add_accounts(team, 0, 6)
    accounts[0].tier = None
    db.session.add(Contact(organization_id=accounts[0].organization_id, workspace_id=accounts[0].workspace_id,
                           account_id=accounts[0].id, last_name="Nobody", roles=[]))
    db.session.commit()
    page = text(client.get("/workspace"))
    assert "Give 1 target account a tier" in page
    assert "Check the buying roles of 1 contact" in page
    assert "Discuss 2 disagreements with sales" in page
    assert "6 Accounts 6 on the target list, 1 without a tier" in page
    assert "13 Contacts" in page


def test_contacts_without_a_role_can_be_listed(client, team):
    accounts = add_accounts(team, 0, 1)
    db.session.add(Contact(organization_id=accounts[0].organization_id, workspace_id=accounts[0].workspace_id,
                           account_id=accounts[0].id, last_name="Nobody", roles=[]))
    db.session.commit()
    page = text(client.get("/workspace/contacts?role=none"))
    assert "Nobody" in page and "Person" not in page


def test_signals_filter_by_follow_up_and_opportunities_by_outcome(client, team):
    accounts = add_accounts(team, 0, 2)
    signal = db.session.query(Signal).filter_by(account_id=accounts[0].id).one()
    signal.followed_up_at = signal.occurred_at + timedelta(hours=2)
    opportunity = db.session.query(Opportunity).filter_by(account_id=accounts[1].id).one()
    opportunity.is_won, opportunity.closed_at = True, datetime(2026, 6, 1)
    db.session.commit()
    pending = text(client.get("/workspace/signals?followed_up=no"))
    assert "Account 001" in pending and "Account 000" not in pending
    won = text(client.get("/workspace/opportunities?state=won"))
    assert "Deal" in won and "Account 001" in won and "Account 000" not in won
