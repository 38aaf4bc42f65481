"""Enrolment states as SQL: the definitions of `reports.completion` (status, overdue, modules done) computed in
the database, shared by the completion, learner and by-function queries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select

from lms.content.models import Module
from lms.identity.models import User
from lms.learning.models import Enrolment, ModuleProgress
from lms.reports.filters import Filters


def completed():
    """Return the condition: the enrolment is completed."""
    return Enrolment.completed_at.is_not(None)


def in_progress():
    """Return the condition: not completed, and a module was opened."""
    return and_(Enrolment.completed_at.is_(None), Enrolment.started_at.is_not(None))


def not_started():
    """Return the condition: not completed, and no module opened."""
    return and_(Enrolment.completed_at.is_(None), Enrolment.started_at.is_(None))


def overdue(now: datetime):
    """Return the condition of completion.is_overdue: the due date has passed and the course is not completed."""
    return and_(Enrolment.completed_at.is_(None), Enrolment.due_at.is_not(None), Enrolment.due_at < now)


def status():
    """Return completion.status as a CASE: completed, else in progress once a module was opened, else not started."""
    return case((completed(), "completed"), (Enrolment.started_at.is_not(None), "in_progress"), else_="not_started")


def enrolment_conditions(f: Filters) -> list:
    """Return the conditions for the enrolments the filters cover (not withdrawn, enrolled in the period); the
    function filter needs `User` joined on the enrolment's learner."""
    conditions = [Enrolment.organization_id == f.org_id, Enrolment.withdrawn_at.is_(None),
                  Enrolment.enrolled_at < f.end_before]
    if f.start_at:
        conditions.append(Enrolment.enrolled_at >= f.start_at)
    if f.cohort_id:
        conditions.append(Enrolment.cohort_id == f.cohort_id)
    if f.function:
        conditions.append(User.job_function == f.function)
    return conditions


def modules_done(org_id: int):
    """Return a scalar subquery, correlated with `Enrolment`: the modules of its course (not archived) completed."""
    return (select(func.count(ModuleProgress.id)).join(Module, Module.id == ModuleProgress.module_id)
            .where(ModuleProgress.user_id == Enrolment.user_id, ModuleProgress.organization_id == org_id,
                   Module.course_id == Enrolment.course_id, Module.is_archived.is_(False),
                   ModuleProgress.completed_at.is_not(None))
            .correlate(Enrolment).scalar_subquery())
