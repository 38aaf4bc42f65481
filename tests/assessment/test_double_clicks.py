"""A double click in an assessment: on "start", on saving the first answer to a question, on "finish". Both requests
read before either writes (tests/races.py); neither may answer with an error page, and what they make is made once:
one attempt, one answer, one "completed" statement and score. On SQLite and on PostgreSQL (CI runs this file on both:
it uses the database)."""

from __future__ import annotations

import pytest

from lms.assessment import attempts
from lms.assessment.models import AssessmentAnswer, AssessmentAttempt
from lms.tracking.models import Statement
from tests.assessment.conftest import COURSE
from tests.assessment.helpers import correct_options, paper_of, start
from tests.races import held_before_adding, hold_first_two, own_connections, rows, signed_in, twice


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


@pytest.fixture
def enrolled(app, synced, people):
    client = signed_in(app, people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    return client, people.learner.email


def test_a_double_click_on_start_starts_one_attempt(app, enrolled):
    _, email = enrolled
    with held_before_adding(AssessmentAttempt):
        assert twice(app, email, lambda c: c.post(f"/assessments/{COURSE}/pre/start")) == [302, 302]
    assert rows(AssessmentAttempt) == 1


def test_a_double_click_on_the_first_answer_keeps_one_answer(app, enrolled):
    client, email = enrolled
    attempt = start(client)
    right = correct_options(paper_of(attempt)[0].key)
    with held_before_adding(AssessmentAnswer):
        assert twice(app, email, lambda c: c.post(f"/assessments/attempts/{attempt.id}/questions/1",
                                                  data={"option": [str(i) for i in right]})) == [302, 302]
    assert rows(AssessmentAnswer) == 1


def test_a_double_click_on_finish_scores_the_attempt_once(app, enrolled, monkeypatch):
    client, email = enrolled
    attempt = start(client)
    monkeypatch.setattr(attempts, "attempt_or_404", hold_first_two(attempts.attempt_or_404))
    assert twice(app, email, lambda c: c.post(f"/assessments/attempts/{attempt.id}/finish")) == [302, 302]
    assert rows(Statement, Statement.verb == "completed", Statement.object_type == "assessment") == 1
    assert rows(AssessmentAttempt, AssessmentAttempt.closed_at.is_not(None)) == 1
