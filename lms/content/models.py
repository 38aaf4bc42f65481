"""Courses, modules and competencies as synced from courses/; rendered HTML stored, never rendered per request."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.database import utcnow
from lms.extensions import db


class Competency(db.Model):
    __tablename__ = "competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    levels: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(20))  # public | in-house
    summary: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[list] = mapped_column(JSON, default=list)
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)
    required_exercises: Mapped[list] = mapped_column(JSON, default=list)
    certificate_issue: Mapped[bool] = mapped_column(Boolean, default=True)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    prework: Mapped[list] = mapped_column(JSON, default=list)  # module slugs due before a workshop session
    attendance_required: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_days: Mapped[int] = mapped_column(Integer, default=14)
    minutes: Mapped[int] = mapped_column(Integer, default=0)  # sum of the active modules' minutes
    module_count: Mapped[int] = mapped_column(Integer, default=0)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by every content sync: the course's content version, which keys the outline the learner pages cache
    # (lms.content.outline). Whatever changes a course's modules must set it too.
    synced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Module(db.Model):
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    exercises: Mapped[list] = mapped_column(JSON, default=list)
    questions: Mapped[list] = mapped_column(JSON, default=list)  # with answers: never sent to the browser
    owner: Mapped[str] = mapped_column(String(200), default="")
    last_reviewed: Mapped[date] = mapped_column(Date)  # from the file's front matter
    # A review recorded in the app from the freshness report (the file keeps its own date until its next edit).
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_on: Mapped[date | None] = mapped_column(Date)

    @property
    def latest_review(self) -> date:
        """The later of the file's review date and a review recorded in the app."""
        return max(self.last_reviewed, self.reviewed_on) if self.reviewed_on else self.last_reviewed
    review_every_days: Mapped[int] = mapped_column(Integer, default=90)
    body_html: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(String(64))  # content hash of the module file
    version_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
