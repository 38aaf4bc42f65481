"""The statements API's query parameters: parsed and checked into a StatementQuery, and the signed `more` cursor.

Pure: no Flask, no database (the cursor is signed with the secret key the caller passes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from lms.tracking.validation import IFIS, IRI, actor_problems
from lms.tracking.xapi import parse_timestamp

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
FORMATS = ("exact", "ids", "canonical")


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
        """Return the query as JSON-able values (for the `more` cursor)."""
        return {"agent": self.agent, "verb": self.verb, "activity": self.activity,
                "related_activities": self.related_activities,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "limit": self.limit, "ascending": self.ascending, "format": self.format}

    @classmethod
    def from_json(cls, data: Mapping) -> StatementQuery:
        """Return the query to_json() described. Raises KeyError or ValueError for anything else."""
        return cls(agent=data["agent"], verb=data["verb"], activity=data["activity"],
                   related_activities=data["related_activities"],
                   since=datetime.fromisoformat(data["since"]) if data["since"] else None,
                   until=datetime.fromisoformat(data["until"]) if data["until"] else None,
                   limit=data["limit"], ascending=data["ascending"], format=data["format"])


def parse_agent(value: str) -> dict:
    """Parse the `agent` query parameter (an Agent or identified Group as JSON). Raises ValueError when invalid."""
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise ValueError("agent is not valid JSON") from exc
    problems = actor_problems(data, "agent")
    if not problems and isinstance(data, dict) and not any(k in data for k in IFIS):
        problems.append("agent must be identified (mbox, mbox_sha1sum, openid or account)")
    if problems:
        raise ValueError("; ".join(problems))
    return data


def check_format(value: str) -> str:
    """Return the `format` parameter when it is one xAPI defines. Raises QueryError otherwise."""
    if value not in FORMATS:
        raise QueryError("format must be exact, ids or canonical")
    return value


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise QueryError(f"{name} must be true or false")
    return value == "true"


def _limit(params: Mapping[str, str]) -> int:
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise QueryError("limit must be a whole number") from None
    if limit < 0:
        raise QueryError("limit must not be negative")
    return MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)


def parse_query(params: Mapping[str, str]) -> StatementQuery:
    """Parse the statements API's query parameters. Raises QueryError naming the faulty parameter."""
    try:
        agent = parse_agent(params["agent"]) if params.get("agent") else None
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    for name in ("verb", "activity"):
        if params.get(name) and not IRI.match(params[name]):
            raise QueryError(f"{name} must be an IRI")
    times = {}
    for name in ("since", "until"):
        try:
            times[name] = parse_timestamp(params[name]) if params.get(name) else None
        except ValueError:
            raise QueryError(f"{name} must be an ISO 8601 timestamp, e.g. 2026-11-01T00:00:00Z") from None
    return StatementQuery(agent=agent, verb=params.get("verb") or None, activity=params.get("activity") or None,
                          related_activities=_flag(params, "related_activities"), since=times["since"],
                          until=times["until"], limit=_limit(params), ascending=_flag(params, "ascending"),
                          format=check_format(params.get("format", "exact")))


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="xapi-statements-more")


def encode_cursor(secret_key: str, org_id: int, query: StatementQuery, after: tuple[datetime, str]) -> str:
    """Return the opaque `more` cursor: the query and the last statement served (stored, id), signed."""
    return _serializer(secret_key).dumps({"o": org_id, "q": query.to_json(), "a": [after[0].isoformat(), after[1]]})


def decode_cursor(secret_key: str, org_id: int, cursor: str) -> tuple[StatementQuery, tuple[datetime, str]]:
    """Return the query and position of a `more` cursor. Raises QueryError if it was altered or is another
    organisation's."""
    try:
        data = _serializer(secret_key).loads(cursor)
        if data["o"] != org_id:
            raise QueryError("this more link belongs to another token's organisation")
        return StatementQuery.from_json(data["q"]), (datetime.fromisoformat(data["a"][0]), data["a"][1])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, QueryError):
            raise
        raise QueryError("the more link is not valid") from None
