"""The LRS's document store (xAPI 1.0.3 Communication 2.2-2.3, 2.6-2.7, 3.1): State, Activity Profile and Agent
Profile documents of one organisation, their parameters, ETags and preconditions, and the JSON merge of a POST.
No Flask: the rules are plain functions over plain values; the store reads and writes LrsDocument (flush only)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exc, select

from lms.database import utcnow
from lms.extensions import db
from lms.tracking.models import LrsDocument
from lms.tracking.validation import IFIS, IRI, UUID, actor_problems
from lms.tracking.xapi import parse_timestamp

JSON_TYPE = "application/json"
MAX_ID = 500  # LrsDocument.document_id
MAX_KEY = {"activity_id": 1000, "agent_ifi": 600}  # longer keys are stored by their SHA-256


class DocumentError(ValueError):
    """A document request the LRS refuses: the HTTP status (400, 404, 409, 412) and the reason in plain words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Resource:
    """One document resource's rules: its key parameters, the parameter naming one document, whether a DELETE
    without it removes every matching document, and whether a PUT must carry If-Match or If-None-Match."""

    kind: str  # LrsDocument.kind
    key: tuple[str, ...]  # required parameters besides the document id
    optional: tuple[str, ...]
    id_param: str
    delete_many: bool
    put_needs_precondition: bool


# Communication 2.3 (State), 2.7 (Activity Profile), 2.6 (Agent Profile); 3.1: only the profiles answer a PUT to an
# existing document without If-Match / If-None-Match with 409 ("The State Resource will permit PUT, POST and DELETE
# requests without concurrency headers").
STATE = Resource("state", ("activityId", "agent"), ("registration",), "stateId", True, False)
ACTIVITY_PROFILE = Resource("activity_profile", ("activityId",), (), "profileId", False, True)
AGENT_PROFILE = Resource("agent_profile", ("agent",), (), "profileId", False, True)


@dataclass(frozen=True)
class DocumentKey:
    """Which document(s) a request names, as LrsDocument stores them ("" for a part the kind doesn't use).
    `document_id` is None for the resource's list (GET) or delete-all (State DELETE); `registration` None means
    "any registration" there."""

    kind: str
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str | None = ""
    document_id: str | None = None


@dataclass(frozen=True)
class DocumentRequest:
    """A document request's parameters, parsed and checked."""

    key: DocumentKey
    since: datetime | None = None


# --- parameters ------------------------------------------------------------------------------------------


def allowed_parameters(resource: Resource, method: str) -> set[str]:
    """The query parameters `method` may carry on `resource` (3.2.s3.b7: any other is refused with 400)."""
    names = {*resource.key, *resource.optional, resource.id_param}
    return names | {"since"} if method in ("GET", "HEAD") else names


def single(params: Mapping[str, Sequence[str]], allowed: set[str]) -> dict[str, str]:
    """Return {name: value} for the query parameters, each given once and each among `allowed`. Raises
    DocumentError(400) naming an unknown parameter (a known one in another case too: 3.2.s3.b8) or a repeated one."""
    out = {}
    for name, values in params.items():
        if name not in allowed:
            hint = next((a for a in sorted(allowed) if a.lower() == name.lower()), None)
            raise DocumentError(400, f"Unknown parameter {name!r}" + (f" (parameters are case sensitive: "
                                                                        f"{hint!r})" if hint else "")
                                + f"; this resource takes {', '.join(sorted(allowed))}.")
        if len(values) != 1:
            raise DocumentError(400, f"Send the {name} parameter once.")
        out[name] = values[0]
    return out


def parse_agent(value: str, where: str = "agent") -> dict:
    """Parse an `agent` parameter: an Agent as JSON, with exactly one identifier (not a Group: 2.4, 2.6). Raises
    DocumentError(400)."""
    try:
        data = json.loads(value)
    except ValueError:
        raise DocumentError(400, f"{where} must be an Agent as JSON, e.g. "
                                 '{"mbox": "mailto:ada@example.com"}.') from None
    problems = actor_problems(data, where, group_allowed=False)
    if problems:
        raise DocumentError(400, "; ".join(problems))
    return data


def agent_ifi(agent: Mapping) -> str:
    """The canonical inverse functional identifier of a valid Agent: "mbox:mailto:x@y", "mbox_sha1sum:<hex>",
    "openid:<uri>" or "account:<homePage>|<name>"."""
    for name in IFIS:
        if name in agent:
            value = agent[name]
            if name == "account":
                return f"account:{value['homePage']}|{value['name']}"
            if name == "mbox_sha1sum":
                return f"mbox_sha1sum:{value.lower()}"
            return f"{name}:{value}"
    raise ValueError("an Agent without an inverse functional identifier")


