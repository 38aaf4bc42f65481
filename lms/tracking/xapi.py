"""xAPI 1.0.3: a statement row (plain values) as xAPI JSON, and the specification's rules for a valid statement.

Pure: no Flask, no database. The API and the LRS forwarder both build statements here, so they are identical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from lms.tracking.verbs import VERBS

VERSION = "1.0.3"
LANGUAGE = "en-GB"
EXTENSION = "https://abm-academy.org/xapi/extensions/"
ACTIVITY_TYPE = "https://abm-academy.org/xapi/activity-types/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"
ACTIVITY_TYPES = {
    "course": ADL_ACTIVITY + "course",
    "module": ADL_ACTIVITY + "module",
    "question": ADL_ACTIVITY + "cmi.interaction",
    "assessment": ADL_ACTIVITY + "assessment",
    "exercise": ADL_ACTIVITY + "performance",
}
# Result keys with a place of their own in an xAPI result; the others become result extensions.
RESULT_KEYS = {"score", "success", "passed", "completion", "response"}
# Context keys kept in columns (organization, cohort, course) or shown as an Agent (assigned_by).
CONTEXT_COLUMNS = {"organization_id", "cohort_id", "course", "assigned_by"}


@dataclass(frozen=True)
class StatementRow:
    """One stored statement with the names the JSON needs, as plain values."""

    id: str
    timestamp: datetime  # naive UTC
    stored: datetime  # naive UTC
    verb: str  # a key of VERBS
    object_type: str
    object_id: str
    object_name: str | None = None
    result: Mapping | None = None
    context: Mapping | None = None
    actor_email: str | None = None
    actor_name: str | None = None
    organization_id: int | None = None
    organization_name: str | None = None
    cohort_id: int | None = None
    cohort_name: str | None = None
    course_slug: str | None = None


@dataclass(frozen=True)
class Site:
    """What a statement says about the platform: where activity IRIs start, its address and its name."""

    activity_base: str  # e.g. https://academy.example.com/xapi/activities (no trailing slash)
    home_page: str  # e.g. https://academy.example.com
    name: str  # e.g. ABM Academy


# --- Building statements -------------------------------------------------------------------------


def activity_iri(site: Site, object_type: str, object_id: str) -> str:
    """Return the activity IRI for an object: <base>/<type>/<id>, the id percent-encoded except for "/"."""
    return f"{site.activity_base}/{quote(object_type, safe='')}/{quote(str(object_id), safe='/')}"


def parse_activity_iri(site: Site, iri: str) -> tuple[str, str] | None:
    """Return (object type, object id) for one of this site's activity IRIs, or None for any other IRI."""
    prefix = site.activity_base + "/"
    if not iri.startswith(prefix):
        return None
    object_type, _, object_id = iri[len(prefix):].partition("/")
    if not object_type or not object_id:
        return None
    return unquote(object_type), unquote(object_id)


def agent(email: str, name: str | None = None) -> dict:
    """Return an Agent identified by its mailbox."""
    out = {"objectType": "Agent", "mbox": f"mailto:{email}"}
    if name:
        out["name"] = name
    return out


def site_agent(site: Site, account: str = "system", name: str | None = None) -> dict:
    """Return an Agent for the platform itself (or one of its organisations), identified by an account."""
    return {"objectType": "Agent", "name": name or site.name,
            "account": {"homePage": site.home_page, "name": account}}


def authority(site: Site, organization_id: int | None, organization_name: str | None) -> dict:
    """Return the authority that vouches for a statement: the organisation on this platform, or the platform."""
    if organization_id is None:
        return site_agent(site)
    return site_agent(site, f"organization-{organization_id}", f"{site.name}: {organization_name or organization_id}")


