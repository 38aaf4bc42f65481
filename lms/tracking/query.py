"""The statements API's query parameters: parsed and checked into a StatementQuery, the signed `more` cursor, the
filters applied to a stored statement (StatementRef targets included) and the `ids` and `canonical` formats.
Pure: no Flask, no database (the cursor is signed with the secret key the caller passes)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from lms.tracking.validation import IFIS, IRI, UUID, actor_problems
from lms.tracking.xapi import parse_timestamp

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
FORMATS = ("exact", "ids", "canonical")
SINGLE_PARAMETERS = {"statementId", "voidedStatementId", "format", "attachments"}
LIST_PARAMETERS = {"agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
                   "until", "limit", "format", "attachments", "ascending"}
GET_PARAMETERS = SINGLE_PARAMETERS | LIST_PARAMETERS | {"more"}
CONTEXT_LISTS = ("parent", "grouping", "category", "other")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
REF_DEPTH = 10  # how far a chain of StatementRefs is followed


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
    registration: str | None = None  # UUID
    related_agents: bool = False
    attachments: bool = False

    def to_json(self) -> dict:
        """Return the query as JSON-able values (for the `more` cursor)."""
        return {"agent": self.agent, "verb": self.verb, "activity": self.activity,
                "related_activities": self.related_activities,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "limit": self.limit, "ascending": self.ascending, "format": self.format,
                "registration": self.registration, "related_agents": self.related_agents,
                "attachments": self.attachments}

    @classmethod
    def from_json(cls, data: Mapping) -> StatementQuery:
        """Return the query to_json() described. Raises KeyError or ValueError for anything else."""
        return cls(agent=data["agent"], verb=data["verb"], activity=data["activity"],
                   related_activities=data["related_activities"],
                   since=datetime.fromisoformat(data["since"]) if data["since"] else None,
                   until=datetime.fromisoformat(data["until"]) if data["until"] else None,
                   limit=data["limit"], ascending=data["ascending"], format=data["format"],
                   registration=data.get("registration"), related_agents=data.get("related_agents", False),
                   attachments=data.get("attachments", False))

    @property
    def filters(self) -> bool:
        """Whether the query filters on anything but time (the filters StatementRefs can meet through targets)."""
        return bool(self.agent or self.verb or self.activity or self.registration)


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


def check_parameters(names: Iterable[str], allowed: set[str]) -> None:
    """Refuse parameters this request does not take (xAPI 3.2: unknown ones, or known ones in another case).
    Raises QueryError naming them."""
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise QueryError(f"this request does not take the parameter(s) {', '.join(unknown)}; it takes "
                         f"{', '.join(sorted(allowed)) or 'none'}")


def flag(params: Mapping[str, str], name: str) -> bool:
    """A boolean parameter ("true" or "false", false when absent). Raises QueryError otherwise."""
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
        agent = parse_agent(params["agent"]) if "agent" in params else None
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    for name in ("verb", "activity"):
        if name in params and not IRI.match(params[name]):
            raise QueryError(f"{name} must be an IRI")
    if "registration" in params and not UUID.match(params["registration"]):
        raise QueryError("registration must be a UUID")
    times = {}
    for name in ("since", "until"):
        try:
            times[name] = parse_timestamp(params[name]) if name in params else None
        except ValueError:
            raise QueryError(f"{name} must be an ISO 8601 timestamp, e.g. 2026-11-01T00:00:00Z") from None
    return StatementQuery(agent=agent, verb=params.get("verb") or None, activity=params.get("activity") or None,
                          related_activities=flag(params, "related_activities"), since=times["since"],
                          until=times["until"], limit=_limit(params), ascending=flag(params, "ascending"),
                          format=check_format(params.get("format", "exact")),
                          registration=(params.get("registration") or "").lower() or None,
                          related_agents=flag(params, "related_agents"), attachments=flag(params, "attachments"))


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


# --- Matching a stored statement ------------------------------------------------------------------------


def _ifi_pairs(agent: Mapping) -> set[tuple]:
    pairs = set()
    for name in IFIS:
        value = agent.get(name)
        if name == "account" and isinstance(value, Mapping):
            pairs.add((name, str(value.get("homePage")), str(value.get("name"))))
        elif name in ("mbox", "mbox_sha1sum") and isinstance(value, str):
            pairs.add((name, value.lower()))
        elif isinstance(value, str):
            pairs.add((name, value))
    return pairs


def agent_matches(candidate, agent: Mapping) -> bool:
    """Whether `candidate` (an Agent or Group) is `agent` by an identifier, or is a Group with it as a member."""
    if not isinstance(candidate, Mapping):
        return False
    wanted = _ifi_pairs(agent)
    if _ifi_pairs(candidate) & wanted:
        return True
    members = candidate.get("member") if candidate.get("objectType") == "Group" else None
    return isinstance(members, list) and any(isinstance(m, Mapping) and _ifi_pairs(m) & wanted for m in members)


def _agents_of(doc: Mapping, related: bool) -> list:
    found = [doc.get("actor")]
    obj = doc.get("object") if isinstance(doc.get("object"), Mapping) else {}
    if obj.get("objectType") in ("Agent", "Group"):
        found.append(obj)
    if related:
        context = doc.get("context") if isinstance(doc.get("context"), Mapping) else {}
        found += [doc.get("authority"), context.get("instructor"), context.get("team")]
        if obj.get("objectType") == "SubStatement":
            found += _agents_of(obj, related)
    return found


def _context_activity_ids(doc: Mapping) -> list[str]:
    context = doc.get("context") if isinstance(doc.get("context"), Mapping) else {}
    lists = context.get("contextActivities") if isinstance(context.get("contextActivities"), Mapping) else {}
    ids = []
    for key in CONTEXT_LISTS:
        items = lists.get(key, [])
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, Mapping):
                ids.append(item.get("id"))
    return ids


def _activity_ids(doc: Mapping, related: bool) -> list[str]:
    obj = doc.get("object") if isinstance(doc.get("object"), Mapping) else {}
    ids = [obj.get("id")] if obj.get("objectType", "Activity") == "Activity" else []
    if related:
        ids += _context_activity_ids(doc)
        if obj.get("objectType") == "SubStatement":
            ids += _activity_ids(obj, related)
    return ids


def _registration(doc: Mapping) -> str | None:
    context = doc.get("context") if isinstance(doc.get("context"), Mapping) else {}
    value = context.get("registration")
    return value.lower() if isinstance(value, str) else None


def _conditions(query: StatementQuery) -> list[Callable[[Mapping], bool]]:
    conditions = []
    if query.agent:
        conditions.append(lambda d: any(agent_matches(a, query.agent) for a in _agents_of(d, query.related_agents)))
    if query.verb:
        conditions.append(lambda d: isinstance(d.get("verb"), Mapping) and d["verb"].get("id") == query.verb)
    if query.activity:
        conditions.append(lambda d: query.activity in _activity_ids(d, query.related_activities))
    if query.registration:
        conditions.append(lambda d: _registration(d) == query.registration)
    return conditions


def statement_ref(doc: Mapping) -> str | None:
    """The id of the statement `doc` targets (its object is a StatementRef), or None."""
    obj = doc.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") == "StatementRef" and isinstance(obj.get("id"), str):
        return obj["id"]
    return None


def matches(doc: Mapping, query: StatementQuery, target: Callable[[str], Mapping | None]) -> bool:
    """Whether a statement meets the query's filters other than time (xAPI 2.1.3): each filter is met by the
    statement itself or, when its object is a StatementRef, by the statement it targets (recursively, voided
    targets included); `target(id)` returns a targeted statement or None."""
    for condition in _conditions(query):
        current, depth = doc, 0
        while not condition(current):
            ref = statement_ref(current)
            current = target(ref) if ref and depth < REF_DEPTH else None
            depth += 1
            if current is None:
                return False
    return True


# --- Formats ------------------------------------------------------------------------------------------


def _agent_ids(agent) -> None:
    if isinstance(agent, dict):
        agent.pop("name", None)
        for member in agent.get("member", []) if isinstance(agent.get("member"), list) else []:
            _agent_ids(member)
        if agent.get("objectType") == "Group" and any(k in agent for k in IFIS):
            agent.pop("member", None)


def _statement_ids(doc: dict) -> None:
    for key in ("actor", "authority"):
        _agent_ids(doc.get(key))
    if isinstance(doc.get("verb"), dict):
        doc["verb"].pop("display", None)
    obj = doc.get("object") if isinstance(doc.get("object"), dict) else {}
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        obj.pop("definition", None)
    elif kind in ("Agent", "Group"):
        _agent_ids(obj)
    elif kind == "SubStatement":
        _statement_ids(obj)
    context = doc.get("context") if isinstance(doc.get("context"), dict) else {}
    for key in ("instructor", "team"):
        _agent_ids(context.get(key))
    for items in (context.get("contextActivities") or {}).values():
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict):
                item.pop("definition", None)


def ids_format(statement: Mapping) -> dict:
    """The statement in `format=ids`: Agents, Groups, the Verb and Activities by their identifiers only (an
    anonymous Group keeps its members, by their identifiers)."""
    out = copy.deepcopy(dict(statement))
    _statement_ids(out)
    return out


def accept_languages(header: str | None) -> list[str]:
    """The Accept-Language header's tags, most wanted first (RFC 7231 q-values; q=0 left out)."""
    ranked = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            ranked.append((-q, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def pick_language(language_map: Mapping, wanted: list[str]) -> dict:
    """One entry of a language map: the best match for `wanted` (exact, then by prefix, "*" for any), else the
    first entry."""
    if not isinstance(language_map, Mapping) or not language_map:
        return dict(language_map or {})
    keys = list(language_map)
    for tag in wanted:
        for key in keys:
            if tag == "*" or key.lower() == tag or key.lower().startswith(tag + "-") or tag.startswith(key.lower() + "-"):
                return {key: language_map[key]}
    return {keys[0]: language_map[keys[0]]}


def _canonical_activity(activity, wanted: list[str]) -> None:
    definition = activity.get("definition") if isinstance(activity, dict) else None
    if not isinstance(definition, dict):
        return
    for key in ("name", "description"):
        if key in definition:
            definition[key] = pick_language(definition[key], wanted)
    for key in COMPONENT_LISTS:
        for component in definition.get(key, []) if isinstance(definition.get(key), list) else []:
            if isinstance(component, dict) and "description" in component:
                component["description"] = pick_language(component["description"], wanted)


def _statement_canonical(doc: dict, wanted: list[str]) -> None:
    if isinstance(doc.get("verb"), dict) and "display" in doc["verb"]:
        doc["verb"]["display"] = pick_language(doc["verb"]["display"], wanted)
    obj = doc.get("object") if isinstance(doc.get("object"), dict) else {}
    if obj.get("objectType", "Activity") == "Activity":
        _canonical_activity(obj, wanted)
    elif obj.get("objectType") == "SubStatement":
        _statement_canonical(obj, wanted)
    context = doc.get("context") if isinstance(doc.get("context"), dict) else {}
    for items in (context.get("contextActivities") or {}).values():
        for item in items if isinstance(items, list) else [items]:
            _canonical_activity(item, wanted)


def canonical_format(statement: Mapping, accept_language: str | None) -> dict:
    """The statement in `format=canonical`: each Activity's language maps and the Verb's display reduced to the
    one language the Accept-Language header prefers (Agents and Groups as received)."""
    out = copy.deepcopy(dict(statement))
    _statement_canonical(out, accept_languages(accept_language))
    return out


def formatted(statement: Mapping, fmt: str, accept_language: str | None = None) -> dict:
    """The statement in the asked-for format: exact (as stored), ids or canonical."""
    if fmt == "ids":
        return ids_format(statement)
    if fmt == "canonical":
        return canonical_format(statement, accept_language)
    return dict(statement)