def _stored(value: str, column: str) -> str:
    """The value as the column holds it: itself, or its SHA-256 when longer than the column (a key, never shown)."""
    if len(value) <= MAX_KEY[column]:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def parse_request(resource: Resource, method: str, params: Mapping[str, Sequence[str]]) -> DocumentRequest:
    """Parse and check a document request's query parameters (Communication 2.3, 2.6, 2.7 tables). Raises
    DocumentError(400) for an unknown, repeated, missing or malformed parameter."""
    values = single(params, allowed_parameters(resource, method))
    for name in resource.key:
        if not values.get(name):
            raise DocumentError(400, f"The {name} parameter is required.")
    document_id = values.get(resource.id_param)
    if document_id is None and (method in ("PUT", "POST") or (method == "DELETE" and not resource.delete_many)):
        raise DocumentError(400, f"The {resource.id_param} parameter is required.")
    if document_id is not None and len(document_id) > MAX_ID:
        raise DocumentError(400, f"{resource.id_param} must be at most {MAX_ID} characters.")
    activity_id = values.get("activityId", "")
    if "activityId" in resource.key and not IRI.match(activity_id):
        raise DocumentError(400, f"activityId must be an IRI, got {activity_id!r}.")
    ifi = agent_ifi(parse_agent(values["agent"])) if "agent" in resource.key else ""
    registration: str | None = ""
    if "registration" in resource.optional:
        registration = values.get("registration")
        if registration is not None and not UUID.match(registration):
            raise DocumentError(400, f"registration must be a UUID, got {registration!r}.")
        if registration is not None:
            registration = registration.lower()
        elif document_id is not None:
            registration = ""  # one document: the one stored without a registration
    since = None
    if "since" in values:
        try:
            since = parse_timestamp(values["since"])
        except ValueError:
            raise DocumentError(400, f"since must be an ISO 8601 timestamp, got {values['since']!r}.") from None
    key = DocumentKey(resource.kind, _stored(activity_id, "activity_id"), _stored(ifi, "agent_ifi"), registration,
                      document_id)
    return DocumentRequest(key, since)


# --- ETags and preconditions (Communication 3.1) --------------------------------------------------------


def etag_of(content: bytes) -> str:
    """The SHA-1 of the content in lower-case hexadecimal (3.1.s4.b2), unquoted."""
    return hashlib.sha1(content).hexdigest()  # noqa: S324 - the ETag xAPI 1.0.3 prescribes


def _tags(header: str) -> set[str]:
    """The entity tags of an If-Match / If-None-Match header, unquoted ("*" stays "*"; W/ is ignored)."""
    tags = set()
    for part in header.split(","):
        tag = part.strip().removeprefix("W/").strip()
        if tag:
            tags.add(tag.strip('"').lower() if tag != "*" else "*")
    return tags


def check_preconditions(resource: Resource, method: str, current_etag: str | None, if_match: str | None,
                        if_none_match: str | None) -> None:
    """Hold a PUT, POST or DELETE against If-Match / If-None-Match as RFC 2616 says (3.1.s4.b5-b8), given the
    current document's ETag (None when there is none). Raises DocumentError(412) when a precondition fails, and
    DocumentError(409) for a PUT to an existing profile that carries neither header (3.1.s4.b13-b15)."""
    if if_match is not None:
        tags = _tags(if_match)
        if current_etag is None or ("*" not in tags and current_etag not in tags):
            raise DocumentError(412, "If-Match does not match the document's current ETag"
                                     + (" (there is no such document)." if current_etag is None else "."))
    if if_none_match is not None:
        tags = _tags(if_none_match)
        if current_etag is not None and ("*" in tags or current_etag in tags):
            raise DocumentError(412, "If-None-Match: the document already exists"
                                     + ("." if "*" in tags else " with that ETag."))
    if (method == "PUT" and resource.put_needs_precondition and current_etag is not None
            and if_match is None and if_none_match is None):
        raise DocumentError(409, "This document already exists. Check its current state (GET it) and send the "
                                 "PUT again with If-Match set to its current ETag to replace it, or If-None-Match: "
                                 "* to create it only when it does not exist.")


# --- content ---------------------------------------------------------------------------------------------


def is_json(content_type: str | None) -> bool:
    """True when a Content-Type is application/json (parameters such as charset aside)."""
    return (content_type or "").split(";")[0].strip().lower() == JSON_TYPE


def _json_object(content: bytes, which: str) -> dict:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DocumentError(400, f"The {which} document is not valid JSON.") from None
    if not isinstance(data, dict):
        raise DocumentError(400, f"The {which} document is JSON but not an object, so it can't be merged.")
    return data


def check_content(content: bytes, content_type: str | None) -> None:
    """Refuse an empty document, and one that says it is JSON but isn't (3.2.s3.b6). Raises DocumentError(400)."""
    if not content:
        raise DocumentError(400, "Send the document as the request body.")
    if is_json(content_type):
        try:
            json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DocumentError(400, "The document's Content-Type is application/json but it is not valid JSON.") \
                from None