def iso(value: datetime) -> str:
    """Format a naive-UTC datetime as an xAPI timestamp with milliseconds, e.g. 2026-11-22T06:35:00.123Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _extension_key(key: str) -> str:
    return EXTENSION + quote(str(key), safe="")


def _result(result: Mapping | None) -> dict | None:
    if not result:
        return None
    out: dict = {}
    score = result.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        raw = max(0, min(100, score))
        out["score"] = {"scaled": round(raw / 100, 4), "raw": raw, "min": 0, "max": 100}
    success = result.get("success", result.get("passed"))
    if isinstance(success, bool):
        out["success"] = success
    if isinstance(result.get("completion"), bool):
        out["completion"] = result["completion"]
    if result.get("response") is not None:
        response = result["response"]
        # Choice interactions list the chosen options separated by "[,]" (the cmi.interaction format).
        out["response"] = "[,]".join(str(r) for r in response) if isinstance(response, list | tuple) else str(response)
    extensions = {_extension_key(k): v for k, v in result.items() if k not in RESULT_KEYS and v is not None}
    if extensions:
        out["extensions"] = extensions
    return out or None


def _context(row: StatementRow, site: Site, people: Mapping[int, tuple[str, str]]) -> dict:
    context: dict = {"platform": site.name, "language": LANGUAGE}
    if row.course_slug and not (row.object_type == "course" and row.object_id == row.course_slug):
        context["contextActivities"] = {"grouping": [{
            "objectType": "Activity", "id": activity_iri(site, "course", row.course_slug),
            "definition": {"type": ACTIVITY_TYPES["course"]},
        }]}
    extra = dict(row.context or {})
    instructor = people.get(extra.get("assigned_by")) if isinstance(extra.get("assigned_by"), int) else None
    if instructor:
        context["instructor"] = agent(*instructor)
    extensions = {}
    if row.organization_id is not None:
        extensions[_extension_key("organization")] = {"id": row.organization_id, "name": row.organization_name}
    if row.cohort_id is not None:
        extensions[_extension_key("cohort")] = {"id": row.cohort_id, "name": row.cohort_name}
    for key, value in extra.items():
        if key not in CONTEXT_COLUMNS and value is not None:
            extensions[_extension_key(key)] = value
    if extensions:
        context["extensions"] = extensions
    return context


def to_xapi(row: StatementRow, site: Site, people: Mapping[int, tuple[str, str]] | None = None) -> dict:
    """Return the xAPI 1.0.3 statement for a stored row.

    `people` maps user ids named in the context (the manager who assigned a course) to (email, name), so they
    appear as Agents. A statement without an actor (a deleted user, or the platform itself) is attributed to
    the platform's system account. Raises KeyError for a verb outside the vocabulary.
    """
    verb_id, display = VERBS[row.verb]
    actor = agent(row.actor_email, row.actor_name) if row.actor_email else site_agent(site)
    definition: dict = {"type": ACTIVITY_TYPES.get(row.object_type, ACTIVITY_TYPE + quote(row.object_type, safe=""))}
    if row.object_name:
        definition["name"] = {LANGUAGE: row.object_name}
    statement = {
        "id": row.id,
        "actor": actor,
        "verb": {"id": verb_id, "display": {LANGUAGE: display}},
        "object": {"objectType": "Activity", "id": activity_iri(site, row.object_type, row.object_id),
                   "definition": definition},
        "context": _context(row, site, people or {}),
        "timestamp": iso(row.timestamp),
        "stored": iso(row.stored),
        "authority": authority(site, row.organization_id, row.organization_name),
        "version": VERSION,
    }
    result = _result(row.result)
    if result:
        statement["result"] = result
    return statement


def ids_format(statement: dict) -> dict:
    """Return the statement in the API's `format=ids` form: agents, verb and activities by identifier only."""
    out = json.loads(json.dumps(statement))

    def strip_agent(value: dict) -> None:
        value.pop("name", None)
        for member in value.get("member", []):
            strip_agent(member)

    for key in ("actor", "authority"):
        if key in out:
            strip_agent(out[key])
    out["verb"].pop("display", None)
    if out["object"].get("objectType", "Activity") == "Activity":
        out["object"].pop("definition", None)
    context = out.get("context", {})
    if "instructor" in context:
        strip_agent(context["instructor"])
    for activities in context.get("contextActivities", {}).values():
        for activity in activities:
            activity.pop("definition", None)
    return out


