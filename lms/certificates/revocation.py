"""Revoking and reissuing certificates, and printing a learner's new name on their current ones. Flush, never
commit. Importing this module subscribes to identity's `name_changed` (the blueprint imports it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from lms.certificates import qr
from lms.certificates.issuing import CertificateError, new_certificate, record_earned
from lms.certificates.models import Certificate
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.identity.signals import name_changed
from lms.learning.models import Enrolment
from lms.tracking.services import record


def revoke(certificate: Certificate, admin: User, reason: str, *, now: datetime | None = None) -> None:
    """Revoke a certificate with a published reason; records "revoked". Raises CertificateError if it is
    already revoked or replaced."""
    if certificate.revoked_at is not None:
        raise CertificateError("this certificate is already revoked")
    reason = reason.strip()
    if not reason:
        raise CertificateError("give a reason: it is shown on the verification page")
    certificate.revoked_at = now or utcnow()
    certificate.revocation_reason = reason
    certificate.revoked_by_id = admin.id
    db.session.flush()
    record(admin, "revoked", ("certificate", certificate.id, certificate.course_title), {"reason": reason},
           organization_id=certificate.organization_id, cohort_id=certificate.cohort_id)


def reissue(certificate: Certificate, admin: User, reason: str, *, now: datetime | None = None) -> Certificate:
    """Replace a certificate with a new one (new code; the holder's current name, the course's current title,
    hours and competencies; the original issue date). The old one becomes "replaced": its code shows that on
    /verify and its badge answers 410 Gone. Records "revoked" for the old and "earned" for the new one.
    Raises CertificateError for a certificate already replaced."""
    if certificate.replaced_by_id is not None or certificate.current_enrolment_id is None:
        raise CertificateError("this certificate has already been replaced")
    reason = reason.strip()
    if not reason:
        raise CertificateError("give a reason for reissuing")
    now = now or utcnow()
    enrolment = db.session.get(Enrolment, certificate.enrolment_id)
    holder = db.session.get(User, certificate.user_id)
    certificate.current_enrolment_id = None
    db.session.flush()  # free the enrolment's "current" slot before the new row takes it
    new = new_certificate(enrolment, holder, enrolment.course, certificate.issued_at)
    db.session.add(new)
    db.session.flush()
    qr.store_at_issue(new)
    if certificate.revoked_at is None:
        certificate.revoked_at = now
        certificate.revocation_reason = f"Replaced by a reissued certificate: {reason}"
        certificate.revoked_by_id = admin.id
    certificate.replaced_by_id = new.id
    db.session.flush()
    record(admin, "revoked", ("certificate", certificate.id, certificate.course_title),
           {"reason": reason, "replaced_by": new.id}, organization_id=certificate.organization_id,
           cohort_id=certificate.cohort_id)
    record_earned(holder, new, enrolment.course.slug, reissue_of=certificate.id)
    return new


def refresh_for_name_change(user: User) -> list[Certificate]:
    """Print the user's current name on their current certificates. Their PDFs are rendered again on the next
    download (the stored file is keyed by what it shows, so a stale one is never served). Call it after a
    profile's name changes; returns the certificates whose name changed."""
    changed = []
    for certificate in db.session.scalars(select(Certificate).where(
            Certificate.user_id == user.id, Certificate.replaced_by_id.is_(None))):
        if certificate.holder_name != user.name:
            certificate.holder_name = user.name
            changed.append(certificate)
    db.session.flush()
    return changed


def _on_name_changed(user: User, **_) -> None:
    refresh_for_name_change(user)


name_changed.connect(_on_name_changed)
