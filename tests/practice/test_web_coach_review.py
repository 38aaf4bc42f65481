"""review: coach: a passing check is not a pass until a coach accepts the submission (completion, certificates,
capability scores); public attendees without a cohort coach go to the public organisation's coaches."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.database import utcnow
from lms.extensions import db
from lms.identity.services import add_role, join_cohort
from lms.learning.models import Enrolment, ExerciseCredit, ModuleProgress
from lms.practice.exercises import exercise_registry
from lms.practice.models import Submission
from lms.practice.submissions import best_scores, best_scores_for_users
from tests.factories import make_cohort, make_org, make_user
from tests.practice.web_helpers import coach_for, learner_with_workspace, make_module, mapped_account

BCM = "buying-committee-map"


@pytest.fixture
def coached(app):
    """The buying-committee map as an exercise that needs a coach's review."""
    registry = exercise_registry()
    registry[BCM] = dataclasses.replace(registry[BCM], review="coach")
    return registry[BCM]


def _submission(user) -> Submission:
    db.session.expire_all()
    return db.session.scalars(select(Submission).where(Submission.user_id == user.id)
                              .order_by(Submission.id.desc())).first()


def _review(client, auth, coach, submission, decision: str, comment: str = "Clear and specific.") -> str:
    auth.login(coach.email)
    response = client.post(f"/reviews/{submission.id}", data={"comment": comment, "decision": decision},
                           follow_redirects=True)
    auth.logout()
    return response.get_data(as_text=True)


def _course_ready(org, user):
    """A course that requires the exercise, with every module done: the exercise is all that is missing."""
    module = make_module("abm-practice", "mapping", "Mapping", required_exercises=(BCM,))
    enrolment = Enrolment(user_id=user.id, course_id=module.course_id, organization_id=org.id)
    db.session.add(enrolment)
    db.session.add(ModuleProgress(user_id=user.id, module_id=module.id, organization_id=org.id,
                                  completed_at=utcnow(), completed_version=module.version))
    db.session.commit()
    return enrolment


def test_a_passing_run_says_submit_it_for_review_and_the_list_says_so_too(client, auth, app, coached):
    _, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    page = client.post(f"/exercises/{BCM}/run", follow_redirects=True).get_data(as_text=True)
    assert "Passed the check \u2014 now submit it for your coach&#39;s review" in page
    assert "Submit for review" in page and "hand it in</h2>" not in page
    listing = client.get("/exercises").get_data(as_text=True)
    assert "Passed the check: submit it for your coach&#39;s review" in listing


def test_a_coach_review_exercise_counts_only_once_the_coach_accepts_it(client, auth, app, coached):
    org, user, ws = learner_with_workspace(name="Maya Okafor")
    mapped_account(ws, "Fernhollow Labs")
    coach = coach_for(org, user)
    enrolment = _course_ready(org, user)
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    handed = client.post(f"/exercises/{BCM}/submit", follow_redirects=True).get_data(as_text=True)
    assert "It counts as passed once your coach accepts it" in handed
    assert "passed the check: counts once your coach accepts it" in handed
    auth.logout()

    submission = _submission(user)
    assert (submission.passed, submission.status) == (True, "awaiting")
    assert db.session.scalar(select(ExerciseCredit)) is None
    assert db.session.get(Enrolment, enrolment.id).completed_at is None
    assert db.session.scalar(select(Certificate)) is None
    assert best_scores(user.id, org.id) == {} and best_scores_for_users([user.id], org.id) == {}

    review_page = _review(client, auth, coach, submission, "changes_requested", "Name the finance lead.")
    assert "Review saved" in review_page
    db.session.expire_all()
    assert db.session.scalar(select(ExerciseCredit)) is None  # asking for changes does not count it
    assert best_scores(user.id, org.id) == {}

    _review(client, auth, coach, submission, "accepted")
    db.session.expire_all()
    credit = db.session.scalar(select(ExerciseCredit))
    assert (credit.user_id, credit.exercise_slug, credit.best_score) == (user.id, BCM, 100)
    assert db.session.get(Enrolment, enrolment.id).completed_at is not None
    assert db.session.scalar(select(Certificate)).user_id == user.id  # completing the course issued it
    assert best_scores(user.id, org.id) == {BCM: 100}
    assert best_scores_for_users([user.id], org.id) == {user.id: {BCM: 100}}


