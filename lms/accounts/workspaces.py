"""Which workspace a learner works in, who may use it and its records, and the read-only snapshot of it.

In an in-house cohort that shares a workspace, its sales and marketing members work on one team workspace;
everyone else (public attendees, people outside such a cohort) has a personal one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort
from sqlalchemy import select

from lms.abm.snapshot import (
    AccountSnap,
    ContactSnap,
    HandoffSnap,
    OpportunitySnap,
    PersonSnap,
    SignalSnap,
    WorkspaceSnapshot,
)
from lms.accounts.models import Account, Contact, Handoff, Opportunity, Signal, Workspace
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.tracking.services import record


def team_cohort(user: User, org: Organization) -> Cohort | None:
    """Return the user's newest cohort in `org` that shares a team workspace, or None."""
    return db.session.scalar(
        select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id, Cohort.organization_id == org.id, Cohort.shares_workspace.is_(True),
               Cohort.is_archived.is_(False))
        .order_by(Cohort.starts_on.desc().nulls_last(), Cohort.id.desc()).limit(1)
    )


def workspace_for(user: User, org: Organization, *, create: bool = True) -> Workspace | None:
    """Return the workspace the user practises on in `org`: their team's, or their own (created on first use)."""
    cohort = team_cohort(user, org)
    if cohort is not None:
        ws = db.session.scalar(select(Workspace).where(Workspace.organization_id == org.id,
                                                       Workspace.cohort_id == cohort.id, Workspace.kind == "team"))
        if ws is None and create:
            ws = Workspace(organization_id=org.id, cohort_id=cohort.id, name=f"{cohort.name}: team accounts",
                           kind="team")
            db.session.add(ws)
            db.session.flush()
        return ws
    ws = db.session.scalar(select(Workspace).where(Workspace.organization_id == org.id, Workspace.owner_id == user.id,
                                                   Workspace.kind == "personal"))
    if ws is None and create:
        ws = Workspace(organization_id=org.id, owner_id=user.id, name=f"{user.name}'s accounts", kind="personal")
        db.session.add(ws)
        db.session.flush()
    return ws


def can_use(user: User, org: Organization, workspace: Workspace) -> bool:
    """Return True if the user may see and edit this workspace (members of its team, or its owner)."""
    if workspace.organization_id != org.id:
        return False
    if workspace.kind == "personal":
        return workspace.owner_id == user.id
    return db.session.scalar(select(CohortMember.id).where(
        CohortMember.cohort_id == workspace.cohort_id, CohortMember.user_id == user.id)) is not None


def workspace_or_404(user: User, org: Organization, workspace_id: int) -> Workspace:
    """Return a workspace the user may use, or abort 404 (another team's or organisation's says nothing)."""
    ws = db.session.get(Workspace, workspace_id)
    if ws is None or not can_use(user, org, ws):
        abort(404)
    return ws


def current_workspace(user: User, org: Organization) -> tuple[Workspace, bool]:
    """Return (the workspace the user practises on in `org`, whether it was created just now)."""
    ws = workspace_for(user, org, create=False)
    if ws is not None:
        return ws, False
    return workspace_for(user, org), True


def in_workspace_or_404(model: type, workspace: Workspace, ident: Any):
    """Return the `model` row with this id if it belongs to `workspace`, else abort 404.

    Another organisation's or another team's row answers 404 as if it did not exist.
    """
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None or obj.workspace_id != workspace.id or obj.organization_id != workspace.organization_id:
        abort(404)
    return obj


def record_statement(user: User, verb: str, ws: Workspace, obj_type: str, obj_id: Any, name: str | None,
                     result: dict | None = None) -> None:
    """Record one statement about an object of the workspace, in the workspace's organisation and cohort."""
    record(user, verb, (obj_type, obj_id, name or ""), result,
           organization_id=ws.organization_id, cohort_id=ws.cohort_id)


def _rows(model, fields: tuple[str, ...], workspace_id: int, order):
    """Yield plain rows of `fields` for one workspace: columns, not ORM objects (five times faster at scale)."""
    columns = [getattr(model, name) for name in fields]
    return db.session.execute(select(*columns).where(model.workspace_id == workspace_id).order_by(order))


ACCOUNT_FIELDS = ("id", "name", "domain", "website", "industry", "employees", "revenue", "region", "is_target", "tier",
                  "icp_fit", "icp_reasons", "why_selected", "sales_owner", "marketing_owner", "progress_definition",
                  "sales_agreed", "sales_agreed_by", "sales_agreed_at", "sales_agreed_via", "sales_disagree_reason",
                  "required_roles", "status")
CONTACT_FIELDS = ("id", "account_id", "first_name", "last_name", "email", "title", "roles", "seniority", "function")
SIGNAL_FIELDS = ("id", "account_id", "contact_id", "type", "occurred_at", "topic", "followed_up_at", "followed_up_by")
OPPORTUNITY_FIELDS = ("id", "account_id", "name", "stage", "amount", "currency", "created_at", "closed_at", "is_won",
                      "source")
HANDOFF_FIELDS = ("id", "account_id", "contact_id", "signal_id", "sent_at", "contact_role", "buying_group_relevance",
                  "engagement_summary", "qualification_level", "recommended_follow_up", "sales_owner", "sla_hours",
                  "first_touch_at", "status", "rejection_reason", "sales_feedback", "meeting_booked")


def build_snapshot(workspace: Workspace, now: datetime | None = None) -> WorkspaceSnapshot:
    """Read the whole workspace (five queries, whatever its size) into frozen dataclasses for a checker."""
    wid = workspace.id
    accounts = tuple(
        AccountSnap(**{**row._asdict(), "required_roles": tuple(row.required_roles or ()),
                       "is_target": bool(row.is_target)})
        for row in _rows(Account, ACCOUNT_FIELDS, wid, Account.id))
    contacts = tuple(ContactSnap(**{**row._asdict(), "roles": tuple(row.roles or ())})
                     for row in _rows(Contact, CONTACT_FIELDS, wid, Contact.id))
    signals = tuple(SignalSnap(**row._asdict()) for row in _rows(Signal, SIGNAL_FIELDS, wid, Signal.occurred_at))
    opportunities = tuple(OpportunitySnap(**row._asdict())
                          for row in _rows(Opportunity, OPPORTUNITY_FIELDS, wid, Opportunity.id))
    handoffs = tuple(HandoffSnap(**{**row._asdict(), "meeting_booked": bool(row.meeting_booked)})
                     for row in _rows(Handoff, HANDOFF_FIELDS, wid, Handoff.id))
    return WorkspaceSnapshot(name=workspace.name, now=now or utcnow(), kind=workspace.kind, team=team_of(workspace),
                             accounts=accounts, contacts=contacts, signals=signals, opportunities=opportunities,
                             handoffs=handoffs, programme_start=workspace.programme_start)


def team_of(workspace: Workspace) -> tuple[PersonSnap, ...]:
    """Return the people who work in a workspace (one query): a team's cohort members, or the personal owner."""
    if workspace.kind == "team" and workspace.cohort_id is not None:
        stmt = (select(User.name, User.email, User.job_function)
                .join(CohortMember, CohortMember.user_id == User.id)
                .where(CohortMember.cohort_id == workspace.cohort_id, User.is_active_user.is_(True)))
    elif workspace.owner_id is not None:
        stmt = select(User.name, User.email, User.job_function).where(User.id == workspace.owner_id)
    else:
        return ()
    return tuple(PersonSnap(name, email, job_function) for name, email, job_function in
                 db.session.execute(stmt.order_by(User.name, User.id)))
