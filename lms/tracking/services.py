"""The learning record's operations: record() a statement (and queue it for the LRS), API tokens, and reading
statements as xAPI for the API and the forwarder. They flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, and_, or_, select

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, Membership, Organization, User
from lms.tracking import xapi
from lms.tracking.models import ApiToken, OutboxEntry, Statement
from lms.tracking.verbs import VERBS, verb_key
from lms.urls import SiteURLMissing, site_url

TOKEN_PREFIX = "abm_"  # noqa: S105 - a marker at the start of every token, not a secret
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def record(
    actor,
    verb: str,
    object: tuple[str, object] | tuple[str, object, str],  # noqa: A002 - the xAPI word
    result: dict | None = None,
    context: dict | None = None,
    *,
    organization_id: int | None = None,
    cohort_id: int | None = None,
    course_slug: str | None = None,
    timestamp: datetime | None = None,
) -> Statement:
    """Add a statement for `actor` (a User or a user id) doing `verb` to `object` = (type, id[, name]).

    `context` may carry `organization_id`, `cohort_id` and `course` as well; keyword arguments win. When an
    external LRS is configured (LMS_LRS_ENDPOINT) the statement is also queued in the outbox, in the same
    transaction and without an extra query. Adds, never flushes or commits: the caller's request or command
    commits. Raises ValueError for a verb outside the fixed vocabulary.
    """
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    context = dict(context or {})
    actor_id = getattr(actor, "id", actor)
    obj_type, obj_id, *rest = object
    statement = Statement(
        id=str(uuid.uuid4()),
        actor_id=actor_id,
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


# --- API tokens ------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(org_id: int, name: str, created_by: User) -> tuple[ApiToken, str]:
    """Create a named API token for the organisation; return it with the secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organization_id=org_id, name=name.strip(), token_hash=_hash(secret),
                     prefix=secret[: len(TOKEN_PREFIX) + 6], created_by_id=created_by.id)
    db.session.add(token)
    db.session.flush()
    record(created_by, "created", ("api-token", token.id, token.name), organization_id=org_id)
    return token, secret


def tokens_of(org_id: int) -> list[ApiToken]:
    """Return the organisation's API tokens, active first, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.organization_id == org_id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                             ApiToken.id.desc())))


def revoke_token(token: ApiToken, by: User) -> None:
    """Revoke a token: from now on it authenticates nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(by, "revoked", ("api-token", token.id, token.name), organization_id=token.organization_id)


def token_for(secret: str | None) -> ApiToken | None:
    """Return the active token with this secret (of an active organisation), or None; notes when it was last used
    (at most once a minute)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).join(Organization, Organization.id == ApiToken.organization_id)
                              .where(ApiToken.token_hash == _hash(secret), Organization.is_active.is_(True)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token


# --- Statements as xAPI -----------------------------------------------------------------------------


def xapi_site() -> xapi.Site:
    """Return the platform as statements describe it (LMS_XAPI_ACTIVITY_BASE, the site URL and name).

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
    return xapi.Site(activity_base=base.rstrip("/"), home_page=home, name=current_app.config["SITE_NAME"])


def _rows_select() -> Select:
    return (select(Statement, User.email, User.name, Organization.name, Cohort.name)
            .outerjoin(User, User.id == Statement.actor_id)
            .outerjoin(Organization, Organization.id == Statement.organization_id)
            .outerjoin(Cohort, Cohort.id == Statement.cohort_id))


def _to_row(statement: Statement, email, name, org_name, cohort_name) -> xapi.StatementRow:
    return xapi.StatementRow(
        id=statement.id, timestamp=statement.timestamp, stored=statement.stored, verb=statement.verb,
        object_type=statement.object_type, object_id=statement.object_id, object_name=statement.object_name,
        result=statement.result, context=statement.context, actor_email=email, actor_name=name,
        organization_id=statement.organization_id, organization_name=org_name, cohort_id=statement.cohort_id,
        cohort_name=cohort_name, course_slug=statement.course_slug)


