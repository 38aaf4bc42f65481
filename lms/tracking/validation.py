"""xAPI 1.0.3's rules for a valid statement: statement_problems() names each broken rule in plain words.

Pure: no Flask, no database. Tests hold every statement the app serves or forwards against these rules.
"""

from __future__ import annotations

import re
from datetime import datetime

from lms.tracking.xapi import TIMESTAMP

IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
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


def actor_problems(value, where: str, *, group_allowed: bool = True) -> list[str]:
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
                    problems += actor_problems(member, f"{where}.member[{i}]", group_allowed=False)
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
        return actor_problems(value, where)
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
        problems += actor_problems(value["instructor"], f"{where}.instructor")
    if "team" in value:
        team = value["team"]
        if not isinstance(team, dict) or team.get("objectType") != "Group":
            problems.append(f"{where}.team must be a Group")
        else:
            problems += actor_problems(team, f"{where}.team")
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
        problems += actor_problems(doc["actor"], f"{where}.actor")
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
        problems += actor_problems(doc["authority"], "statement.authority")
    if "version" in doc and (not isinstance(doc["version"], str) or not VERSION_PATTERN.match(doc["version"])):
        problems.append(f"statement.version must be 1.0.x, got {doc['version']!r}")
    return problems
