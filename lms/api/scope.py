"""The filters every list shares, resolved for one organisation: a course by slug, a cohort by id (another
organisation's answers 404), and the columns that name a learner, course and cohort in an answer.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from lms.api.problems import ApiError
from lms.api.schemas import CohortRef, CourseRef, Person
from lms.content.models import Course
from lms.extensions import db
from lms.identity.models import Cohort, User


def course_id(slug: str) -> int:
    """Return the id of the course with this slug. Raises ApiError(404) when there is none."""
    found = None if "\x00" in slug else db.session.scalar(select(Course.id).where(Course.slug == slug))
    if found is None:  # PostgreSQL text cannot hold NUL, so such a slug names nothing
        raise ApiError(404, "not_found", "No course has that slug.")
    return found


def cohort_id(org_id: int, ident: int) -> int:
    """Return `ident` when it is a cohort of the organisation. Raises ApiError(404) otherwise (another
    organisation's cohort is not revealed)."""
    if db.session.scalar(select(Cohort.id).where(Cohort.id == ident, Cohort.organization_id == org_id)) is None:
        raise ApiError(404, "not_found", "No cohort of your organisation has that id.")
    return ident


PERSON = (User.id, User.name, User.email)
COURSE = (Course.id, Course.slug, Course.title)
COHORT = (Cohort.id, Cohort.name)


def person(row) -> Person:
    """The learner named by PERSON's columns at the start of `row`."""
    return Person(id=row[0], name=row[1], email=row[2])


def course(row) -> CourseRef:
    """The course named by COURSE's columns at the start of `row`."""
    return CourseRef(id=row[0], slug=row[1], title=row[2])


def cohort(row) -> CohortRef | None:
    """The cohort named by COHORT's columns at the start of `row`, or None (no cohort)."""
    return CohortRef(id=row[0], name=row[1]) if row[0] is not None else None


def counted(query: Select, offset: int, limit: int) -> tuple[list, int]:
    """Return one page of `query`'s rows and how many rows it has in all (two queries)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return db.session.execute(query.offset(offset).limit(limit)).all(), total or 0
