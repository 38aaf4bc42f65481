"""Workspace isolation: another organisation's or another team's records answer 404, on GET and on POST."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from lms.accounts.models import Account, Contact, Handoff, ImportBatch, Opportunity, Signal
from lms.accounts.records import (
    HANDOFF_BRIEF_FIELDS,
    OPPORTUNITY_FIELDS,
    SIGNAL_FIELDS,
    create_account,
    save_contact,
    save_record,
)
from lms.extensions import db
from lms.identity.services import public_organization
from tests.accounts.web_support import batch_id, count, make_team, text, upload
from tests.factories import make_org, make_user


@pytest.fixture
def records(app, client, auth):
    """Team A's workspace with one record of every kind, and an upload in preview; ids by kind."""
    team = make_team(prefix="a-")
    ws = team.workspace()
    user = team.marketing
    account = create_account(ws, user, {"name": "Larkspur Devices", "website": "larkspur.example"})
    contact, _ = save_contact(ws, user, None, {"last_name": "Marsh", "email": "jo@larkspur.example",
                                               "account_id": account.id}, None)
    signal, _ = save_record(ws, user, Signal, None, {"account_id": account.id, "type": "webinar",
                                                     "occurred_at": datetime(2026, 3, 1)}, SIGNAL_FIELDS, "webinar")
    opportunity, _ = save_record(ws, user, Opportunity, None, {"account_id": account.id, "name": "Pilot",
                                                               "amount": 1000.0}, OPPORTUNITY_FIELDS, "Pilot")
    handoff, _ = save_record(ws, user, Handoff, None, {"account_id": account.id, "sent_at": datetime(2026, 3, 2)},
                             HANDOFF_BRIEF_FIELDS, "handoff")
    db.session.commit()
    auth.login(user.email)
    batch = batch_id(upload(client, "accounts.csv", b"Account Name\nTallis Data\n"))
    auth.logout()
    return team, {"account": account.id, "contact": contact.id, "signal": signal.id,
                  "opportunity": opportunity.id, "handoff": handoff.id, "batch": batch}


def _other_team(team):
    return make_team(team.org, "Another team in the same company", prefix="b-").sales


def _other_org(team):
    return make_user(make_org("Rival Ltd"), ("learner", "org_admin", "manager", "coach"),
                     email="boss@rival.example", job_function="sales")


def _other_attendee(team):
    # A public attendee has a personal workspace; another attendee of the same organisation must not see it.
    return make_user(team.org, ("learner",), email="solo@northwind.example", job_function="sales")


OUTSIDERS = {"another organisation": _other_org, "another team": _other_team, "a personal workspace": _other_attendee}

GETS = [
    "/workspace/accounts/{account}", "/workspace/accounts/{account}/edit", "/workspace/accounts/{account}/delete",
    "/workspace/contacts/{contact}/edit", "/workspace/contacts/{contact}/delete",
    "/workspace/signals/{signal}/edit", "/workspace/signals/{signal}/delete",
    "/workspace/opportunities/{opportunity}/edit", "/workspace/opportunities/{opportunity}/delete",
    "/workspace/handoffs/{handoff}/edit", "/workspace/handoffs/{handoff}/delete",
    "/workspace/import/{batch}", "/workspace/import/{batch}/errors.csv",
]
POSTS = [
    ("/workspace/accounts/{account}/edit", {"name": "Hijacked", "status": "active", "tier": ""}),
    ("/workspace/accounts/{account}/delete", {}),
    ("/workspace/contacts/{contact}/edit", {"last_name": "Hijacked", "account_id": "0"}),
    ("/workspace/contacts/{contact}/delete", {}),
    ("/workspace/signals/{signal}/edit", {"account_id": "{account}", "type": "webinar",
                                          "occurred_at": "2026-03-01T10:00"}),
    ("/workspace/signals/{signal}/delete", {}),
    ("/workspace/opportunities/{opportunity}/edit", {"account_id": "{account}", "name": "Hijacked",
                                                     "amount": "1", "currency": "GBP", "outcome": "open"}),
    ("/workspace/opportunities/{opportunity}/delete", {}),
    ("/workspace/handoffs/{handoff}/edit", {"account_id": "{account}", "sent_at": "2026-03-02T10:00",
                                            "status": "sent", "signal_id": "0"}),
    ("/workspace/handoffs/{handoff}/delete", {}),
    ("/workspace/import/{batch}", {"opt-entity": "contacts", "opt-dayfirst": "1", "opt-save_options": "Use"}),
    ("/workspace/import/{batch}/apply", {"mode": "all"}),
    ("/workspace/signoff?account={account}", {"a{account}-agree": "Agree", "a{account}-reason": "Hijacked"}),
]


