"""Account fields in answer forms at a CRM export's size: typed with one list to pick from, read back as ids."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from lms.accounts import picks
from lms.accounts.models import Account
from lms.extensions import db
from lms.practice.models import ExerciseRun, SavedAnswer
from tests.practice.web_helpers import add_account, learner_with_workspace

MESSAGES = "role-messaging"
MAP = "buying-committee-map"


@pytest.fixture
def typed(monkeypatch):
    """A workspace past the select boxes' limit (three accounts here, sixty in use)."""
    monkeypatch.setattr(picks, "SELECT_MAX", 3)


def _learner(client, auth):
    _, user, ws = learner_with_workspace()
    accounts = {
        "fern": add_account(ws, "Fernhollow Labs", "1:1", domain="fernhollow.example"),
        "acme_uk": add_account(ws, "Acme", "1:few", domain="acme.co.uk"),
        "acme_com": add_account(ws, "Acme", "1:many", domain="acme.com"),
        "other": add_account(ws, "Northgate Freight", None, is_target=False, domain="northgate.example"),
        "last": add_account(ws, "Zephyr Mills", "1:many", domain="zephyr.example"),
    }
    db.session.commit()
    auth.login(user.email)
    return user, ws, accounts


def _saved(user, slug: str) -> dict | None:
    db.session.expire_all()
    return db.session.scalar(select(SavedAnswer.answer).where(SavedAnswer.user_id == user.id,
                                                              SavedAnswer.exercise_slug == slug))


def _message(account: str, text: str = "Routing costs fall by a fifth in two quarters.") -> dict:
    return {"answer-messages-0-account": account, "answer-messages-0-role": "finance",
            "answer-messages-0-channel": "email", "answer-messages-0-message": text}


def test_a_large_workspace_types_accounts_and_lists_them_once_whatever_the_rows(client, auth, typed):
    _learner(client, auth)
    few = client.get(f"/exercises/{MESSAGES}").get_data(as_text=True)
    many = client.get(f"/exercises/{MESSAGES}?blank-messages=30").get_data(as_text=True)
    assert few.count('<datalist id="account-names">') == many.count('<datalist id="account-names">') == 1
    assert '<select id="answer-messages-0-account"' not in many
    assert many.count('list="account-names"') == 30 and few.count('list="account-names"') == 3
    datalist = many[many.index("<datalist"):many.index("</datalist>")]
    assert datalist.count("<option") == 5  # each account once, not once per row
    # Target accounts by tier first; two accounts called Acme are told apart by their domains.
    assert datalist.index(">1:1 target<") < datalist.index('"Acme (acme.co.uk)"') < datalist.index(
        '"Acme (acme.com)"') < datalist.index('"Northgate Freight">not a target account')
    assert "Type an account's name in an account field and pick it from the list" in many


def test_a_typed_name_is_saved_as_the_account_and_shown_by_its_name(client, auth, typed):
    user, _, accounts = _learner(client, auth)
    response = client.post(f"/exercises/{MESSAGES}/run", data=_message("  fernhollow   LABS "))
    assert response.status_code == 302
    assert _saved(user, MESSAGES)["messages"][0]["account"] == accounts["fern"].id
    client.post(f"/exercises/{MESSAGES}/run", data=_message("Acme (acme.com)"))
    assert _saved(user, MESSAGES)["messages"][0]["account"] == accounts["acme_com"].id
    page = client.get(f"/exercises/{MESSAGES}").get_data(as_text=True)
    assert 'name="answer-messages-0-account" value="Acme (acme.com)" list="account-names"' in page
    client.post(f"/exercises/{MESSAGES}/run", data=_message(str(accounts["last"].id)))  # an id, as a select sends
    assert _saved(user, MESSAGES)["messages"][0]["account"] == accounts["last"].id
    gone = accounts["last"].id
    db.session.delete(accounts["last"])
    db.session.commit()
    page = client.get(f"/exercises/{MESSAGES}").get_data(as_text=True)
    assert f'value="{gone}" list="account-names"' in page
    assert f"Account {gone} is no longer in your workspace: type another, or clear this." in page


