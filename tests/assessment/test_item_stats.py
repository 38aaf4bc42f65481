"""Item statistics for the bank: first answers, share right and discrimination, hand-computed; the admin page."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lms.assessment import question_bank
from lms.assessment.item_stats import (
    TOO_FEW,
    Sitting,
    first_responses,
    flags_for,
    item_stats,
    point_biserial,
    share_correct,
)
from lms.assessment.models import AssessmentAnswer, AssessmentAttempt
from lms.content.models import Course
from lms.extensions import db
from tests.factories import make_user

T0 = datetime(2026, 11, 1, 9, 0)


def sitting(attempt_id: int, learner_id: int, keys: str, correct: str, hours: int = 0) -> Sitting:
    return Sitting(attempt_id, learner_id, T0 + timedelta(hours=hours), tuple(keys), frozenset(correct))


# Four learners sit a, b and c; learner 1 later meets a again (not a first answer) and d.
SITTINGS = [
    sitting(1, 1, "abc", "ab", hours=0),  # score 2
    sitting(2, 2, "abc", "a", hours=1),  # score 1
    sitting(3, 3, "abc", "", hours=2),  # score 0
    sitting(4, 4, "abc", "abc", hours=3),  # score 3
    sitting(5, 1, "ad", "ad", hours=4),  # a was met before: only d counts
]


def test_first_responses_pair_each_answer_with_the_rest_of_the_paper_and_skip_repeat_meetings():
    responses = first_responses(reversed(SITTINGS))  # sorted by start, whatever the order given
    assert responses["a"] == [(1, 1), (1, 0), (0, 0), (1, 2)]
    assert responses["b"] == [(1, 1), (0, 1), (0, 0), (1, 2)]
    assert responses["c"] == [(0, 2), (0, 1), (0, 0), (1, 2)]
    assert responses["d"] == [(1, 1)]


def test_share_correct_and_point_biserial_worked_out_by_hand():
    responses = first_responses(SITTINGS)
    assert share_correct(responses["a"]) == 0.75
    assert share_correct(responses["c"]) == 0.25
    assert share_correct([]) is None
    # b: x = 1,0,0,1 (mean 0.5); rest = 1,1,0,2 (mean 1). Sxy = 1, Sxx = 1, Syy = 2, so r = 1 / sqrt(2).
    assert point_biserial(responses["b"]) == pytest.approx(1 / math.sqrt(2))
    # a: x = 1,1,0,1 (mean 0.75); rest = 1,0,0,2 (mean 0.75). Sxy = 0.75, Sxx = 0.75, Syy = 2.75.
    assert point_biserial(responses["a"]) == pytest.approx(0.75 / math.sqrt(0.75 * 2.75))
    assert point_biserial(responses["a"]) == pytest.approx(0.5222, abs=1e-4)
    assert point_biserial(responses["d"]) is None  # one response
    assert point_biserial([(1, 3), (1, 0)]) is None  # everyone right: nothing to correlate
    assert point_biserial([(1, 2), (0, 2)]) is None  # every rest score equal
    assert point_biserial([(1, 0), (0, 4)]) == pytest.approx(-1.0)


def test_flags_need_thirty_answers_then_name_what_is_wrong():
    assert flags_for(29, 1.0, None) == (TOO_FEW,)
    assert flags_for(0, None, None) == (TOO_FEW,)
    assert flags_for(30, 0.5, 0.35) == ()
    assert flags_for(30, 0.5, 0.2) == ()  # the limits themselves are acceptable
    assert flags_for(30, 0.9, 0.2) == ()
    assert flags_for(30, 0.2, 0.2) == ()
    easy = flags_for(30, 0.93, None)
    assert len(easy) == 2 and easy[0].startswith("too easy") and "discrimination" in easy[1]
    assert flags_for(40, 0.1, 0.5) == ("too hard: fewer than 20% get it right; check the answer key",)
    assert flags_for(40, 0.5, 0.1) == ("does not tell stronger from weaker learners (discrimination under 0.2)",)


def test_item_stats_list_every_key_given_in_order_with_their_flags():
    good = [Sitting(n, n, T0, ("good", "other"), frozenset({"good", "other"} if n % 2 else ()))
            for n in range(30)]
    stats = {s.key: s for s in item_stats(["good", "never", "a"], good + SITTINGS)}
    assert list(stats) == ["good", "never", "a"]
    assert stats["good"].responses == 30 and stats["good"].difficulty == 0.5
    assert stats["good"].discrimination == pytest.approx(1.0) and stats["good"].flags == ()
    assert not stats["good"].is_flagged
    assert stats["never"].responses == 0 and stats["never"].difficulty is None
    assert stats["never"].flags == (TOO_FEW,) and not stats["never"].is_flagged
    assert stats["a"].responses == 4 and stats["a"].flags == (TOO_FEW,)


# --- From the database, and the page -------------------------------------------------------------------------


def closed_paper(user, org, kind: str, keys: list[str], right: set[str], hours: int) -> None:
    course = db.session.scalar(select(Course))
    attempt = AssessmentAttempt(
        user_id=user.id, organization_id=org.id, course_id=course.id, kind=kind, started_at=T0 + timedelta(hours=hours),
        closed_at=T0 + timedelta(hours=hours, minutes=20),
        paper=[{"key": k, "competency": k.split("/")[1].split("#")[0], "difficulty": 2} for k in keys])
    db.session.add(attempt)
    db.session.flush()
    db.session.add_all(AssessmentAnswer(attempt_id=attempt.id, question_key=k, chosen=[0], is_correct=k in right)
                       for k in keys)


A1, A2, B1 = ("assessments/account-selection#as-easy-1", "assessments/account-selection#as-easy-2",
              "assessments/buying-group-mapping#bg-easy-1")


def test_item_statistics_read_every_closed_paper_in_a_fixed_number_of_queries(app, synced, people, queries):
    closed_paper(people.learner, people.org, "pre", [A1, A2, B1], {A1, A2}, hours=0)
    closed_paper(people.classmate, people.org, "pre", [A1, A2, B1], {A1}, hours=1)
    open_attempt = AssessmentAttempt(user_id=people.coach.id, organization_id=people.org.id,
                                     course_id=db.session.scalar(select(Course.id)), kind="pre", paper=[
                                         {"key": A1, "competency": "account-selection", "difficulty": 1}])
    db.session.add(open_attempt)  # an open paper is not counted
    db.session.commit()
    with queries:
        rows = question_bank.item_statistics()
    few = queries.count
    assert few <= 3
    by_key = {f"assessments/{r.competency}#{r.question_id}": r for r in rows}
    assert len(rows) == 20  # every active bank question, answered or not
    assert by_key[A1].stat.responses == 2 and by_key[A1].stat.difficulty == 1.0
    assert by_key[A2].stat.difficulty == 0.5
    assert by_key[A2].stat.discrimination is None  # the rest of both papers scored 1: nothing to correlate
    assert by_key[B1].stat.difficulty == 0.0
    for n in range(10):  # more papers, same number of queries
        learner = make_user(people.org, ("learner",))
        closed_paper(learner, people.org, "pre", [A1, A2, B1], {A1} if n % 2 else {B1}, hours=2 + n)
    db.session.commit()
    with queries:
        question_bank.item_statistics()
    assert queries.count == few


def test_the_item_statistics_page_is_for_platform_admins_only(client, auth, synced, people):
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    org_admin = make_user(people.org, ("org_admin",), email="boss@northwind.example")
    for user in (people.learner, org_admin, people.manager):
        auth.login(user.email)
        assert client.get("/platform/assessment-items").status_code == 404
        auth.logout()
    auth.login(admin.email)
    page = client.get("/platform/assessment-items")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Assessment question statistics" in text and "as-easy-1" in text and "too few answers" in text
