"""The completion report: enrolment counts per cohort and course, the per-learner table and the laggards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select

from lms.content.models import Course
from lms.database import side_by_side
from lms.extensions import db
from lms.identity.models import Cohort, User
from lms.learning.models import Enrolment
from lms.reports import charts, completion
from lms.reports.dialect import as_datetime
from lms.reports.filters import Filters
from lms.reports.models import LearnerMilestone
from lms.reports.queries import enrolment_states
from lms.reports.queries.scope import NO_COHORT


def completion_counts(f: Filters) -> list[completion.GroupCounts]:
    """Return enrolment counts per (cohort, course) for the filters, in one GROUP BY query."""
    rows = db.session.execute(
        select(Enrolment.cohort_id, Cohort.name, Course.id, Course.title, func.count(),
               func.count().filter(enrolment_states.not_started()),
               func.count().filter(enrolment_states.in_progress()),
               func.count().filter(enrolment_states.completed()),
               func.count().filter(enrolment_states.overdue(f.now)))
        .select_from(Enrolment).join(User, User.id == Enrolment.user_id).join(Course, Course.id == Enrolment.course_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(*enrolment_states.enrolment_conditions(f))
        .group_by(Enrolment.cohort_id, Cohort.name, Course.id, Course.title)
        .order_by(Cohort.name, Course.title)
    ).all()
    return [completion.GroupCounts(cid, name or NO_COHORT, course_id, title, completion.Counts(*counts))
            for cid, name, course_id, title, *counts in rows]


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    job_function: str
    cohort: str
    course: str
    status: str
    overdue: bool
    due_at: datetime | None
    enrolled_at: datetime
    modules_done: int
    modules_total: int
    last_activity: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.modules_done / self.modules_total) if self.modules_total else 0


def learner_rows(f: Filters, *, everything: bool = False) -> tuple[list[LearnerRow], int]:
    """Return one page of the per-learner table (one row per enrolment) and the total row count (two queries;
    one when `everything` is asked for, for the CSV). Last activity is as at the last roll-up."""
    conditions = enrolment_states.enrolment_conditions(f)
    if f.status == "overdue":
        conditions.append(enrolment_states.overdue(f.now))
    elif f.status:
        conditions.append(enrolment_states.status() == f.status)
    base = (select().select_from(Enrolment).join(User, User.id == Enrolment.user_id)
            .join(Course, Course.id == Enrolment.course_id).outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(*conditions))
    base = base.outerjoin(LearnerMilestone, and_(LearnerMilestone.user_id == Enrolment.user_id,
                                                 LearnerMilestone.organization_id == f.org_id))
    done = enrolment_states.modules_done(f.org_id).label("done")
    last = LearnerMilestone.last_at.label("last")  # as at the roll-up: one join, not a probe per learner
    status = enrolment_states.status().label("status")
    sort = {
        "name": func.lower(User.name), "email": User.email, "cohort": Cohort.name, "course": Course.title,
        "status": status, "due": Enrolment.due_at, "progress": done, "last_activity": last,
    }.get(f.sort, func.lower(User.name))
    sort = (sort.desc() if f.descending else sort.asc()).nulls_last()
    q = base.add_columns(User.id, User.name, User.email, User.job_function, Cohort.name, Course.title, status,
                         enrolment_states.overdue(f.now).label("overdue"), Enrolment.due_at, Enrolment.enrolled_at,
                         done, Course.module_count, last).order_by(sort, func.lower(User.name), Enrolment.id)
    total = None
    if not everything:
        total = db.session.scalar(base.add_columns(func.count()))
        q = q.limit(f.per_page).offset((f.page - 1) * f.per_page)
    rows = [LearnerRow(uid, name, email, fn, cohort or NO_COHORT, course, st, bool(overdue), due, enrolled,
                       n_done or 0, n_total or 0, as_datetime(last_at))
            for uid, name, email, fn, cohort, course, st, overdue, due, enrolled, n_done, n_total, last_at
            in db.session.execute(q)]
    return rows, (len(rows) if total is None else total)


@dataclass(frozen=True)
class LaggardRow:
    user_id: int
    name: str
    email: str
    job_function: str
    open_courses: int
    earliest_due: datetime | None
    last_activity: datetime | None


def laggards(f: Filters, *, limit: int | None = 100) -> tuple[list[LaggardRow], int]:
    """Return the laggards (enrolled, not completed, no statement in the organisation for LAGGARD_DAYS days),
    longest inactive first, and how many there are (one query). As at now: the period does not apply; the cohort
    and function filters do."""
    cutoff = completion.laggard_cutoff(f.now)
    open_conditions = [Enrolment.user_id == User.id, Enrolment.organization_id == f.org_id,
                       Enrolment.withdrawn_at.is_(None), Enrolment.completed_at.is_(None)]
    if f.cohort_id:
        open_conditions.append(Enrolment.cohort_id == f.cohort_id)
    # The roll-up's last activity is current (statements are counted in the transaction that stores them), so the
    # statements themselves are not read.
    quiet = or_(LearnerMilestone.last_at.is_(None), LearnerMilestone.last_at < cutoff)
    conditions = [exists().where(*open_conditions), quiet]
    if f.function:
        conditions.append(User.job_function == f.function)
    open_courses = select(func.count(Enrolment.id)).where(*open_conditions).correlate(User).scalar_subquery()
    earliest_due = select(func.min(Enrolment.due_at)).where(*open_conditions).correlate(User).scalar_subquery()
    last = LearnerMilestone.last_at.label("last")
    joined = and_(LearnerMilestone.user_id == User.id, LearnerMilestone.organization_id == f.org_id)
    # How many there are comes with the rows (a window over the whole result, before the limit): one pass, not two.
    q = (select(User.id, User.name, User.email, User.job_function, open_courses, earliest_due, last,
                func.count().over())
         .outerjoin(LearnerMilestone, joined)
         .where(*conditions).order_by(last.asc().nulls_first(), func.lower(User.name), User.id).limit(limit))
    found = db.session.execute(q).all()
    rows = [LaggardRow(uid, name, email, fn, n or 0, as_datetime(due), as_datetime(last_at))
            for uid, name, email, fn, n, due, last_at, _ in found]
    return rows, (found[0][-1] if found else 0)


@dataclass
class CompletionReport:
    filters: Filters
    summary: completion.Summary
    learners: list[LearnerRow]
    learner_total: int
    laggards: list[LaggardRow]
    laggard_total: int
    actions: list[str]
    charts: list[charts.Chart] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.learner_total // self.filters.per_page))


def completion_report(f: Filters, *, full: bool = False) -> CompletionReport:
    """Return the completion report: counts per organisation, cohort and course, a page of learners (every
    learner when `full`, for exports) and the laggards: three reads at once (lms.database.side_by_side)."""
    counts, (rows, total), (lag, lag_total) = side_by_side(
        lambda: completion_counts(f), lambda: learner_rows(f, everything=full),
        lambda: laggards(f, limit=None if full else 100))
    summary = completion.summarise(counts)
    t = summary.total
    report = CompletionReport(f, summary, rows, total, lag, lag_total, completion.next_actions(t, lag_total))
    report.charts = [
        charts.bar_chart("Enrolments by status",
                         f"{t.enrolled} enrolments: {t.not_started} not started, {t.in_progress} in progress, "
                         f"{t.completed} completed; {t.overdue} overdue.",
                         ["Not started", "In progress", "Completed", "Overdue"],
                         [t.not_started, t.in_progress, t.completed, t.overdue], value_header="Enrolments"),
        charts.bar_chart("Completion rate by cohort",
                         "The share of each cohort's enrolments that are completed.",
                         list(summary.by_cohort), [c.completion_rate for c in summary.by_cohort.values()],
                         unit="%", value_header="Completed"),
    ]
    return report