def as_xapi(rows: Iterable[xapi.StatementRow], site: xapi.Site) -> list[dict]:
    """Return the rows as xAPI statements; people named in their context are looked up in one query."""
    rows = list(rows)
    ids = {r.context.get("assigned_by") for r in rows if r.context and isinstance(r.context.get("assigned_by"), int)}
    people = {}
    if ids:
        people = {uid: (email, name) for uid, email, name in
                  db.session.execute(select(User.id, User.email, User.name).where(User.id.in_(ids)))}
    return [xapi.to_xapi(r, site, people) for r in rows]


def xapi_statements_by_id(statement_ids: Iterable[str], site: xapi.Site) -> dict[str, dict]:
    """Return {statement id: xAPI statement} for these ids (one query, plus one for instructors)."""
    rows = [_to_row(*r) for r in db.session.execute(_rows_select().where(Statement.id.in_(list(statement_ids))))]
    return {doc["id"]: doc for doc in as_xapi(rows, site)}


class QueryError(ValueError):
    """A statements request the API can't answer (400), with the reason in plain words."""


@dataclass(frozen=True)
class StatementQuery:
    """The statements API's filters, parsed and checked."""

    agent: dict | None = None
    verb: str | None = None  # IRI
    activity: str | None = None  # IRI
    related_activities: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_LIMIT
    ascending: bool = False
    format: str = "exact"

    def to_json(self) -> dict:
        return {"agent": self.agent, "verb": self.verb, "activity": self.activity,
                "related_activities": self.related_activities,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "limit": self.limit, "ascending": self.ascending, "format": self.format}

    @classmethod
    def from_json(cls, data: Mapping) -> StatementQuery:
        return cls(agent=data["agent"], verb=data["verb"], activity=data["activity"],
                   related_activities=data["related_activities"],
                   since=datetime.fromisoformat(data["since"]) if data["since"] else None,
                   until=datetime.fromisoformat(data["until"]) if data["until"] else None,
                   limit=data["limit"], ascending=data["ascending"], format=data["format"])


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise QueryError(f"{name} must be true or false")
    return value == "true"


def parse_query(params: Mapping[str, str]) -> StatementQuery:
    """Parse the statements API's query parameters. Raises QueryError naming the faulty parameter."""
    try:
        agent = xapi.parse_agent(params["agent"]) if params.get("agent") else None
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    for name in ("verb", "activity"):
        if params.get(name) and not xapi.IRI.match(params[name]):
            raise QueryError(f"{name} must be an IRI")
    times = {}
    for name in ("since", "until"):
        try:
            times[name] = xapi.parse_timestamp(params[name]) if params.get(name) else None
        except ValueError:
            raise QueryError(f"{name} must be an ISO 8601 timestamp, e.g. 2026-11-01T00:00:00Z") from None
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise QueryError("limit must be a whole number") from None
    if limit < 0:
        raise QueryError("limit must not be negative")
    format_ = params.get("format", "exact")
    if format_ not in ("exact", "ids", "canonical"):
        raise QueryError("format must be exact, ids or canonical")
    return StatementQuery(agent=agent, verb=params.get("verb") or None, activity=params.get("activity") or None,
                          related_activities=_flag(params, "related_activities"), since=times["since"],
                          until=times["until"], limit=MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT),
                          ascending=_flag(params, "ascending"), format=format_)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="xapi-statements-more")


def encode_cursor(org_id: int, query: StatementQuery, after: tuple[datetime, str]) -> str:
    """Return the opaque `more` cursor: the query and the last statement served, signed."""
    return _serializer().dumps({"o": org_id, "q": query.to_json(), "a": [after[0].isoformat(), after[1]]})


def decode_cursor(org_id: int, cursor: str) -> tuple[StatementQuery, tuple[datetime, str]]:
    """Return the query and position of a `more` cursor. Raises QueryError if it was altered or is another
    organisation's."""
    try:
        data = _serializer().loads(cursor)
        if data["o"] != org_id:
            raise QueryError("this more link belongs to another token's organisation")
        return StatementQuery.from_json(data["q"]), (datetime.fromisoformat(data["a"][0]), data["a"][1])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, QueryError):
            raise
        raise QueryError("the more link is not valid") from None


