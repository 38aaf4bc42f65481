"""The LRS's Activities Resource (xAPI 1.0.3 Communication 2.5): an Activity with the fullest definition this
organisation's record holds, from other tools' statements or, for the academy's own activities, its statements."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from lms.extensions import db
from lms.tracking import lrs_documents as store
from lms.tracking import xapi
from lms.tracking.lrs_server.blueprint import bp
from lms.tracking.lrs_server.documents import with_etag
from lms.tracking.lrs_server.http import LrsError, lrs_resource, response
from lms.tracking.models import Statement
from lms.tracking.statements import as_xapi, xapi_site
from lms.tracking.validation import IRI

RECENT = 50  # the most recent statements about an activity carry its current definition
MERGED = ("name", "description", "extensions")  # maps merged key by key; other properties: the latest wins


def merge_definitions(definitions: list[dict]) -> dict:
    """One definition from several, oldest first: language maps and extensions merged key by key (a later
    statement's value wins), any other property as the latest statement gave it."""
    out: dict = {}
    for definition in definitions:
        for key, value in definition.items():
            if key in MERGED and isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    return out


def _from_other_tools(org_id: int, activity_id: str) -> dict | None:
    documents = list(db.session.scalars(select(Statement.document).where(
        Statement.organization_id == org_id, Statement.activity_iri == activity_id, Statement.document.is_not(None))
        .order_by(Statement.stored.desc()).limit(RECENT)))
    if not documents:
        return None
    definitions = [d["object"]["definition"] for d in reversed(documents)
                   if isinstance(d, dict) and isinstance(d.get("object"), dict) and d["object"].get("id") == activity_id
                   and isinstance(d["object"].get("definition"), dict)]
    return merge_definitions(definitions)


def _from_the_academy(org_id: int, activity_id: str) -> dict | None:
    site = xapi_site()
    parsed = xapi.parse_activity_iri(site, activity_id)
    if parsed is None:
        return None
    latest = db.session.scalar(select(Statement).where(
        Statement.organization_id == org_id, Statement.source == "academy", Statement.object_type == parsed[0],
        Statement.object_id == parsed[1]).order_by(Statement.stored.desc()).limit(1))
    if latest is None:
        return None
    return as_xapi([latest], site)[0]["object"].get("definition")


def activity(org_id: int, activity_id: str) -> dict:
    """The Activity object (2.5.s1) with the fullest definition known here; just its id when none is (2.5.s2.b1)."""
    definition = _from_the_academy(org_id, activity_id) or _from_other_tools(org_id, activity_id)
    out = {"objectType": "Activity", "id": activity_id}
    if definition:
        out["definition"] = definition
    return out


@bp.route("/activities", methods=["GET"])
@lrs_resource()
def activities():
    """GET /xapi/activities?activityId=…: the Activity object (HEAD too)."""
    try:
        values = store.single(request.args.to_dict(flat=False), {"activityId"})
    except store.DocumentError as exc:
        raise LrsError(exc.status, exc.message) from None
    activity_id = values.get("activityId")
    if not activity_id or not IRI.match(activity_id):
        raise LrsError(400, f"Send activityId, the Activity's IRI (got {activity_id!r}).")
    return with_etag(response(activity(g.lrs.organization_id, activity_id)))
