"""The organisation's course assignments with their learners, completed and overdue counts, a page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from lms.api import scope
from lms.api.params import AssignmentQuery
from lms.api.schemas import Assignment, AssignmentCounts
from lms.content.models import Course
from lms.identity.models import Cohort
from lms.learning.models import Assignment as AssignmentRow
from lms.learning.models import Enrolment


def assignments(org_id: int, query: AssignmentQuery, now: datetime) -> tuple[list[Assignment], int]:
    """Return a page of assignments, soonest due first, with counts over their enrolments not withdrawn (as the
    assignments page counts them), and how many match (two queries, and one per filter naming a course or
    cohort). Raises ApiError(404) for a course or cohort filter that names nothing of the organisation's."""
    joined = and_(Enrolment.assignment_id == AssignmentRow.id, Enrolment.withdrawn_at.is_(None))
    overdue = func.coalesce(func.sum(case((Enrolment.completed_at.is_(None) & (Enrolment.due_at < now), 1),
                                          else_=0)), 0)
    q = (select(*scope.COURSE, *scope.COHORT, AssignmentRow.id, AssignmentRow.due_at, AssignmentRow.created_at,
                AssignmentRow.updated_at, AssignmentRow.withdrawn_at, func.count(Enrolment.id),
                func.count(Enrolment.completed_at), overdue)
         .select_from(AssignmentRow).join(Course, Course.id == AssignmentRow.course_id)
         .outerjoin(Cohort, Cohort.id == AssignmentRow.cohort_id).outerjoin(Enrolment, joined)
         .where(AssignmentRow.organization_id == org_id)
         .group_by(AssignmentRow.id, *scope.COURSE, *scope.COHORT)
         .order_by(AssignmentRow.due_at, AssignmentRow.id))
    if query.course is not None:
        q = q.where(AssignmentRow.course_id == scope.course_id(query.course))
    if query.cohort is not None:
        q = q.where(AssignmentRow.cohort_id == scope.cohort_id(org_id, query.cohort))
    if not query.include_withdrawn:
        q = q.where(AssignmentRow.withdrawn_at.is_(None))
    if query.updated_since is not None:
        since = query.updated_since
        q = q.where(or_(AssignmentRow.created_at >= since, AssignmentRow.updated_at >= since,
                        AssignmentRow.withdrawn_at >= since))
    rows, total = scope.counted(q, query.offset, query.per_page)
    return [Assignment(id=r[5], course=scope.course(r), cohort=scope.cohort(r[3:]), due_at=r[6], created_at=r[7],
                       updated_at=r[8], withdrawn_at=r[9],
                       counts=AssignmentCounts(learners=r[10], completed=r[11], overdue=int(r[12])))
            for r in rows], total
