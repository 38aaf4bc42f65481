"""Issuing certificates: once per completed enrolment of a course that awards one, and any missed. Flush, never
commit. Importing this module subscribes `issue` to learning's `course_completed` (the blueprint imports it).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import exists, select

from lms.certificates import badges, qr, validity
from lms.certificates.models import Certificate
from lms.content.models import Competency, Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.learning.models import Enrolment
from lms.learning.signals import course_completed
from lms.tracking.services import record


class CertificateError(ValueError):
    """An operation that doesn't apply to this certificate (e.g. revoking one already revoked)."""


def _new_code() -> str:
    # 24 random bytes: 192 bits, URL-safe, 32 characters.
    return secrets.token_urlsafe(24)


def competency_names(course_id: int) -> list[str]:
    """Return the names of the competencies the course's active modules cover, in course order (two queries)."""
    rows = db.session.execute(
        select(Module.competencies).where(Module.course_id == course_id, Module.is_archived.is_(False))
        .order_by(Module.position)
    ).scalars()
    slugs = list(dict.fromkeys(slug for comps in rows for slug in (comps or [])))
    if not slugs:
        return []
    names = dict(db.session.execute(select(Competency.slug, Competency.name).where(Competency.slug.in_(slugs))).all())
    return [names.get(slug, slug) for slug in slugs]


def new_certificate(enrolment: Enrolment, user: User, course: Course, issued_at: datetime) -> Certificate:
    """Return a new, unsaved certificate of `enrolment` for `user`, with a fresh code (the caller adds it)."""
    salt = secrets.token_hex(16)
    return Certificate(
        code=_new_code(),
        enrolment_id=enrolment.id,
        current_enrolment_id=enrolment.id,
        user_id=user.id,
        course_id=course.id,
        organization_id=enrolment.organization_id,
        cohort_id=enrolment.cohort_id,
        holder_name=user.name,
        course_title=course.title,
        minutes=course.minutes or 0,
        competencies=competency_names(course.id),
        recipient_salt=salt,
        recipient_identity=badges.hashed_identity(user.email, salt),
        issued_at=issued_at,
        expires_at=validity.expiry(issued_at, course.validity_months),
    )


def current_for(enrolment_id: int) -> Certificate | None:
    """Return the enrolment's current certificate (not replaced), or None."""
    return db.session.scalar(select(Certificate).where(Certificate.current_enrolment_id == enrolment_id))


def issue(enrolment: Enrolment, user: User, *, now: datetime | None = None) -> Certificate | None:
    """Issue the certificate for a completed enrolment, once: returns the existing one if there is one, None
    when the course awards no certificate. Stores its QR code and records "earned". Raises CertificateError if
    the enrolment is not completed or belongs to someone else."""
    if enrolment.completed_at is None:
        raise CertificateError("the enrolment is not completed")
    if enrolment.user_id != user.id:
        raise CertificateError("the enrolment belongs to someone else")
    course = enrolment.course
    if not course.certificate_issue:
        return None
    existing = current_for(enrolment.id)
    if existing is not None:
        return existing
    certificate = new_certificate(enrolment, user, course, now or utcnow())
    db.session.add(certificate)
    db.session.flush()
    qr.store_at_issue(certificate)
    record_earned(user, certificate, course.slug)
    return certificate


def record_earned(user: User, certificate: Certificate, course_slug: str, **extra) -> None:
    """Record the "earned" statement of a newly issued certificate; `extra` joins its result."""
    result = {"expires": validity.iso8601(certificate.expires_at) if certificate.expires_at else None, **extra}
    record(user, "earned", ("certificate", certificate.id, certificate.course_title), result,
           organization_id=certificate.organization_id, cohort_id=certificate.cohort_id, course_slug=course_slug)


def _on_course_completed(enrolment: Enrolment, user: User | None = None, **_) -> None:
    issue(enrolment, user or db.session.get(User, enrolment.user_id))


course_completed.connect(_on_course_completed)


def issue_missing() -> list[Certificate]:
    """Issue certificates for completed enrolments that should have one and don't (e.g. completed before a
    course started awarding them). Returns the new certificates."""
    rows = db.session.execute(
        select(Enrolment, User).join(User, User.id == Enrolment.user_id).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.completed_at.is_not(None), Course.certificate_issue.is_(True),
               ~exists().where(Certificate.enrolment_id == Enrolment.id))
        .order_by(Enrolment.completed_at)
    ).all()
    return [c for enrolment, user in rows if (c := issue(enrolment, user, now=enrolment.completed_at))]
