"""Finding certificates, and who may see which: the holder, managers and coaches of their organisation,
platform admins. Anything else answers 404."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from flask import abort
from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from lms.certificates.models import Certificate
from lms.database import PlainRead
from lms.extensions import db
from lms.identity import sessions
from lms.identity.models import Cohort, CohortMember, Membership, Organization, User, UserSession
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


class OrganizationRow(NamedTuple):
    """What a certificate's PDF shows of its organisation."""

    name: str
    kind: str
    timezone: str
    logo_path: str | None


class CertificateRow(NamedTuple):
    """A certificate as its download reads it: what the PDF shows and whether it is current, no ORM object (the
    readers of a Certificate that a PDF needs, lms.certificates.rendering and .cards, read these alike)."""

    id: int
    code: str
    holder_name: str
    course_title: str
    minutes: int
    competencies: list
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    replaced_by_id: int | None
    organization: OrganizationRow


def downloadable_or_404(code: str, session: Mapping) -> CertificateRow | None:
    """Return the certificate `code` if the reader signed in with Flask's `session` may download its PDF: the
    holder, a manager of its organisation (the current one), a coach of a cohort the holder learns in, or a
    platform admin. Revoked and replaced certificates are not handed out (platform admins excepted); anything else
    a signed-in reader asks for answers 404. None when the session names no open session of an active user: the
    caller sends them to sign in.

    One query for the reader and the rule, and no ORM user: the user loader's conditions
    (lms.identity.sessions.session_is_open) and the current organisation's (sessions.current_org_sql) are in
    its SQL. Loading the ORM user, then the certificate, cost more than the user loader alone does on a page.
    """
    params = sessions.session_params(session.get("_user_id"))
    if params is None:
        return None
    if not code or len(code) > 64:
        code = ""  # matches nothing: a 404 for the signed-in reader
    # On the driver's connection, not through the ORM session nor a Connection (lms.database.PlainRead): their
    # transaction and result handling cost more than the query itself.
    row = _DOWNLOAD.first(db.engine, {**params, "code": code, "org_id": session.get("org_id")})
    if row is None:
        return None
    certificate_id, *shown, org_name, org_kind, org_timezone, org_logo = row
    if certificate_id is None:
        abort(404)
    return CertificateRow(certificate_id, *shown, OrganizationRow(org_name, org_kind, org_timezone, org_logo))


def _download_query() -> Select:
    """The download's statement: a row when the reader's session is open, with the certificate they may download
    (outer-joined: NULL when they may not) and its organisation."""
    allowed = or_(User.is_platform_admin.is_(True), and_(Certificate.revoked_at.is_(None), or_(
        Certificate.user_id == User.id,
        and_(Certificate.organization_id == sessions.current_org_sql(User.id),
             or_(_holds_role("manager"), and_(_holds_role("coach"), _coaches_holder()))))))
    return (select(Certificate.id, Certificate.code, Certificate.holder_name, Certificate.course_title,
                   Certificate.minutes, Certificate.competencies, Certificate.issued_at, Certificate.expires_at,
                   Certificate.revoked_at, Certificate.replaced_by_id, Organization.name, Organization.kind,
                   Organization.timezone, Organization.logo_path)
            .select_from(UserSession).join(User, User.id == UserSession.user_id)
            .outerjoin(Certificate, and_(Certificate.code == bindparam("code"), allowed))
            .outerjoin(Organization, Organization.id == Certificate.organization_id)
            .where(sessions.session_is_open()))


_DOWNLOAD = PlainRead(_download_query)  # compiled once for each database


def _holds_role(role: str):
    """The SQL condition: the reader (users.id) holds `role` in the certificate's organisation."""
    return exists().where(Membership.user_id == User.id, Membership.organization_id == Certificate.organization_id,
                          Membership.role == role).correlate(User, Certificate)


def _coaches_holder():
    """The SQL condition: the reader (users.id) coaches, in the certificate's organisation, the cohort it was issued
    in or a cohort its holder learns in."""
    coach, learner = aliased(CohortMember), aliased(CohortMember)
    return exists().where(
        coach.user_id == User.id, coach.role == "coach", coach.cohort_id.in_(
            select(Cohort.id).where(Cohort.organization_id == Certificate.organization_id).correlate(Certificate)),
        or_(coach.cohort_id == Certificate.cohort_id,
            exists().where(and_(learner.cohort_id == coach.cohort_id, learner.user_id == Certificate.user_id,
                                learner.role == "learner")).correlate(coach, Certificate))).correlate(User, Certificate)


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