# --- Query parameters ------------------------------------------------------------------------------


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp to naive UTC (no offset means UTC). Raises ValueError when malformed."""
    text = value.strip()
    if not TIMESTAMP.match(text) and not re.match(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$", text):
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_agent(value: str) -> dict:
    """Parse the `agent` query parameter (an Agent or identified Group as JSON). Raises ValueError when invalid."""
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise ValueError("agent is not valid JSON") from exc
    problems = _actor_problems(data, "agent")
    if not problems and isinstance(data, dict) and not any(k in data for k in IFIS):
        problems.append("agent must be identified (mbox, mbox_sha1sum, openid or account)")
    if problems:
        raise ValueError("; ".join(problems))
    return data


# --- Validation ------------------------------------------------------------------------------------

IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DURATION = re.compile(r"^P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
                      r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
VERSION_PATTERN = re.compile(r"^1\.0(\.\d+)?$")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                  "version", "attachments"}
SUB_STATEMENT_KEYS = {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
DEFINITION_KEYS = {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                   "correctResponsesPattern", "choices", "scale", "source", "target", "steps"}
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other"}
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unknown(value: dict, allowed: set[str], where: str) -> list[str]:
    return [f"{where} has a property xAPI does not define: {key!r}" for key in sorted(set(value) - allowed)]


def _iri_problems(value, where: str) -> list[str]:
    if not isinstance(value, str) or not IRI.match(value):
        return [f"{where} must be an IRI, got {value!r}"]
    return []


def _timestamp_problems(value, where: str) -> list[str]:
    if not isinstance(value, str) or not TIMESTAMP.match(value):
        return [f"{where} must be an ISO 8601 timestamp with a time zone, got {value!r}"]
    if value.endswith("-00:00"):
        return [f"{where} must not use the offset -00:00"]
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return [f"{where} is not a real date and time: {value!r}"]
    return []


def _language_map_problems(value, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be a language map (an object), got {type(value).__name__}"]
    problems = []
    for tag, text in value.items():
        if not LANGUAGE_TAG.match(tag):
            problems.append(f"{where} has an invalid language tag {tag!r}")
        if not isinstance(text, str):
            problems.append(f"{where}[{tag!r}] must be a string")
    return problems


def _extensions_problems(value, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    return [p for key in value for p in _iri_problems(key, f"{where} key")]


def _account_problems(value, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    problems = _unknown(value, {"homePage", "name"}, where)
    problems += _iri_problems(value.get("homePage"), f"{where}.homePage")
    if not isinstance(value.get("name"), str) or not value.get("name"):
        problems.append(f"{where}.name must be a non-empty string")
    return problems


def _ifi_problems(value: dict, where: str) -> list[str]:
    problems = []
    if "mbox" in value and (not isinstance(value["mbox"], str) or not MAILTO.match(value["mbox"])):
        problems.append(f"{where}.mbox must be a mailto: IRI of an email address, got {value['mbox']!r}")
    if "mbox_sha1sum" in value and (not isinstance(value["mbox_sha1sum"], str) or not SHA1.match(value["mbox_sha1sum"])):
        problems.append(f"{where}.mbox_sha1sum must be 40 hexadecimal characters")
    if "openid" in value:
        problems += _iri_problems(value["openid"], f"{where}.openid")
    if "account" in value:
        problems += _account_problems(value["account"], f"{where}.account")
    return problems


def _actor_problems(value, where: str, *, group_allowed: bool = True) -> list[str]:
    """Problems of an Agent or Group (actor, authority, instructor, team, or an object that is one)."""
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    kind = value.get("objectType", "Agent")
    if kind not in ("Agent", "Group") or (kind == "Group" and not group_allowed):
        return [f"{where}.objectType must be Agent{' or Group' if group_allowed else ''}, got {kind!r}"]
    allowed = {"objectType", "name", *IFIS} | ({"member"} if kind == "Group" else set())
    problems = _unknown(value, allowed, where)
    if "name" in value and not isinstance(value["name"], str):
        problems.append(f"{where}.name must be a string")
    ifis = [key for key in IFIS if key in value]
    if kind == "Agent" and len(ifis) != 1:
        problems.append(f"{where} must have exactly one inverse functional identifier "
                        f"(mbox, mbox_sha1sum, openid or account), has {len(ifis)}")
    if kind == "Group":
        if len(ifis) > 1:
            problems.append(f"{where} must have at most one inverse functional identifier, has {len(ifis)}")
        members = value.get("member")
        if not ifis and (not isinstance(members, list) or not members):
            problems.append(f"{where} is an anonymous Group and must list its members")
        if members is not None:
            if not isinstance(members, list):
                problems.append(f"{where}.member must be a list")
            else:
                for i, member in enumerate(members):
                    problems += _actor_problems(member, f"{where}.member[{i}]", group_allowed=False)
    return problems + _ifi_problems(value, where)


def _activity_problems(value, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    if value.get("objectType", "Activity") != "Activity":
        return [f"{where}.objectType must be Activity"]
    problems = _unknown(value, {"objectType", "id", "definition"}, where)
    problems += _iri_problems(value.get("id"), f"{where}.id")
    definition = value.get("definition")
    if definition is None:
        return problems
    if not isinstance(definition, dict):
        return problems + [f"{where}.definition must be an object"]
    problems += _unknown(definition, DEFINITION_KEYS, f"{where}.definition")
    for key in ("name", "description"):
        if key in definition:
            problems += _language_map_problems(definition[key], f"{where}.definition.{key}")
    if "type" in definition:
        problems += _iri_problems(definition["type"], f"{where}.definition.type")
    if "moreInfo" in definition:
        problems += _iri_problems(definition["moreInfo"], f"{where}.definition.moreInfo")
    if "extensions" in definition:
        problems += _extensions_problems(definition["extensions"], f"{where}.definition.extensions")
    if "interactionType" in definition and definition["interactionType"] not in INTERACTION_TYPES:
        problems.append(f"{where}.definition.interactionType is not an xAPI interaction type")
    return problems


def _statement_ref_problems(value: dict, where: str) -> list[str]:
    problems = _unknown(value, {"objectType", "id"}, where)
    if not isinstance(value.get("id"), str) or not UUID.match(value["id"]):
        problems.append(f"{where}.id must be a UUID")
    return problems


def _object_problems(value, where: str, *, sub_statement_allowed: bool = True) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return _activity_problems(value, where)
    if kind in ("Agent", "Group"):
        return _actor_problems(value, where)
    if kind == "StatementRef":
        return _statement_ref_problems(value, where)
    if kind == "SubStatement" and sub_statement_allowed:
        return _body_problems(value, where, SUB_STATEMENT_KEYS, sub_statement=True)
    return [f"{where}.objectType {kind!r} is not allowed here"]


def _score_problems(score, where: str) -> list[str]:
    if not isinstance(score, dict):
        return [f"{where} must be an object"]
    problems = _unknown(score, {"scaled", "raw", "min", "max"}, where)
    for key in ("scaled", "raw", "min", "max"):
        if key in score and not _is_number(score[key]):
            problems.append(f"{where}.{key} must be a number")
    if problems:
        return problems
    if "scaled" in score and not -1 <= score["scaled"] <= 1:
        problems.append(f"{where}.scaled must be between -1 and 1")
    low, high = score.get("min"), score.get("max")
    if low is not None and high is not None and not low < high:
        problems.append(f"{where}.min must be less than max")
    raw = score.get("raw")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        problems.append(f"{where}.raw must be between min and max")
    return problems


def _result_problems(value, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    problems = _unknown(value, {"score", "success", "completion", "response", "duration", "extensions"}, where)
    if "score" in value:
        problems += _score_problems(value["score"], f"{where}.score")
    for key in ("success", "completion"):
        if key in value and not isinstance(value[key], bool):
            problems.append(f"{where}.{key} must be true or false")
    if "response" in value and not isinstance(value["response"], str):
        problems.append(f"{where}.response must be a string")
    if "duration" in value and (not isinstance(value["duration"], str) or not DURATION.match(value["duration"])):
        problems.append(f"{where}.duration must be an ISO 8601 duration")
    if "extensions" in value:
        problems += _extensions_problems(value["extensions"], f"{where}.extensions")
    return problems


def _context_problems(value, where: str, object_kind: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    allowed = {"registration", "instructor", "team", "contextActivities", "revision", "platform", "language",
               "statement", "extensions"}
    problems = _unknown(value, allowed, where)
    if "registration" in value and (not isinstance(value["registration"], str) or not UUID.match(value["registration"])):
        problems.append(f"{where}.registration must be a UUID")
    if "instructor" in value:
        problems += _actor_problems(value["instructor"], f"{where}.instructor")
    if "team" in value:
        team = value["team"]
        if not isinstance(team, dict) or team.get("objectType") != "Group":
            problems.append(f"{where}.team must be a Group")
        else:
            problems += _actor_problems(team, f"{where}.team")
    if "contextActivities" in value:
        activities = value["contextActivities"]
        if not isinstance(activities, dict):
            problems.append(f"{where}.contextActivities must be an object")
        else:
            problems += _unknown(activities, CONTEXT_ACTIVITY_KEYS, f"{where}.contextActivities")
            for key, items in activities.items():
                for i, item in enumerate(items if isinstance(items, list) else [items]):
                    problems += _activity_problems(item, f"{where}.contextActivities.{key}[{i}]")
    for key in ("revision", "platform"):
        if key in value:
            if not isinstance(value[key], str):
                problems.append(f"{where}.{key} must be a string")
            if object_kind in ("Agent", "Group"):
                problems.append(f"{where}.{key} must not be used when the object is an Agent or Group")
    if "language" in value and (not isinstance(value["language"], str) or not LANGUAGE_TAG.match(value["language"])):
        problems.append(f"{where}.language must be an RFC 5646 language tag")
    if "statement" in value:
        ref = value["statement"]
        if not isinstance(ref, dict) or ref.get("objectType") != "StatementRef":
            problems.append(f"{where}.statement must be a StatementRef")
        else:
            problems += _statement_ref_problems(ref, f"{where}.statement")
    if "extensions" in value:
        problems += _extensions_problems(value["extensions"], f"{where}.extensions")
    return problems


def _attachment_problems(value, where: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{where} must be a list"]
    problems = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{here} must be an object")
            continue
        problems += _unknown(item, {"usageType", "display", "description", "contentType", "length", "sha2",
                                    "fileUrl"}, here)
        problems += _iri_problems(item.get("usageType"), f"{here}.usageType")
        problems += _language_map_problems(item.get("display"), f"{here}.display")
        if not isinstance(item.get("contentType"), str):
            problems.append(f"{here}.contentType must be a string")
        if not isinstance(item.get("length"), int) or isinstance(item.get("length"), bool):
            problems.append(f"{here}.length must be an integer")
        if not isinstance(item.get("sha2"), str):
            problems.append(f"{here}.sha2 must be a string")
    return problems


def _body_problems(doc: dict, where: str, allowed: set[str], *, sub_statement: bool = False) -> list[str]:
    problems = _unknown(doc, allowed, where)
    for key in ("actor", "verb", "object"):
        if key not in doc:
            problems.append(f"{where} needs {'an' if key in ('actor', 'object') else 'a'} {key}")
    if "actor" in doc:
        problems += _actor_problems(doc["actor"], f"{where}.actor")
    if "verb" in doc:
        verb = doc["verb"]
        if not isinstance(verb, dict):
            problems.append(f"{where}.verb must be an object")
        else:
            problems += _unknown(verb, {"id", "display"}, f"{where}.verb")
            problems += _iri_problems(verb.get("id"), f"{where}.verb.id")
            if "display" in verb:
                problems += _language_map_problems(verb["display"], f"{where}.verb.display")
    object_kind = "Activity"
    if "object" in doc:
        problems += _object_problems(doc["object"], f"{where}.object", sub_statement_allowed=not sub_statement)
        if isinstance(doc["object"], dict):
            object_kind = doc["object"].get("objectType", "Activity")
    if "result" in doc:
        problems += _result_problems(doc["result"], f"{where}.result")
    if "context" in doc:
        problems += _context_problems(doc["context"], f"{where}.context", object_kind)
    if "timestamp" in doc:
        problems += _timestamp_problems(doc["timestamp"], f"{where}.timestamp")
    if "attachments" in doc:
        problems += _attachment_problems(doc["attachments"], f"{where}.attachments")
    return problems


def statement_problems(doc) -> list[str]:
    """Return what breaks the xAPI 1.0.3 statement rules in `doc` (an empty list when it is valid).

    Checked: only properties xAPI defines; id a UUID; an actor Agent with exactly one inverse functional
    identifier (or a Group); a verb with an IRI id and a language-map display; an object (Activity with an IRI
    id, Agent, Group, StatementRef or SubStatement); result score ranges, booleans, response and duration;
    context (registration UUID, instructor, team, contextActivities, language, extensions keyed by IRIs);
    timestamp and stored as ISO 8601 with a time zone; authority; version 1.0.x.
    """
    if not isinstance(doc, dict):
        return ["a statement must be a JSON object"]
    problems = _body_problems(doc, "statement", STATEMENT_KEYS)
    if "id" in doc and (not isinstance(doc["id"], str) or not UUID.match(doc["id"])):
        problems.append(f"statement.id must be a UUID, got {doc['id']!r}")
    if "stored" in doc:
        problems += _timestamp_problems(doc["stored"], "statement.stored")
    if "authority" in doc:
        problems += _actor_problems(doc["authority"], "statement.authority")
    if "version" in doc and (not isinstance(doc["version"], str) or not VERSION_PATTERN.match(doc["version"])):
        problems.append(f"statement.version must be 1.0.x, got {doc['version']!r}")
    return problems
