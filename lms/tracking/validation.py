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
# RFC 5646 (BCP 47) language tags: langtag, private use, or a grandfathered tag; case-insensitive.
_LANGTAG = (r"(?P<lang>[a-z]{2,3}(-[a-z]{3}){0,3}|[a-z]{4,8})(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?"
            r"(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?P<ext>(-[0-9a-wy-z](-[a-z0-9]{2,8})+)*)(-x(-[a-z0-9]{1,8})+)?")
_GRANDFATHERED = ("en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|"
                  "i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|"
                  "zh-hakka|zh-min|zh-min-nan|zh-xiang")
LANGUAGE_TAG = re.compile(rf"^(?:{_LANGTAG}|x(-[a-z0-9]{{1,8}})+|{_GRANDFATHERED})$", re.IGNORECASE)
CONTEXT_LANGUAGE = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
INTERACTION_LISTS = {"choice": {"choices"}, "sequencing": {"choices"}, "likert": {"scale"},
                     "matching": {"source", "target"}, "performance": {"steps"}}
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SHA2 = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
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


def language_tag_ok(tag) -> bool:
    """Whether `tag` is an RFC 5646 language tag (no extension singleton repeated)."""
    match = LANGUAGE_TAG.match(tag) if isinstance(tag, str) else None
    if match is None:
        return False
    singletons = [part for part in (match.groupdict().get("ext") or "").lower().split("-") if len(part) == 1]
    return len(singletons) == len(set(singletons))


def _language_map_problems(value, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be a language map (an object), got {type(value).__name__}"]
    problems = []
    for tag, text in value.items():
        if not language_tag_ok(tag):
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
    return problems + _interaction_problems(definition, f"{where}.definition")


def _interaction_problems(definition: dict, where: str) -> list[str]:
    kind = definition.get("interactionType")
    lists = [key for key in ("choices", "scale", "source", "target", "steps") if key in definition]
    if kind is None:
        used = lists + (["correctResponsesPattern"] if "correctResponsesPattern" in definition else [])
        return [f"{where} uses {', '.join(used)} without an interactionType"] if used else []
    if not isinstance(kind, str) or kind not in INTERACTION_TYPES:  # a list or object is no type (nor hashable)
        return [f"{where}.interactionType is not an xAPI interaction type"]
    problems = []
    pattern = definition.get("correctResponsesPattern")
    if pattern is not None and (not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern)):
        problems.append(f"{where}.correctResponsesPattern must be a list of strings")
    for key in lists:  # the component lists each interaction type supports (2.4.4.1.s15 table)
        if key not in INTERACTION_LISTS.get(kind, set()):
            problems.append(f"{where}.{key} is not used with interactionType {kind!r}")
        problems += _components_problems(definition[key], f"{where}.{key}")
    return problems


def _components_problems(value, where: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{where} must be a list of interaction components"]
    problems, ids = [], []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(f"{where}[{i}] must be an object")
            continue
        problems += _unknown(item, {"id", "description"}, f"{where}[{i}]")
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}[{i}].id must be a non-empty string")
        ids.append(item.get("id"))
        if "description" in item:
            problems += _language_map_problems(item["description"], f"{where}[{i}].description")
    if len([i for i in ids if isinstance(i, str)]) != len({i for i in ids if isinstance(i, str)}):
        problems.append(f"{where} ids must be distinct")
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
            if object_kind != "Activity":
                problems.append(f"{where}.{key} must not be used when the object is not an Activity "
                                f"(here an Agent, Group, StatementRef or SubStatement)")
    if "language" in value and (not isinstance(value["language"], str)
                                or not CONTEXT_LANGUAGE.match(value["language"])):
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
        if "description" in item:
            problems += _language_map_problems(item["description"], f"{here}.description")
        if not isinstance(item.get("contentType"), str) or "/" not in item["contentType"]:
            problems.append(f"{here}.contentType must be an Internet media type")
        if not isinstance(item.get("length"), int) or isinstance(item.get("length"), bool) or item["length"] < 0:
            problems.append(f"{here}.length must be a whole number")
        if not isinstance(item.get("sha2"), str) or not SHA2.match(item["sha2"]):
            problems.append(f"{here}.sha2 must be the hexadecimal SHA-2 of the attachment")
        if "fileUrl" in item:
            problems += _iri_problems(item["fileUrl"], f"{here}.fileUrl")
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
        problems += _authority_problems(doc["authority"])
    if "version" in doc and (not isinstance(doc["version"], str) or not VERSION_PATTERN.match(doc["version"])):
        problems.append(f"statement.version must be 1.0.x, got {doc['version']!r}")
    verb, obj = doc.get("verb"), doc.get("object")
    if isinstance(verb, dict) and verb.get("id") == VOIDED and (
            not isinstance(obj, dict) or obj.get("objectType") != "StatementRef"):
        problems.append("statement voids another, so its object must be a StatementRef")
    return _null_problems(doc, "statement") + problems


def _authority_problems(value) -> list[str]:
    """An Agent, or (3-legged OAuth) an anonymous Group of exactly two Agents: the application and the user."""
    problems = actor_problems(value, "statement.authority")
    if not problems and value.get("objectType") == "Group" and (
            any(key in value for key in IFIS) or len(value.get("member", [])) != 2):
        problems.append("statement.authority must be an Agent, or an anonymous Group of two Agents")
    return problems


def _null_problems(value, where: str) -> list[str]:
    """Nulls are allowed only inside extensions."""
    if value is None:
        return [f"{where} must not be null"]
    if isinstance(value, dict):
        return [p for key, item in value.items() if key != "extensions"
                for p in _null_problems(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _null_problems(item, f"{where}[{i}]")]
    return []
