"""A double click on "Join" on an invitation's page: both requests read that the invited person has no account yet
before either makes one (tests/races.py). Neither may answer with an error page: the first makes the account, and the
second, run once more after the clash, finds the invitation accepted and sends the person to sign in. On SQLite and on
PostgreSQL (CI runs this file on both: it uses the database)."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.identity import services
from lms.identity.models import Membership, User
from tests.factories import make_org
from tests.races import at_once, held_before_adding, own_connections, rows

EMAIL = "new.joiner@northwind.example"


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


def test_a_double_click_on_join_makes_one_account_and_sends_the_second_click_to_sign_in(app):
    org = make_org("Northwind")
    _, token = services.invite(org, email=EMAIL, name="Nia Joiner")
    db.session.commit()
    form = {"name": "Nia Joiner", "password": "a long enough password", "confirm": "a long enough password"}

    def join(client) -> tuple[int, str]:  # a browser with no account yet
        response = client.post(f"/invitations/{token}", data=form)
        return response.status_code, response.headers.get("Location", "")

    with held_before_adding(User):
        answers = at_once([app.test_client() for _ in range(2)], join)
    assert sorted(answers) == [(302, "/dashboard"), (302, "/login")]
    assert rows(User, User.email == EMAIL) == 1
    assert rows(Membership) == 1
