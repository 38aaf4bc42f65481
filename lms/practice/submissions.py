"""Submissions: a learner hands in their best run for credit and review; the best submitted scores per
learner. An exercise with `review: coach` counts only once a coach accepts the submission. Add and flush,
never commit: the view owns the commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, or_, select, true

from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.learning.services import course_view, dashboard, record_exercise_pass, refresh_completion
from lms.practice.errors import PracticeError
from lms.practice.exercises import exercise_registry
from lms.practice.models import Submission
from lms.practice.registry import Exercise
from lms.practice.runs import best_run
from lms.tracking.services import record


def _learner_cohort_id(user: User, org: Organization) -> int | None:
    return db.session.scalar(
        select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(CohortMember.user_id == user.id, Cohort.organization_id == org.id)
        .order_by(Cohort.is_archived, CohortMember.joined_at.desc(), CohortMember.id.desc()).limit(1))


def submit_best(user: User, org: Organization, exercise: Exercise) -> Submission:
    """Hand in the learner's best run for credit and review, and record "submitted".

    A passed submission credits the exercise (see credit_pass) unless the exercise needs a coach's review:
    then it is credited when a coach accepts it (reviews.review). Raises PracticeError when there is no run
    yet or the best run is already handed in.
    """
    run = best_run(user.id, org.id, exercise.slug)
    if run is None:
        raise PracticeError("Run the check first: you hand in your best run.")
    if db.session.scalar(select(Submission.id).where(Submission.run_id == run.id)) is not None:
        raise PracticeError(f"Your best run ({run.score}/100) is already handed in. Improve your work, run the "
                            "check again, then hand in the better run.")
    cohort_id = _learner_cohort_id(user, org)
    submission = Submission(organization_id=org.id, user_id=user.id, run_id=run.id, cohort_id=cohort_id,
                            exercise_slug=exercise.slug, score=run.score, passed=run.passed, status="awaiting")
    db.session.add(submission)
    db.session.flush()
    record(user, "submitted", ("exercise", exercise.slug, exercise.title),
           {"score": run.score, "success": run.passed, "run": run.id, "submission": submission.id},
           organization_id=org.id, cohort_id=cohort_id)
    if run.passed and not needs_coach(exercise):
        credit_pass(user, org, exercise.slug, run.score)
    return submission


def needs_coach(exercise: Exercise | None) -> bool:
    """Return True if passing the check is not enough: a coach must accept the submission."""
    return exercise is not None and exercise.review == "coach"


def counts_as_passed(submission: Submission, exercise: Exercise | None) -> bool:
    """Return True if the submission counts as passed: the check passed and, for an exercise that needs a
    coach's review, a coach accepted it."""
    return bool(submission.passed) and (not needs_coach(exercise) or submission.status == "accepted")


def credit_pass(user: User, org: Organization, slug: str, score: int) -> None:
    """Credit a passed exercise (learning.record_exercise_pass) and complete any of the learner's courses that
    required it and whose other rules are met (which may issue a certificate)."""
    record_exercise_pass(user, org.id, slug, score)
    for enrolment, summary, _ in dashboard(user, org):
        if (enrolment.completed_at is None and summary.total
                and slug in (enrolment.course.required_exercises or [])):
            refresh_completion(user, org, course_view(user, org, enrolment.course.slug))


def _counting() -> ColumnElement[bool]:
    """The submissions that count towards scores: all of them, except that an exercise that needs a coach's
    review counts only once accepted."""
    coached = sorted(slug for slug, ex in exercise_registry().items() if needs_coach(ex))
    if not coached:
        return true()
    return or_(Submission.exercise_slug.not_in(coached), Submission.status == "accepted")


def best_scores(user_id: int, org_id: int) -> dict[str, int]:
    """Return {exercise slug: the best submitted score} for one learner in one organisation (one query).

    An exercise that needs a coach's review counts only from submissions a coach accepted.
    """
    return dict(db.session.execute(
        select(Submission.exercise_slug, func.max(Submission.score))
        .where(Submission.user_id == user_id, Submission.organization_id == org_id, _counting())
        .group_by(Submission.exercise_slug)).all())


def best_scores_for_users(user_ids: Iterable[int], org_id: int) -> dict[int, dict[str, int]]:
    """Return {user id: {exercise slug: best submitted score}} for many learners in one query.

    Learners with no submission are left out; an exercise that needs a coach's review counts only from
    submissions a coach accepted (capability profiles and reports read these scores).
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    out: dict[int, dict[str, int]] = {}
    for uid, slug, score in db.session.execute(
        select(Submission.user_id, Submission.exercise_slug, func.max(Submission.score))
        .where(Submission.user_id.in_(ids), Submission.organization_id == org_id, _counting())
        .group_by(Submission.user_id, Submission.exercise_slug)).all():
        out.setdefault(uid, {})[slug] = score
    return out
