"""Editing the workspace by hand: accounts, contacts and their roles, signals, opportunities and handoffs."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from lms.accounts.models import Account, Contact, Handoff, Opportunity, Signal
from lms.accounts.records import create_account
from lms.extensions import db
from lms.tracking.models import Statement
from tests.accounts.web_support import count, make_team, text

ACCOUNT = {"name": "Larkspur Devices", "website": "https://www.larkspur-devices.example", "tier": "1:few",
           "icp_fit": "80", "status": "active", "is_target": "y"}


@pytest.fixture
def team(app, auth):
    team = make_team()
    auth.login(team.marketing.email)
    return team


@pytest.fixture
def larkspur(team) -> int:
    account = create_account(team.workspace(), team.marketing, {"name": "Larkspur Devices",
                                                                          "website": "larkspur-devices.example",
                                                                          "tier": "1:few"})
    db.session.commit()
    return account.id


def verbs() -> list[tuple[str, str]]:
    return sorted((s.verb, s.object_type) for s in db.session.scalars(select(Statement))
                  if s.verb in ("created", "updated", "deleted"))


def add_contact(client, account_id: int, last: str, title: str, email: str, **extra):
    data = {"first_name": "Pat", "last_name": last, "title": title, "email": email, "account_id": account_id,
            **extra}
    return client.post("/workspace/contacts/new", data=data)


# --------------------------------------------------------------------------------------------- accounts


def test_adding_editing_and_deleting_an_account_records_each_change(client, team):
    response = client.post("/workspace/accounts/new", data=ACCOUNT)
    account = db.session.scalar(select(Account))
    assert response.headers["Location"] == f"/workspace/accounts/{account.id}"
    assert (account.domain, account.normalised_name, account.icp_fit) == ("larkspur-devices.example",
                                                                          "larkspur devices", 80)

    client.post(f"/workspace/accounts/{account.id}/edit", data={**ACCOUNT, "tier": "1:1",
                                                                "required_roles": ["finance", "champion"]})
    db.session.expire_all()
    account = db.session.get(Account, account.id)
    assert (account.tier, account.required_roles) == ("1:1", ["finance", "champion"])

    confirm = text(client.get(f"/workspace/accounts/{account.id}/delete"))
    assert "Delete the account Larkspur Devices?" in confirm and "0 signals" in confirm
    assert client.post(f"/workspace/accounts/{account.id}/delete").headers["Location"] == "/workspace/accounts"
    assert count(Account) == 0
    assert verbs() == [("created", "account"), ("deleted", "account"), ("updated", "account")]


def test_an_account_form_with_errors_keeps_what_was_typed(client, team):
    response = client.post("/workspace/accounts/new", data={**ACCOUNT, "name": "", "employees": "about fifty",
                                                            "icp_fit": "120", "why_selected": "New CFO"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give the account a name." in page and "A score from 0 to 100." in page
    assert 'value="about fifty"' in page and 'value="120"' in page and "New CFO" in page
    assert count(Account) == 0


def test_a_second_account_with_the_same_name_or_domain_is_refused(client, team, larkspur):
    response = client.post("/workspace/accounts/new", data={**ACCOUNT, "name": "Larkspur Devices Ltd"})
    assert "Larkspur Devices is already in your workspace with the same name." in text(response)
    response = client.post("/workspace/accounts/new", data={**ACCOUNT, "name": "Larkspur Wearables"})
    assert "same domain" in text(response)
    assert count(Account) == 1


def test_deleting_an_account_keeps_its_contacts_and_removes_its_signals(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "VP Engineering", "jo@larkspur-devices.example")
    client.post("/workspace/signals/new", data={"account_id": larkspur, "type": "webinar",
                                                "occurred_at": "2026-03-01T10:00"})
    assert "its 1 signal, 0 opportunities and 0 handoffs" in text(client.get(f"/workspace/accounts/{larkspur}/delete"))
    client.post(f"/workspace/accounts/{larkspur}/delete")
    db.session.expire_all()
    assert count(Signal) == 0
    assert db.session.scalar(select(Contact)).account_id is None


def test_the_account_page_groups_contacts_by_role_and_names_the_missing_roles(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "VP Engineering", "jo@larkspur-devices.example")
    add_contact(client, larkspur, "Desai", "Chief Financial Officer", "anil@larkspur-devices.example")
    add_contact(client, larkspur, "Okafor", "", "kemi@larkspur-devices.example")
    page = text(client.get(f"/workspace/accounts/{larkspur}"))

    assert "A 1:few account needs: senior decision maker (economic buyer), functional owner, technical evaluator, " \
           "finance." in page
    assert "2 of 4 needed roles covered (50%)" in page
    assert "Missing: Functional owner Technical evaluator" in page
    assert "Senior decision maker (economic buyer) (1) Pat Marsh, VP Engineering" in page
    assert "Finance (1) Pat Desai, Chief Financial Officer" in page
    assert "No buying role yet (1) Pat Okafor" in page


# --------------------------------------------------------------------------------------------- contacts and roles


def test_the_title_suggests_roles_when_the_learner_ticks_none(client, team, larkspur):
    add_contact(client, larkspur, "Desai", "Chief Financial Officer", "Anil@Larkspur-Devices.example")
    contact = db.session.scalar(select(Contact))
    assert (contact.email, contact.roles, contact.roles_set_by_learner) == ("anil@larkspur-devices.example",
                                                                            ["finance"], False)
    assert (contact.seniority, contact.function) == ("c_level", "finance")


def test_role_checkboxes_are_labelled_with_role_names_and_show_the_suggestion(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "Head of IT", "jo@larkspur-devices.example", crm_role="Champion")
    contact = db.session.scalar(select(Contact))
    page = client.get(f"/workspace/contacts/{contact.id}/edit").get_data(as_text=True)

    for label in ("Finance", "Champion", "Procurement", "Senior decision maker (economic buyer)"):
        assert f">{label}</label>" in page
    assert "Suggested from the job title and CRM role: Technical evaluator Champion" in text(
        client.get(f"/workspace/contacts/{contact.id}/edit"))
    assert 'checked id="roles-2" name="roles" type="checkbox" value="technical_evaluator"' in page


def test_the_learners_role_choice_is_kept_when_the_title_changes(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "Head of IT", "jo@larkspur-devices.example")
    contact = db.session.scalar(select(Contact))
    form = {"last_name": "Marsh", "email": contact.email, "title": "Head of IT", "account_id": larkspur,
            "roles": ["champion"]}
    client.post(f"/workspace/contacts/{contact.id}/edit", data=form)
    client.post(f"/workspace/contacts/{contact.id}/edit", data={**form, "title": "Chief Financial Officer"})

    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert (contact.roles, contact.roles_set_by_learner) == (["champion"], True)
    assert contact.seniority == "c_level"  # seniority still follows the title
    page = text(client.get(f"/workspace/contacts/{contact.id}/edit"))
    assert "You chose this contact's roles" in page and "The suggestion differs" in page

    client.post(f"/workspace/contacts/{contact.id}/edit", data={**form, "title": "Chief Financial Officer",
                                                                "reset_roles": "y"})
    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert (contact.roles, contact.roles_set_by_learner) == (["finance"], False)


def test_leaving_the_roles_as_shown_lets_the_title_keep_deciding(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "Head of IT", "jo@larkspur-devices.example")
    contact = db.session.scalar(select(Contact))
    client.post(f"/workspace/contacts/{contact.id}/edit", data={
        "last_name": "Marsh", "email": contact.email, "title": "Procurement Manager", "account_id": larkspur,
        "roles": ["technical_evaluator"]})
    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert (contact.roles, contact.roles_set_by_learner) == (["procurement"], False)


def test_a_contact_needs_a_last_name_or_email_and_a_free_email(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "", "jo@larkspur-devices.example")
    empty = client.post("/workspace/contacts/new", data={"first_name": "Jo", "title": "CEO", "account_id": "0"})
    assert "Give a last name or an email" in text(empty)
    assert 'value="CEO"' in empty.get_data(as_text=True)
    taken = add_contact(client, larkspur, "Other", "", "JO@larkspur-devices.example")
    assert "Another contact in your workspace has this email." in text(taken)
    bad = add_contact(client, larkspur, "Other", "", "not-an-email")
    assert "Enter a valid email address" in text(bad)
    assert count(Contact) == 1


def test_contacts_list_shows_accounts_and_role_names_and_filters_by_role(client, team, larkspur):
    add_contact(client, larkspur, "Desai", "Chief Financial Officer", "anil@larkspur-devices.example")
    add_contact(client, larkspur, "Marsh", "VP Engineering", "jo@larkspur-devices.example")
    page = text(client.get("/workspace/contacts"))
    assert "Pat Desai Chief Financial Officer Larkspur Devices Finance" in page
    finance = text(client.get("/workspace/contacts?role=finance"))
    assert "Desai" in finance and "Marsh" not in finance
    assert "Marsh" in text(client.get("/workspace/contacts?q=engineering"))


def test_deleting_a_contact_asks_first(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "", "jo@larkspur-devices.example")
    contact = db.session.scalar(select(Contact))
    assert "Delete the contact Pat Marsh?" in text(client.get(f"/workspace/contacts/{contact.id}/delete"))
    assert count(Contact) == 1
    client.post(f"/workspace/contacts/{contact.id}/delete")
    assert count(Contact) == 0


# --------------------------------------------------------------------------------------------- signals and opportunities


def test_a_signal_is_logged_with_its_contact_and_local_time_stored_as_utc(client, team, larkspur):
    add_contact(client, larkspur, "Marsh", "", "jo@larkspur-devices.example")
    response = client.post("/workspace/signals/new", data={
        "account_id": larkspur, "contact_email": "JO@larkspur-devices.example", "type": "pricing_page_visit",
        "topic": "pricing", "occurred_at": "2026-07-01T10:30"})
    assert response.status_code == 302
    signal = db.session.scalar(select(Signal))
    assert signal.occurred_at == datetime(2026, 7, 1, 9, 30)  # 10:30 in London in summer is 09:30 UTC
    assert signal.contact_id == db.session.scalar(select(Contact.id))
    page = client.get(f"/workspace/signals/{signal.id}/edit").get_data(as_text=True)
    assert 'value="2026-07-01T10:30"' in page and 'value="jo@larkspur-devices.example"' in page


def test_a_signal_for_an_unknown_contact_is_refused_with_the_typed_values_kept(client, team, larkspur):
    response = client.post("/workspace/signals/new", data={
        "account_id": larkspur, "contact_email": "ghost@larkspur-devices.example", "type": "webinar",
        "topic": "data residency", "occurred_at": "2026-03-01T10:00"})
    assert "No contact in your workspace has this email." in text(response)
    assert 'value="data residency"' in response.get_data(as_text=True)
    assert count(Signal) == 0


def test_an_opportunity_is_added_won_and_edited(client, team, larkspur):
    data = {"account_id": larkspur, "name": "Pilot 2026", "stage": "Closed Won", "amount": "25000",
            "currency": "eur", "created_at": "2026-02-01", "outcome": "won", "closed_at": "2026-05-01",
            "source": "abm"}
    client.post("/workspace/opportunities/new", data=data)
    opportunity = db.session.scalar(select(Opportunity))
    assert (opportunity.is_won, opportunity.currency, opportunity.source) == (True, "EUR", "abm")
    assert opportunity.closed_at == datetime(2026, 5, 1)

    missing_close = client.post(f"/workspace/opportunities/{opportunity.id}/edit",
                                data={**data, "outcome": "lost", "closed_at": ""})
    assert "Give the date it was won or lost." in text(missing_close)
    client.post(f"/workspace/opportunities/{opportunity.id}/edit", data={**data, "outcome": "open"})
    db.session.expire_all()
    opportunity = db.session.get(Opportunity, opportunity.id)
    assert (opportunity.is_won, opportunity.closed_at) == (None, None)
    assert "Pilot 2026" in text(client.get("/workspace/opportunities?state=open"))


# --------------------------------------------------------------------------------------------- handoffs


@pytest.fixture
def signal_id(team, larkspur, client) -> int:
    add_contact(client, larkspur, "Marsh", "VP Engineering", "jo@larkspur-devices.example")
    client.post("/workspace/signals/new", data={"account_id": larkspur, "contact_email": "jo@larkspur-devices.example",
                                                "type": "demo_request", "topic": "ROI",
                                                "occurred_at": "2026-03-01T10:00"})
    return db.session.scalar(select(Signal.id))


BRIEF = {"contact_email": "jo@larkspur-devices.example", "sent_at": "2026-03-02T09:00", "contact_role":
         "senior_decision_maker", "buying_group_relevance": "Owns the budget", "engagement_summary": "Asked for a demo",
         "qualification_level": "hot", "recommended_follow_up": "Call today", "sales_owner": "Sam Whitfield",
         "sla_hours": "24"}


def test_a_handoff_started_from_a_signal_carries_its_account_contact_and_signal(client, team, larkspur, signal_id):
    page = client.get(f"/workspace/handoffs/new?signal_id={signal_id}").get_data(as_text=True)
    assert f'<option selected value="{signal_id}">' in page
    assert 'value="jo@larkspur-devices.example"' in page
    response = client.post("/workspace/handoffs/new", data={**BRIEF, "account_id": larkspur, "signal_id": signal_id})
    assert response.status_code == 302
    handoff = db.session.scalar(select(Handoff))
    assert (handoff.signal_id, handoff.status, handoff.sla_hours, handoff.sent_at) == (
        signal_id, "sent", 24, datetime(2026, 3, 2, 9, 0))


def test_a_handoff_names_its_account_by_typing_in_a_large_workspace_and_lists_that_accounts_signals(
        client, team, larkspur, signal_id, monkeypatch):
    from lms.accounts import picks

    monkeypatch.setattr(picks, "SELECT_MAX", 0)  # one account: past the select boxes' limit
    response = client.post("/workspace/handoffs/new", data={**BRIEF, "account_id": "larkspur devices",
                                                             "signal_id": "999999"})
    assert response.status_code == 200  # a signal that is not the account's: the form again, the account kept
    page = response.get_data(as_text=True)
    assert 'value="larkspur devices"' not in page and 'value="Larkspur Devices"' in page  # read back as the account
    assert f'<option value="{signal_id}">' in page  # the typed account's signals are offered
    response = client.post("/workspace/handoffs/new", data={**BRIEF, "account_id": "Larkspur Devices",
                                                             "signal_id": str(signal_id)})
    assert response.status_code == 302
    assert db.session.scalar(select(Handoff.account_id)) == larkspur

def test_only_a_sales_member_records_the_verdict_on_a_handoff(client, auth, team, larkspur, signal_id):
    client.post("/workspace/handoffs/new", data={**BRIEF, "account_id": larkspur, "signal_id": signal_id})
    handoff_id = db.session.scalar(select(Handoff.id))
    verdict = {"status": "rejected", "rejection_reason": "poor_timing", "sales_feedback": "Budget frozen",
               "first_touch_at": "2026-03-02T15:00", "meeting_booked": "y"}

    page = text(client.get(f"/workspace/handoffs/{handoff_id}/edit"))
    assert "A sales member of your team records the verdict" in page
    client.post(f"/workspace/handoffs/{handoff_id}/edit",
                data={**BRIEF, **verdict, "account_id": larkspur, "signal_id": signal_id})
    db.session.expire_all()
    assert db.session.get(Handoff, handoff_id).status == "sent"  # marketing's post cannot set the verdict

    auth.logout()
    auth.login(team.sales.email)
    no_reason = client.post(f"/workspace/handoffs/{handoff_id}/edit",
                            data={**BRIEF, **verdict, "rejection_reason": "", "account_id": larkspur,
                                  "signal_id": signal_id})
    assert "Choose why sales rejected it" in text(no_reason)
    client.post(f"/workspace/handoffs/{handoff_id}/edit",
                data={**BRIEF, **verdict, "account_id": larkspur, "signal_id": signal_id})
    db.session.expire_all()
    handoff = db.session.get(Handoff, handoff_id)
    assert (handoff.status, handoff.rejection_reason, handoff.sales_feedback, handoff.meeting_booked) == (
        "rejected", "poor_timing", "Budget frozen", True)
    assert handoff.first_touch_at == datetime(2026, 3, 2, 15, 0)
    assert handoff.buying_group_relevance == "Owns the budget"


def test_a_handoff_cannot_name_a_signal_of_another_account(client, team, larkspur, signal_id):
    other = create_account(team.workspace(), team.marketing, {"name": "Kettlewell & Sons"})
    db.session.commit()
    response = client.post("/workspace/handoffs/new", data={**BRIEF, "account_id": other.id, "signal_id": signal_id})
    assert response.status_code == 200
    assert count(Handoff) == 0


def test_every_hand_edit_records_a_statement(client, team, larkspur, signal_id):
    client.post("/workspace/handoffs/new", data={**BRIEF, "account_id": larkspur, "signal_id": signal_id})
    handoff_id = db.session.scalar(select(Handoff.id))
    client.post(f"/workspace/handoffs/{handoff_id}/edit", data={**BRIEF, "sla_hours": "48", "account_id": larkspur,
                                                                "signal_id": signal_id})
    client.post(f"/workspace/handoffs/{handoff_id}/delete")
    assert verbs() == [("created", "account"), ("created", "contact"), ("created", "handoff"),
                       ("created", "signal"), ("deleted", "handoff"), ("updated", "handoff")]
