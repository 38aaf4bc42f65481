"""The organisation's certificates with their state (valid, expired, revoked, replaced) and verification URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, or_, select

from lms.api import scope
from lms.api.params import CertificateQuery
from lms.api.schemas import Certificate, Person
from lms.certificates import validity
from lms.certificates.models import Certificate as CertificateRow
from lms.content.models import Course
from lms.identity.models import Cohort, User


def _state(state: str, now: datetime):
    """The SQL condition for `validity.status(...).state == state`."""
    revoked = CertificateRow.revoked_at.is_not(None)
    replaced = CertificateRow.replaced_by_id.is_not(None)
    expired = and_(CertificateRow.expires_at.is_not(None), CertificateRow.expires_at <= now)
    return {"replaced": and_(revoked, replaced), "revoked": and_(revoked, ~replaced),
            "expired": and_(~revoked, expired), "valid": and_(~revoked, ~expired)}[state]


def certificates(org_id: int, query: CertificateQuery, now: datetime,
                 verify_url: Callable[[str], str]) -> tuple[list[Certificate], int]:
    """Return a page of certificates, oldest first, and how many match; `verify_url(code)` makes each public
    verification link. Raises ApiError(404) for a course or cohort filter that names nothing of the
    organisation's."""
    q = (select(*scope.COURSE, *scope.COHORT, CertificateRow.code, CertificateRow.user_id,
                CertificateRow.holder_name, User.email, CertificateRow.issued_at, CertificateRow.expires_at,
                CertificateRow.revoked_at, CertificateRow.replaced_by_id)
         .select_from(CertificateRow).join(Course, Course.id == CertificateRow.course_id)
         .join(User, User.id == CertificateRow.user_id).outerjoin(Cohort, Cohort.id == CertificateRow.cohort_id)
         .where(CertificateRow.organization_id == org_id).order_by(CertificateRow.issued_at, CertificateRow.id))
    if query.course is not None:
        q = q.where(CertificateRow.course_id == scope.course_id(query.course))
    if query.cohort is not None:
        q = q.where(CertificateRow.cohort_id == scope.cohort_id(org_id, query.cohort))
    if query.status is not None:
        q = q.where(_state(query.status, now))
    if query.updated_since is not None:
        q = q.where(or_(CertificateRow.issued_at >= query.updated_since,
                        CertificateRow.revoked_at >= query.updated_since))
    rows, total = scope.counted(q, query.offset, query.per_page)
    items = []
    for r in rows:
        state = validity.status(now, expires_at=r[10], revoked_at=r[11], replaced=r[12] is not None).state
        items.append(Certificate(code=r[5], learner=Person(id=r[6], name=r[7], email=r[8]), course=scope.course(r),
                                 cohort=scope.cohort(r[3:]), issued_at=r[9], expires_at=r[10], revoked_at=r[11],
                                 status=state, verify_url=verify_url(r[5])))
    return items, total
