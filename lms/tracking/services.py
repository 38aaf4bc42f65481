"""The learning record's writes: record() a statement (and queue it for the LRS), and the API tokens that read the
record. Plain values in (ids, emails, names); they add or flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Connection, select, update

from lms.database import utcnow
from lms.extensions import db
from lms.tracking.directory import Actor, directory
from lms.tracking.models import ApiToken, OutboxEntry, Statement
from lms.tracking.verbs import VERBS

TOKEN_PREFIX = "abm_"  # noqa: S105 - a marker at the start of every token, not a secret

# Who a statement is about: an Actor, a user id (looked up in the directory), or None for the platform itself.
# Objects with `id`, `email` and `name` attributes (a User) are still read for those values while callers move
# to passing an Actor; tracking never imports their class.
ActorLike = Any


def _actor_of(value: ActorLike) -> Actor | int | None:
    if value is None or isinstance(value, Actor):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return Actor(value.id, value.email, value.name)


def _resolve(*values: Actor | int | None) -> list[Actor | None]:
    """Turn user ids into Actors with one directory question (none when every value is an Actor already)."""
    ids = {v for v in values if isinstance(v, int)}
    found = {}
    if ids:
        with db.session.no_autoflush:  # record() adds, never flushes: don't flush the caller's work early
            found = directory().actors(ids)
    return [found.get(v, Actor(v, None)) if isinstance(v, int) else v for v in values]


def _agent_json(actor: Actor) -> dict:
    return {"email": actor.email.strip().lower() if actor.email else None, "name": actor.name}


def record(
    actor: ActorLike,
    verb: str,
    object: tuple[str, object] | tuple[str, object, str],  # noqa: A002 - the xAPI word
    result: dict | None = None,
    context: dict | None = None,
    *,
    organization_id: int | None = None,
    cohort_id: int | None = None,
    course_slug: str | None = None,
    timestamp: datetime | None = None,
    instructor: ActorLike = None,
) -> Statement:
    """Add a statement for `actor` doing `verb` to `object` = (type, id[, name]); return it.

    `actor` is an Actor (user id, email, name), a user id, or None for the platform. The actor's email and name are
    recorded with the statement, as xAPI records its actor: a user id costs one directory query, an Actor none.
    `instructor` (an Actor or user id; a context `assigned_by` user id means the same) is recorded likewise.
    `context` may carry `organization_id`, `cohort_id` and `course` as well; keyword arguments win. When an
    external LRS is configured (LMS_LRS_ENDPOINT) the statement is also queued in the outbox, in the same
    transaction and without an extra query. Adds, never flushes or commits: the caller's request or command
    commits. Raises ValueError for a verb outside the fixed vocabulary.
    """
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    context = dict(context or {})
    if instructor is None and isinstance(context.get("assigned_by"), int):
        instructor = context["assigned_by"]
    who, teacher = _resolve(_actor_of(actor), _actor_of(instructor))
    if teacher is not None and teacher.email:
        context["instructor"] = _agent_json(teacher)
    obj_type, obj_id, *rest = object
    statement = Statement(
        id=str(uuid.uuid4()),
        actor_id=who.id if who else None,
        actor_email=who.email.strip().lower() if who and who.email else None,
        actor_name=who.name[:200] if who and who.name else None,
        verb=verb,
        object_type=obj_type,
        object_id=str(obj_id),
        object_name=rest[0][:300] if rest and rest[0] else None,
        result=result,
        context=context or None,
        organization_id=organization_id or context.get("organization_id"),
        cohort_id=cohort_id or context.get("cohort_id"),
        course_slug=course_slug or context.get("course"),
    )
    if timestamp is not None:
        statement.timestamp = timestamp
    db.session.add(statement)
    if current_app.config.get("LRS_ENDPOINT"):
        db.session.add(OutboxEntry(statement=statement))
    return statement


def forget_actor(user_id: int) -> int:
    """Remove a person's email and name from their statements (before their user is erased); return how many.

    The statements stay, attributed to the platform, like those of a user deleted before actors were recorded.
    """
    result = db.session.execute(update(Statement).where(Statement.actor_id == user_id)
                                .values(actor_email=None, actor_name=None), execution_options={"synchronize_session": False})
    return result.rowcount or 0


# --- API tokens ------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(org_id: int, name: str, created_by_id: int | None) -> tuple[ApiToken, str]:
    """Create a named API token for the organisation; return it with the secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organization_id=org_id, name=name.strip(), token_hash=_hash(secret),
                     prefix=secret[: len(TOKEN_PREFIX) + 6], created_by_id=created_by_id)
    db.session.add(token)
    db.session.flush()
    record(created_by_id, "created", ("api-token", token.id, token.name), organization_id=org_id)
    return token, secret


def tokens_of(org_id: int) -> list[ApiToken]:
    """Return the organisation's API tokens, active first, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.organization_id == org_id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                             ApiToken.id.desc())))


def revoke_token(token: ApiToken, by_id: int | None) -> None:
    """Revoke a token: from now on it authenticates nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(by_id, "revoked", ("api-token", token.id, token.name), organization_id=token.organization_id)


def revoke_organization_tokens(organization_id: int, connection: Connection | None = None) -> None:
    """Revoke every active token of the organisation: identity calls this when it deactivates one (a reactivated
    organisation creates new tokens). Runs on `connection` when given, e.g. inside the flush that deactivates."""
    statement = (update(ApiToken).where(ApiToken.organization_id == organization_id, ApiToken.revoked_at.is_(None))
                 .values(revoked_at=utcnow()))
    if connection is None:
        db.session.execute(statement, execution_options={"synchronize_session": False})
    else:
        connection.execute(statement)


def token_for(secret: str | None) -> ApiToken | None:
    """Return the active (unrevoked) token with this secret, or None; notes when it was last used (at most once a
    minute). A deactivated organisation's tokens are revoked when it is deactivated, so they never match."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token
