"""Capability profiles: each learner's knowledge, applied and rated scores per competency, and progress pages.

Set-based reads: a fixed number of queries whatever the number of learners, so manager reports can call them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from lms.assessment import capability, papers
from lms.assessment.coaching import coached_learners_page
from lms.assessment.models import AssessmentAttempt, CoachRating
from lms.content.models import Competency, Course, Module
from lms.extensions import db
from lms.identity.models import User
from lms.learning.models import Enrolment, QuestionAnswer
from lms.paging import Page
from lms.practice.exercises import exercise_registry
from lms.practice.submissions import best_scores_for_users


def competencies() -> list[Competency]:
    """Return the active competencies in framework order."""
    return list(db.session.scalars(select(Competency).where(Competency.is_archived.is_(False))
                                   .order_by(Competency.position)))


@dataclass
class CourseAssessments:
    """A course the learner is (or was) enrolled on, with their pre- and post-course attempts."""

    course: Course
    enrolment: Enrolment
    pre: AssessmentAttempt | None = None
    post: AssessmentAttempt | None = None


def course_assessments(user_id: int, org_id: int) -> list[CourseAssessments]:
    """Return the learner's courses in this organisation with their attempts (one query).

    Withdrawn enrolments are included only when they hold an attempt. An attempt needs an enrolment, and
    enrolments are withdrawn, never deleted, so every attempt of the learner is here.
    """
    rows = db.session.execute(
        select(Enrolment, AssessmentAttempt).outerjoin(AssessmentAttempt, and_(
            AssessmentAttempt.course_id == Enrolment.course_id, AssessmentAttempt.user_id == Enrolment.user_id,
            AssessmentAttempt.organization_id == Enrolment.organization_id))
        .where(Enrolment.user_id == user_id, Enrolment.organization_id == org_id)
        .order_by(Enrolment.enrolled_at, Enrolment.id))
    out: dict[int, CourseAssessments] = {}
    for enrolment, attempt in rows:
        item = out.setdefault(enrolment.id, CourseAssessments(enrolment.course, enrolment))
        if attempt is not None:
            setattr(item, attempt.kind, attempt)
    return [i for i in out.values() if i.enrolment.withdrawn_at is None or i.pre or i.post]


@dataclass(frozen=True)
class ProgressPage:
    learner: User
    profile: capability.LearnerProfile
    courses: list[CourseAssessments]
    learners: Page | None  # a page of the learners this user coaches (a coach's own page only)
    framework: list[Competency]


def progress_page(learner: User, org_id: int, *, framework: list[Competency] | None = None,
                  coaching: bool = False, query: str = "", page: int = 1) -> ProgressPage:
    """Return what a progress page shows: the profile, the courses' assessments and, for a coach, a page of their
    learners (those `query` finds; see coaching.coached_learners_page). Five queries (seven for a coach), four when
    `framework` is given."""
    framework = competencies() if framework is None else framework
    courses = course_assessments(learner.id, org_id)
    attempts = [a for item in courses for a in (item.pre, item.post) if a is not None]
    profile = profiles_for([learner.id], org_id, framework=framework, attempts={learner.id: attempts})[learner.id]
    learners = coached_learners_page(learner.id, org_id, query, page) if coaching else None
    return ProgressPage(learner, profile, courses, learners, framework)


def applied_inputs(user_ids: Collection[int], org_id: int) -> dict[int, dict[str, int]]:
    """Return each learner's best submitted score per exercise slug in the organisation (practice's numbers)."""
    return best_scores_for_users(list(user_ids), org_id)


def _attempt_results(user_ids: Collection[int], org_id: int) -> dict[int, list[capability.AttemptResult]]:
    out: dict[int, list[capability.AttemptResult]] = {}
    rows = db.session.execute(
        select(AssessmentAttempt.user_id, AssessmentAttempt.kind, AssessmentAttempt.closed_at, AssessmentAttempt.scores)
        .where(AssessmentAttempt.organization_id == org_id, AssessmentAttempt.user_id.in_(user_ids),
               AssessmentAttempt.closed_at.is_not(None)))
    for user_id, kind, closed_at, scores in rows:
        out.setdefault(user_id, []).append(_result(kind, closed_at, scores))
    return out


def _result(kind: str, closed_at: datetime, scores: dict) -> capability.AttemptResult:
    tallies = {slug: papers.Tally(int(s.get("correct", 0)), int(s.get("total", 0))) for slug, s in (scores or {}).items()}
    return capability.AttemptResult(kind, closed_at, tallies)


def _check_rows(user_ids: Collection[int], org_id: int) -> dict[int, list[tuple[list[str], int, int]]]:
    out: dict[int, list[tuple[list[str], int, int]]] = {}
    # Grouped by module id, so the module's competencies (functionally dependent on it) may be selected.
    rows = db.session.execute(
        select(QuestionAnswer.user_id, Module.competencies, func.count(QuestionAnswer.id),
               func.sum(case((QuestionAnswer.first_correct.is_(True), 1), else_=0)))  # what they knew
        .join(Module, Module.id == QuestionAnswer.module_id)
        .where(QuestionAnswer.organization_id == org_id, QuestionAnswer.user_id.in_(user_ids))
        .group_by(QuestionAnswer.user_id, Module.id))
    for user_id, module_competencies, answered, right in rows:
        out.setdefault(user_id, []).append((module_competencies or [], int(answered), int(right or 0)))
    return out


def _latest_ratings(user_ids: Collection[int], org_id: int) -> dict[int, dict[str, capability.Rating]]:
    latest = (select(func.max(CoachRating.id))
              .where(CoachRating.organization_id == org_id, CoachRating.learner_id.in_(user_ids))
              .group_by(CoachRating.learner_id, CoachRating.competency_slug))
    out: dict[int, dict[str, capability.Rating]] = {}
    rows = db.session.execute(
        select(CoachRating, User.name).outerjoin(User, User.id == CoachRating.coach_id)
        .where(CoachRating.id.in_(latest)))
    for rating, coach_name in rows:
        out.setdefault(rating.learner_id, {})[rating.competency_slug] = capability.Rating(
            rating.level, rating.comment, coach_name or "A former coach", rating.rated_at)
    return out


def profiles_for(user_ids: Iterable[int], org_id: int, *, framework: list[Competency] | None = None,
                 attempts: Mapping[int, list[AssessmentAttempt]] | None = None,
                 ) -> dict[int, capability.LearnerProfile]:
    """Return the capability profile of each learner in `user_ids` within the organisation.

    A fixed number of queries whatever the number of learners: the competencies (skipped when `framework` is
    given), closed attempts (skipped when the caller passes the learners' `attempts`), module-check tallies,
    latest coach ratings and practice's best scores. Every learner asked for gets a profile, empty or not.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    framework = competencies() if framework is None else framework
    rows = [(c.slug, c.name) for c in framework]
    if attempts is None:
        results = _attempt_results(ids, org_id)
    else:
        results = {uid: [_result(a.kind, a.closed_at, a.scores) for a in items if a.closed_at is not None]
                   for uid, items in attempts.items()}
    checks = _check_rows(ids, org_id)
    ratings = _latest_ratings(ids, org_id)
    best = applied_inputs(ids, org_id)
    mapping = {slug: exercise.competencies for slug, exercise in exercise_registry().items()}
    profiles = {}
    for uid in ids:
        pre, post = capability.assessment_results(results.get(uid, []))
        profiles[uid] = capability.build_profile(
            uid, rows, pre=pre, post=post, checks=capability.check_tallies(checks.get(uid, [])),
            applied=capability.applied_scores(best.get(uid, {}), mapping), ratings=ratings.get(uid, {}))
    return profiles
