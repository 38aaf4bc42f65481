"""Server-side sign-in sessions: each signed-in browser is a UserSession, so signing out, a password reset or
"sign out everywhere" end it for real (a copied cookie stops working)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select, update
from sqlalchemy.orm import joinedload

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Membership, Organization, User, UserSession


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_params(user_id: str | None) -> dict | None:
    """Return the parameters of session_is_open (:user_id, :token_hash) for a Flask-Login id "<id>:<session
    token>", or None if it is not one we issued."""
    try:
        raw_id, token = user_id.split(":", 1)
        return {"user_id": int(raw_id), "token_hash": token_hash(token)}
    except (ValueError, TypeError, AttributeError):
        return None


def session_is_open() -> ColumnElement[bool]:
    """The SQL condition of the user loader: user :user_id's session :token_hash is open and the user active.
    For a query of User and UserSession (joined on their ids), such as a download's that reads no ORM user
    (lms.certificates.access.downloadable_or_404)."""
    return and_(User.id == bindparam("user_id"), UserSession.token_hash == bindparam("token_hash"),
                UserSession.revoked_at.is_(None), User.is_active_user.is_(True))


def current_org_sql(user_id: ColumnElement[int]) -> ColumnElement[int]:
    """lms.tenancy.load_tenant's rule as SQL, for a query that reads no ORM user (a certificate download): the id
    of the session's organisation (:org_id) if `user_id` belongs to it and it is active, else of the
    lowest-numbered active organisation they belong to; NULL if none."""
    active = and_(Membership.user_id == user_id, Organization.id == Membership.organization_id,
                  Organization.is_active.is_(True))
    return func.coalesce(
        select(Membership.organization_id).where(active, Membership.organization_id == bindparam("org_id"))
        .limit(1).correlate_except(Membership, Organization).scalar_subquery(),
        select(func.min(Membership.organization_id)).where(active).correlate_except(Membership, Organization)
        .scalar_subquery())


@cache
def _signed_in_user() -> Select:
    """The user loader's statement: the session, the user, their memberships and organisations in one query (every
    page needs them). Built once: building it and computing its cache key on each request cost more than running
    it."""
    return (select(User).join(UserSession, UserSession.user_id == User.id).where(session_is_open())
            .options(joinedload(User.memberships)))


def active_user(user_id: str) -> User | None:
    """Return the user for a Flask-Login id "<id>:<session token>", or None if the session was ended, the user
    deactivated, or the id is not one we issued."""
    params = session_params(user_id)
    if params is None:
        return None
    user = db.session.execute(_signed_in_user(), params).unique().scalar_one_or_none()
    if user is None:
        return None
    user.session_token = user_id.split(":", 1)[1]
    return user


def start_session(user: User, user_agent: str | None = None) -> None:
    """Open a server-side session for a sign-in; Flask-Login's cookies then carry its token (get_id)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash(token), user_agent=(user_agent or "")[:200]))
    user.session_token = token


def end_session(user: User) -> None:
    """Revoke the session this request is signed in with (signing out)."""
    if user.session_token is not None:
        db.session.execute(update(UserSession).where(
            UserSession.token_hash == token_hash(user.session_token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow()))


def end_all_sessions(user: User) -> int:
    """Revoke every session of the user (sign out everywhere, a password reset); returns how many were open."""
    result = db.session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    user.session_version += 1
    return result.rowcount or 0


def open_sessions(user: User) -> list[UserSession]:
    """Return the user's sessions still open, newest first."""
    return list(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)).order_by(UserSession.id.desc())))


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-device")


def device_cookie(email: str) -> str:
    """Return the signed value a browser keeps after signing in as `email` (only the email's hash inside)."""
    return _devices().dumps(token_hash(email.strip().lower()))


def known_device(cookie: str | None, email: str) -> bool:
    """True when `cookie` was given to a browser that signed in as `email`: its sign-ins are not held up by the
    per-email limit that failed attempts from elsewhere run up."""
    if not cookie:
        return False
    try:
        return _devices().loads(cookie) == token_hash(email.strip().lower())
    except BadSignature:
        return False
