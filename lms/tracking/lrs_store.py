"""Other tools' statements in the one store: kept as received (id, stored, authority, timestamp and version filled
in by the LRS), their attachments' raw data, voiding, and reading them back with the academy's own statements in
one stream ordered by stored time. Adds and flushes, never commits."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Text, and_, cast, false, or_, select
from sqlalchemy.exc import IntegrityError

from lms.database import utcnow
from lms.extensions import db
from lms.tracking import xapi
from lms.tracking.directory import directory
from lms.tracking.lrs_documents import agent_ifi
from lms.tracking.models import LrsAttachment, Statement
from lms.tracking.query import CONTEXT_LISTS, StatementQuery, matches, statement_ref
from lms.tracking.statements import academy_conditions, after_position, as_xapi, xapi_site
from lms.tracking.validation import IFIS, VOIDED

STATEMENT_VERSION = "1.0.0"  # what a statement sent without a version says (xAPI Data 2.4.10)
SCAN = 200  # rows read at a time when filters are checked on the statements themselves
LRS_SOURCE = "lrs"


class StoreError(Exception):
    """A batch the store refuses, with the HTTP status (400, 403, 409) and the reason in plain words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# --- Storing -----------------------------------------------------------------------------------------


def _stored_now() -> datetime:
    """Now, to the millisecond the API shows, so `since` and `until` see what clients see."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _context_arrays(doc: dict) -> None:
    """contextActivities values as arrays (the LRS returns a single Activity as an array of one)."""
    context = doc.get("context")
    lists = context.get("contextActivities") if isinstance(context, dict) else None
    if isinstance(lists, dict):
        for key in CONTEXT_LISTS:
            if key in lists and not isinstance(lists[key], list):
                lists[key] = [lists[key]]
    obj = doc.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        _context_arrays(obj)


def prepare(doc: Mapping, authority: Mapping, stored: datetime) -> dict:
    """Return the statement as the LRS stores it: an id (a new UUID when it had none), `stored`, the authority of
    the credentials, a timestamp (the stored time when it had none), a version (1.0.0 when it had none) and
    contextActivities as arrays."""
    out = copy.deepcopy(dict(doc))
    out["id"] = out.get("id") or str(uuid.uuid4())
    out["stored"] = xapi.iso(stored)
    out.setdefault("timestamp", out["stored"])
    out["authority"] = copy.deepcopy(dict(authority))
    out.setdefault("version", STATEMENT_VERSION)
    _context_arrays(out)
    return out


def _comparable(doc: Mapping, keep_timestamp: bool) -> dict:
    """The statement without what may differ between two sendings of it (Data 2.3.1): what the LRS sets, Verb
    displays and Activity definitions, the order of Group members, the case of mailboxes."""
    out = copy.deepcopy(dict(doc))
    for key in ("stored", "authority", "version", "id"):
        out.pop(key, None)
    if keep_timestamp and isinstance(out.get("timestamp"), str):
        out["timestamp"] = xapi.iso(xapi.parse_timestamp(out["timestamp"]))
    else:
        out.pop("timestamp", None)
    _context_arrays(out)
    return _normalised(out)


def _normalised(value, key: str | None = None):
    if isinstance(value, dict):
        if value.get("objectType", "Activity") == "Activity" and "id" in value and key != "verb":
            value = {k: v for k, v in value.items() if k != "definition"}
        if key == "verb":
            value = {k: v for k, v in value.items() if k != "display"}
        out = {k: _normalised(v, k) for k, v in value.items()}
        if isinstance(out.get("mbox"), str):
            out["mbox"] = out["mbox"].lower()
        if isinstance(out.get("member"), list):
            out["member"] = sorted(out["member"], key=lambda m: json.dumps(m, sort_keys=True))
        return out
    if isinstance(value, list):
        return [_normalised(v, key) for v in value]
    return value


def same_statement(sent: Mapping, held: Mapping) -> bool:
    """Whether `sent` is the statement the LRS holds as `held` (Data 2.3.1 comparison: differences the LRS may
    have made, or that are not part of a statement, are ignored)."""
    keep = "timestamp" in sent
    return _comparable(sent, keep) == _comparable(held, keep)


def is_voiding(doc: Mapping) -> bool:
    """Whether the statement voids another (the voided verb with a StatementRef object)."""
    verb = doc.get("verb")
    return isinstance(verb, Mapping) and verb.get("id") == VOIDED and statement_ref(doc) is not None


def _ifi(agent: Mapping) -> str | None:
    return agent_ifi(agent) if isinstance(agent, Mapping) and any(k in agent for k in IFIS) else None


def _object_columns(obj: Mapping) -> tuple[str, str, str | None]:
    """(object_type, object_id, object_name) for the statements table."""
    kind = obj.get("objectType", "Activity")
    name = None
    if kind == "Activity":
        key = obj["id"]
        names = (obj.get("definition") or {}).get("name") or {}
        name = next(iter(names.values()), None) if isinstance(names, dict) else None
    elif kind in ("Agent", "Group"):
        key, name = _ifi(obj) or "", obj.get("name")
    else:
        key = obj.get("id", "")
    return kind.lower(), key[:200], name[:300] if isinstance(name, str) else None


def _user_ids(emails: set[str]) -> dict[str, int]:
    """{email: user id} for the people the directory knows by these emails (none asked when there are none)."""
    if not emails:
        return {}
    ids = directory().user_ids(emails)
    actors = directory().actors(set(ids)) if ids else {}
    return {actor.email.lower(): user_id for user_id, actor in actors.items() if actor.email}


def _row(doc: dict, org_id: int, credential_id: int | None, stored: datetime, users: Mapping[str, int]) -> Statement:
    actor, obj = doc["actor"], doc["object"]
    email = actor["mbox"].removeprefix("mailto:").lower() if isinstance(actor.get("mbox"), str) else None
    kind, key, name = _object_columns(obj)
    registration = (doc.get("context") or {}).get("registration")
    actor_ifi = _ifi(actor)
    return Statement(
        id=doc["id"], timestamp=xapi.parse_timestamp(doc["timestamp"]), stored=stored,
        actor_id=users.get(email) if email else None, actor_email=email[:254] if email else None,
        actor_name=actor["name"][:200] if isinstance(actor.get("name"), str) else None, verb="external",
        object_type=kind, object_id=key, object_name=name, organization_id=org_id, source=LRS_SOURCE,
        verb_iri=doc["verb"]["id"][:500], activity_iri=obj["id"][:1000] if kind == "activity" else None,
        actor_ifi=actor_ifi[:600] if actor_ifi else None,
        registration=registration.lower() if isinstance(registration, str) else None,
        voided=False, document=doc, credential_id=credential_id)


def _held(row: Statement) -> dict:
    return row.document if row.source != "academy" and row.document else as_xapi([row], xapi_site())[0]


def _voided_ids(org_id: int, new: Sequence[dict]) -> set[str]:
    """Mark the statements the new ones void (never a voiding statement, never the academy's own: 403); return
    the ids among the new statements that are voided already (by each other, or by a voiding statement stored
    before them)."""
    targets = {statement_ref(d) for d in new if is_voiding(d)}
    new_ids = {d["id"] for d in new}
    if targets - new_ids:
        for row in db.session.scalars(select(Statement).where(Statement.organization_id == org_id,
                                                              Statement.id.in_(targets - new_ids))):
            if row.source == "academy":
                raise StoreError(403, f"Statement {row.id} is the academy's own record: other tools cannot void it.")
            if not (row.verb_iri == VOIDED and row.object_type == "statementref"):
                row.voided = True
    earlier = set(db.session.scalars(select(Statement.object_id).where(
        Statement.organization_id == org_id, Statement.verb_iri == VOIDED, Statement.object_type == "statementref",
        Statement.object_id.in_(new_ids))))
    return {d["id"] for d in new if not is_voiding(d) and d["id"] in (targets | earlier)}


def save(org_id: int, credential_id: int | None, authority: Mapping, received: Sequence[Mapping],
         attachments: Mapping[str, tuple[str, bytes]] | None = None) -> list[str]:
    """Store valid statements another tool sent (one request: all or none) and their attachments' raw data
    ({sha2: (content type, bytes)}); return their ids in order. A statement whose id is stored already is not
    stored again when it is the same statement. Raises StoreError: 400 for an id twice in the batch, 409 for a
    different statement under an id already used (here or in another organisation), 403 for voiding the
    academy's own statements."""
    stored = _stored_now()
    docs = [prepare(doc, authority, stored) for doc in received]
    ids = [doc["id"] for doc in docs]
    if len(set(ids)) != len(ids):
        raise StoreError(400, "The batch has two statements with the same id.")
    held = {row.id: row for row in db.session.scalars(select(Statement).where(Statement.id.in_(ids)))}
    new = []
    for doc, sent in zip(docs, received, strict=True):
        row = held.get(doc["id"])
        if row is None:
            new.append(doc)
        elif row.organization_id != org_id or not same_statement(sent, _held(row)):
            raise StoreError(409, f"A different statement with id {doc['id']} is stored already; statements "
                                  "never change (send it under a new id, or void the old one).")
    voided = _voided_ids(org_id, new)
    users = _user_ids({d["actor"]["mbox"].removeprefix("mailto:").lower() for d in new
                       if isinstance(d["actor"].get("mbox"), str)})
    for doc in new:
        row = _row(doc, org_id, credential_id, stored, users)
        row.voided = doc["id"] in voided
        db.session.add(row)
    for sha2, (content_type, content) in (attachments or {}).items():
        if db.session.get(LrsAttachment, (org_id, sha2)) is None:
            db.session.add(LrsAttachment(organization_id=org_id, sha2=sha2, content_type=content_type[:200],
                                         content=content))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise StoreError(409, "Another request stored a statement with one of these ids at the same moment.") from None
    return ids


# --- Reading -----------------------------------------------------------------------------------------


def render(rows: Sequence[Statement]) -> list[dict]:
    """The statements as xAPI, in order: other tools' as stored, the academy's built from their columns."""
    academy = iter(as_xapi([r for r in rows if r.source == "academy"], xapi_site()))
    return [next(academy) if row.source == "academy" else row.document for row in rows]


def find(org_id: int, statement_id: str, *, voided: bool = False) -> tuple[dict, datetime] | None:
    """One of the organisation's statements and its stored time: a statement not voided, or (voided=True) a
    voided one; None when there is none such."""
    row = db.session.scalar(select(Statement).where(Statement.organization_id == org_id, Statement.id == statement_id,
                                                    Statement.voided == voided))
    return (render([row])[0], row.stored) if row is not None else None


def attachment_data(org_id: int, sha2s: set[str]) -> dict[str, tuple[str, bytes]]:
    """{sha2: (content type, raw data)} of the organisation's stored attachments among `sha2s`."""
    if not sha2s:
        return {}
    found = db.session.scalars(select(LrsAttachment).where(LrsAttachment.organization_id == org_id,
                                                           LrsAttachment.sha2.in_(sha2s)))
    return {a.sha2: (a.content_type, a.content) for a in found}


class _Targets:
    """Statements targeted by StatementRefs, looked up once each (voided ones too)."""

    def __init__(self, org_id: int) -> None:
        self.org_id, self.cache = org_id, {}

    def __call__(self, statement_id: str) -> dict | None:
        if statement_id not in self.cache:
            row = db.session.scalar(select(Statement).where(Statement.organization_id == self.org_id,
                                                            Statement.id == statement_id))
            self.cache[statement_id] = render([row])[0] if row is not None else None
        return self.cache[statement_id]


def _contains(text: ColumnElement, value: str) -> ColumnElement[bool]:
    """The stored JSON's text holds `value` (as JSON writes it): a cheap first sieve, checked exactly after."""
    needle = json.dumps(value)[1:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return text.ilike(f"%{needle}%", escape="\\")


def _agent_needles(text: ColumnElement, agent: Mapping) -> ColumnElement[bool]:
    parts = []
    for name in IFIS:
        value = agent.get(name)
        if name == "account" and isinstance(value, Mapping):
            parts.append(and_(_contains(text, str(value["homePage"])), _contains(text, str(value["name"]))))
        elif isinstance(value, str):
            parts.append(_contains(text, value))
    return or_(*parts)


def _sieve(query: StatementQuery) -> list[ColumnElement[bool]]:
    """SQL conditions every other tool's statement matching the query meets (and some that don't: those are
    checked on the statement itself). A StatementRef may meet any filter through its target."""
    text, ref = cast(Statement.document, Text), Statement.object_type == "statementref"
    conditions = []
    if query.verb:
        conditions.append(or_(Statement.verb_iri == query.verb[:500], ref))
    if query.activity:
        activity = Statement.activity_iri == query.activity[:1000]
        conditions.append(or_(_contains(text, query.activity), ref) if query.related_activities
                          else or_(activity, ref))
    if query.registration:
        conditions.append(or_(Statement.registration == query.registration, ref))
    if query.agent:
        conditions.append(or_(_agent_needles(text, query.agent), ref))
    return conditions


def _conditions(org_id: int, query: StatementQuery) -> list:
    conditions = [Statement.organization_id == org_id, Statement.voided == false()]
    if query.since:
        conditions.append(Statement.stored > query.since)
    if query.until:
        conditions.append(Statement.stored <= query.until)
    kinds = [and_(Statement.source != "academy", *_sieve(query))]
    academy = academy_conditions(org_id, query, xapi_site())
    if academy is not None:
        kinds.append(and_(Statement.source == "academy", *academy))
    conditions.append(or_(*kinds))
    return conditions


def page(org_id: int, query: StatementQuery, after: tuple[datetime, str] | None = None
         ) -> tuple[list[dict], tuple[datetime, str] | None]:
    """One page of the organisation's statements that are not voided, academy's and other tools' in one stream
    ordered by stored time (newest first unless ascending), after the statement at `after` (stored, id): the
    statements as xAPI, and the position of the last one when more follow (else None)."""
    base = _conditions(org_id, query)
    order = ((Statement.stored.asc(), Statement.id.asc()) if query.ascending
             else (Statement.stored.desc(), Statement.id.desc()))
    size = max(query.limit + 1, SCAN) if query.filters else query.limit + 1
    targets, found, position = _Targets(org_id), [], after
    while len(found) <= query.limit:
        conditions = base + ([after_position(query, position)] if position else [])
        batch = list(db.session.scalars(select(Statement).where(*conditions).order_by(*order).limit(size)))
        for row in batch:
            if row.source == "academy" or not query.filters or matches(row.document or {}, query, targets):
                found.append(row)
                if len(found) > query.limit:
                    break
        if len(batch) < size:
            break
        position = (batch[-1].stored, batch[-1].id)
    shown = found[: query.limit]
    more = (shown[-1].stored, shown[-1].id) if len(found) > query.limit and shown else None
    return render(shown), more