@pytest.mark.parametrize(("typed_text", "why"), [
    ("Fernholow Labs", "No account in your workspace is called Fernholow Labs."),
    ("acme", "2 of your accounts are called acme: pick one from the list as you type (each shows its domain)."),
    ("-1", "No account in your workspace is called -1."),
])
def test_a_name_that_matches_no_account_or_several_keeps_everything_typed_and_saves_nothing(
        client, auth, typed, typed_text, why):
    user, _, accounts = _learner(client, auth)
    client.post(f"/exercises/{MESSAGES}/run", data=_message(accounts["fern"].name, "The first draft."))
    runs = db.session.scalar(select(ExerciseRun.id).where(ExerciseRun.user_id == user.id).order_by(
        ExerciseRun.id.desc()).limit(1))
    response = client.post(f"/exercises/{MESSAGES}/run", data=_message(typed_text, "A better second draft."))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Some accounts match none in your workspace" in page and "Nothing was saved or checked" in page
    assert f'value="{typed_text}" list="account-names"' in page and 'aria-invalid="true"' in page
    assert why in page
    assert "A better second draft." in page  # the rest of the answer is kept on the page
    assert _saved(user, MESSAGES)["messages"][0]["message"] == "The first draft."  # and not saved
    assert db.session.scalar(select(ExerciseRun.id).where(ExerciseRun.user_id == user.id).order_by(
        ExerciseRun.id.desc()).limit(1)) == runs  # nor checked
    # "Add more rows" is refused the same way: it saves the answer.
    more = dict(_message(typed_text), more="messages")
    assert client.post(f"/exercises/{MESSAGES}/run", data=more).status_code == 400


def test_any_account_can_be_typed_even_beyond_the_accounts_the_list_offers(client, auth, typed, monkeypatch):
    monkeypatch.setattr(picks, "ACCOUNTS_OFFERED", 2)
    user, _, accounts = _learner(client, auth)
    page = client.get(f"/exercises/{MESSAGES}").get_data(as_text=True)
    assert "the list offers 2 of your 5 accounts" in page and '"Zephyr Mills"' not in page
    client.post(f"/exercises/{MESSAGES}/run", data=_message("Zephyr Mills"))
    assert _saved(user, MESSAGES)["messages"][0]["account"] == accounts["last"].id
    page = client.get(f"/exercises/{MESSAGES}").get_data(as_text=True)
    assert 'value="Zephyr Mills" list="account-names"' in page and '<option value="Zephyr Mills">' in page


def test_a_small_workspace_keeps_a_select_box_per_account_field(client, auth):
    _learner(client, auth)
    page = client.get(f"/exercises/{MESSAGES}").get_data(as_text=True)
    assert '<select id="answer-messages-0-account"' in page and "<datalist" not in page
    assert ">Acme (acme.co.uk) (1:few)</option>" in page  # the same name told apart in a select box too


def test_a_crm_export_of_3000_accounts_keeps_a_30_row_form_small(client, auth):
    _, user, ws = learner_with_workspace()
    db.session.execute(insert(Account), [
        {"organization_id": ws.organization_id, "workspace_id": ws.id, "name": f"Account {i:04d} Holdings Limited",
         "normalised_name": f"account {i:04d} holdings limited", "domain": f"acc{i}.example",
         "tier": ("1:1", "1:few", "1:many", None)[i % 4], "is_target": i % 5 != 0} for i in range(3000)])
    db.session.commit()
    auth.login(user.email)
    for slug, rows in ((MESSAGES, "messages"), (MAP, "accounts")):
        page = client.get(f"/exercises/{slug}?blank-{rows}=30").get_data(as_text=True)
        # Select boxes of the 500 accounts offered in each of 33 rows made this page about 1 MB.
        assert page.count("<option", page.index("<datalist"), page.index("</datalist>")) == picks.ACCOUNTS_OFFERED
        assert len(page.encode()) < 150_000, (slug, len(page.encode()))
    response = client.post(f"/exercises/{MESSAGES}/run", data=_message("account 2999 holdings limited"))
    assert response.status_code == 302
    assert _saved(user, MESSAGES)["messages"][0]["account"] == db.session.scalar(
        select(Account.id).where(Account.name == "Account 2999 Holdings Limited"))
