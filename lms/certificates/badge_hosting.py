"""The Open Badges 2.0 documents we host: the Issuer, each course's BadgeClass and image, each certificate's
Assertion and baked image. badges.py builds them; this fills them from the database and our URLs."""

from __future__ import annotations

from email.utils import parseaddr

from flask import abort, current_app
from sqlalchemy import exists, select

from lms.certificates import badges, validity
from lms.certificates.issuing import competency_names
from lms.certificates.models import Certificate
from lms.content.models import Course
from lms.extensions import db
from lms.urls import external_url


def issuer_doc() -> dict:
    """Return the Issuer Profile document."""
    cfg = current_app.config
    email = cfg.get("BADGE_ISSUER_EMAIL") or parseaddr(cfg["MAIL_SENDER"])[1]
    return badges.issuer(url=external_url("certificates.badge_issuer"), name=cfg["SITE_NAME"],
                         homepage=external_url("workshops.home"), email=email,
                         image_url=external_url("static", filename="img/logo.svg"))


def badge_course_or_404(slug: str) -> Course:
    """Return the course with this slug if its BadgeClass is published: a public course that awards
    certificates, or any course that has issued one (in-house courses stay unlisted until then). 404 otherwise."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    if not (course.certificate_issue and course.audience == "public") and not db.session.scalar(
            select(exists().where(Certificate.course_id == course.id))):
        abort(404)
    return course


def _criteria(course: Course) -> str:
    rules = ["Complete every module of the course", f"score at least {course.pass_mark}% in each knowledge check"]
    if course.required_exercises:
        rules.append("pass the required hands-on exercises on your own target accounts")
    return ", ".join(rules[:-1]) + " and " + rules[-1] + "."


def badge_class_doc(course: Course) -> dict:
    """Return the course's BadgeClass document."""
    return badges.badge_class(
        url=external_url("certificates.badge_class", slug=course.slug), name=course.title,
        description=course.summary or f"Completed {course.title}.",
        image_url=external_url("certificates.badge_class_image", slug=course.slug), criteria=_criteria(course),
        issuer_url=external_url("certificates.badge_issuer"), tags=competency_names(course.id))


def badge_class_svg(course: Course) -> str:
    """Return the course's badge image (SVG, not baked)."""
    return badges.badge_svg(course.title, current_app.config["SITE_NAME"])


def _course_slug(certificate: Certificate) -> str:
    return db.session.scalar(select(Course.slug).where(Course.id == certificate.course_id))


def assertion_doc(certificate: Certificate) -> tuple[dict, int]:
    """Return the hosted Assertion and its HTTP status: 200, or 410 Gone when revoked or replaced, the body still
    a complete Assertion with `revoked: true` and the `revocationReason` (Open Badges 2.0, "Revoking Hosted
    Assertions": either signal means revoked; validators that ignore the status still read a valid document)."""
    slug = _course_slug(certificate)
    revoked = certificate.revoked_at is not None
    doc = badges.assertion(badges.AssertionData(
        url=external_url("certificates.badge_assertion", code=certificate.code),
        badge_url=external_url("certificates.badge_class", slug=slug),
        image_url=external_url("certificates.badge_assertion_image", code=certificate.code),
        identity=certificate.recipient_identity, salt=certificate.recipient_salt,
        issued_on=validity.iso8601(certificate.issued_at),
        expires=validity.iso8601(certificate.expires_at) if certificate.expires_at else None,
        revoked=revoked, revocation_reason=certificate.revocation_reason))
    return doc, 410 if revoked else 200


def baked_svg(certificate: Certificate) -> tuple[str, int]:
    """Return the badge image baked with the hosted assertion (URL and JSON), or 410 if it is revoked."""
    doc, status = assertion_doc(certificate)
    if status != 200:
        return "", status
    course = db.session.get(Course, certificate.course_id)
    return badges.bake_svg(badge_class_svg(course), doc["id"], doc), 200
