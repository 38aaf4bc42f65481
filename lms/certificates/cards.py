"""What the pages show about a certificate: its state now, its dates in the organisation's time zone, hours and
the verification and LinkedIn links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from lms.certificates import sharing, validity
from lms.certificates.models import Certificate
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.urls import external_url

if TYPE_CHECKING:  # a download passes a row, not the ORM object
    from lms.certificates.access import CertificateRow


def status_of(certificate: Certificate | CertificateRow, now: datetime | None = None) -> validity.Status:
    """Return the certificate's state (valid, expired, revoked or replaced) now."""
    return validity.status(now or utcnow(), expires_at=certificate.expires_at, revoked_at=certificate.revoked_at,
                           replaced=certificate.replaced_by_id is not None)


@dataclass(frozen=True)
class Card:
    """What the pages show about one certificate."""

    certificate: Certificate
    status: validity.Status
    issued: date
    expires: date | None
    hours: str
    verify_url: str

    @property
    def code(self) -> str:
        return self.certificate.code

    @property
    def revoked_on(self) -> date | None:
        since = self.status.since if self.status.state in ("revoked", "replaced") else None
        return validity.local_date(since, self.certificate.organization.timezone) if since else None

    @property
    def linkedin_url(self) -> str:
        return sharing.linkedin_url(
            name=self.certificate.course_title, organization=current_app.config["SITE_NAME"], issued=self.issued,
            expires=self.expires, url=self.verify_url, code=self.certificate.code)


def card(certificate: Certificate | CertificateRow, now: datetime | None = None) -> Card:
    """Return the display values of a certificate; dates are in its organisation's time zone."""
    zone = certificate.organization.timezone
    return Card(
        certificate=certificate,
        status=status_of(certificate, now),
        issued=validity.local_date(certificate.issued_at, zone),
        expires=validity.local_date(certificate.expires_at, zone) if certificate.expires_at else None,
        hours=validity.hours(certificate.minutes),
        verify_url=external_url("certificates.verify", code=certificate.code),
    )


def mine(user: User) -> list[Card]:
    """Return the user's certificates in every organisation, newest first (replaced ones left out)."""
    rows = db.session.scalars(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.replaced_by_id.is_(None)).order_by(Certificate.issued_at.desc()))
    now = utcnow()
    return [card(c, now) for c in rows]