def _agent_user_ids(org_id: int, agent: dict) -> list[int]:
    """Users that `agent` identifies (statements identify actors by mbox; mbox_sha1sum is matched against the
    organisation's members)."""
    if "mbox" in agent:
        # Statements are scoped to the organisation anyway; a former member's statements still match.
        email = agent["mbox"].removeprefix("mailto:").strip().lower()
        return list(db.session.scalars(select(User.id).where(User.email == email)))
    if "mbox_sha1sum" in agent:
        in_org = select(Membership.id).where(Membership.user_id == User.id,
                                             Membership.organization_id == org_id).exists()
        wanted = agent["mbox_sha1sum"].lower()
        return [uid for uid, email in db.session.execute(select(User.id, User.email).where(in_org))
                if hashlib.sha1(f"mailto:{email}".encode()).hexdigest() == wanted]  # noqa: S324 - xAPI's own IFI
    return []  # openid and account agents never appear as actors here


def _filters(org_id: int, query: StatementQuery, site: xapi.Site) -> list | None:
    """SQL conditions for the query, or None when it can match nothing (an unknown verb, agent or activity)."""
    conditions = [Statement.organization_id == org_id]
    if query.agent is not None:
        user_ids = _agent_user_ids(org_id, query.agent)
        if not user_ids:
            return None
        conditions.append(Statement.actor_id.in_(user_ids))
    if query.verb:
        key = verb_key(query.verb)
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
    if query.since:
        conditions.append(Statement.stored > query.since)
    if query.until:
        conditions.append(Statement.stored <= query.until)
    return conditions


@dataclass(frozen=True)
class StatementPage:
    statements: list[dict]
    more: str  # the cursor for the next page, "" when this is the last


def statements_page(org_id: int, query: StatementQuery, after: tuple[datetime, str] | None = None) -> StatementPage:
    """Return one page of the organisation's statements as xAPI, ordered by `stored` (newest first unless
    ascending), starting after the statement at `after` (stored, id). Three queries at most."""
    site = xapi_site()
    conditions = _filters(org_id, query, site)
    if conditions is None:
        return StatementPage([], "")
    if after is not None:
        stored, last_id = after
        if query.ascending:
            conditions.append(or_(Statement.stored > stored, and_(Statement.stored == stored, Statement.id > last_id)))
        else:
            conditions.append(or_(Statement.stored < stored, and_(Statement.stored == stored, Statement.id < last_id)))
    order = ((Statement.stored.asc(), Statement.id.asc()) if query.ascending
             else (Statement.stored.desc(), Statement.id.desc()))
    found = db.session.execute(_rows_select().where(*conditions).order_by(*order).limit(query.limit + 1)).all()
    rows = [_to_row(*r) for r in found[: query.limit]]
    statements = as_xapi(rows, site)
    if query.format == "ids":
        statements = [xapi.ids_format(s) for s in statements]
    more = ""
    if len(found) > query.limit and rows:
        more = encode_cursor(org_id, query, (rows[-1].stored, rows[-1].id))
    return StatementPage(statements, more)


def statement_by_id(org_id: int, statement_id: str, format_: str = "exact") -> dict | None:
    """Return one of the organisation's statements as xAPI, or None if it has none with this id."""
    found = db.session.execute(_rows_select().where(Statement.organization_id == org_id,
                                                    Statement.id == statement_id)).first()
    if found is None:
        return None
    statement = as_xapi([_to_row(*found)], xapi_site())[0]
    return xapi.ids_format(statement) if format_ == "ids" else statement


def statements_response(org_id: int, params: Mapping[str, str]) -> dict | None:
    """Answer GET /xapi/statements for the organisation: one statement (statementId), else a StatementResult
    {"statements": [...], "more": relative URL or ""}.

    Returns None when the asked-for statement doesn't exist here (statements are never voided, so a
    voidedStatementId never matches). Raises QueryError for a malformed parameter or `more` link.
    """
    if "voidedStatementId" in params:
        return None
    if "statementId" in params:
        format_ = params.get("format", "exact")
        if format_ not in ("exact", "ids", "canonical"):
            raise QueryError("format must be exact, ids or canonical")
        return statement_by_id(org_id, params["statementId"], format_)
    if params.get("more"):
        query, after = decode_cursor(org_id, params["more"])
    else:
        query, after = parse_query(params), None
    page = statements_page(org_id, query, after)
    return {"statements": page.statements,
            "more": url_for("tracking.statements", more=page.more) if page.more else ""}
