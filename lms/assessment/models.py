"""Assessment-only questions (synced from courses/assessments/), attempts and their answers, coach ratings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import Course
from lms.database import utcnow
from lms.extensions import db

KINDS = ("pre", "post")
KIND_LABELS = {"pre": "Pre-course assessment", "post": "Post-course assessment"}


class AssessmentQuestion(db.Model):
    """One assessment-only question of a competency's bank; archived, never deleted, when removed from the file."""

    __tablename__ = "assessment_questions"
    __table_args__ = (UniqueConstraint("competency_slug", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_slug: Mapped[str] = mapped_column(String(80), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    difficulty: Mapped[int] = mapped_column(Integer, default=2)  # 1 easy, 2 medium, 3 hard
    question: Mapped[dict] = mapped_column(JSON, default=dict)  # as module questions: with answers, rendered HTML
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AssessmentAttempt(db.Model):
    """A learner's pre- or post-course assessment on one course: the paper drawn for it, timing and scores."""

    __tablename__ = "assessment_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "organization_id", "course_id", "kind"),
        Index("ix_assessment_attempts_org_user", "organization_id", "user_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # one of KINDS
    # [{"key", "competency", "difficulty"}], drawn once with the attempt's id as the seed.
    paper: Mapped[list] = mapped_column(JSON, default=list)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: untimed
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # set once; a closed attempt never changes
    closed_by: Mapped[str | None] = mapped_column(String(20))  # learner | time_limit
    score: Mapped[int | None] = mapped_column(Integer)  # 0-100 over the whole paper, set on closing
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {competency: {"correct": n, "total": n}}
    late_answers: Mapped[int] = mapped_column(Integer, default=0)  # sent after the time limit: not counted

    course: Mapped[Course] = relationship(lazy="joined")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AssessmentAnswer(db.Model):
    """The learner's answer to one question of an attempt, checked on the server when it was given."""

    __tablename__ = "assessment_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("assessment_attempts.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(250))
    chosen: Mapped[list] = mapped_column(JSON, default=list)  # indexes of the options chosen
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CoachRating(db.Model):
    """A coach's rating of a learner on one competency (1-5 against the framework's levels), with a comment.

    Ratings are kept as a history; the latest per learner and competency is the current one.
    """

    __tablename__ = "coach_ratings"
    __table_args__ = (Index("ix_coach_ratings_org_learner_competency", "organization_id", "learner_id",
                            "competency_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    competency_slug: Mapped[str] = mapped_column(String(80))
    level: Mapped[int] = mapped_column(Integer)  # 1-5
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

