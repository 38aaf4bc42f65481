"""Handing in: the best run counts, a pass credits the exercise and can complete a course, scores for others."""

from __future__ import annotations

from sqlalchemy import select

from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, ExerciseCredit, ModuleProgress
from lms.practice.models import Submission
from lms.practice.submissions import best_scores, best_scores_for_users
from lms.tracking.models import Statement
from tests.factories import make_org
from tests.practice.web_helpers import (
    add_account,
    add_contact,
    learner_with_workspace,
    make_module,
    mapped_account,
)

BCM = "buying-committee-map"


def _submissions(user) -> list[Submission]:
    db.session.expire_all()
    return list(db.session.scalars(select(Submission).where(Submission.user_id == user.id).order_by(Submission.id)))


def test_submitting_without_a_run_asks_for_a_run_first(client, auth, app):
    _, user, _ = learner_with_workspace()
    auth.login(user.email)
    response = client.post(f"/exercises/{BCM}/submit", follow_redirects=True)
    assert "Run the check first" in response.get_data(as_text=True)
    assert _submissions(user) == []


def test_the_best_run_is_handed_in_and_the_best_submission_counts(client, auth, app):
    org, user, ws = learner_with_workspace()
    fern = add_account(ws, "Fernhollow Labs", "1:few")
    for role in ("senior_decision_maker", "functional_owner"):
        add_contact(ws, fern, role)
    db.session.commit()
    auth.login(user.email)

    client.post(f"/exercises/{BCM}/run")  # 2 of 4 roles: not passed
    response = client.post(f"/exercises/{BCM}/submit")
    (first,) = _submissions(user)
    assert (first.passed, first.status) == (False, "awaiting") and 0 < first.score < 100
    assert response.headers["Location"].endswith(f"/runs/{first.run_id}")
    assert "Awaiting review" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(ExerciseCredit)) is None

    again = client.post(f"/exercises/{BCM}/submit", follow_redirects=True).get_data(as_text=True)
    assert "already handed in" in again
    assert len(_submissions(user)) == 1

    for role in ("technical_evaluator", "finance"):
        add_contact(ws, db.session.get(type(fern), fern.id), role)
    db.session.commit()
    client.post(f"/exercises/{BCM}/run")  # 100, passed
    client.post(f"/exercises/{BCM}/run")  # another 100: the newest best is handed in
    client.post(f"/exercises/{BCM}/submit")
    first, second = _submissions(user)
    assert (second.score, second.passed) == (100, True)
    assert second.run_id > first.run_id
    assert best_scores(user.id, org.id) == {BCM: 100}
    credit = db.session.scalar(select(ExerciseCredit))
    assert (credit.user_id, credit.exercise_slug, credit.best_score) == (user.id, BCM, 100)
    verbs = list(db.session.scalars(select(Statement.verb).where(Statement.actor_id == user.id)))
    assert verbs.count("submitted") == 2 and verbs.count("ran") == 3


def test_best_scores_count_only_submissions_and_only_in_the_organisation(client, auth, app):
    org, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    assert best_scores(user.id, org.id) == {}  # a run is not a submission
    client.post(f"/exercises/{BCM}/submit")
    assert best_scores(user.id, org.id) == {BCM: 100}
    assert best_scores(user.id, make_org().id) == {}


def test_best_scores_for_users_answers_many_learners_in_one_query(client, auth, app, queries):
    org, ann, ws_a = learner_with_workspace()
    _, bob, ws_b = learner_with_workspace(org)
    _, cat, _ = learner_with_workspace(org)
    mapped_account(ws_a, "Fernhollow Labs")
    add_account(ws_b, "Quenby Group")
    db.session.commit()
    for user in (ann, bob):
        auth.login(user.email)
        client.post(f"/exercises/{BCM}/run")
        client.post(f"/exercises/{BCM}/submit")
        client.post("/exercises/target-account-list/run")
        client.post("/exercises/target-account-list/submit")
        auth.logout()
    with queries:
        scores = best_scores_for_users([ann.id, bob.id, cat.id], org.id)
    assert queries.count == 1
    assert scores[ann.id][BCM] == 100 and scores[bob.id][BCM] == 0
    assert set(scores) == {ann.id, bob.id}
    assert set(scores[ann.id]) == {BCM, "target-account-list"}
    with queries:
        assert best_scores_for_users([], org.id) == {}
    assert queries.count == 0


def test_a_passing_submission_completes_a_course_whose_other_rules_are_met(client, auth, app):
    first = make_module("abm-practice", "mapping", "Mapping", required_exercises=(BCM,))
    second = make_module("abm-practice", "tiering", "Tiering", position=2)
    other = make_module("other-course", "intro", "Intro", required_exercises=(BCM,))
    org, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    enrolment = Enrolment(user_id=user.id, course_id=first.course_id, organization_id=org.id)
    unfinished = Enrolment(user_id=user.id, course_id=other.course_id, organization_id=org.id)
    db.session.add_all([enrolment, unfinished])
    for module in (first, second):
        db.session.add(ModuleProgress(user_id=user.id, module_id=module.id, organization_id=org.id,
                                      completed_at=utcnow(), completed_version=module.version))
    db.session.commit()
    auth.login(user.email)

    client.post(f"/exercises/{BCM}/run")
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).completed_at is None  # a run alone is not enough
    response = client.post(f"/exercises/{BCM}/submit", follow_redirects=True)
    assert "the exercise counts as passed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).completed_at is not None
    assert db.session.get(Enrolment, unfinished.id).completed_at is None  # its module is not done
    completed = db.session.scalar(select(Statement).where(Statement.verb == "completed",
                                                          Statement.object_type == "course"))
    assert completed.object_id == "abm-practice"


def test_a_failed_submission_does_not_credit_the_exercise(client, auth, app):
    _, user, ws = learner_with_workspace()
    add_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    page = client.post(f"/exercises/{BCM}/submit", follow_redirects=True).get_data(as_text=True)
    assert "It counts once a run passes" in page
    assert "Awaiting review" in page
    assert db.session.scalar(select(ExerciseCredit)) is None


def test_the_exercise_list_shows_the_review_state(client, auth, app):
    _, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    assert "Passed: hand it in" in client.get("/exercises").get_data(as_text=True)
    client.post(f"/exercises/{BCM}/submit")
    page = client.get("/exercises").get_data(as_text=True)
    assert "Handed in: awaiting review" in page
    assert "your best 100/100 in 1 check" in page
    show = client.get(f"/exercises/{BCM}").get_data(as_text=True)
    assert "Handed in: waiting for your coach" in show
