"""xAPI 1.0.3 as we write it: a stored statement (plain values) as xAPI JSON, activity IRIs and timestamps.

Pure: no Flask, no database. The API and the LRS forwarder both build statements here, so they are identical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from lms.tracking.verbs import ABM, VERBS, verb_iri

VERSION = "1.0.3"  # the API's (the X-Experience-API-Version header)
STATEMENT_VERSION = "1.0.0"  # a statement's: 1.0.0 for every 1.0.x (Data 2.4.10)
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
    "workshop-session": ADL_ACTIVITY + "meeting",  # ADL: a gathering of people for a common cause
}
# Result keys with a place of their own in an xAPI result; the others become result extensions.
RESULT_KEYS = {"score", "success", "passed", "completion", "response"}
# Context keys kept in columns (organization, cohort, course), shown as an Agent (instructor, assigned_by) or in
# the object's definition (interaction).
CONTEXT_COLUMNS = {"organization_id", "cohort_id", "course", "assigned_by", "instructor", "interaction"}
# The academy's questions are multiple choice (one or several right options): a question's statement says so even
# when it was recorded without its options (before interactions were recorded).
QUESTION_INTERACTION = "choice"
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other"}
CHOICE_TEXT_MAX = 500
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class StatementRow:
    """One stored statement with the names the JSON needs, as plain values.

    The actor's email and name are those recorded with the statement; the organisation's and cohort's names are
    their current ones. A context "instructor" ({"email", "name"}, recorded too) becomes the context's instructor.
    A question's context "interaction" ({"type": "choice", "choices": [option texts in file order], "correct":
    [indexes of the right options]}) becomes its cmi.interaction definition, the option ids being the indexes;
    a result "score" is 0-100, or {"raw", "min", "max"} (a question's own score: raw 0 or 1 of max 1).
    """

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
    verb_base: str = ABM  # where the academy's own verb IRIs start (LMS_XAPI_VERB_BASE)


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


def _choice_ids(ids: Sequence) -> str:
    return "[,]".join(str(i) for i in ids)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _score(score) -> dict | None:
    """A recorded score as xAPI's: a number is out of 100; {"raw", "min", "max"} is scaled between min and max."""
    if _is_number(score):
        raw = max(0, min(100, score))
        return {"scaled": round(raw / 100, 4), "raw": raw, "min": 0, "max": 100}
    if not isinstance(score, Mapping) or not all(_is_number(score.get(k)) for k in ("raw", "min", "max")):
        return None
    low, high = score["min"], score["max"]
    if not low < high:
        return None
    raw = max(low, min(high, score["raw"]))
    return {"scaled": round((raw - low) / (high - low), 4), "raw": raw, "min": low, "max": high}


def _result(result: Mapping | None) -> dict | None:
    if not result:
        return None
    out: dict = {}
    score = _score(result.get("score"))
    if score:
        out["score"] = score
    success = result.get("success", result.get("passed"))
    if isinstance(success, bool):
        out["success"] = success
    if isinstance(result.get("completion"), bool):
        out["completion"] = result["completion"]
    if result.get("response") is not None:
        response = result["response"]
        # Choice interactions list the chosen options' ids separated by "[,]" (the cmi.interaction format).
        out["response"] = _choice_ids(response) if isinstance(response, list | tuple) else str(response)
    extensions = {_extension_key(k): v for k, v in result.items() if k not in RESULT_KEYS and v is not None}
    if extensions:
        out["extensions"] = extensions
    return out or None


def _context(row: StatementRow, site: Site) -> dict:
    context: dict = {"platform": site.name, "language": LANGUAGE}
    if row.course_slug and not (row.object_type == "course" and row.object_id == row.course_slug):
        context["contextActivities"] = {"grouping": [{
            "objectType": "Activity", "id": activity_iri(site, "course", row.course_slug),
            "definition": {"type": ACTIVITY_TYPES["course"]},
        }]}
    extra = dict(row.context or {})
    instructor = extra.get("instructor")
    if isinstance(instructor, Mapping) and instructor.get("email"):
        context["instructor"] = agent(instructor["email"], instructor.get("name"))
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


def _interaction(row: StatementRow) -> dict:
    """The cmi.interaction properties of a question's definition (Data 2.4.4.1, Interaction Activities)."""
    recorded = (row.context or {}).get("interaction")
    if not isinstance(recorded, Mapping):
        return {"interactionType": QUESTION_INTERACTION}
    kind = recorded.get("type")
    out: dict = {"interactionType": kind if isinstance(kind, str) and kind in INTERACTION_TYPES
                 else QUESTION_INTERACTION}
    choices = recorded.get("choices")
    if isinstance(choices, list | tuple) and out["interactionType"] in ("choice", "sequencing"):
        out["choices"] = [{"id": str(i), "description": {LANGUAGE: str(text)[:CHOICE_TEXT_MAX]}}
                          for i, text in enumerate(choices)]
    correct = recorded.get("correct")
    if isinstance(correct, list | tuple):
        # One pattern: exactly these options, in order (an empty list of patterns would mean no answer is right).
        if out["interactionType"] == "choice" and all(isinstance(i, int) for i in correct):
            correct = sorted(correct)
        out["correctResponsesPattern"] = [_choice_ids(correct)]
    return out


def to_xapi(row: StatementRow, site: Site) -> dict:
    """Return the xAPI 1.0.3 statement for a stored row.

    A statement without a recorded actor email (the platform itself, or a person since forgotten) is attributed
    to the platform's system account. Raises KeyError for a verb outside the vocabulary.
    """
    display = VERBS[row.verb].display
    actor = agent(row.actor_email, row.actor_name) if row.actor_email else site_agent(site)
    definition: dict = {"type": ACTIVITY_TYPES.get(row.object_type, ACTIVITY_TYPE + quote(row.object_type, safe=""))}
    if row.object_name:
        definition["name"] = {LANGUAGE: row.object_name}
    if row.object_type == "question" or isinstance((row.context or {}).get("interaction"), Mapping):
        definition.update(_interaction(row))
    statement = {
        "id": row.id,
        "actor": actor,
        "verb": {"id": verb_iri(row.verb, site.verb_base), "display": {LANGUAGE: display}},
        "object": {"objectType": "Activity", "id": activity_iri(site, row.object_type, row.object_id),
                   "definition": definition},
        "context": _context(row, site),
        "timestamp": iso(row.timestamp),
        "stored": iso(row.stored),
        "authority": authority(site, row.organization_id, row.organization_name),
        "version": STATEMENT_VERSION,
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


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp to naive UTC (no offset means UTC). Raises ValueError when malformed."""
    text = value.strip()
    if not TIMESTAMP.match(text) and not re.match(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$", text):
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