def _fill(template: str, ids: dict) -> str:
    return template.format(**ids)


@pytest.mark.parametrize("who", list(OUTSIDERS))
def test_every_record_of_another_workspace_answers_404_on_get(client, auth, records, who):
    team, ids = records
    outsider = OUTSIDERS[who](team)
    auth.login(outsider.email)
    for path in GETS:
        assert client.get(_fill(path, ids)).status_code == 404, path


@pytest.mark.parametrize("who", list(OUTSIDERS))
def test_every_change_to_another_workspace_answers_404_on_post_and_changes_nothing(client, auth, records, who):
    team, ids = records
    outsider = OUTSIDERS[who](team)
    auth.login(outsider.email)
    for path, data in POSTS:
        form = {_fill(k, ids): _fill(v, ids) for k, v in data.items()}
        assert client.post(_fill(path, ids), data=form).status_code == 404, path

    db.session.expire_all()
    account = db.session.get(Account, ids["account"])
    assert account.name == "Larkspur Devices" and account.sales_agreed is None
    assert db.session.get(Contact, ids["contact"]).last_name == "Marsh"
    assert db.session.get(Opportunity, ids["opportunity"]).name == "Pilot"
    assert all(db.session.get(m, ids[k]) for m, k in ((Signal, "signal"), (Handoff, "handoff")))
    batch = db.session.get(ImportBatch, ids["batch"])
    assert (batch.status, batch.entity) == ("previewed", "accounts")


@pytest.mark.parametrize("who", list(OUTSIDERS))
def test_lists_and_exports_show_only_the_users_own_workspace(client, auth, records, who):
    team, ids = records
    auth.login(OUTSIDERS[who](team).email)
    for path in ("/workspace", "/workspace/accounts", "/workspace/contacts", "/workspace/signals",
                 "/workspace/opportunities", "/workspace/handoffs", "/workspace/signoff?show=all", "/workspace/import"):
        page = text(client.get(path))
        assert "Larkspur" not in page and "Marsh" not in page and "accounts.csv" not in page, path
    export = client.get("/workspace/export?entity=accounts&fmt=csv&style=abm_academy")
    assert b"Larkspur" not in export.data


def test_a_form_cannot_point_a_record_at_another_workspaces_account(client, auth, records):
    team, ids = records
    outsider = _other_team(team)
    auth.login(outsider.email)
    response = client.post("/workspace/contacts/new", data={"last_name": "Sneaky", "account_id": ids["account"]})
    assert response.status_code == 200
    assert "Choose an account of your workspace." in text(response)
    response = client.post("/workspace/opportunities/new", data={
        "account_id": ids["account"], "name": "Sneaky", "amount": "5", "currency": "GBP", "outcome": "open"})
    assert response.status_code == 200
    assert db.session.scalar(select(Contact).where(Contact.last_name == "Sneaky")) is None
    assert count(Opportunity) == 1


def test_both_members_of_a_team_work_in_the_same_workspace(client, auth, records):
    team, ids = records
    auth.login(team.sales.email)
    assert client.get(f"/workspace/accounts/{ids['account']}").status_code == 200
    response = client.post(f"/workspace/accounts/{ids['account']}/edit",
                           data={"name": "Larkspur Devices Inc", "status": "active", "tier": "1:1", "is_target": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Account, ids["account"]).tier == "1:1"


def test_a_platform_admin_outside_any_organisation_has_no_workspace(client, auth, app):
    make_user(email="root@academy.example", is_platform_admin=True)
    auth.login("root@academy.example")
    assert client.get("/workspace").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, app):
    for path in ("/workspace", "/workspace/accounts", "/workspace/import", "/workspace/export"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_public_attendees_each_get_their_own_workspace(client, auth, app):
    public = public_organization(app.config["PUBLIC_ORG_SLUG"])
    alex = make_user(public, ("learner",), email="alex@example.com")
    make_user(public, ("learner",), email="kim@example.com")
    auth.login(alex.email)
    client.post("/workspace/accounts/new", data={"name": "Alex's account", "status": "active", "tier": ""})
    auth.logout()
    auth.login("kim@example.com")
    assert "Alex's account" not in text(client.get("/workspace/accounts"))
    assert "Import your accounts" in text(client.get("/workspace"))
