"""Enrolments (with due dates), assignments, module progress, knowledge-check answers, and reminders sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import Course, Module
from lms.database import utcnow
from lms.extensions import db


class Enrolment(db.Model):
    """A learner on a course in one organisation: self-enrolled or assigned, with an optional due date."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "organization_id"),
        Index("ix_enrolments_org_course", "organization_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="self")  # self | assigned
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    enrolled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when the enrolment comes from a workshop booking: "booked" until the coach marks the sign-in sheet
    # "present", "partial" or "absent". A course with attendance_required completes only once "present".
    attendance: Mapped[str | None] = mapped_column(String(10))
    last_module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"), index=True)

    course: Mapped[Course] = relationship(lazy="joined")


class Assignment(db.Model):
    """A manager's assignment of a course, with a due date, to a cohort or to named people.

    Each learner's Enrolment points at the assignment and carries the due date; changing the assignment's due
    date changes theirs.
    """

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_org_course", "organization_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)

    course: Mapped[Course] = relationship(lazy="joined")


class SentReminder(db.Model):
    """One reminder email sent: at most one per person, reason and day (the day in the person's time zone)."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("user_id", "reason", "day"), Index("ix_sent_reminders_day", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(30))  # due_soon | overdue | manager_digest | coach_reviews
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ModuleProgress(db.Model):
    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_version: Mapped[str | None] = mapped_column(String(64))  # the content version completed
    best_score: Mapped[int | None] = mapped_column(Integer)  # 0-100: share of questions answered right
    # 0-100: share of questions right at the first attempt, what the learner knew; reports use it (retries are
    # unlimited, so the best score ends at 100 for everyone who persists).
    first_score: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The UTC day of the learner's latest "launched" statement for this module from the module page: a re-read on
    # the same day records none, and the page knows it from this row, which it reads anyway.
    launched_on: Mapped[date | None] = mapped_column(Date)

    module: Mapped[Module] = relationship(lazy="raise")


class QuestionAnswer(db.Model):
    """The learner's best answer to one knowledge-check question (retries allowed, best kept)."""

    __tablename__ = "question_answers"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "question_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    chosen: Mapped[list] = mapped_column(JSON, default=list)  # indexes of the options last chosen
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)  # last attempt
    ever_correct: Mapped[bool] = mapped_column(Boolean, default=False)  # best attempt
    first_correct: Mapped[bool | None] = mapped_column(Boolean)  # first attempt; never changed by a retry
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ExerciseCredit(db.Model):
    """A passed exercise counting towards course completion; practice records it when a submission passes."""

    __tablename__ = "exercise_credits"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "exercise_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    exercise_slug: Mapped[str] = mapped_column(String(120))
    best_score: Mapped[int] = mapped_column(Integer)
    passed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
