"""Sales vs marketing: learners, enrolments, completions, overdue and active learners per job function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import and_, func, select

from lms.extensions import db
from lms.identity.models import User
from lms.learning.models import Enrolment
from lms.reports import adoption
from lms.reports.filters import Filters
from lms.reports.models import ActivityWeekly, LearnerMilestone
from lms.reports.queries import enrolment_states
from lms.reports.queries.scope import among_learners, learner_ids


@dataclass(frozen=True)
class FunctionRow:
    function: str
    learners: int
    enrolments: int
    completed: int
    overdue: int
    active: int  # learners with a statement in the period's weeks

    @property
    def completion_rate(self) -> float | None:
        return adoption.share(self.completed, self.enrolments)

    @property
    def active_rate(self) -> float | None:
        return adoption.share(self.active, self.learners)


def by_function(f: Filters) -> list[FunctionRow]:
    """Return learners, enrolments, completions, overdue and active learners per job function (two queries for a
    period that runs to today, else three)."""
    enrolments = {fn: (n, done, late) for fn, n, done, late in db.session.execute(
        select(User.job_function, func.count(), func.count().filter(enrolment_states.completed()),
               func.count().filter(enrolment_states.overdue(f.now)))
        .select_from(Enrolment).join(User, User.id == Enrolment.user_id)
        .where(*enrolment_states.enrolment_conditions(f))
        .group_by(User.job_function))}
    first_week = adoption.week_start(f.chart_start)
    if f.to_today:  # active means a latest statement on or after the first week's Monday: counted with the learners
        learners, active = {}, {}
        for fn, n, recent in db.session.execute(
                among_learners(select(User.job_function, func.count(), func.count().filter(
                    LearnerMilestone.last_at >= datetime.combine(first_week, time.min))), f)
                .outerjoin(LearnerMilestone, and_(LearnerMilestone.user_id == User.id,
                                                  LearnerMilestone.organization_id == f.org_id))
                .group_by(User.job_function)):
            learners[fn], active[fn] = n, recent
    else:
        learners = dict(db.session.execute(
            among_learners(select(User.job_function, func.count()), f).group_by(User.job_function)).all())
        active = dict(db.session.execute(
            select(User.job_function, func.count(ActivityWeekly.user_id.distinct()))
            .join(User, User.id == ActivityWeekly.user_id)
            .where(ActivityWeekly.organization_id == f.org_id, ActivityWeekly.week_start >= first_week,
                   ActivityWeekly.week_start <= f.end_date, ActivityWeekly.user_id.in_(learner_ids(f)))
            .group_by(User.job_function)).all())
    # Sales, marketing and other first; any other function a row holds after them, so the rows' learners add up
    # to everyone the report covers (the adoption report's learner count is their sum).
    known = ("sales", "marketing", "other")
    functions = [fn for fn in known if fn in learners or fn in enrolments] + sorted(
        fn for fn in {*learners, *enrolments} if fn not in known)
    return [FunctionRow(fn, learners.get(fn, 0), *enrolments.get(fn, (0, 0, 0)), active.get(fn, 0))
            for fn in functions]
