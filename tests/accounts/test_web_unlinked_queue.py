"""The queue of contacts with no account yet, at the size of a real CRM export: a page of contacts at a time, the
accounts that their email domain or company name points to suggested, any other account typed by name (a list of
every account beside every contact made the page 74 MB at 3,000 accounts and 600 contacts)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select

from lms.accounts.models import Account, Contact
from lms.accounts.records import UNLINKED_PER_PAGE
from lms.extensions import db
from tests.accounts.web_support import make_team, text


@pytest.fixture
def team(app, auth):
    team = make_team()
    auth.login(team.marketing.email)
    return team


def _accounts(team, *names: str, website: str | None = None) -> list[Account]:
    ws = team.workspace()
    rows = [Account(organization_id=team.org.id, workspace_id=ws.id, name=name, website=website) for name in names]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _contact(team, last_name: str, email: str | None = None, company: str | None = None) -> Contact:
    ws = team.workspace()
    contact = Contact(organization_id=team.org.id, workspace_id=ws.id, first_name="Ann", last_name=last_name,
                      email=email, company=company)
    db.session.add(contact)
    db.session.commit()
    return contact


def _listed(page: str) -> list[str]:
    return re.findall(r'<span class="help">([^<]+)</span>', page)


def test_the_queue_shows_a_page_of_contacts_and_how_many_wait(client, team):
    _accounts(team, "Larkspur Devices")
    for i in range(UNLINKED_PER_PAGE + 5):
        _contact(team, f"Lee {i:02d}", f"ann{i:02d}@elsewhere{i:02d}.example", f"Company {i:02d}")
    first = client.get("/workspace/contacts/no-account")
    assert len(_listed(first.get_data(as_text=True))) == UNLINKED_PER_PAGE
    assert f"{UNLINKED_PER_PAGE + 5} contacts have no account yet, by company: page 1 of 2." in text(first)
    last = client.get("/workspace/contacts/no-account?page=2").get_data(as_text=True)
    assert _listed(last) == [f"ann{i:02d}@elsewhere{i:02d}.example" for i in range(UNLINKED_PER_PAGE,
                                                                                UNLINKED_PER_PAGE + 5)]


def test_the_accounts_a_contacts_domain_or_company_points_to_are_suggested(client, team):
    larkspur, _ = _accounts(team, "Larkspur Devices", "Nimbus Systems")
    larkspur.website = "https://www.larkspur-devices.example"
    db.session.commit()
    _contact(team, "Typo", "ann@other.example", "Larkspur Device")  # a one-letter slip in the CRM
    _contact(team, "Domain", "jo@larkspur-devices.example", "LD (UK)")  # the company says little, the email a lot
    _contact(team, "Nothing", "pat@gmail.com", "Quintessa")
    page = client.get("/workspace/contacts/no-account").get_data(as_text=True)
    rows = {email: page[page.index(email):] for email in _listed(page)}
    for email in ("ann@other.example", "jo@larkspur-devices.example"):
        row = rows[email][:rows[email].index("</tr>")]
        assert f'name="account_id" value="{larkspur.id}"' in row and "Link to Larkspur Devices" in row
    nothing = rows["pat@gmail.com"][:rows["pat@gmail.com"].index("</tr>")]
    assert 'name="account_id"' not in nothing and "Account name" in nothing
    assert page.count('<option value="Larkspur Devices">') == 1  # every name once, for typing, not per contact


def test_a_contact_is_linked_to_the_account_typed_in_any_case(client, team):
    larkspur, = _accounts(team, "Larkspur Devices")
    ann = _contact(team, "Lee", "ann@nimbus.example", "Nimbus Ltd")
    response = client.post(f"/workspace/contacts/{ann.id}/link?page=2", data={"account_name": "  larkspur   DEVICES "})
    assert response.headers["Location"] == "/workspace/contacts/no-account?page=2"  # back to the same page
    db.session.expire_all()
    assert db.session.get(Contact, ann.id).account_id == larkspur.id


@pytest.mark.parametrize(("typed", "said"), [
    ("Larkspur Devise", "No account in your workspace is called \u201cLarkspur Devise\u201d"),
    ("", "Type the name of the account Ann Lee works for"),
    ("Twin Co", "Several accounts are called \u201cTwin Co\u201d"),
])
def test_a_name_that_is_not_exactly_one_account_links_nothing_and_says_why(client, team, typed, said):
    _accounts(team, "Larkspur Devices", "Twin Co", "twin co")
    ann = _contact(team, "Lee", "ann@nimbus.example", "Nimbus Ltd")
    page = client.post(f"/workspace/contacts/{ann.id}/link", data={"account_name": typed}, follow_redirects=True)
    assert said in text(page)
    db.session.expire_all()
    assert db.session.get(Contact, ann.id).account_id is None


def test_at_three_thousand_accounts_and_six_hundred_contacts_the_page_stays_small(client, team, queries):
    ws = team.workspace()
    db.session.execute(insert(Account), [{"organization_id": team.org.id, "workspace_id": ws.id,
                                          "name": f"Account {i:04d} Holdings"} for i in range(3000)])
    db.session.execute(insert(Contact), [{"organization_id": team.org.id, "workspace_id": ws.id, "last_name": f"{i}",
                                          "email": f"c{i}@firm{i}.example", "company": f"Account {i:04d} Holding"}
                                         for i in range(600)])
    db.session.commit()
    with queries:
        page = client.get("/workspace/contacts/no-account").get_data(as_text=True)
    assert len(page) < 400_000, len(page)  # 74 MB with a list of every account beside every contact
    assert len(_listed(page)) == UNLINKED_PER_PAGE and "Link to Account 0000 Holdings" in page
    assert queries.count < 20
    assert db.session.scalar(select(Contact.account_id).where(Contact.last_name == "0")) is None


def test_two_accounts_of_the_same_name_are_told_apart_by_their_domains_and_either_can_be_linked(client, team):
    ws = team.workspace()
    uk, com = (Account(organization_id=team.org.id, workspace_id=ws.id, name="Twin Co", domain=domain)
               for domain in ("twin.co.uk", "twin.com"))
    db.session.add_all([uk, com])
    db.session.commit()
    ann = _contact(team, "Lee", "ann@nimbus.example", "Nimbus Ltd")
    _contact(team, "Moss", "bo@mail.example", "Twin Co")  # suggested both: each button says which
    page = client.get("/workspace/contacts/no-account").get_data(as_text=True)
    assert '<option value="Twin Co (twin.co.uk)">' in page and '<option value="Twin Co (twin.com)">' in page
    assert "Link to Twin Co (twin.co.uk)" in page and "Link to Twin Co (twin.com)" in page
    client.post(f"/workspace/contacts/{ann.id}/link", data={"account_name": "twin co (TWIN.COM)"})
    db.session.expire_all()
    assert db.session.get(Contact, ann.id).account_id == com.id
