"""Finding certificates, and who may see which: the holder, managers and coaches of their organisation,
platform admins. Anything else answers 404."""

from __future__ import annotations

from functools import cache

from flask import abort, g
from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.tenancy import get_or_404, has_role


def by_code(code: str) -> Certificate | None:
    """Return the certificate with this verification code, or None."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def by_code_or_404(code: str) -> Certificate:
    """Return the certificate with this code, or abort with 404."""
    certificate = by_code(code)
    if certificate is None:
        abort(404)
    return certificate


def _coached_cohort_ids(user: User, org_id: int):
    return select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id).where(
        CohortMember.user_id == user.id, CohortMember.role == "coach", Cohort.organization_id == org_id)


def cohorts_for(user: User, org: Organization | None) -> list[Cohort]:
    """Return the cohorts whose certificates the user may see in `org`: all of them for managers (and platform
    admins), the ones they coach for coaches, none for others."""
    if org is None:
        return []
    query = select(Cohort).where(Cohort.organization_id == org.id, Cohort.is_archived.is_(False))
    if has_role("manager"):
        pass
    elif has_role("coach"):
        query = query.where(Cohort.id.in_(_coached_cohort_ids(user, org.id)))
    else:
        return []
    return list(db.session.scalars(query.order_by(Cohort.name)))


def visible_cohort_or_404(cohort_id: int, user: User) -> Cohort:
    """Return the current organisation's cohort if the user manages the organisation or coaches the cohort;
    404 otherwise (another organisation's, or a cohort a coach doesn't coach)."""
    cohort = get_or_404(Cohort, cohort_id)
    if not has_role("manager"):
        coaches = db.session.scalar(select(exists().where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id, CohortMember.role == "coach")))
        if not coaches:
            abort(404)
    return cohort


def cohort_certificates(cohort: Cohort) -> list[Certificate]:
    """Return the current certificates of the cohort: issued in it, or held by its learners in its
    organisation; by holder name (one query)."""
    learners = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id, CohortMember.role == "learner")
    return list(db.session.scalars(select(Certificate).where(
        Certificate.organization_id == cohort.organization_id, Certificate.replaced_by_id.is_(None),
        or_(Certificate.cohort_id == cohort.id, Certificate.user_id.in_(learners)),
    ).order_by(Certificate.holder_name, Certificate.course_title)))


def downloadable_or_404(code: str, user: User) -> Certificate:
    """Return the certificate if the signed-in `user` may download its PDF: the holder, a manager of its
    organisation (the current one), a coach of a cohort the holder learns in, or a platform admin. Revoked and
    replaced certificates are not handed out (platform admins excepted). Anything else: 404.

    One query: the certificate, its organisation and the rule together (the user's roles in the current
    organisation are already loaded with the request).
    """
    if not code or len(code) > 64:
        abort(404)
    org = g.org
    if user.is_platform_admin:
        reader, params = "any", {"code": code}
    elif org is not None and has_role("manager", "coach"):
        reader = "manager" if has_role("manager") else "coach"
        params = {"code": code, "user_id": user.id, "org_id": org.id}
    else:
        reader, params = "holder", {"code": code, "user_id": user.id}
    certificate = db.session.execute(_download_query(reader), params).scalar_one_or_none()
    if certificate is None:
        abort(404)
    return certificate


@cache
def _download_query(reader: str) -> Select:
    """The download's query for each kind of reader ("any" for platform admins, "holder", "manager", "coach"),
    built once: building a statement and its cache key on every request cost nearly as much as running it.
    Managers and coaches may read their current organisation's (:org_id) certificates, coaches only their
    learners'; everyone their own (:user_id)."""
    query = select(Certificate).where(Certificate.code == bindparam("code"))
    if reader == "any":
        return query
    allowed = Certificate.user_id == bindparam("user_id")
    if reader == "manager":
        allowed = or_(allowed, Certificate.organization_id == bindparam("org_id"))
    elif reader == "coach":
        allowed = or_(allowed, and_(Certificate.organization_id == bindparam("org_id"), _coaches_holder()))
    return query.where(Certificate.revoked_at.is_(None), allowed)


def _coaches_holder():
    """The SQL condition: the user (:user_id) coaches, in the certificate's organisation, the cohort it was issued
    in or a cohort its holder learns in."""
    coach, learner = aliased(CohortMember), aliased(CohortMember)
    return exists().where(
        coach.user_id == bindparam("user_id"), coach.role == "coach", coach.cohort_id.in_(
            select(Cohort.id).where(Cohort.organization_id == Certificate.organization_id)),
        or_(coach.cohort_id == Certificate.cohort_id,
            exists().where(and_(learner.cohort_id == coach.cohort_id, learner.user_id == Certificate.user_id,
                                learner.role == "learner"))))


def search(query: str, limit: int = 50) -> list[tuple[Certificate, User]]:
    """Platform admins: certificates whose code, holder name or email contains `query` (newest first)."""
    query = query.strip()
    if not query:
        return []
    like = f"%{query.lower()}%"
    rows = db.session.execute(
        select(Certificate, User).join(User, User.id == Certificate.user_id)
        .where(or_(Certificate.code == query, func.lower(Certificate.holder_name).like(like),
                   User.email.like(like)))
        .order_by(Certificate.issued_at.desc()).limit(limit)
    ).all()
    return [(certificate, user) for certificate, user in rows]
