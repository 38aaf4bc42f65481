"""LRS credentials: a key and secret per tool (HTTP Basic), scoped to read and/or write one organisation's LRS.
Only the secret's SHA-256 is stored (32 random bytes need no slow hash); it is shown once. Flush, never commit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from lms.database import utcnow
from lms.extensions import db
from lms.tracking.models import LrsCredential
from lms.tracking.services import record

KEY_PREFIX = "lrs_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_credential(org_id: int, name: str, *, can_read: bool, can_write: bool, created_by_id: int | None
                      ) -> tuple[LrsCredential, str]:
    """Create credentials for a tool; return them with the secret, which is never stored. Raises ValueError when
    they would allow nothing."""
    if not (can_read or can_write):
        raise ValueError("Credentials must allow reading, writing or both.")
    secret = secrets.token_urlsafe(32)
    credential = LrsCredential(organization_id=org_id, name=name.strip(), key=KEY_PREFIX + secrets.token_hex(12),
                               secret_hash=_hash(secret), can_read=can_read, can_write=can_write,
                               created_by_id=created_by_id)
    db.session.add(credential)
    db.session.flush()
    record(created_by_id, "created", ("lrs-credential", credential.id, credential.name), organization_id=org_id)
    return credential, secret


def credentials_of(org_id: int) -> list[LrsCredential]:
    """The organisation's credentials, active first, newest first."""
    return list(db.session.scalars(select(LrsCredential).where(LrsCredential.organization_id == org_id)
                                   .order_by(LrsCredential.revoked_at.is_not(None), LrsCredential.created_at.desc(),
                                             LrsCredential.id.desc())))


def revoke_credential(credential: LrsCredential, by_id: int | None) -> None:
    """Revoke credentials: from now on they authenticate nothing (statements already sent stay)."""
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()
        record(by_id, "revoked", ("lrs-credential", credential.id, credential.name),
               organization_id=credential.organization_id)


def revoke_organization_credentials(organization_id: int, connection=None) -> None:
    """Revoke every active credential of a deactivated organisation (as its API tokens are)."""
    statement = (update(LrsCredential).where(LrsCredential.organization_id == organization_id,
                                             LrsCredential.revoked_at.is_(None)).values(revoked_at=utcnow()))
    if connection is None:
        db.session.execute(statement, execution_options={"synchronize_session": False})
    else:
        connection.execute(statement)


def credential_for(key: str | None, secret: str | None) -> LrsCredential | None:
    """The active credential with this key and secret, or None (the same answer for a wrong key or secret);
    notes when it was last used (at most once a minute)."""
    if not key or not secret or not key.startswith(KEY_PREFIX):
        return None
    credential = db.session.scalar(select(LrsCredential).where(LrsCredential.key == key))
    if credential is None or credential.revoked_at is not None:
        return None
    if not hmac.compare_digest(credential.secret_hash, _hash(secret)):
        return None
    now = utcnow()
    if credential.last_used_at is None or now - credential.last_used_at > timedelta(minutes=1):
        credential.last_used_at = now
    return credential