def test_the_coach_is_told_their_acceptance_is_what_counts(client, auth, app, coached):
    org, user, ws = learner_with_workspace(name="Maya Okafor")
    mapped_account(ws, "Fernhollow Labs")
    coach = coach_for(org, user)
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    client.post(f"/exercises/{BCM}/submit")
    auth.logout()
    auth.login(coach.email)
    page = client.get(f"/reviews/{_submission(user).id}").get_data(as_text=True)
    assert "it counts as passed for Maya Okafor only when you accept it" in page


def test_an_exercise_without_coach_review_still_counts_when_handed_in(client, auth, app):
    org, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    client.post(f"/exercises/{BCM}/submit")
    assert db.session.scalar(select(ExerciseCredit)).exercise_slug == BCM
    assert best_scores(user.id, org.id) == {BCM: 100}


def test_accepting_a_hand_in_that_failed_the_check_does_not_count_it(client, auth, app, coached):
    org, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs", roles=("senior_decision_maker",))
    coach = coach_for(org, user)
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    client.post(f"/exercises/{BCM}/submit")
    auth.logout()
    submission = _submission(user)
    assert not submission.passed
    _review(client, auth, coach, submission, "accepted")
    db.session.expire_all()
    assert db.session.scalar(select(ExerciseCredit)) is None
    assert best_scores(user.id, org.id) == {BCM: submission.score}  # accepted: its score counts, not a pass


def _public_attendee(public, name: str, cohort):
    _, user, ws = learner_with_workspace(public, name=name)
    join_cohort(user, cohort, "learner")
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    return user


def test_public_attendees_without_a_cohort_coach_go_to_the_public_organisations_coaches(client, auth, app,
                                                                                       coached):
    public = make_org("Public courses", kind="public")
    workshop = make_cohort(public, "ABM Foundations, London", shares_workspace=False)  # no coach of its own
    alex = _public_attendee(public, "Alex Moreau", workshop)
    coached_session = make_cohort(public, "ABM Foundations, Leeds", shares_workspace=False)
    bea = _public_attendee(public, "Bea Coached", coached_session)
    session_coach = make_user(public, ("coach",), cohort=coached_session, cohort_role="coach")
    course_coach = make_user(public, ("coach",), name="Chloe Adeyemi")
    client_org = make_org()
    outsider = make_user(client_org, ("coach",))
    add_role(outsider, client_org, "coach")
    db.session.commit()
    for user in (alex, bea):
        auth.login(user.email)
        client.post(f"/exercises/{BCM}/run")
        client.post(f"/exercises/{BCM}/submit")
        auth.logout()
    alex_sub, bea_sub = _submission(alex), _submission(bea)
    assert alex_sub.passed and bea_sub.passed

    auth.login(course_coach.email)
    queue = client.get("/reviews").get_data(as_text=True)
    assert "Alex Moreau" in queue and "Bea Coached" not in queue  # Bea's session has its own coach
    assert client.get(f"/reviews/{bea_sub.id}").status_code == 404
    auth.logout()
    _review(client, auth, course_coach, alex_sub, "accepted")
    db.session.expire_all()
    assert db.session.get(Submission, alex_sub.id).status == "accepted"
    assert db.session.scalar(select(ExerciseCredit).where(ExerciseCredit.user_id == alex.id)) is not None

    auth.login(session_coach.email)
    queue = client.get("/reviews").get_data(as_text=True)
    assert "Bea Coached" in queue and "Alex Moreau" not in queue
    auth.logout()


def test_a_client_organisations_coaches_do_not_get_learners_outside_their_cohorts(client, auth, app, coached):
    org, user, ws = learner_with_workspace(name="Nobody Coaches Me")
    mapped_account(ws, "Fernhollow Labs")
    org_coach = make_user(org, ("coach",))
    db.session.commit()
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run")
    client.post(f"/exercises/{BCM}/submit")
    auth.logout()
    auth.login(org_coach.email)
    assert "Nobody Coaches Me" not in client.get("/reviews?status=all").get_data(as_text=True)
    assert client.get(f"/reviews/{_submission(user).id}").status_code == 404
