"""Who may run workshops: platform admins, and coaches of the provider's public organisation."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from lms.extensions import db
from lms.workshops.models import WorkshopSession


def can_manage() -> bool:
    """True for a platform admin, or a coach of the public organisation they are working in."""
    if not current_user.is_authenticated:
        return False
    if current_user.is_platform_admin:
        return True
    org = g.org
    return org is not None and org.kind == "public" and "coach" in g.roles


def require_manager() -> None:
    """404 unless the signed-in user may run workshops (the pages' existence is not revealed)."""
    if not can_manage():
        abort(404)


def managed_session_or_404(session_id: int) -> WorkshopSession:
    """The session, if the signed-in user may run it: any for a platform admin, their own organisation's for a
    provider coach; otherwise 404."""
    require_manager()
    session = db.session.get(WorkshopSession, session_id)
    if session is None or (not current_user.is_platform_admin and session.organization_id != g.org.id):
        abort(404)
    return session
