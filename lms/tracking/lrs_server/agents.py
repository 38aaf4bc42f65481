"""The LRS's Agents Resource (xAPI 1.0.3 Communication 2.4): a Person object combining what this organisation's
record knows about an Agent (its names, and the mailboxes the same person was recorded with here)."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import or_, select

from lms.extensions import db
from lms.tracking import lrs_documents as store
from lms.tracking.lrs_server.blueprint import bp
from lms.tracking.lrs_server.documents import with_etag
from lms.tracking.lrs_server.http import LrsError, lrs_resource, response
from lms.tracking.models import Statement

RECENT = 100  # statements read for names: the most recent ones say how the person is known now


def _add(values: list, value) -> None:
    if value and value not in values:
        values.append(value)


def _recorded_names(org_id: int, ifi: str) -> list[str]:
    """Names other tools' statements gave the actor with this identifier, newest first."""
    names: list[str] = []
    documents = db.session.scalars(select(Statement.document).where(
        Statement.organization_id == org_id, Statement.actor_ifi == ifi, Statement.document.is_not(None))
        .order_by(Statement.stored.desc()).limit(RECENT))
    for document in documents:
        actor = document.get("actor") if isinstance(document, dict) else None
        if isinstance(actor, dict) and isinstance(actor.get("name"), str):
            _add(names, actor["name"])
    return names


def _mailbox_people(org_id: int, mbox: str) -> list[tuple[str | None, str | None]]:
    """(email, name) pairs this organisation's statements recorded for the people known here by this mailbox:
    the mailbox's own statements, and those of the same user under another mailbox (a changed email)."""
    emails = {mbox.removeprefix("mailto:"), mbox.removeprefix("mailto:").strip().lower()}
    people = (select(Statement.actor_id).where(Statement.organization_id == org_id, Statement.actor_email.in_(emails),
                                               Statement.actor_id.is_not(None)).distinct())
    rows = db.session.execute(select(Statement.actor_email, Statement.actor_name).distinct().where(
        Statement.organization_id == org_id,
        or_(Statement.actor_email.in_(emails), Statement.actor_id.in_(people))).limit(RECENT))
    return [(email, name) for email, name in rows]


def person(org_id: int, agent: dict) -> dict:
    """The Person object for a valid Agent (2.4.s5): objectType "Person" and arrays of what is known, always at
    least the Agent's own name and identifier (2.4.s3.b3). Two or three queries."""
    found: dict[str, list] = {"name": [], "mbox": [], "mbox_sha1sum": [], "openid": [], "account": []}
    _add(found["name"], agent.get("name"))
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            _add(found[key], agent[key])
    for name in _recorded_names(org_id, store.agent_ifi(agent)):
        _add(found["name"], name)
    if "mbox" in agent:
        for email, name in _mailbox_people(org_id, agent["mbox"]):
            _add(found["name"], name)
            if email and f"mailto:{email}".lower() not in {m.lower() for m in found["mbox"]}:
                found["mbox"].append(f"mailto:{email}")
    return {"objectType": "Person", **{key: values for key, values in found.items() if values}}


@bp.route("/agents", methods=["GET"])
@lrs_resource()
def agents():
    """GET /xapi/agents?agent=…: the Person object for an Agent (HEAD too)."""
    try:
        values = store.single(request.args.to_dict(flat=False), {"agent"})
        if "agent" not in values:
            raise store.DocumentError(400, "The agent parameter is required.")
        agent = store.parse_agent(values["agent"])
    except store.DocumentError as exc:
        raise LrsError(exc.status, exc.message) from None
    return with_etag(response(person(g.lrs.organization_id, agent)))
