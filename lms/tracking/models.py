"""The statements table: one row per learning-record event, never updated or deleted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.database import utcnow
from lms.extensions import db


class Statement(db.Model):
    __tablename__ = "statements"
    __table_args__ = (
        # Per-learner timelines and "last activity" (laggards) read this index only.
        Index("ix_statements_actor_time", "actor_id", "timestamp", "verb", "object_type"),
        Index("ix_statements_org_time", "organization_id", "timestamp"),
        Index("ix_statements_cohort_time", "cohort_id", "timestamp"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    timestamp: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    stored: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verb: Mapped[str] = mapped_column(String(40))  # a key of lms.tracking.verbs.VERBS
    object_type: Mapped[str] = mapped_column(String(40))  # e.g. module, course, exercise, account
    object_id: Mapped[str] = mapped_column(String(200))
    object_name: Mapped[str | None] = mapped_column(String(300))
    result: Mapped[dict | None] = mapped_column(JSON)
    context: Mapped[dict | None] = mapped_column(JSON)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    course_slug: Mapped[str | None] = mapped_column(String(120))