def merged(existing: bytes, existing_type: str, posted: bytes, posted_type: str | None) -> bytes:
    """The JSON merge of a POST (2.2.s7): the existing object with each top-level property of the posted one set.
    Raises DocumentError(400) when either document is not application/json or not a JSON object (2.2.s8.b1)."""
    if not is_json(existing_type):
        raise DocumentError(400, f"The existing document is {existing_type}, not application/json, so a POST can't "
                                 "merge into it: PUT the whole document instead.")
    if not is_json(posted_type):
        raise DocumentError(400, "A POST to an existing JSON document merges JSON objects: send it as "
                                 "application/json (or PUT to replace the document).")
    document = _json_object(existing, "existing")
    document.update(_json_object(posted, "posted"))
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# --- the store (one organisation's documents; flush, never commit) ---------------------------------------


def _where(org_id: int, key: DocumentKey) -> list:
    conditions = [LrsDocument.organization_id == org_id, LrsDocument.kind == key.kind,
                  LrsDocument.activity_id == key.activity_id, LrsDocument.agent_ifi == key.agent_ifi]
    if key.registration is not None:
        conditions.append(LrsDocument.registration == key.registration)
    if key.document_id is not None:
        conditions.append(LrsDocument.document_id == key.document_id)
    return conditions


def find(org_id: int, key: DocumentKey, *, for_update: bool = False) -> LrsDocument | None:
    """The organisation's document with this key, or None (locked for the transaction when `for_update`)."""
    query = select(LrsDocument).where(*_where(org_id, key))
    return db.session.scalar(query.with_for_update() if for_update else query)


def listing(org_id: int, key: DocumentKey, since: datetime | None) -> tuple[list[str], datetime | None]:
    """The ids of the organisation's documents matching the key (any registration when it has none), updated
    after `since` (exclusive), oldest first; and when the latest of them was updated (None for none)."""
    query = select(LrsDocument.document_id, LrsDocument.updated).where(*_where(org_id, key))
    if since is not None:
        query = query.where(LrsDocument.updated > since)
    ids, latest = [], None
    for document_id, updated in db.session.execute(query.order_by(LrsDocument.updated, LrsDocument.id)):
        if document_id not in ids:
            ids.append(document_id)
        latest = updated if latest is None else max(latest, updated)
    return ids, latest


def _write(org_id: int, key: DocumentKey, document: LrsDocument | None, content: bytes, content_type: str) -> None:
    if document is None:
        document = LrsDocument(organization_id=org_id, kind=key.kind, activity_id=key.activity_id,
                               agent_ifi=key.agent_ifi, registration=key.registration or "",
                               document_id=key.document_id)
        db.session.add(document)
    document.content, document.content_type = content, content_type[:200]
    document.etag, document.updated = etag_of(content), utcnow()
    try:
        db.session.flush()
    except exc.IntegrityError:  # another request created the same document meanwhile
        raise DocumentError(409, "The document was created by another request at the same time; check its "
                                 "current state and try again.") from None


def put(org_id: int, resource: Resource, key: DocumentKey, content: bytes, content_type: str | None,
        if_match: str | None = None, if_none_match: str | None = None) -> None:
    """Store the document under the key, replacing any (2.3, 2.6, 2.7 PUT). Raises DocumentError (400, 409,
    412) and changes nothing then."""
    check_content(content, content_type)
    document = find(org_id, key, for_update=True)
    check_preconditions(resource, "PUT", document.etag if document else None, if_match, if_none_match)
    _write(org_id, key, document, content, content_type or "application/octet-stream")


def post(org_id: int, resource: Resource, key: DocumentKey, content: bytes, content_type: str | None,
         if_match: str | None = None, if_none_match: str | None = None) -> None:
    """Store a new document as a PUT would, or merge a JSON object into an existing JSON document (2.2.s7).
    Raises DocumentError (400, 412) and changes nothing then."""
    check_content(content, content_type)
    document = find(org_id, key, for_update=True)
    check_preconditions(resource, "POST", document.etag if document else None, if_match, if_none_match)
    if document is None:
        _write(org_id, key, None, content, content_type or "application/octet-stream")
    else:
        _write(org_id, key, document, merged(document.content, document.content_type, content, content_type),
               JSON_TYPE)


def remove(org_id: int, resource: Resource, key: DocumentKey, if_match: str | None = None,
           if_none_match: str | None = None) -> None:
    """Delete the document with the key, or every document matching it when it names none (State, 2.3.s5).
    Deleting a document that isn't there succeeds, unless If-Match asked for it. Raises DocumentError(412)."""
    if key.document_id is None:
        db.session.execute(delete(LrsDocument).where(*_where(org_id, key)),
                           execution_options={"synchronize_session": False})
        return
    document = find(org_id, key, for_update=True)
    check_preconditions(resource, "DELETE", document.etag if document else None, if_match, if_none_match)
    if document is not None:
        db.session.delete(document)
        db.session.flush()
