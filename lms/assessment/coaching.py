"""Coaching: which learners a coach coaches, and coach ratings of a learner's competencies.

They flush, never commit: the view owns the commit.
"""

from __future__ import annotations

from sqlalchemy import func, select

from lms.assessment.models import CoachRating
from lms.content.models import Competency
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, User
from lms.identity.people import holding_words
from lms.paging import Page, paginate
from lms.tracking.services import record


def coached_cohort_id(coach_id: int, learner_id: int, org_id: int) -> int | None:
    """Return a cohort of this organisation that `coach_id` coaches and `learner_id` learns in, else None."""
    coach, learner = CohortMember.__table__.alias("coach"), CohortMember.__table__.alias("learner")
    return db.session.scalar(
        select(Cohort.id).join(coach, coach.c.cohort_id == Cohort.id).join(learner, learner.c.cohort_id == Cohort.id)
        .where(Cohort.organization_id == org_id, Cohort.is_archived.is_(False),
               coach.c.user_id == coach_id, coach.c.role == "coach",
               learner.c.user_id == learner_id, learner.c.role == "learner")
        .order_by(Cohort.id).limit(1))


LEARNERS_PER_PAGE = 50  # a coach's own progress page


def coached_learners_page(coach_id: int, org_id: int, query: str = "", page: int = 1) -> Page:
    """Return one page (LEARNERS_PER_PAGE) of the learners in the active cohorts this user coaches, by cohort and
    name, those whose name or email holds every word of `query`: rows (user_id, name, cohort). A learner in two of
    the coach's cohorts is listed under each. Two queries (how many, the page), one when there are none."""
    coach, learner = CohortMember.__table__.alias("coach"), CohortMember.__table__.alias("learner")
    stmt = (select(User.id.label("user_id"), User.name, Cohort.name.label("cohort"))
            .join(learner, learner.c.user_id == User.id)
            .join(Cohort, Cohort.id == learner.c.cohort_id).join(coach, coach.c.cohort_id == Cohort.id)
            .where(Cohort.organization_id == org_id, Cohort.is_archived.is_(False), coach.c.user_id == coach_id,
                   coach.c.role == "coach", learner.c.role == "learner"))
    return paginate(holding_words(stmt, query).order_by(Cohort.name, func.lower(User.name), User.id, Cohort.id),
                    page, LEARNERS_PER_PAGE)


def rate(coach: User, learner: User, org_id: int, cohort_id: int | None, competency: Competency, level: int,
         comment: str) -> CoachRating:
    """Record a coach's rating (1-5 against the competency's levels) with a comment, and a "rated" statement.

    Ratings are a history: this one becomes the learner's current rating for the competency. Raises ValueError
    for a level outside 1-5.
    """
    if level not in range(1, 6):
        raise ValueError(f"level must be 1 to 5, not {level}")
    rating = CoachRating(organization_id=org_id, learner_id=learner.id, coach_id=coach.id, cohort_id=cohort_id,
                         competency_slug=competency.slug, level=level, comment=comment.strip())
    db.session.add(rating)
    record(coach, "rated", ("competency", competency.slug, competency.name),
           {"score": {"raw": level, "min": 1, "max": 5}, "response": rating.comment},
           context={"learner_id": learner.id}, organization_id=org_id, cohort_id=cohort_id)
    db.session.flush()
    return rating
