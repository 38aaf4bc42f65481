"""Template globals and filters: role-based navigation, accessible form attributes, local dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from lms.tenancy import grants

# (label, endpoint, roles that see it; None = every signed-in user; "platform" = platform admins; "provider" =
# platform admins and the coaches of the provider's public organisation, who run its workshops — not a client's)
NAV = [
    ("Dashboard", "learning.dashboard", None),
    ("Courses", "learning.catalogue", None),
    ("Workspace", "accounts.overview", None),
    ("Exercises", "practice.exercises", None),
    ("Progress", "assessment.profile", None),
    ("Certificates", "certificates.mine", None),
    ("Reviews", "practice.reviews", ("coach",)),
    ("Stand in for sales", "accounts.coach_signoff_list", ("coach",)),
    ("Workshops", "workshops.manage", "provider"),
    ("Assign", "learning.assignments", ("manager",)),
    ("Reports", "reports.index", ("manager",)),
    ("People", "identity.members", ("org_admin",)),
    ("Cohorts", "identity.cohorts", ("org_admin",)),
    ("API tokens", "tracking.tokens", ("org_admin",)),
    ("Connected tools", "tracking.tools", ("org_admin",)),
    ("Audit log", "privacy.org_audit", ("org_admin",)),
    ("Organisations", "identity.organizations", "platform"),
    ("Content", "content.freshness", "platform"),
    ("Question statistics", "assessment.item_statistics", "platform"),
    ("Certificates admin", "certificates.admin", "platform"),
    ("Platform audit log", "privacy.platform_audit", "platform"),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def nav_items() -> tuple[NavItem, ...]:
    """Return the navigation the current user may use (every endpoint must exist: a missing one fails loudly).

    The entry for the current page is active; a page without its own entry (an account, a module) marks the
    first entry of its blueprint instead. Every page draws it, and it depends only on the page and what the user
    may do, so each app keeps the list per (page, roles) once built.
    """
    user = current_user._get_current_object()
    signed_in = user.is_authenticated
    key = (request.script_root, request.endpoint or "", signed_in and user.is_platform_admin,
           signed_in and _provider_coach(), g.roles if signed_in else frozenset())
    kept = current_app.extensions.setdefault("lms.nav", {})
    items = kept.get(key)
    if items is None:
        items = kept[key] = _nav_items(*key[1:])
    return items


def _nav_items(current: str, admin: bool, provider_coach: bool, roles: frozenset[str]) -> tuple[NavItem, ...]:
    allowed = []
    for label, endpoint, needs in NAV:
        if needs == "platform" and not admin:
            continue
        if needs == "provider" and not (admin or provider_coach):
            continue
        if isinstance(needs, tuple) and not grants(roles, admin, needs):
            continue
        allowed.append((label, endpoint))
    active = current if any(endpoint == current for _, endpoint in allowed) else next(
        (endpoint for _, endpoint in allowed
         if endpoint.split(".")[0] == current.split(".")[0] and not current.startswith("identity.")), None)
    return tuple(NavItem(label, url_for(endpoint), endpoint == active) for label, endpoint in allowed)


def page_url(endpoint: str, **values) -> str:
    """Return url_for(endpoint, **values), built once per app, script root and arguments: for the links every page
    draws with fixed arguments (the home page, your profile, signing out, the stylesheet) or with arguments from a
    set the content bounds (a course's and its modules' slugs), each of which costs 10-30 µs to build. Not for
    arguments a user or the data can multiply (ids, searches): every distinct URL is kept. An endpoint that does
    not exist fails loudly, as url_for does."""
    kept = current_app.extensions.setdefault("lms.page_urls", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = kept.get(key)
    if url is None:
        url = kept[key] = url_for(endpoint, **values)
    return url


def _provider_coach() -> bool:
    """True for a coach working in the provider's public organisation (a client's coach runs no workshops)."""
    org = g.org
    return org is not None and org.kind == "public" and "coach" in g.roles


def aria(field, **attrs) -> dict:
    """Return `attrs` plus aria-describedby/aria-invalid tying a field to its help and errors."""
    described = []
    if field.description:
        described.append(f"{field.id}-help")
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


def user_zone() -> ZoneInfo:
    """Return the current user's time zone (their setting, the organisation's, or the site default)."""
    name = None
    if current_user and current_user.is_authenticated:
        name = current_user.timezone or (g.org.timezone if g.org else None)
    try:
        return ZoneInfo(name or current_app.config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def to_local(value: datetime) -> datetime:
    """Convert a stored naive-UTC datetime to the user's local time."""
    return value.replace(tzinfo=UTC).astimezone(user_zone())


def date_local(value: datetime | None, fmt: str = "%-d %b %Y") -> str:
    """Format a stored UTC datetime as a local date (UK style by default)."""
    if value is None:
        return ""
    return to_local(value).strftime(fmt)


def datetime_local(value: datetime | None) -> str:
    """Format a stored UTC datetime as local date and time."""
    return date_local(value, "%-d %b %Y, %H:%M")


def init_app(app: Flask) -> None:
    """Register the globals and filters."""
    app.jinja_env.globals.update(nav_items=nav_items, page_url=page_url, aria=aria)
    app.jinja_env.filters.update(date_local=date_local, datetime_local=datetime_local)
