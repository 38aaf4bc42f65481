"""The workspace a learner practises on: target accounts, contacts, signals, opportunities and handoffs.

A workspace belongs to one organisation; an in-house team (cohort) shares one, a public attendee has their own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.database import utcnow
from lms.extensions import db


class Workspace(db.Model):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="personal")  # personal | team
    programme_start: Mapped[datetime | None] = mapped_column(DateTime)
    column_mappings: Mapped[dict] = mapped_column(JSON, default=dict)  # header fingerprint -> {header: field}
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Account(db.Model):
    """A target company (never a login)."""

    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_ws_name", "workspace_id", "normalised_name"),
        Index("ix_accounts_ws_domain", "workspace_id", "domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(120), index=True)
    name: Mapped[str] = mapped_column(String(300))
    normalised_name: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str | None] = mapped_column(String(500))
    domain: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(200))
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue: Mapped[float | None] = mapped_column(Float)
    region: Mapped[str | None] = mapped_column(String(120))
    is_target: Mapped[bool] = mapped_column(Boolean, default=True)
    tier: Mapped[str | None] = mapped_column(String(10))  # 1:1 | 1:few | 1:many
    icp_fit: Mapped[int | None] = mapped_column(Integer)
    icp_reasons: Mapped[str | None] = mapped_column(Text)
    why_selected: Mapped[str | None] = mapped_column(Text)
    sales_owner: Mapped[str | None] = mapped_column(String(200))
    marketing_owner: Mapped[str | None] = mapped_column(String(200))
    progress_definition: Mapped[str | None] = mapped_column(Text)
    sales_agreed: Mapped[bool | None] = mapped_column(Boolean)  # None: not reviewed; False: disagreed
    sales_agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sales_agreed_by: Mapped[str | None] = mapped_column(String(200))
    sales_agreed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sales_disagree_reason: Mapped[str | None] = mapped_column(Text)
    # How the verdict came: "sales" (a sales member of the team), "guest" (an invited sales colleague) or "coach"
    # (the coach standing in). None: no verdict through sign-off, which does not count as agreement.
    sales_agreed_via: Mapped[str | None] = mapped_column(String(10))
    required_roles: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Contact(db.Model):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_ws_email", "workspace_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(120))
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))  # normalised: trimmed, lower-case
    phone: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(120))
    crm_role: Mapped[str | None] = mapped_column(String(200))  # the buying role text the CRM export carried
    # The company the CRM export named when no account in the workspace matched it: the learner links the contact
    # or creates the account from it ("Contacts with no account yet").
    company: Mapped[str | None] = mapped_column(String(300))
    roles: Mapped[list] = mapped_column(JSON, default=list)  # buying roles (lms.abm.snapshot.BUYING_ROLES)
    roles_set_by_learner: Mapped[bool] = mapped_column(Boolean, default=False)  # never overwritten by inference
    seniority: Mapped[str | None] = mapped_column(String(20))
    function: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    account: Mapped[Account | None] = relationship(lazy="raise")


class Signal(db.Model):
    __tablename__ = "signals"
    __table_args__ = (Index("ix_signals_ws_time", "workspace_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str | None] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    followed_up_at: Mapped[datetime | None] = mapped_column(DateTime)
    followed_up_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Opportunity(db.Model):
    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    stage: Mapped[str | None] = mapped_column(String(120))
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_won: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(40))


class Handoff(db.Model):
    """A qualified signal handed from marketing to sales, with the brief sales needs and sales' verdict."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    contact_role: Mapped[str | None] = mapped_column(String(40))
    buying_group_relevance: Mapped[str | None] = mapped_column(Text)
    engagement_summary: Mapped[str | None] = mapped_column(Text)
    qualification_level: Mapped[str | None] = mapped_column(String(20))
    recommended_follow_up: Mapped[str | None] = mapped_column(Text)
    sales_owner: Mapped[str | None] = mapped_column(String(200))
    sla_hours: Mapped[int | None] = mapped_column(Integer)
    first_touch_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="sent")
    rejection_reason: Mapped[str | None] = mapped_column(String(40))
    sales_feedback: Mapped[str | None] = mapped_column(Text)
    meeting_booked: Mapped[bool] = mapped_column(Boolean, default=False)


class AccountReview(db.Model):
    """One reviewer's verdict on one proposed target account: agreed or not, with a reason, by whom and when.

    A sales member or a coach reviews as a user (reviewer_id); an invited sales colleague has no login, so their
    review keeps their name and email and the invitation it came through. One verdict per account from each: per
    reviewer for users, per invitation for guests (whose reviewer_id is empty, so the first key cannot hold them).
    """

    __tablename__ = "account_reviews"
    __table_args__ = (UniqueConstraint("account_id", "reviewer_id"),
                      UniqueConstraint("account_id", "invitation_id", name="uq_account_reviews_guest_verdict"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_review_invitations.id", ondelete="SET NULL"), index=True)
    reviewer_name: Mapped[str | None] = mapped_column(String(200))
    reviewer_email: Mapped[str | None] = mapped_column(String(254))
    via: Mapped[str | None] = mapped_column(String(10))  # sales | guest | coach
    agreed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AccountReviewInvitation(db.Model):
    """A sales colleague without a login, invited by email to review one workspace's target accounts.

    Only the SHA-256 of the link's token is stored. The link works until it expires or the learner revokes it.
    """

    __tablename__ = "account_review_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    reviewer_name: Mapped[str] = mapped_column(String(200))
    reviewer_email: Mapped[str] = mapped_column(String(254))  # normalised: trimmed, lower-case
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)  # the guest's latest verdict

    @property
    def state(self) -> str:
        """Return "revoked", "expired" or "open"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "open"


class ImportBatch(db.Model):
    """One import of a CRM file: what it was, what happened, and the rejected rows for download."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(300))
    entity: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="previewed")  # previewed | imported | rejected
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    errors: Mapped[list] = mapped_column(JSON, default=list)  # [{line, field, reason}]
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# The model of each record type, by the entity name imports and exports use.
ENTITY_MODELS: dict[str, type] = {
    "accounts": Account, "contacts": Contact, "signals": Signal, "opportunities": Opportunity, "handoffs": Handoff,
}
