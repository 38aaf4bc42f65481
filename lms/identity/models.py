"""Users, organizations, memberships with roles, cohorts and their members, invitations and tokens."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
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
from lms.tracking.directory import Actor

ROLES = ("learner", "coach", "manager", "org_admin")
ROLE_LABELS = {"learner": "Learner", "coach": "Coach", "manager": "Manager", "org_admin": "Organisation admin"}
FUNCTIONS = ("sales", "marketing", "other")
FUNCTION_LABELS = {"sales": "Sales", "marketing": "Marketing", "other": "Other"}


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="client")  # client | public
    logo_path: Mapped[str | None] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/London")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: suspended, its members locked out
    seat_limit: Mapped[int | None] = mapped_column(Integer)  # members plus pending invitations; None: no limit
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised: trimmed, lower-case
    name: Mapped[str] = mapped_column(String(200))
    job_function: Mapped[str] = mapped_column(String(20), default="other")  # sales | marketing | other
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active_user: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str | None] = mapped_column(String(60))
    reminders_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    session_version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on password change
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)  # first sign-in
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Public sign-ups confirm their address before they can sign in; invited and created users are confirmed.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", lazy="selectin")

    # Not a column: the raw token of the UserSession this request is signed in with (set at sign-in and by the
    # user loader). The session cookie and the remember-me cookie carry it, so ending the session ends them.
    session_token = None

    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("no session started: sign in through identity.services.start_session")
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot sign in
        return self.is_active_user

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.email

    @property
    def actor(self) -> Actor:
        """The user as the learning record names them, in plain values: record(user.actor, ...)."""
        return Actor(self.id, self.email, self.name)


class Membership(db.Model):
    """One role of one user in one organization; a user may hold several roles and organizations."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship(lazy="joined")


class Cohort(db.Model):
    """A group that learns together: an in-house team, or one public-course session."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(String(20), default="in_house")  # in_house | virtual | in_person
    location: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    shares_workspace: Mapped[bool] = mapped_column(Boolean, default=True)  # in-house teams share one
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    members: Mapped[list[CohortMember]] = relationship(back_populates="cohort", cascade="all, delete-orphan")


class CohortMember(db.Model):
    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="learner")  # learner | coach
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_org_email", "organization_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    job_function: Mapped[str] = mapped_column(String(20), default="other")
    role: Mapped[str] = mapped_column(String(20), default="learner")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship(lazy="joined")
    cohort: Mapped[Cohort | None] = relationship(lazy="joined")

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at < utcnow():
            return "expired"
        return "pending"


class AuditEntry(db.Model):
    """Who did what to whom, and when: personal-data exports, deletion requests and erasures, organisation changes.
    Names are copied in, so the log still reads after the people in it are erased."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_org_at", "organization_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    subject_name: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class UserSession(db.Model):
    """One signed-in browser. Only the token's SHA-256 is stored; signing out, a password reset or "sign out
    everywhere" revoke it, so a copied cookie stops working at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class PasswordResetToken(db.Model):
    """A single-use, expiring emailed token (a password reset, or a sign-up's email confirmation); only its
    SHA-256 is stored. Only the newest token of a purpose works: issuing one spends the older ones."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    purpose: Mapped[str] = mapped_column(String(10), default="reset", server_default="reset")  # reset | confirm

    user: Mapped[User] = relationship(lazy="joined")
