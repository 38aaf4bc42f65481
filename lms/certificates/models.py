"""Certificates: one per completed enrolment; a reissue is a new row and the old one is marked replaced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Organization


class Certificate(db.Model):
    """A certificate as printed: the holder's name, course, hours and competencies are kept as issued.

    `current_enrolment_id` equals `enrolment_id` while this is the enrolment's current certificate and is
    cleared when it is replaced; its unique constraint makes issuing once per enrolment hold in the database
    (NULLs never clash, in SQLite and PostgreSQL alike).
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # the unguessable verification code
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    current_enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)

    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    competencies: Mapped[list] = mapped_column(JSON, default=list)  # competency names, in course order

    # Open Badges recipient: sha256 of the email as issued plus this salt, so the assertion names nobody.
    recipient_salt: Mapped[str] = mapped_column(String(64))
    recipient_identity: Mapped[str] = mapped_column(String(80))

    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # UTC
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: never expires
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship(lazy="joined")
