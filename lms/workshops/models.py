"""Workshop sessions (one or more dated parts), bookings with their waiting-list place and attendance, and the
"bring your team" enquiries the provider receives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import Course
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, User

DELIVERIES = ("virtual", "in_person")
DELIVERY_LABELS = {"virtual": "Virtual", "in_person": "In person"}
BOOKING_STATES = ("confirmed", "waitlisted", "cancelled", "moved")
ATTENDANCE = ("present", "partial", "absent")
ATTENDANCE_LABELS = {"present": "Present", "partial": "Partial", "absent": "Absent"}


class WorkshopSession(db.Model):
    """One run of a course as a workshop, owned by the provider's public organisation.

    Each session has its own cohort (its attendees and coach), so the coach's review queue, the course's
    assignment and the reports follow the cohort as they do for an in-house team. `seats_taken` counts confirmed
    bookings and is only ever changed by a guarded UPDATE (see services.book), so two people racing for the last
    seat cannot both get it on either database.
    """

    __tablename__ = "workshop_sessions"
    __table_args__ = (Index("ix_workshop_sessions_org_starts", "organization_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), unique=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    delivery: Mapped[str] = mapped_column(String(20))  # virtual | in_person
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(Text, default="")
    join_url: Mapped[str] = mapped_column(String(500), default="")  # shown to booked attendees only
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/London")
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    price_text: Mapped[str] = mapped_column(String(200), default="")
    booking_deadline: Mapped[datetime] = mapped_column(DateTime)  # UTC
    # The first part's start and the last part's end, kept with the parts so lists sort and filter in SQL.
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Every change to the dates or place bumps this, so a calendar updates the event rather than adding one.
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    course: Mapped[Course] = relationship(lazy="joined")
    cohort: Mapped[Cohort] = relationship(lazy="raise")
    coach: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[coach_id])
    parts: Mapped[list[SessionPart]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                    order_by="SessionPart.starts_at", lazy="selectin")

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)


class SessionPart(db.Model):
    """One dated part of a session (a one-day workshop has one; a programme over several days has several)."""

    __tablename__ = "workshop_session_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)  # UTC

    session: Mapped[WorkshopSession] = relationship(back_populates="parts")


class Booking(db.Model):
    """One person's place on a session: confirmed, on the waiting list (first come, first served by
    `created_at`, then id), cancelled, or moved to another session. Attendance is the coach's sign-in sheet."""

    __tablename__ = "workshop_bookings"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_workshop_bookings_session_status", "session_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))  # confirmed | waitlisted | cancelled | moved
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # the waiting-list order
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime)  # confirmed from the waiting list
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    moved_to_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_sessions.id", ondelete="SET NULL"))
    attendance: Mapped[str | None] = mapped_column(String(10))  # present | partial | absent
    attendance_marked_at: Mapped[datetime | None] = mapped_column(DateTime)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminded_week_at: Mapped[datetime | None] = mapped_column(DateTime)  # the 7-day reminder, sent once
    reminded_day_at: Mapped[datetime | None] = mapped_column(DateTime)  # the 1-day reminder, sent once
    next_offer_at: Mapped[datetime | None] = mapped_column(DateTime)  # a no-show offered the next session

    session: Mapped[WorkshopSession] = relationship(lazy="joined", foreign_keys=[session_id])
    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])


class Enquiry(db.Model):
    """A "bring your team" enquiry about the in-house programme, emailed to the provider and kept here."""

    __tablename__ = "workshop_enquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    company: Mapped[str] = mapped_column(String(200))
    team_size: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
