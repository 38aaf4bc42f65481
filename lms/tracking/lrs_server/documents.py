"""The LRS's document resources (xAPI 1.0.3 Communication 2.2, 2.3, 2.6, 2.7, 3.1): State, Activity Profile and Agent
Profile, each scoped to the caller's organisation. The rules live in lms.tracking.lrs_documents."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date

from lms.tracking import lrs_documents as store
from lms.tracking.lrs_server.blueprint import bp
from lms.tracking.lrs_server.http import LrsError, lrs_resource, max_body, response

METHODS = ["GET", "PUT", "POST", "DELETE"]


def _last_modified(updated: datetime) -> str:
    return http_date(updated.replace(tzinfo=UTC))


def with_etag(resp):
    """The response with an ETag: the SHA-1 of its body, quoted (3.1.s4.b1-b4)."""
    resp.headers["ETag"] = f'"{store.etag_of(resp.get_data())}"'
    return resp


def request_body() -> bytes:
    """The request body, as sent. Raises LrsError(413) beyond the LRS's size limit (3.2.s3.b11)."""
    if request.content_length is not None and request.content_length > max_body():
        raise LrsError(413, f"The document is larger than this LRS accepts ({max_body()} bytes).")
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise LrsError(413, f"The document is larger than this LRS accepts ({max_body()} bytes).") from None


def _get(resource: store.Resource, parsed: store.DocumentRequest):
    org_id = g.lrs.organization_id
    if parsed.key.document_id is None:
        ids, latest = store.listing(org_id, parsed.key, parsed.since)
        resp = with_etag(response(ids))
        if latest is not None:
            resp.headers["Last-Modified"] = _last_modified(latest)
        return resp
    document = store.find(org_id, parsed.key)
    if document is None:
        raise LrsError(404, f"There is no document with this {resource.id_param} here.")
    return response(document.content, 200, {"Content-Type": document.content_type, "ETag": f'"{document.etag}"',
                                            "Last-Modified": _last_modified(document.updated)})


def handle(resource: store.Resource):
    """Answer a GET/HEAD, PUT, POST or DELETE on a document resource for the caller's organisation: the document
    (with ETag and Last-Modified), the list of ids, or 204 No Content. Raises LrsError for a refused request."""
    method = request.method
    try:
        parsed = store.parse_request(resource, method, request.args.to_dict(flat=False))
        if method in ("GET", "HEAD"):
            return _get(resource, parsed)
        org_id, conditions = g.lrs.organization_id, (request.headers.get("If-Match"),
                                                     request.headers.get("If-None-Match"))
        if method == "DELETE":
            store.remove(org_id, resource, parsed.key, *conditions)
        else:
            write = store.put if method == "PUT" else store.post
            write(org_id, resource, parsed.key, request_body(), request.headers.get("Content-Type"), *conditions)
    except store.DocumentError as exc:
        raise LrsError(exc.status, exc.message) from None
    return response(None, 204)


@bp.route("/activities/state", methods=METHODS)
@lrs_resource()
def state():
    """The State Resource (2.3)."""
    return handle(store.STATE)


@bp.route("/activities/profile", methods=METHODS)
@lrs_resource()
def activity_profile():
    """The Activity Profile Resource (2.7)."""
    return handle(store.ACTIVITY_PROFILE)


@bp.route("/agents/profile", methods=METHODS)
@lrs_resource()
def agent_profile():
    """The Agent Profile Resource (2.6)."""
    return handle(store.AGENT_PROFILE)
