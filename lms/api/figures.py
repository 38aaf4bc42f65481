"""Report figures as the reports package computes them (completion, capability, adoption), in a fixed number of
queries whatever the organisation's size.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from lms.api import scope
from lms.api.params import ReportQuery
from lms.api.schemas import (
    ActivePeriod,
    AdoptionFigures,
    CapabilityFigures,
    CohortCounts,
    CohortRef,
    CompetencyFigures,
    CompletionFigures,
    Counts,
    CourseCounts,
    CourseRef,
    FunctionFigures,
    FunnelStep,
    Period,
    ToolUse,
)
from lms.content.models import Course
from lms.extensions import db
from lms.reports import completion
from lms.reports.filters import Filters
from lms.reports.queries.adoption import adoption_report
from lms.reports.queries.capability import capability_report
from lms.reports.queries.completion import completion_counts, laggards
from lms.reports.queries.tools import exercise_titles
from lms.reports.rollup import rolled_up_to


def report_filters(org_id: int, query: ReportQuery, now: datetime) -> Filters:
    """Return the reports' Filters for the query (the cohort checked to be the organisation's). Raises
    ApiError(404) for a cohort of another organisation."""
    cohort = scope.cohort_id(org_id, query.cohort) if query.cohort is not None else None
    start = now.date() - timedelta(days=query.days - 1) if query.days else None
    return Filters(org_id, now, cohort_id=cohort, start=start, function=query.function)


def _period(f: Filters) -> Period:
    return Period(start=f.start, end=f.end_date, cohort=f.cohort_id, function=f.function)


def _counts(c: completion.Counts) -> Counts:
    return Counts(enrolled=c.enrolled, not_started=c.not_started, in_progress=c.in_progress, completed=c.completed,
                  overdue=c.overdue, completion_rate=c.completion_rate)


def completion_figures(f: Filters) -> CompletionFigures:
    """Return enrolment counts and completion rates in total, per cohort and per course, and the number of
    laggards (four queries: the report's grouped counts, the laggard count, the courses' slugs)."""
    rows = completion_counts(f)
    summary = completion.summarise(rows)
    by_cohort: dict[int | None, tuple[str, completion.Counts]] = {}
    by_course: dict[int, tuple[str, completion.Counts]] = {}
    for row in rows:
        by_cohort.setdefault(row.cohort_id, (row.cohort, completion.Counts()))[1].add(row.counts)
        by_course.setdefault(row.course_id, (row.course, completion.Counts()))[1].add(row.counts)
    slugs = dict(db.session.execute(select(Course.id, Course.slug).where(Course.id.in_(by_course))).all())
    _, lag_total = laggards(f, limit=0)
    return CompletionFigures(
        filters=_period(f), totals=_counts(summary.total),
        by_cohort=[CohortCounts(cohort=CohortRef(id=cid, name=name) if cid is not None else None, counts=_counts(c))
                   for cid, (name, c) in by_cohort.items()],
        by_course=[CourseCounts(course=CourseRef(id=cid, slug=slugs.get(cid, ""), title=title), counts=_counts(c))
                   for cid, (title, c) in by_course.items()],
        laggards=lag_total)


def capability_figures(f: Filters) -> CapabilityFigures:
    """Return the capability summary per competency (pre, post, uplift, knowledge, applied, gap, coach rating) and
    the coaching advice, as the capability report computes them."""
    report = capability_report(f)
    return CapabilityFigures(
        filters=_period(f), learners=report.learners, uplift=report.uplift, next_action=report.action,
        competencies=[CompetencyFigures(slug=s.competency, name=report.names.get(s.competency, s.competency),
                                        pre=s.pre, post=s.post, uplift=s.uplift, knowledge=s.knowledge,
                                        applied=s.applied, gap=s.gap, rating=s.rating, learners=s.learners)
                      for s in report.summaries])


def adoption_figures(f: Filters) -> AdoptionFigures:
    """Return the adoption summary: the funnel, weekly and monthly active learners, tool usage, figures per job
    function and the number of laggards, as the adoption report computes them."""
    report = adoption_report(f, exercise_titles())
    return AdoptionFigures(
        filters=_period(f), learners=report.learners or 0,
        funnel=[FunnelStep(key=s.key, label=s.label, count=s.count, share_of_first=s.share_of_first,
                           share_of_previous=s.share_of_previous) for s in report.total],
        weekly_active=[ActivePeriod(start=d, learners=n) for d, n in zip(report.weeks, report.wau, strict=True)],
        monthly_active=[ActivePeriod(start=d, learners=n) for d, n in zip(report.months, report.mau, strict=True)],
        tools=[ToolUse(key=t.key, label=t.label, uses=t.uses, users=t.users) for t in report.tools],
        by_function=[FunctionFigures(function=r.function, learners=r.learners, enrolments=r.enrolments,
                                     completed=r.completed, overdue=r.overdue, active=r.active,
                                     completion_rate=r.completion_rate) for r in report.functions],
        laggards=report.laggard_total, rolled_up_to=rolled_up_to(),
        uncounted=report.uncounted)
