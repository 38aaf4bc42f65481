"""The LRS's Statement Resource (xAPI 1.0.3 Communication 2.1): PUT one statement, POST one or a batch (JSON, or
multipart/mixed with attachments), GET one statement or a StatementResult with every filter and `more` paging."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC

from flask import current_app, g, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date

from lms.database import utcnow
from lms.tracking import lrs_store, xapi
from lms.tracking.lrs_server.blueprint import bp
from lms.tracking.lrs_server.http import LrsError, lrs_resource, max_body, response
from lms.tracking.lrs_server.multipart import MultipartError, Part, boundary_of, build, parse
from lms.tracking.lrs_server.signatures import SIGNATURE_TYPE, signature_attachments, signature_problems
from lms.tracking.query import (
    GET_PARAMETERS,
    SINGLE_PARAMETERS,
    QueryError,
    check_format,
    check_parameters,
    decode_cursor,
    encode_cursor,
    flag,
    formatted,
    parse_query,
)
from lms.tracking.validation import UUID, statement_problems

CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


@bp.after_request
def _consistent_through(resp):
    """Every answer of the Statement Resource says up to when its statements are complete (2.1.3.s2.b5)."""
    if request.endpoint == "xapi.statements":
        resp.headers[CONSISTENT_THROUGH] = xapi.iso(utcnow())
    return resp


@bp.route("/statements", methods=["GET", "PUT", "POST"])
@lrs_resource()
def statements():
    """Store statements (PUT one by statementId, POST one or a batch) or read them (GET and HEAD)."""
    try:
        if request.method == "PUT":
            return _put()
        if request.method == "POST":
            return _post()
        return _get()
    except QueryError as exc:
        raise LrsError(400, str(exc)) from None
    except lrs_store.StoreError as exc:
        raise LrsError(exc.status, exc.message) from None


# --- Receiving statements ----------------------------------------------------------------------------


def _params() -> dict[str, str]:
    params = {}
    for name, values in request.args.lists():
        if len(values) != 1:
            raise LrsError(400, f"Send the {name} parameter once.")
        params[name] = values[0]
    return params


def _body() -> bytes:
    limit = max_body()
    if request.content_length is not None and request.content_length > limit:
        raise LrsError(413, f"The request is larger than this LRS accepts ({limit} bytes).")
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise LrsError(413, f"The request is larger than this LRS accepts ({limit} bytes).") from None


def _unique(pairs: list) -> dict:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"a property is used twice: {sorted({k for k in keys if keys.count(k) > 1})}")
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(data: bytes):
    """The body as JSON (UTF-8, each property once, no NaN or Infinity). Raises LrsError(400)."""
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise LrsError(400, f"The statements are not valid JSON: {exc}") from None


def _mimetype(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _received() -> tuple[object, dict[str, tuple[str, bytes]] | None]:
    """The statement(s) sent, and the attachments' raw data by SHA-2 (None for a JSON request)."""
    body, kind = _body(), _mimetype(request.content_type)
    if kind in ("application/json", ""):
        if not body.strip():
            raise LrsError(400, "Send the statement(s) as the body.")
        return parse_json(body), None
    if kind != "multipart/mixed":
        raise LrsError(400, "Send statements as application/json, or as multipart/mixed with attachments.")
    try:
        parts = parse(body, boundary_of(request.content_type))
    except MultipartError as exc:
        raise LrsError(400, f"The multipart/mixed body is malformed: {exc}.") from None
    if _mimetype(parts[0].headers.get("content-type")) != "application/json":
        raise LrsError(400, "The first part of a multipart/mixed request must be the statements as application/json.")
    raw = {}
    for part in parts[1:]:
        sha2 = part.headers.get("x-experience-api-hash", "").strip().lower()
        if not sha2:
            raise LrsError(400, "Each attachment part needs an X-Experience-API-Hash header.")
        if part.headers.get("content-transfer-encoding", "").strip().lower() != "binary":
            raise LrsError(400, "Each attachment part needs Content-Transfer-Encoding: binary.")
        raw[sha2] = (part.headers.get("content-type") or "application/octet-stream", part.content)
    return parse_json(parts[0].content), raw


def _attachments(doc: Mapping) -> list[Mapping]:
    found = [a for a in doc.get("attachments", []) if isinstance(a, Mapping)]
    obj = doc.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") == "SubStatement":
        found += [a for a in obj.get("attachments", []) if isinstance(a, Mapping)]
    return found


