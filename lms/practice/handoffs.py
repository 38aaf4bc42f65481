"""The one-page handoff brief a seller gets: what marketing knows about the account, the contact and the SLA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import and_, select

from lms.abm.coverage import normalise_roles
from lms.abm.vocabulary import role_label
from lms.accounts.models import Account, Contact, Handoff
from lms.accounts.workspaces import workspace_or_404
from lms.extensions import db
from lms.identity.models import Organization, User
from lms.tracking.services import record


@dataclass(frozen=True)
class HandoffBrief:
    """What a one-page handoff brief shows a seller."""

    id: int
    account: str
    website: str | None
    tier: str | None
    why_selected: str | None
    contact: str | None
    contact_title: str | None
    contact_email: str | None
    role: str | None
    buying_group_relevance: str | None
    engagement_summary: str | None
    qualification_level: str | None
    recommended_follow_up: str | None
    sales_owner: str | None
    sent_at: datetime | None
    sla_hours: int | None
    sla_due_at: datetime | None
    first_touch_at: datetime | None
    status: str
    workspace: str

    def text(self, value: str | None, limit: int = 600) -> str:
        """The value cut to `limit` characters so the brief stays on one page."""
        value = (value or "").strip()
        return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def handoff_brief(user: User, org: Organization, handoff_id: int) -> HandoffBrief:
    """Return the brief of a handoff in a workspace the user works in; another team's or organisation's
    handoff aborts 404."""
    row = db.session.execute(
        select(Handoff, Account, Contact).join(Account, Account.id == Handoff.account_id)
        .outerjoin(Contact, and_(Contact.id == Handoff.contact_id, Contact.workspace_id == Handoff.workspace_id))
        .where(Handoff.id == handoff_id, Handoff.organization_id == org.id)).first()
    if row is None:
        abort(404)
    handoff, account, contact = row
    workspace = workspace_or_404(user, org, handoff.workspace_id)
    roles = normalise_roles([handoff.contact_role])
    if not roles and contact is not None:
        roles = normalise_roles(tuple(contact.roles or ()))
    contact_name = None
    if contact is not None:
        contact_name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or contact.email
    due = handoff.sent_at + timedelta(hours=handoff.sla_hours) if handoff.sent_at and handoff.sla_hours else None
    return HandoffBrief(
        id=handoff.id, account=account.name, website=account.website or account.domain, tier=account.tier,
        why_selected=account.why_selected, contact=contact_name, contact_title=contact.title if contact else None,
        contact_email=contact.email if contact else None,
        role=", ".join(role_label(r) for r in roles) or (handoff.contact_role or None),
        buying_group_relevance=handoff.buying_group_relevance, engagement_summary=handoff.engagement_summary,
        qualification_level=handoff.qualification_level, recommended_follow_up=handoff.recommended_follow_up,
        sales_owner=handoff.sales_owner, sent_at=handoff.sent_at, sla_hours=handoff.sla_hours, sla_due_at=due,
        first_touch_at=handoff.first_touch_at, status=handoff.status, workspace=workspace.name)


def note_brief_exported(user: User, org: Organization, brief: HandoffBrief) -> None:
    """Record that the user downloaded a handoff brief."""
    record(user, "exported", ("handoff", brief.id, f"Handoff brief: {brief.account}"), {"format": "pdf"},
           organization_id=org.id)
