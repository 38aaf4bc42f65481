"""The statements table (one row per learning-record event; never changed, except that a voiding statement marks
its target voided), the outbox that forwards them to an external LRS, the API tokens that read them, the LRS's
credentials and documents, and the mappings that turn other tools' statements into practice use."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    literal,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.database import utcnow
from lms.extensions import db

EXTERNAL_SOURCES = ("lrs", "csv")  # statements other tools sent, or uploaded from a CRM activity export
# ix_statements_external's condition. SQLite uses a partial index only for a query that states its condition the
# same way, values inline: from_other_tools() writes it so.
_FROM_OTHER_TOOLS = f"source IN ({', '.join(repr(source) for source in EXTERNAL_SOURCES)})"


class Statement(db.Model):
    __tablename__ = "statements"
    __table_args__ = (
        # Other tools' statements, latest first (the connected tools page) and for their practice use: those rows
        # only, so the academy's own statements (nearly all of them) neither pay for it nor are walked to find none.
        Index("ix_statements_external", "organization_id", "stored", "id",
              sqlite_where=text(_FROM_OTHER_TOOLS), postgresql_where=text(_FROM_OTHER_TOOLS)),
        # Per-learner timelines and "last activity" (laggards) read this index only.
        Index("ix_statements_actor_time", "actor_id", "timestamp", "verb", "object_type"),
        Index("ix_statements_org_time", "organization_id", "timestamp"),
        Index("ix_statements_cohort_time", "cohort_id", "timestamp"),
        # The statements API pages through one organisation's statements in `stored` order.
        Index("ix_statements_org_stored", "organization_id", "stored", "id"),
        # The API's agent filter: statements recorded under a mailbox, and the people recorded under it.
        Index("ix_statements_org_actor_email", "organization_id", "actor_email", "actor_id"),
        # The LRS's filters on statements other tools sent (their verbs, activities and agents are any IRIs).
        Index("ix_statements_org_verb_iri", "organization_id", "verb_iri"),
        Index("ix_statements_org_activity_iri", "organization_id", "activity_iri"),
        Index("ix_statements_org_actor_ifi", "organization_id", "actor_ifi"),
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

    # The one store holds the academy's own statements (source "academy": built from the columns above, verb a
    # key of the vocabulary) and statements other tools sent to the LRS (source "lrs", or "csv" from an uploaded
    # CRM activity export): those keep the statement as stored in `document`, with verb "external" and the
    # columns below filled for the LRS's filters, so no report mistakes another tool's verbs for the academy's.
    source: Mapped[str] = mapped_column(String(10), default="academy", server_default="academy")
    verb_iri: Mapped[str | None] = mapped_column(String(500))
    activity_iri: Mapped[str | None] = mapped_column(String(1000))  # the object's id when it is an Activity
    actor_ifi: Mapped[str | None] = mapped_column(String(600))  # canonical IFI, e.g. "mbox:mailto:ada@x.example"
    registration: Mapped[str | None] = mapped_column(String(36))
    voided: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    document: Mapped[dict | None] = mapped_column(JSON)
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("lrs_credentials.id", ondelete="SET NULL"),
                                                      index=True)
    # Whether the reports' roll-ups have counted this statement. The reports package counts new statements in the
    # transaction that stores them (lms.reports.live), so reports are current without a cron job; the flag makes
    # that idempotent (a statement is claimed once) and lets `flask lms rollup --rebuild` count everything again.
    rolled_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


def from_other_tools():
    """The condition for statements from other tools (EXTERNAL_SOURCES), written as ix_statements_external's own
    condition (values inline), which SQLite needs to use that index."""
    return Statement.source.in_([literal(source, literal_execute=True) for source in EXTERNAL_SOURCES])


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


class LrsCredential(db.Model):
    """Basic-auth credentials an org admin creates for one tool (key and secret; only the secret's SHA-256 is
    kept): what it may do (read, write) in its organisation's LRS, and the authority its statements carry."""

    __tablename__ = "lrs_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # the tool, e.g. "Salesforce", "Outreach"
    key: Mapped[str] = mapped_column(String(40), unique=True)  # the Basic-auth user name
    secret_hash: Mapped[str] = mapped_column(String(64))
    can_read: Mapped[bool] = mapped_column(Boolean, default=True)
    can_write: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class LrsDocument(db.Model):
    """A State, Activity Profile or Agent Profile document of one organisation's LRS. Empty strings, never
    NULL, stand for "not part of this kind's key", so the unique constraint holds on every database."""

    __tablename__ = "lrs_documents"
    __table_args__ = (
        UniqueConstraint("organization_id", "kind", "activity_id", "agent_ifi", "registration", "document_id",
                         name="uq_lrs_documents_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # state | activity_profile | agent_profile
    activity_id: Mapped[str] = mapped_column(String(1000), default="")
    agent_ifi: Mapped[str] = mapped_column(String(600), default="")
    registration: Mapped[str] = mapped_column(String(36), default="")
    document_id: Mapped[str] = mapped_column(String(500))  # stateId or profileId
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    etag: Mapped[str] = mapped_column(String(64))  # SHA-1 of the content, as xAPI asks
    updated: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ToolMapping(db.Model):
    """How another tool's statements count as use of a practice (the adoption report's tool usage): statements
    from `credential` (any of the organisation's tools when None) whose verb is `verb_iri` (any when None) and
    whose activity type is `activity_type` and whose activity IRI starts with `activity_prefix` (each when set)
    are use of `practice` (a key of lms.abm.vocabulary.PRACTICES): lms.tracking.tools.matches."""

    __tablename__ = "tool_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("lrs_credentials.id", ondelete="CASCADE"))
    verb_iri: Mapped[str | None] = mapped_column(String(500))
    activity_type: Mapped[str | None] = mapped_column(String(500))
    activity_prefix: Mapped[str | None] = mapped_column(String(1000))
    practice: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LrsAttachment(db.Model):
    """The raw data of a statement attachment an organisation's LRS received, found by its SHA-2 (the statements
    name it in their attachments' sha2); kept once however many statements carry it."""

    __tablename__ = "lrs_attachments"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
