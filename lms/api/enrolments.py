"""Enrolments, per-course progress and completions of one organisation, a page at a time (a fixed number of
queries each). The states are the reports' own definitions (`reports.queries.enrolment_states`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select

from lms.api import scope
from lms.api.params import CompletionQuery, EnrolmentQuery, ProgressQuery
from lms.api.schemas import Completion, Enrolment, Progress
from lms.certificates.models import Certificate
from lms.content.models import Course, Module
from lms.identity.models import Cohort, User
from lms.learning.models import Enrolment as EnrolmentRow
from lms.learning.models import ModuleProgress
from lms.reports.queries import enrolment_states

REFS = (*scope.PERSON, *scope.COURSE, *scope.COHORT)  # columns 0-7 of every row here


def _select(org_id: int, query, *columns) -> Select:
    """The organisation's enrolments with learner, course and cohort, narrowed by the course and cohort filters."""
    q = (select(*REFS, *columns).select_from(EnrolmentRow).join(User, User.id == EnrolmentRow.user_id)
         .join(Course, Course.id == EnrolmentRow.course_id).outerjoin(Cohort, Cohort.id == EnrolmentRow.cohort_id)
         .where(EnrolmentRow.organization_id == org_id))
    if query.course is not None:
        q = q.where(EnrolmentRow.course_id == scope.course_id(query.course))
    if query.cohort is not None:
        q = q.where(EnrolmentRow.cohort_id == scope.cohort_id(org_id, query.cohort))
    return q.order_by(EnrolmentRow.id)


def _status_condition(status: str, now: datetime):
    if status == "withdrawn":
        return EnrolmentRow.withdrawn_at.is_not(None)
    state = enrolment_states.overdue(now) if status == "overdue" else enrolment_states.status() == status
    return and_(EnrolmentRow.withdrawn_at.is_(None), state)


def enrolments(org_id: int, query: EnrolmentQuery, now: datetime) -> tuple[list[Enrolment], int]:
    """Return a page of the organisation's enrolments (withdrawn ones too) and how many match. Raises ApiError(404)
    for a course or cohort filter that names nothing of the organisation's."""
    q = _select(org_id, query, EnrolmentRow.id, EnrolmentRow.source, enrolment_states.status(),
                enrolment_states.overdue(now), EnrolmentRow.enrolled_at, EnrolmentRow.due_at,
                EnrolmentRow.started_at, EnrolmentRow.completed_at, EnrolmentRow.withdrawn_at)
    if query.status is not None:
        q = q.where(_status_condition(query.status, now))
    if query.updated_since is not None:
        since = query.updated_since
        q = q.where(or_(EnrolmentRow.enrolled_at >= since, EnrolmentRow.started_at >= since,
                        EnrolmentRow.completed_at >= since, EnrolmentRow.withdrawn_at >= since))
    rows, total = scope.counted(q, query.offset, query.per_page)
    return [Enrolment(id=r[8], learner=scope.person(r), course=scope.course(r[3:]), cohort=scope.cohort(r[6:]),
                      source=r[9], status="withdrawn" if r[16] else r[10], overdue=bool(r[11]) and not r[16],
                      enrolled_at=r[12], due_at=r[13], started_at=r[14], completed_at=r[15], withdrawn_at=r[16])
            for r in rows], total


def _module_totals(org_id: int):
    """Per learner and course: modules completed, mean best and first scores, last opened and completed (the
    course's modules that are not archived, as the reports count them)."""
    return (select(ModuleProgress.user_id, Module.course_id,
                   func.count(ModuleProgress.completed_at).label("done"),
                   func.avg(ModuleProgress.best_score).label("best"),
                   func.avg(ModuleProgress.first_score).label("first"),
                   func.max(ModuleProgress.started_at).label("opened"),
                   func.max(ModuleProgress.completed_at).label("finished"))
            .join(Module, Module.id == ModuleProgress.module_id)
            .where(ModuleProgress.organization_id == org_id, Module.is_archived.is_(False))
            .group_by(ModuleProgress.user_id, Module.course_id).subquery("totals"))


def _score(value) -> int | None:
    return None if value is None else round(float(value))


def progress(org_id: int, query: ProgressQuery) -> tuple[list[Progress], int]:
    """Return a page of progress per learner and course (one row per enrolment not withdrawn) and how many match.
    Raises ApiError(404) for a course or cohort filter that names nothing of the organisation's."""
    t = _module_totals(org_id)
    q = (_select(org_id, query, EnrolmentRow.id, t.c.done, Course.module_count, t.c.best, t.c.first, t.c.opened,
                 t.c.finished)
         .outerjoin(t, and_(t.c.user_id == EnrolmentRow.user_id, t.c.course_id == EnrolmentRow.course_id))
         .where(EnrolmentRow.withdrawn_at.is_(None)))
    if query.updated_since is not None:
        q = q.where(or_(t.c.opened >= query.updated_since, t.c.finished >= query.updated_since))
    rows, total = scope.counted(q, query.offset, query.per_page)
    items = []
    for r in rows:
        done, modules = min(r[9] or 0, r[10] or 0), r[10] or 0
        moments = [m for m in (r[13], r[14]) if m is not None]
        items.append(Progress(enrolment_id=r[8], learner=scope.person(r), course=scope.course(r[3:]),
                              cohort=scope.cohort(r[6:]), modules_done=done, modules_total=modules,
                              percent=round(100 * done / modules) if modules else 0,
                              knowledge_check_score=_score(r[11]), first_attempt_score=_score(r[12]),
                              last_activity_at=max(moments) if moments else None))
    return items, total


def completions(org_id: int, query: CompletionQuery) -> tuple[list[Completion], int]:
    """Return a page of completed enrolments, oldest completion first, with their current certificate's code, and
    how many match. Raises ApiError(404) for a course or cohort filter that names nothing of the organisation's."""
    q = (_select(org_id, query, EnrolmentRow.id, EnrolmentRow.enrolled_at, EnrolmentRow.due_at,
                 EnrolmentRow.completed_at, Certificate.code)
         .outerjoin(Certificate, Certificate.current_enrolment_id == EnrolmentRow.id)
         .where(EnrolmentRow.completed_at.is_not(None)))
    if query.updated_since is not None:
        q = q.where(EnrolmentRow.completed_at >= query.updated_since)
    q = q.order_by(None).order_by(EnrolmentRow.completed_at, EnrolmentRow.id)
    rows, total = scope.counted(q, query.offset, query.per_page)
    return [Completion(enrolment_id=r[8], learner=scope.person(r), course=scope.course(r[3:]),
                       cohort=scope.cohort(r[6:]), enrolled_at=r[9], due_at=r[10], completed_at=r[11],
                       on_time=None if r[10] is None else r[11] <= r[10], certificate_code=r[12])
            for r in rows], total
