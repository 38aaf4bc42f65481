"""The statements table (one row per learning-record event, never updated or deleted), the outbox that forwards
them to an external LRS, and the API tokens that read them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.database import utcnow
from lms.extensions import db


class Statement(db.Model):
    __tablename__ = "statements"
    __table_args__ = (
        # Per-learner timelines and "last activity" (laggards) read this index only.
        Index("ix_statements_actor_time", "actor_id", "timestamp", "verb", "object_type"),
        Index("ix_statements_org_time", "organization_id", "timestamp"),
        Index("ix_statements_cohort_time", "cohort_id", "timestamp"),
        # The statements API pages through one organisation's statements in `stored` order.
        Index("ix_statements_org_stored", "organization_id", "stored", "id"),
        # The API's agent filter: statements recorded under a mailbox, and the people recorded under it.
        Index("ix_statements_org_actor_email", "organization_id", "actor_email", "actor_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    timestamp: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    stored: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The actor as recorded (xAPI's mbox and name): what the LRS received stays what the API serves.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    verb: Mapped[str] = mapped_column(String(40))  # a key of lms.tracking.verbs.VERBS
    object_type: Mapped[str] = mapped_column(String(40))  # e.g. module, course, exercise, account
    object_id: Mapped[str] = mapped_column(String(200))
    object_name: Mapped[str | None] = mapped_column(String(300))
    result: Mapped[dict | None] = mapped_column(JSON)
    # Free-form context; record() adds "instructor": {"email", "name"} as recorded, like the actor.
    context: Mapped[dict | None] = mapped_column(JSON)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    course_slug: Mapped[str | None] = mapped_column(String(120))


class OutboxEntry(db.Model):
    """A statement waiting to be forwarded to the external LRS (added in record()'s transaction)."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (Index("ix_xapi_outbox_pending", "delivered_at", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

    # Lets the unit of work insert the statement before its outbox row without an extra flush.
    statement: Mapped[Statement] = relationship(lazy="raise")


class ApiToken(db.Model):
    """A named bearer token an org admin creates to read the organisation's statements; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, shown so people can tell tokens apart
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
