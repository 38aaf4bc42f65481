"""Timed assessments: the limit is shown, answers after it are not counted, and the attempt closes at it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assessment.models import AssessmentAnswer, AssessmentAttempt
from lms.extensions import db
from tests.assessment.conftest import COURSE
from tests.assessment.helpers import answer, correct_options, paper_of, start


@pytest.fixture
def app_config(app_config):
    app_config["ASSESSMENT_TIME_LIMIT_MINUTES"] = 30
    app_config["ASSESSMENT_TIME_LIMITS"] = {COURSE: 10}  # the course's own limit wins
    return app_config


def rewind(attempt: AssessmentAttempt, minutes: int) -> None:
    """Move the attempt's start and deadline into the past, as if `minutes` had gone by."""
    attempt.started_at -= timedelta(minutes=minutes)
    attempt.deadline_at -= timedelta(minutes=minutes)
    db.session.commit()


@pytest.fixture
def timed(client, auth, synced, people) -> AssessmentAttempt:
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    assert "A time limit of <strong>10 minutes</strong>" in client.get(f"/assessments/{COURSE}/pre").get_data(
        as_text=True)
    return start(client)


def test_the_course_limit_sets_the_deadline_and_the_paper_shows_it(client, timed):
    assert timed.time_limit_minutes == 10
    assert timed.deadline_at == timed.started_at + timedelta(minutes=10)
    page = client.get(f"/assessments/attempts/{timed.id}").get_data(as_text=True)
    assert "Time limit: 10 minutes. Finish by" in page


def test_an_answer_after_the_limit_is_not_counted_and_closes_the_attempt(client, timed):
    paper = paper_of(timed)
    answer(client, timed, 1, correct_options(paper[0].key))  # in time
    rewind(timed, 11)
    response = answer(client, timed, 2, correct_options(paper[1].key))  # too late
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The time limit had passed, so that answer was not counted" in page
    db.session.expire_all()
    attempt = db.session.get(AssessmentAttempt, timed.id)
    assert attempt.closed_by == "time_limit" and attempt.closed_at == attempt.deadline_at
    assert attempt.late_answers == 1
    assert attempt.score == 12  # 1 of 8: only the answer given in time counts
    assert [a.question_key for a in db.session.scalars(select(AssessmentAnswer))] == [paper[0].key]
    assert "The 10-minute time limit was reached" in page
    assert "1 answer sent after the limit was not counted" in page
    assert "7 questions unanswered" in page


def test_opening_an_expired_attempt_closes_it_at_the_deadline(client, timed):
    rewind(timed, 15)
    page = client.get(f"/assessments/attempts/{timed.id}").get_data(as_text=True)
    assert "The time limit has passed, so the assessment is closed." in page
    assert "Your result: 0%" in page
    db.session.expire_all()
    attempt = db.session.get(AssessmentAttempt, timed.id)
    assert attempt.closed_by == "time_limit" and attempt.late_answers == 0


def test_finishing_after_the_limit_counts_only_what_was_answered_in_time(client, timed):
    paper = paper_of(timed)
    for number, item in enumerate(paper[:2], start=1):
        answer(client, timed, number, correct_options(item.key))
    rewind(timed, 20)
    client.post(f"/assessments/attempts/{timed.id}/finish")
    db.session.expire_all()
    attempt = db.session.get(AssessmentAttempt, timed.id)
    assert attempt.score == 25 and attempt.closed_by == "time_limit"
