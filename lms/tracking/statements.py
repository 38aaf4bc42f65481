"""Reading the record as xAPI for the statements API and the LRS forwarder. Actors are served as recorded; the
agent filter matches a mailbox's statements and all statements of the people known by it (recorded so, or now), so
a changed email keeps a history findable by either address. Organisation and cohort names come from the directory."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.tracking import xapi
from lms.tracking.directory import directory
from lms.tracking.models import Statement
from lms.tracking.query import StatementQuery, encode_cursor
from lms.tracking.verbs import ABM, verb_key
from lms.urls import SiteURLMissing, site_url


def xapi_site() -> xapi.Site:
    """Return the platform as statements describe it (LMS_XAPI_ACTIVITY_BASE, the site URL and name, and
    LMS_XAPI_VERB_BASE for the academy's own verbs).

    Raises SiteURLMissing outside a request when neither LMS_SITE_URL, SERVER_NAME nor the activity base is set.
    """
    base = current_app.config.get("XAPI_ACTIVITY_BASE")
    try:
        home = site_url()
    except SiteURLMissing:
        if not base:
            raise
        parts = urlsplit(base)
        home = f"{parts.scheme}://{parts.netloc}"
    base = base or f"{home}/xapi/activities"
    return xapi.Site(activity_base=base.rstrip("/"), home_page=home, name=current_app.config["SITE_NAME"],
                     verb_base=current_app.config.get("XAPI_VERB_BASE") or ABM)


def statement_rows(statements: Sequence[Statement]) -> list[xapi.StatementRow]:
    """Return the statements as rows for xapi.to_xapi, with their organisations' and cohorts' current names (one
    directory question, none when no statement names an organisation or cohort)."""
    org_ids = {s.organization_id for s in statements if s.organization_id is not None}
    cohort_ids = {s.cohort_id for s in statements if s.cohort_id is not None}
    orgs, cohorts = {}, {}
    if org_ids or cohort_ids:
        names = directory().names(org_ids, cohort_ids)
        orgs, cohorts = names.organizations, names.cohorts
    return [xapi.StatementRow(
        id=s.id, timestamp=s.timestamp, stored=s.stored, verb=s.verb, object_type=s.object_type,
        object_id=s.object_id, object_name=s.object_name, result=s.result, context=s.context,
        actor_email=s.actor_email, actor_name=s.actor_name, organization_id=s.organization_id,
        organization_name=orgs.get(s.organization_id), cohort_id=s.cohort_id, cohort_name=cohorts.get(s.cohort_id),
        course_slug=s.course_slug) for s in statements]


def as_xapi(statements: Sequence[Statement], site: xapi.Site) -> list[dict]:
    """Return the statements as xAPI 1.0.3 statements, in the same order."""
    return [xapi.to_xapi(row, site) for row in statement_rows(statements)]


def xapi_statements_by_id(statement_ids: Iterable[str], site: xapi.Site) -> dict[str, dict]:
    """Return {statement id: xAPI statement} for these ids (one query, plus one for names)."""
    found = list(db.session.scalars(select(Statement).where(Statement.id.in_(list(statement_ids)))))
    return {doc["id"]: doc for doc in as_xapi(found, site)}


def _mbox_sha1sum(email: str) -> str:
    return hashlib.sha1(f"mailto:{email}".encode()).hexdigest()  # noqa: S324 - xAPI's own IFI


def _agent_emails(org_id: int, agent: Mapping) -> list[str]:
    """The recorded actor emails `agent` identifies: its mbox, or the organisation's recorded emails whose
    mbox_sha1sum it is. Openid and account agents never appear as actors here."""
    if "mbox" in agent:
        return [agent["mbox"].removeprefix("mailto:").strip().lower()]
    if "mbox_sha1sum" in agent:
        wanted = agent["mbox_sha1sum"].lower()
        known = db.session.scalars(select(Statement.actor_email).distinct()
                                   .where(Statement.organization_id == org_id, Statement.actor_email.is_not(None)))
        return [email for email in known if _mbox_sha1sum(email) == wanted]
    return []


def agent_condition(org_id: int, agent: Mapping) -> ColumnElement[bool] | None:
    """Return the SQL condition for the API's `agent` filter, or None when it can match nothing.

    A statement matches when it was recorded under the agent's mailbox, or when its user was recorded under that
    mailbox in another statement of the organisation, or has that mailbox now (the directory says): a person who
    changed their email is found by the old address and the new one, and every statement still shows the address
    it was recorded with. One directory question.
    """
    emails = _agent_emails(org_id, agent)
    if not emails:
        return None
    other = aliased(Statement)
    recorded = select(other.actor_id).where(other.organization_id == org_id, other.actor_email.in_(emails),
                                            other.actor_id.is_not(None))
    matches = [Statement.actor_email.in_(emails), Statement.actor_id.in_(recorded)]
    current = list(directory().user_ids(emails))
    if current:
        matches.append(Statement.actor_id.in_(current))
    return or_(*matches)


def academy_conditions(org_id: int, query: StatementQuery, site: xapi.Site) -> list | None:
    """SQL conditions on the academy's own statements for the query's filters other than time, or None when
    none of them can match (an unknown verb, agent or activity, or a registration: the academy records none)."""
    if query.registration:
        return None
    conditions = []
    if query.agent is not None:
        agent = agent_condition(org_id, query.agent)
        if agent is None:
            return None
        conditions.append(agent)
    if query.verb:
        key = verb_key(query.verb, site.verb_base)
        if key is None:
            return None
        conditions.append(Statement.verb == key)
    if query.activity:
        parsed = xapi.parse_activity_iri(site, query.activity)
        if parsed is None:
            return None
        match = and_(Statement.object_type == parsed[0], Statement.object_id == parsed[1])
        if query.related_activities and parsed[0] == "course":
            match = or_(match, Statement.course_slug == parsed[1])
        conditions.append(match)
    return conditions


def _filters(org_id: int, query: StatementQuery, site: xapi.Site) -> list | None:
    """SQL conditions for the query, or None when it can match nothing (an unknown verb, agent or activity)."""
    academy = academy_conditions(org_id, query, site)
    if academy is None:
        return None
    conditions = [Statement.organization_id == org_id, Statement.source == "academy", *academy]
    if query.since:
        conditions.append(Statement.stored > query.since)
    if query.until:
        conditions.append(Statement.stored <= query.until)
    return conditions


def after_position(query: StatementQuery, after: tuple[datetime, str]) -> ColumnElement[bool]:
    """The statements after (stored, id) in the query's order: where the next page of a listing starts."""
    stored, last_id = after
    if query.ascending:
        return or_(Statement.stored > stored, and_(Statement.stored == stored, Statement.id > last_id))
    return or_(Statement.stored < stored, and_(Statement.stored == stored, Statement.id < last_id))


@dataclass(frozen=True)
class StatementPage:
    """One page of the statements API: the statements as xAPI and the cursor for the next page."""

    statements: list[dict]
    more: str  # the cursor for the next page, "" when this is the last


def statements_page(org_id: int, query: StatementQuery, after: tuple[datetime, str] | None = None) -> StatementPage:
    """Return one page of the organisation's statements as xAPI, ordered by `stored` (newest first unless
    ascending), starting after the statement at `after` (stored, id). Two queries (the page, then its names), one
    more for an agent filter (two for an mbox_sha1sum)."""
    site = xapi_site()
    conditions = _filters(org_id, query, site)
    if conditions is None:
        return StatementPage([], "")
    if after is not None:
        conditions.append(after_position(query, after))
    order = ((Statement.stored.asc(), Statement.id.asc()) if query.ascending
             else (Statement.stored.desc(), Statement.id.desc()))
    found = list(db.session.scalars(select(Statement).where(*conditions).order_by(*order).limit(query.limit + 1)))
    page = found[: query.limit]
    statements = as_xapi(page, site)
    if query.format == "ids":
        statements = [xapi.ids_format(s) for s in statements]
    more = ""
    if len(found) > query.limit and page:
        more = encode_cursor(current_app.config["SECRET_KEY"], org_id, query, (page[-1].stored, page[-1].id))
    return StatementPage(statements, more)
