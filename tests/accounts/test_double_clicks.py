"""A double click on a sign-off verdict, by a sales member, a coach standing in, or an invited sales colleague on
their review link: both requests read that there is no verdict yet before either stores one (tests/races.py).
Neither may answer with an error page, and the account gets one verdict from that reviewer. On SQLite and on
PostgreSQL (CI runs this file on both: it uses the database)."""

from __future__ import annotations

import pytest

from lms.accounts.models import AccountReview
from lms.accounts.records import create_account
from lms.accounts.signoff import invite_reviewer
from lms.accounts.workspaces import workspace_for
from lms.extensions import db
from tests.accounts.web_support import make_team
from tests.factories import make_cohort, make_org, make_user
from tests.races import at_once, held_before_adding, own_connections, rows, twice

TARGET = {"name": "Larkspur Devices", "tier": "1:1", "is_target": True, "why_selected": "Opened a tender"}


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


def agree(path: str, account_id: int):
    """The verdict form's "Agree" button, as a function of the browser that clicks it."""
    sep = "&" if "?" in path else "?"
    return lambda client: client.post(f"{path}{sep}account={account_id}",
                                      data={f"a{account_id}-agree": "Agree", f"a{account_id}-reason": ""})


def test_a_sales_members_double_click_on_agree_stores_one_verdict(app):
    team = make_team()
    account_id = create_account(team.workspace(), team.marketing, TARGET).id
    db.session.commit()
    with held_before_adding(AccountReview):
        assert twice(app, team.sales.email, agree("/workspace/signoff", account_id)) == [302, 302]
    assert rows(AccountReview) == 1


def _attendee_with_coach():
    org = make_org("Public courses", kind="public")
    cohort = make_cohort(org, "ABM essentials, March", shares_workspace=False)
    learner = make_user(org, ("learner",), email="pat@attendee.example", name="Pat Attendee", cohort=cohort)
    coach = make_user(org, ("coach",), email="chris@academy.example", cohort=cohort, cohort_role="coach")
    ws = workspace_for(learner, org)
    account_id = create_account(ws, learner, TARGET).id
    return learner, coach, ws, account_id


def test_a_coachs_double_click_on_agree_stores_one_verdict(app):
    _, coach, ws, account_id = _attendee_with_coach()
    db.session.commit()
    with held_before_adding(AccountReview):
        assert twice(app, coach.email, agree(f"/workspace/coach/signoff/{ws.id}", account_id)) == [302, 302]
    assert rows(AccountReview) == 1


def test_a_guests_double_click_on_agree_stores_one_verdict(app):
    learner, _, ws, account_id = _attendee_with_coach()
    _, token = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")
    db.session.commit()
    link = f"/workspace/review/{token}"
    click = agree(link, account_id)
    with held_before_adding(AccountReview):  # two browsers, no sign-in: the link is the guest's key
        assert at_once([app.test_client() for _ in range(2)], lambda c: click(c).status_code) == [302, 302]
    assert rows(AccountReview) == 1
