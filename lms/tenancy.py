"""Tenancy: the current organization and roles, and the one helper every tenant query goes through.

Another organization's object answers 404, never 403, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TypeVar

from flask import abort, g, session
from flask_login import current_user
from sqlalchemy import Select, select

from lms.extensions import db

T = TypeVar("T")


def load_tenant() -> None:
    """Set g.org and g.roles from the session's organization and the signed-in user's memberships (the user
    loader's query, when the request has not loaded the user yet). `g` calls it when a request first reads either
    (lms.TenantGlobals); a job acting for someone calls it after signing them in. The same rule in SQL, for a
    query that loads no ORM user, is lms.identity.sessions.current_org_sql (a test keeps the two alike)."""
    g.org, g.roles = None, frozenset()
    if not current_user.is_authenticated:
        return
    # A suspended organisation is out of reach for its members until a platform admin reactivates it.
    orgs = {m.organization_id: m.organization for m in current_user.memberships if m.organization.is_active}
    wanted = session.get("org_id")
    if wanted not in orgs:
        wanted = min(orgs) if orgs else None
    if wanted is None:
        return
    g.org = orgs[wanted]
    g.roles = frozenset(m.role for m in current_user.memberships if m.organization_id == wanted)


def org_id() -> int:
    """Return the current organization's id; 404 when the user has none (nothing to scope to)."""
    org = g.org
    if org is None:
        abort(404)
    return org.id


def has_role(*roles: str) -> bool:
    """Return True if the user holds any of `roles` in the current organization (or is a platform admin)."""
    if not current_user.is_authenticated:
        return False
    return grants(g.roles, current_user.is_platform_admin, roles)


def grants(held: frozenset[str], admin: bool, wanted: Iterable[str]) -> bool:
    """The rule behind has_role, for callers that have read the user already: a platform admin may do anything,
    anyone else needs one of `wanted` among the roles `held` in the current organization."""
    return admin or not held.isdisjoint(wanted)


def scoped(model) -> Select:
    """Return `select(model)` limited to the current organization."""
    return select(model).where(model.organization_id == org_id())


def get_or_404(model: type[T], ident) -> T:
    """Return the current organization's `model` row with this primary key, or abort with 404."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None or obj.organization_id != org_id():
        abort(404)
    return obj


def role_required(*roles: str) -> Callable:
    """Decorator: sign-in required, and one of `roles` in the current organization (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from lms.extensions import login_manager

                return login_manager.unauthorized()
            if not has_role(*roles):
                abort(403)
            if g.org is None:
                abort(404)  # e.g. a platform admin outside any organisation: nothing to show
            return view(*args, **kwargs)

        return wrapped

    return decorator


def platform_admin_required(view: Callable) -> Callable:
    """Decorator: only platform admins (others get 404: the admin area is not advertised)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from lms.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_platform_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped
