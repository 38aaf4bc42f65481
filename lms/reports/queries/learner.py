"""The learner drill-down: one learner's enrolments with progress, last activity, latest statements and
capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.content.models import Course
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, User
from lms.learning.models import Enrolment
from lms.reports import capability, completion
from lms.reports.queries import enrolment_states
from lms.reports.queries.capability import capability_scores
from lms.reports.queries.scope import NO_COHORT, by_actor
from lms.tracking.models import Statement


@dataclass(frozen=True)
class EnrolmentRow:
    course: str
    cohort: str
    status: str
    overdue: bool
    due_at: datetime | None
    enrolled_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    modules_done: int
    modules_total: int

    @property
    def percent(self) -> int:
        return round(100 * self.modules_done / self.modules_total) if self.modules_total else 0


@dataclass
class LearnerDetail:
    user: User
    cohorts: list[str]
    enrolments: list[EnrolmentRow]
    last_activity: datetime | None
    timeline: list[Statement]
    laggard: bool
    capability: list[capability.Score]


def learner_detail(org_id: int, user_id: int, now: datetime, timeline: int = 100) -> LearnerDetail:
    """Return one learner's enrolments with progress, last activity, latest statements and capability, or 404
    when the user is not a member of the organisation (five queries plus the capability profile's)."""
    from lms.identity.services import member_or_404

    user = member_or_404(org_id, user_id)
    names = list(db.session.scalars(select(Cohort.name).join(CohortMember, CohortMember.cohort_id == Cohort.id)
                                    .where(CohortMember.user_id == user.id, Cohort.organization_id == org_id)
                                    .order_by(Cohort.name)))
    enrolments = [
        EnrolmentRow(course, cohort or NO_COHORT, st, bool(overdue), due, enrolled, started, done_at, n or 0, total or 0)
        for course, cohort, st, overdue, due, enrolled, started, done_at, n, total in db.session.execute(
            select(Course.title, Cohort.name, enrolment_states.status(), enrolment_states.overdue(now),
                   Enrolment.due_at, Enrolment.enrolled_at, Enrolment.started_at, Enrolment.completed_at,
                   enrolment_states.modules_done(org_id), Course.module_count)
            .select_from(Enrolment).join(Course, Course.id == Enrolment.course_id)
            .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Enrolment.user_id == user.id, Enrolment.organization_id == org_id, Enrolment.withdrawn_at.is_(None))
            .order_by(Enrolment.enrolled_at))
    ]
    statements = list(db.session.scalars(
        select(Statement).where(Statement.actor_id == user.id, by_actor(org_id))
        .order_by(Statement.timestamp.desc()).limit(timeline)))
    last = statements[0].timestamp if statements else None
    open_enrolment = any(e.completed_at is None for e in enrolments)
    scores = list(capability_scores([(user.id, user.name, user.email, names[0] if names else NO_COHORT)], org_id))
    return LearnerDetail(user, names, enrolments, last, statements,
                         completion.is_laggard(open_enrolment, last, now), scores)
