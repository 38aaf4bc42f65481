"""Capability profiles on fixture data (numbers worked out by hand), coach ratings, who may see what, queries."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from lms.assessment.models import AssessmentAttempt, CoachRating
from lms.assessment.profiles import profiles_for
from lms.content.models import Course, Module
from lms.extensions import db
from lms.identity.models import CohortMember
from lms.learning.models import Enrolment, QuestionAnswer
from lms.practice.models import ExerciseRun, Submission
from lms.tracking.models import Statement
from tests.assessment.conftest import COURSE
from tests.factories import make_cohort, make_user


def submit(user, org, slug: str, score: int) -> None:
    """A submission as practice stores it: a run handed in for credit."""
    run = ExerciseRun(organization_id=org.id, user_id=user.id, exercise_slug=slug, exercise_version="v1", score=score,
                      passed=score >= 75)
    db.session.add(run)
    db.session.flush()
    db.session.add(Submission(organization_id=org.id, user_id=user.id, run_id=run.id, exercise_slug=slug,
                              score=score, passed=score >= 75))


def closed_attempt(user, org, kind: str, scores: dict, when: datetime) -> None:
    course = db.session.scalar(select(Course).where(Course.slug == COURSE))
    db.session.add(AssessmentAttempt(
        user_id=user.id, organization_id=org.id, course_id=course.id, kind=kind, paper=[], started_at=when,
        closed_at=when, closed_by="learner", score=0,
        scores={slug: {"correct": c, "total": t} for slug, (c, t) in scores.items()}))


def module_answers(user, org, module_slug: str, right: int, wrong: int) -> None:
    module = db.session.scalar(select(Module).where(Module.slug == module_slug))
    for n, question in enumerate(module.questions[: right + wrong]):
        db.session.add(QuestionAnswer(user_id=user.id, module_id=module.id, organization_id=org.id,
                                      question_id=question["id"], ever_correct=n < right, is_correct=n < right,
                                      first_correct=n < right,
                                      attempts=1, version=module.version))


def record_learner_evidence(user, org) -> None:
    """The fixture learner's record, used by the hand-computed profile below.

    Pre-assessment: account selection 1 of 4, buying groups 2 of 4. Post-assessment: account selection 3 of 4
    (buying groups not on it). Module checks (both modules teach both competencies): 2 of 3 and 3 of 3 right.
    Submissions: target-account-list 60 then 70 (account selection); buying-committee-map 90 and
    contact-list-build 62 (buying groups); an exercise no longer in the registry.
    """
    closed_attempt(user, org, "pre", {"account-selection": (1, 4), "buying-group-mapping": (2, 4)},
                   datetime(2026, 1, 10))
    closed_attempt(user, org, "post", {"account-selection": (3, 4)}, datetime(2026, 3, 10))
    module_answers(user, org, "choosing-target-accounts", right=2, wrong=1)
    module_answers(user, org, "mapping-the-buying-group", right=3, wrong=0)
    for slug, score in (("target-account-list", 60), ("target-account-list", 70), ("buying-committee-map", 90),
                        ("contact-list-build", 62), ("retired-exercise", 10)):
        submit(user, org, slug, score)
    db.session.commit()


def mapped(competency: str) -> int:
    """How many installed exercises prove a competency (the registry grows as exercises are added)."""
    from lms.practice.exercises import exercise_registry

    return sum(1 for e in exercise_registry().values() if competency in e.competencies)


def test_profile_numbers_worked_out_by_hand_including_the_gap(client, auth, synced, people):
    record_learner_evidence(people.learner, people.org)
    auth.login(people.coach.email)
    client.post(f"/progress/{people.learner.id}/ratings/account-selection",
                data={"account-selection-level": "3", "account-selection-comment": "A solid, agreed list."})
    profile = profiles_for([people.learner.id], people.org.id)[people.learner.id]
    selection = profile.competency("account-selection")
    # pre 1/4 = 25; post 3/4 = 75; change +50; checks (2 + 3) / (3 + 3) = 83;
    # knowledge = post and checks pooled = (3 + 5) / (4 + 6) = 80; applied = best of target-account-list = 70;
    # gap = 80 - 70 = 10.
    assert (selection.pre, selection.post, selection.change, selection.checks) == (25, 75, 50, 83)
    assert (selection.knowledge, selection.applied, selection.gap) == (80, 70, 10)
    assert (selection.exercises_submitted, selection.exercises_mapped) == (1, mapped("account-selection"))
    assert selection.rating.level == 3 and selection.rating.comment == "A solid, agreed list."
    assert selection.rating.coach == "Cora Coach"
    groups = profile.competency("buying-group-mapping")
    # pre 2/4 = 50; no post; checks 5/6 = 83; knowledge = checks = 83; applied = (90 + 62) / 2 = 76; gap = 7.
    assert (groups.pre, groups.post, groups.change, groups.checks) == (50, None, None, 83)
    assert (groups.knowledge, groups.applied, groups.gap) == (83, 76, 7)
    assert (groups.exercises_submitted, groups.exercises_mapped) == (2, mapped("buying-group-mapping"))
    assert groups.rating is None


def test_the_progress_page_shows_the_profile(client, auth, synced, people):
    record_learner_evidence(people.learner, people.org)
    db.session.add(Enrolment(user_id=people.learner.id, organization_id=people.org.id,
                             course_id=db.session.scalar(select(Course.id))))
    db.session.commit()
    auth.login(people.learner.email)
    page = client.get("/progress").get_data(as_text=True)
    assert "Your progress" in page and "Target account selection and tiering" in page
    n = mapped("account-selection")
    assert "+50" in page and "80%" in page and "70%" in page and f"1 of {n} exercise{'s' if n != 1 else ''}" in page
    assert "Not rated yet" in page
    assert "Rate Ada" not in page  # nobody rates themselves
    assert "ABM in Ten Minutes" in page  # the course's assessments


def test_own_progress_page_reads_a_fixed_number_of_rows(client, auth, synced, people, queries):
    record_learner_evidence(people.learner, people.org)
    auth.login(people.learner.email)
    client.get("/progress")
    with queries:
        assert client.get("/progress").status_code == 200
    assert queries.count <= 6, queries.statements
    auth.logout()
    auth.login(people.coach.email)
    with queries:
        assert "Ada Lovelace" in client.get("/progress").get_data(as_text=True)
    assert queries.count <= 8, queries.statements  # two more: how many learners they coach, and a page of them


def test_profiles_for_many_learners_takes_a_fixed_number_of_queries(app, synced, people, queries):
    few = [people.learner, people.classmate]
    for user in few:
        record_learner_evidence(user, people.org)
    with queries:
        profiles_for([u.id for u in few], people.org.id)
    small = queries.count
    many = few + [make_user(people.org, ("learner",), commit=False) for _ in range(12)]
    for user in many[2:]:
        record_learner_evidence(user, people.org)
    with queries:
        profiles = profiles_for([u.id for u in many], people.org.id)
    assert queries.count == small <= 5
    assert len(profiles) == 14
    assert {p.competency("account-selection").gap for p in profiles.values()} == {10}


def test_profiles_are_scoped_to_the_organisation(app, synced, people):
    record_learner_evidence(people.learner, people.org)
    elsewhere = profiles_for([people.learner.id], people.outsider.memberships[0].organization_id)
    row = elsewhere[people.learner.id].competency("account-selection")
    assert (row.pre, row.knowledge, row.applied, row.rating) == (None, None, None, None)


# --- Who may see a profile -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewer", "code"), [
    ("learner", 200), ("coach", 200), ("manager", 200), ("classmate", 403), ("other_coach", 403)])
def test_who_may_see_a_learners_profile(client, auth, synced, people, viewer, code):
    auth.login(getattr(people, viewer).email)
    assert client.get(f"/progress/{people.learner.id}").status_code == code


def test_another_organisations_learner_answers_404(client, auth, synced, people):
    for viewer in (people.manager, people.coach, people.learner):
        auth.login(viewer.email)
        assert client.get(f"/progress/{people.outsider.id}").status_code == 404
        assert client.get("/progress/999999").status_code == 404
        assert client.post(f"/progress/{people.outsider.id}/ratings/account-selection",
                           data={"account-selection-level": "3",
                                 "account-selection-comment": "x"}).status_code == 404
        auth.logout()
    assert db.session.scalar(select(CoachRating)) is None


def test_a_coach_sees_their_learners_listed_and_rating_forms_only_for_them(client, auth, synced, people):
    auth.login(people.coach.email)
    own = client.get("/progress").get_data(as_text=True)
    assert "Learners you coach" in own and "Ada Lovelace" in own and "Bea Hart" in own
    page = client.get(f"/progress/{people.learner.id}").get_data(as_text=True)
    assert "Rate Ada" in page and "4: Decides the required roles per tier" in page
    auth.logout()
    auth.login(people.manager.email)
    assert "Rate Ada" not in client.get(f"/progress/{people.learner.id}").get_data(as_text=True)



def test_a_coach_of_many_finds_their_learners_a_page_at_a_time(client, auth, synced, people, queries, monkeypatch):
    from lms.assessment import coaching

    monkeypatch.setattr(coaching, "LEARNERS_PER_PAGE", 3)
    archived = make_cohort(people.org, "Archived cohort", is_archived=True)
    for i in range(5):
        make_user(people.org, ("learner",), email=f"rep{i}@northwind.example", name=f"Rep {i} Smith",
                  cohort=people.cohort, commit=False)
    make_user(people.org, ("learner",), email="gone@northwind.example", name="Gone Smith", cohort=archived,
              commit=False)
    db.session.add(CohortMember(cohort_id=archived.id, user_id=people.coach.id, role="coach"))
    make_user(people.org, ("learner",), email="otto-rep@northwind.example", name="Theirs Smith",
              cohort=make_cohort(people.org, "Otto's cohort"), commit=False)  # a cohort this coach does not coach
    db.session.commit()
    auth.login(people.coach.email)

    first = client.get("/progress").get_data(as_text=True)
    assert "7 learners, by cohort and name: page 1 of 3." in first  # Ada, Bea and the five reps
    assert "Ada Lovelace" in first and "Bea Hart" in first and "Rep 0 Smith" in first and "Rep 1" not in first
    assert 'href="/progress?page=2#learners"' in first
    last = client.get("/progress?page=99").get_data(as_text=True)  # past the end: the last page
    assert "page 3 of 3" in last and "Rep 4 Smith" in last and "Ada Lovelace" not in last

    found = client.get("/progress?q=SMITH+rep").get_data(as_text=True)
    assert "5 learners match, by cohort and name: page 1 of 2." in found
    following = re.search(r'rel="next" href="([^"]+)"', found).group(1).replace("&amp;", "&")
    assert "Rep 3 Smith" in client.get(following).get_data(as_text=True)  # the next page keeps the search
    everyone = "".join(client.get(f"/progress?q=smith&page={n}").get_data(as_text=True) for n in (1, 2))
    assert "Gone Smith" not in everyone and "Theirs Smith" not in everyone  # archived, and not theirs
    assert "Sam Outsider" not in client.get("/progress?q=sam").get_data(as_text=True)
    nobody = client.get("/progress?q=zz").get_data(as_text=True)
    assert "None of your learners matches" in nobody and "Show all your learners" in nobody

    with queries:
        client.get("/progress?page=2")
    few = queries.count
    for i in range(20):
        make_user(people.org, ("learner",), email=f"more{i}@northwind.example", cohort=people.cohort, commit=False)
    db.session.commit()
    with queries:
        client.get("/progress?page=2")
    assert queries.count == few


def test_a_coach_of_a_few_sees_them_all_with_no_search_box(client, auth, synced, people):
    auth.login(people.coach.email)
    page = client.get("/progress").get_data(as_text=True)
    assert "Ada Lovelace" in page and 'role="search"' not in page and "Pages of your learners" not in page
    auth.logout()
    auth.login(people.learner.email)
    assert "Learners you coach" not in client.get("/progress").get_data(as_text=True)

# --- Coach ratings -------------------------------------------------------------------------------------------


def rate(client, learner_id: int, level: str, comment: str, competency: str = "account-selection"):
    return client.post(f"/progress/{learner_id}/ratings/{competency}",
                       data={f"{competency}-level": level, f"{competency}-comment": comment})


def test_a_coach_rates_a_learner_from_1_to_5_with_a_comment(client, auth, synced, people):
    auth.login(people.coach.email)
    response = rate(client, people.learner.id, "4", "  Resolved two disputed accounts with evidence.  ")
    assert response.status_code == 302 and response.headers["Location"].endswith("#rate-account-selection")
    rating = db.session.scalar(select(CoachRating))
    assert (rating.level, rating.comment, rating.coach_id, rating.cohort_id) == (
        4, "Resolved two disputed accounts with evidence.", people.coach.id, people.cohort.id)
    statement = db.session.scalar(select(Statement).where(Statement.verb == "rated"))
    assert statement.actor_id == people.coach.id and statement.object_id == "account-selection"
    assert statement.result["score"]["raw"] == 4 and statement.context["learner_id"] == people.learner.id
    rate(client, people.learner.id, "5", "Now refreshes the list from outcomes.")
    profile = profiles_for([people.learner.id], people.org.id)[people.learner.id]
    assert profile.competency("account-selection").rating.level == 5  # the latest counts
    assert len(db.session.scalars(select(CoachRating)).all()) == 2  # the history is kept


@pytest.mark.parametrize(("level", "comment", "error"), [
    ("6", "Fine.", "Not a valid choice."),
    ("0", "Fine.", "Not a valid choice."),
    ("", "Fine.", "Choose a level from 1 to 5."),
    ("3", "   ", "Say what you saw that puts the learner at this level."),
])
def test_a_rating_needs_a_level_from_1_to_5_and_a_comment(client, auth, synced, people, level, comment, error):
    auth.login(people.coach.email)
    response = rate(client, people.learner.id, level, comment)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error in page and 'id="rate-account-selection" open' in page
    assert db.session.scalar(select(CoachRating)) is None


@pytest.mark.parametrize("rater", ["manager", "other_coach", "classmate", "learner"])
def test_only_the_learners_coaches_may_rate_them(client, auth, synced, people, rater):
    auth.login(getattr(people, rater).email)
    assert rate(client, people.learner.id, "3", "Looks good.").status_code == 403
    assert db.session.scalar(select(CoachRating)) is None


def test_rating_an_unknown_competency_answers_404(client, auth, synced, people):
    auth.login(people.coach.email)
    assert rate(client, people.learner.id, "3", "Fine.", competency="negotiation").status_code == 404