def _check_attachments(docs: list[dict], raw: dict[str, tuple[str, bytes]] | None) -> None:
    """Every attachment without a fileUrl has its raw data in a part, every part is an attachment of the
    statements (matched by SHA-2 only: 1.5.2.s1.b4), and signatures are well formed (Data 2.6). Raises LrsError."""
    declared = {a["sha2"].lower() for doc in docs for a in _attachments(doc)}
    needed = {a["sha2"].lower() for doc in docs for a in _attachments(doc) if "fileUrl" not in a}
    if raw is None and needed:
        raise LrsError(400, "Attachments without a fileUrl need their raw data: send multipart/mixed with a part "
                            "for each (1.5.2).")
    raw = raw or {}
    if set(raw) - declared:
        raise LrsError(400, "An attachment part's X-Experience-API-Hash matches no attachment's sha2.")
    if needed - set(raw):
        raise LrsError(400, f"No part holds the raw data of the attachment(s) {', '.join(sorted(needed - set(raw)))}.")
    for i, doc in enumerate(docs):
        for attachment in signature_attachments(doc):
            if _mimetype(attachment["contentType"]) != SIGNATURE_TYPE:
                raise LrsError(400, f"statement[{i}]: a signature attachment's contentType must be {SIGNATURE_TYPE}.")
            data = raw.get(attachment["sha2"].lower())
            if data is None:
                raise LrsError(400, f"statement[{i}]: send the signature's raw data as a part, so it can be checked.")
            problems = signature_problems(doc, data[1], lrs_store.same_statement)
            if problems:
                raise LrsError(400, f"statement[{i}]: malformed signature: {'; '.join(problems)}.")


def _validated(value, batch: bool) -> list[dict]:
    docs = value if batch and isinstance(value, list) else [value]
    problems = [f"[{i}] {p}" if len(docs) > 1 else p for i, doc in enumerate(docs) for p in statement_problems(doc)]
    if problems:
        raise LrsError(400, "Not a valid xAPI 1.0.3 statement: " + "; ".join(problems[:20]))
    return docs


def _save(docs: list[dict], raw: dict | None) -> list[str]:
    _check_attachments(docs, raw)
    principal = g.lrs
    return lrs_store.save(principal.organization_id, principal.credential_id, principal.authority, docs,
                          {sha2: raw[sha2] for sha2 in raw} if raw else None)


def _put():
    params = _params()
    check_parameters(params, {"statementId"})
    statement_id = params.get("statementId", "")
    if not UUID.match(statement_id):
        raise LrsError(400, "PUT needs a statementId parameter: the statement's id, a UUID.")
    value, raw = _received()
    if not isinstance(value, dict):
        raise LrsError(400, "PUT stores one statement: send a JSON object (POST takes a batch).")
    if "id" in value and value["id"] != statement_id:
        raise LrsError(400, "The statement's id differs from the statementId parameter.")
    docs = _validated({**value, "id": statement_id}, batch=False)
    _save(docs, raw)
    return response(None, 204)


def _post():
    check_parameters(_params(), set())
    value, raw = _received()
    if not isinstance(value, dict | list):
        raise LrsError(400, "POST a statement (a JSON object) or a batch (an array of them).")
    docs = _validated(value, batch=True)
    return response(_save(docs, raw) if docs else [])


# --- Reading statements ------------------------------------------------------------------------------


def _with_attachments(body, docs: list[Mapping], headers: dict):
    """The answer as multipart/mixed: the JSON first, then each attachment's raw data the LRS holds."""
    sha2s = {a["sha2"].lower() for doc in docs for a in _attachments(doc) if isinstance(a.get("sha2"), str)}
    parts = [Part({"Content-Type": "application/json"}, json.dumps(body).encode())]
    for sha2, (content_type, content) in lrs_store.attachment_data(g.lrs.organization_id, sha2s).items():
        parts.append(Part({"Content-Type": content_type, "Content-Transfer-Encoding": "binary",
                           "X-Experience-API-Hash": sha2}, content))
    payload, boundary = build(parts)
    return response(payload, 200, {**headers, "Content-Type": f"multipart/mixed; boundary={boundary}"})


def _one(params: Mapping[str, str]):
    check_parameters(params, SINGLE_PARAMETERS)
    voided = "voidedStatementId" in params
    statement_id = params["voidedStatementId" if voided else "statementId"]
    fmt, attachments = check_format(params.get("format", "exact")), flag(params, "attachments")
    if not UUID.match(statement_id):
        raise LrsError(400, "statementId and voidedStatementId must be UUIDs.")
    found = lrs_store.find(g.lrs.organization_id, statement_id, voided=voided)
    if found is None:
        raise LrsError(404, "No voided statement with that id." if voided else "No statement with that id.")
    doc, stored = formatted(found[0], fmt, request.headers.get("Accept-Language")), found[1]
    headers = {"Last-Modified": http_date(stored.replace(tzinfo=UTC))}
    return _with_attachments(doc, [found[0]], headers) if attachments else response(doc, 200, headers)


def _list(params: Mapping[str, str]):
    org_id, secret = g.lrs.organization_id, current_app.config["SECRET_KEY"]
    if "more" in params:
        check_parameters(params, {"more"})
        query, after = decode_cursor(secret, org_id, params["more"])
    else:
        query, after = parse_query(params), None
    found, position = lrs_store.page(org_id, query, after)
    docs = [formatted(doc, query.format, request.headers.get("Accept-Language")) for doc in found]
    more = url_for("xapi.statements", more=encode_cursor(secret, org_id, query, position)) if position else ""
    body = {"statements": docs, "more": more}
    return _with_attachments(body, found, {}) if query.attachments else response(body)


def _get():
    params = _params()
    check_parameters(params, GET_PARAMETERS)
    if {"statementId", "voidedStatementId"} <= set(params):
        raise LrsError(400, "Ask for a statementId or a voidedStatementId, not both.")
    if "statementId" in params or "voidedStatementId" in params:
        return _one(params)
    return _list(params)
