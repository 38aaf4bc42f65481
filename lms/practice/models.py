"""Exercise runs, submissions and coach reviews, saved answers, and the learner's review notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.database import utcnow
from lms.extensions import db

REVIEW_STATUSES = ("awaiting", "accepted", "changes_requested")
REVIEW_STATUS_LABELS = {
    "awaiting": "Awaiting review",
    "accepted": "Accepted",
    "changes_requested": "Changes requested",
}


class ExerciseRun(db.Model):
    """One check of an exercise on a workspace: the answer used, the score and the findings, kept for good."""

    __tablename__ = "exercise_runs"
    __table_args__ = (Index("ix_exercise_runs_user_org_slug", "user_id", "organization_id", "exercise_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id", ondelete="SET NULL"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(120))
    exercise_version: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    # The detail group is loaded only when read: lists of runs never pay for it.
    findings: Mapped[list] = mapped_column(JSON, default=list, deferred=True,
                                           deferred_group="detail")  # [{severity, message, about, ...}]
    findings_total: Mapped[int] = mapped_column(Integer, default=0)  # findings the checker returned (some kept)
    summary: Mapped[dict] = mapped_column(JSON, default=dict, deferred=True,
                                          deferred_group="detail")  # the checker's headline figures
    snapshot_counts: Mapped[dict] = mapped_column(JSON, default=dict)  # {"accounts": 45, "contacts": 180, ...}
    answer: Mapped[dict] = mapped_column(JSON, default=dict, deferred=True,
                                         deferred_group="detail")  # the answer the check used
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Submission(db.Model):
    """A run handed in for credit and a coach's review."""

    __tablename__ = "exercise_submissions"
    __table_args__ = (
        UniqueConstraint("run_id"),
        Index("ix_exercise_submissions_user_org_slug", "user_id", "organization_id", "exercise_slug"),
        Index("ix_exercise_submissions_org_status", "organization_id", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(120))
    score: Mapped[int] = mapped_column(Integer)  # copied from the run: reports group by it
    passed: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), default="awaiting")  # one of REVIEW_STATUSES
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    run: Mapped[ExerciseRun] = relationship(lazy="raise")

    @property
    def status_label(self) -> str:
        return REVIEW_STATUS_LABELS.get(self.status, self.status)


class SavedAnswer(db.Model):
    """The learner's answer form for one exercise in one workspace, kept between runs (a draft)."""

    __tablename__ = "exercise_answers"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "exercise_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(120))
    answer: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewComment(db.Model):
    """A coach's comment on a submission as a whole (finding_index None) or on one of its run's findings."""

    __tablename__ = "exercise_review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("exercise_submissions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    finding_index: Mapped[int | None] = mapped_column(Integer)  # position in the run's findings list
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewNotification(db.Model):
    """Tells a learner on their dashboard that a coach reviewed or commented on their submission."""

    __tablename__ = "exercise_review_notifications"
    __table_args__ = (Index("ix_exercise_review_notifications_user_unread", "user_id", "organization_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("exercise_submissions.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20))  # the submission's status after the review
    comments: Mapped[int] = mapped_column(Integer, default=0)  # how many comments the review added
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
