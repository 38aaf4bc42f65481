"""Pre- and post-course assessments: drawing a stable paper, answering, scoring, closing, ownership, settings."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.assessment import attempts, papers
from lms.assessment.models import AssessmentAnswer, AssessmentAttempt
from lms.extensions import db
from lms.tracking.models import Statement
from tests.assessment.conftest import COURSE
from tests.assessment.helpers import answer, complete_module, correct_options, paper_of, start, wrong_option

MODULES = ("choosing-target-accounts", "mapping-the-buying-group")


def without_csrf(page: str) -> str:
    """The page without its CSRF token, which carries the second it was signed in."""
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', page)


def test_pre_assessment_paper_has_the_mix_and_is_the_same_on_every_reload(client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    overview = client.get(f"/assessments/{COURSE}/pre").get_data(as_text=True)
    assert "Start the pre-course assessment" in overview and "No time limit" in overview
    attempt = start(client)
    assert papers.difficulty_mix(paper_of(attempt)) == {
        "account-selection": {1: 1, 2: 2, 3: 1}, "buying-group-mapping": {1: 1, 2: 2, 3: 1}}
    first, again = (without_csrf(client.get(f"/assessments/attempts/{attempt.id}").get_data(as_text=True))
                    for _ in range(2))
    assert first == again and "8 questions" in first
    assert start(client).id == attempt.id  # starting again resumes the same attempt
    launched = db.session.scalar(select(Statement).where(Statement.verb == "launched",
                                                         Statement.object_type == "assessment"))
    assert launched.object_id == f"{COURSE}/pre" and launched.result["questions"] == 8


def test_papers_are_randomised_per_attempt(client, auth, synced, people):
    drawn = []
    for person in (people.learner, people.classmate, people.coach):
        auth.login(person.email)
        client.post(f"/courses/{COURSE}/enrol")
        drawn.append([item.key for item in paper_of(start(client))])
        auth.logout()
    assert len({tuple(keys) for keys in drawn}) == 3


def test_the_open_paper_never_sends_which_options_are_correct(client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    page = client.get(f"/assessments/attempts/{start(client).id}").get_data(as_text=True)
    assert "Correct answer" not in page and "Why:" not in page and '"correct"' not in page


def test_answers_are_checked_on_the_server_and_scored_when_the_learner_finishes(client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    attempt = start(client)
    paper = paper_of(attempt)
    right = {1, 2, 3, 5}  # answer these right, 4, 6 and 7 wrong, and leave 8 unanswered
    for number, item in enumerate(paper[:7], start=1):
        chosen = correct_options(item.key) if number in right else [wrong_option(item.key)]
        response = answer(client, attempt, number, chosen)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"#q-{number + 1}")
    assert answer(client, attempt, 2, correct_options(paper[1].key)).status_code == 302  # changed: still right
    assert "7 of 8 answered" in client.get(f"/assessments/attempts/{attempt.id}").get_data(as_text=True)
    assert client.post(f"/assessments/attempts/{attempt.id}/finish").status_code == 302
    db.session.refresh(attempt)
    assert attempt.is_closed and attempt.closed_by == "learner"
    assert attempt.score == 50  # 4 of 8
    expected = {}
    for number, item in enumerate(paper, start=1):
        tally = expected.setdefault(item.competency, {"correct": 0, "total": 0})
        tally["correct"] += number in right
        tally["total"] += 1
    assert attempt.scores == expected
    results = client.get(f"/assessments/attempts/{attempt.id}").get_data(as_text=True)
    assert "Your result: 50%" in results and "4 of 8 questions right" in results
    assert "Why:" in results and "Not answered." in results
    answered = db.session.scalars(select(Statement).where(Statement.verb == "answered")).all()
    assert len(answered) == 8 and {s.context["assessment"] for s in answered} == {"pre"}
    completed = db.session.scalar(select(Statement).where(Statement.verb == "completed",
                                                          Statement.object_type == "assessment"))
    assert completed.result["score"] == 50 and completed.result["questions"] == 8


def test_an_answer_with_no_option_is_not_kept(client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    attempt = start(client)
    response = answer(client, attempt, 1, [])
    assert response.headers["Location"].endswith("#q-1")
    assert db.session.scalar(select(AssessmentAnswer)) is None


def test_a_closed_attempt_cannot_be_changed(client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    attempt = start(client)
    key = paper_of(attempt)[0].key
    answer(client, attempt, 1, [wrong_option(key)])
    client.post(f"/assessments/attempts/{attempt.id}/finish")
    response = answer(client, attempt, 1, correct_options(key))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This assessment is closed, so its answers can no longer change." in page
    client.post(f"/assessments/attempts/{attempt.id}/finish")  # finishing again changes nothing
    db.session.expire_all()
    assert db.session.scalar(select(AssessmentAnswer)).is_correct is False
    assert db.session.get(AssessmentAttempt, attempt.id).score == 0
    assert len(db.session.scalars(select(Statement).where(Statement.verb == "completed")).all()) == 1


def test_another_learners_attempt_answers_404(client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    attempt = start(client)
    auth.logout()
    for person in (people.classmate, people.coach, people.manager, people.outsider):
        auth.login(person.email)
        assert client.get(f"/assessments/attempts/{attempt.id}").status_code == 404
        assert answer(client, attempt, 1, [0]).status_code == 404
        assert client.post(f"/assessments/attempts/{attempt.id}/finish").status_code == 404
        auth.logout()
    db.session.expire_all()
    assert db.session.scalar(select(AssessmentAnswer)) is None
    assert not db.session.get(AssessmentAttempt, attempt.id).is_closed


def test_a_question_number_not_on_the_paper_answers_404(client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    attempt = start(client)
    assert answer(client, attempt, 9, [0]).status_code == 404
    assert answer(client, attempt, 0, [0]).status_code == 404


def test_pre_assessment_needs_an_enrolment_and_is_not_offered_after_the_first_module(client, auth, synced, people):
    auth.login(people.learner.email)
    assert "Enrol on the course first." in client.get(f"/assessments/{COURSE}/pre").get_data(as_text=True)
    client.post(f"/assessments/{COURSE}/pre/start")
    client.post(f"/courses/{COURSE}/enrol")
    complete_module(client, MODULES[0])
    response = client.post(f"/assessments/{COURSE}/pre/start")
    assert response.headers["Location"].endswith(f"/assessments/{COURSE}/pre")
    assert "before you complete your first module" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(AssessmentAttempt)) is None


def test_post_assessment_is_offered_when_every_module_is_done_with_the_same_mix_and_fresh_questions(
        client, auth, synced, people):
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    pre = start(client, "pre")
    client.post(f"/assessments/attempts/{pre.id}/finish")
    assert "1 module to go" not in client.get(f"/assessments/{COURSE}/post").get_data(as_text=True)
    complete_module(client, MODULES[0])
    assert "1 module to go" in client.get(f"/assessments/{COURSE}/post").get_data(as_text=True)
    complete_module(client, MODULES[1])
    assert "Start the post-course assessment" in client.get(f"/assessments/{COURSE}/post").get_data(as_text=True)
    post = start(client, "post")
    assert papers.difficulty_mix(paper_of(pre)) == papers.difficulty_mix(paper_of(post))
    assert not {i.key for i in paper_of(pre)} & {i.key for i in paper_of(post)}


def test_unknown_kind_or_course_answers_404(client, auth, synced, people):
    auth.login(people.learner.email)
    assert client.get(f"/assessments/{COURSE}/mid").status_code == 404
    assert client.post(f"/assessments/{COURSE}/mid/start").status_code == 404
    assert client.get("/assessments/no-such-course/pre").status_code == 404


def test_settings_come_from_the_app_config():
    settings = attempts.settings_for({"ASSESSMENT_MIX": {"1": 2, "3": 1}, "ASSESSMENT_TIME_LIMIT_MINUTES": 30,
                                      "ASSESSMENT_TIME_LIMITS": {"tiny-course": 12}}, "tiny-course")
    assert settings == attempts.Settings(mix={1: 2, 3: 1}, time_limit_minutes=12)
    assert attempts.settings_for({}, "tiny-course") == attempts.Settings(papers.DEFAULT_MIX, None)


def test_a_post_paper_the_bank_cannot_supply_without_repeats_is_refused_and_logged_never_repeated(
        app, client, auth, synced, people, caplog):
    app.config["ASSESSMENT_MIX"] = {"1": 2, "2": 2, "3": 2}  # the pre paper leaves 1 easy, 2 medium, 1 hard
    auth.login(people.learner.email)
    client.post(f"/courses/{COURSE}/enrol")
    pre = start(client, "pre")
    assert papers.difficulty_mix(paper_of(pre))["account-selection"] == {1: 2, 2: 2, 3: 2}
    client.post(f"/assessments/attempts/{pre.id}/finish")
    for module in MODULES:
        complete_module(client, module)
    with caplog.at_level("ERROR"):
        response = client.post(f"/assessments/{COURSE}/post/start")
    assert response.headers["Location"].endswith(f"/assessments/{COURSE}/post")
    assert "question bank does not hold enough questions" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert db.session.scalar(select(AssessmentAttempt).where(AssessmentAttempt.kind == "post")) is None
    assert any("assessment bank too small for the post paper" in r.getMessage() for r in caplog.records)


def test_many_learners_post_papers_share_no_question_with_their_own_pre_papers(client, auth, synced, people):
    for person in (people.learner, people.classmate, people.coach, people.manager, people.other_coach):
        auth.login(person.email)
        client.post(f"/courses/{COURSE}/enrol")
        pre = start(client, "pre")
        client.post(f"/assessments/attempts/{pre.id}/finish")
        for module in MODULES:
            complete_module(client, module)
        post = start(client, "post")
        assert not {i.key for i in paper_of(pre)} & {i.key for i in paper_of(post)}
        assert papers.difficulty_mix(paper_of(pre)) == papers.difficulty_mix(paper_of(post))
        auth.logout()
