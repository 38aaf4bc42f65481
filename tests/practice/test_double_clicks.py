"""A double click on an exercise's buttons: the first "check my work" (which keeps the answer as a draft) and "hand
in". Both requests read before either writes (tests/races.py); neither may answer with an error page, and a hand-in
is made once. On SQLite and on PostgreSQL (CI runs this file on both: it uses the database)."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.learning.models import ExerciseCredit
from lms.practice.models import ExerciseRun, SavedAnswer, Submission
from tests.practice.web_helpers import add_account, add_contact, learner_with_workspace
from tests.races import held_before_adding, own_connections, rows, signed_in, twice

BCM = "buying-committee-map"


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


@pytest.fixture
def learner(app):
    _, user, ws = learner_with_workspace()
    account = add_account(ws, "Fernhollow Labs", "1:few")
    for role in ("senior_decision_maker", "functional_owner", "technical_evaluator", "finance"):
        add_contact(ws, account, role)
    db.session.commit()
    return user.email


def test_a_double_click_on_the_first_check_checks_twice_and_keeps_one_draft(app, learner):
    with held_before_adding(SavedAnswer):
        assert twice(app, learner, lambda c: c.post(f"/exercises/{BCM}/run")) == [302, 302]
    assert rows(SavedAnswer) == 1
    assert rows(ExerciseRun) == 2  # two clicks, two checks of the workspace


def test_a_double_click_on_hand_in_hands_in_once(app, learner):
    assert signed_in(app, learner).post(f"/exercises/{BCM}/run").status_code == 302
    with held_before_adding(Submission):
        assert twice(app, learner, lambda c: c.post(f"/exercises/{BCM}/submit")) == [302, 302]
    assert rows(Submission) == 1
    assert rows(ExerciseCredit) == 1
