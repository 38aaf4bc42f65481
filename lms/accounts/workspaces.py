"""Which workspace a learner works in, and the read-only snapshot of it that exercise checkers receive.

In an in-house cohort that shares a workspace, its sales and marketing members work on one team workspace;
everyone else (public attendees, people outside such a cohort) has a personal one.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort
from sqlalchemy import select

from lms.accounts.models import Account, Contact, Handoff, Opportunity, Signal, Workspace
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.practice.snapshot import (
    AccountSnap,
    ContactSnap,
    HandoffSnap,
    OpportunitySnap,
    SignalSnap,
    WorkspaceSnapshot,
)


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


def build_snapshot(workspace: Workspace, now: datetime | None = None) -> WorkspaceSnapshot:
    """Read the whole workspace (five queries, whatever its size) into frozen dataclasses for a checker."""
    wid = workspace.id
    accounts = tuple(
        AccountSnap(
            id=a.id, name=a.name, domain=a.domain, website=a.website, industry=a.industry, employees=a.employees,
            revenue=a.revenue, region=a.region, is_target=a.is_target, tier=a.tier, icp_fit=a.icp_fit,
            icp_reasons=a.icp_reasons, why_selected=a.why_selected, sales_owner=a.sales_owner,
            marketing_owner=a.marketing_owner, progress_definition=a.progress_definition,
            sales_agreed=a.sales_agreed, sales_agreed_by=a.sales_agreed_by, sales_agreed_at=a.sales_agreed_at,
            sales_disagree_reason=a.sales_disagree_reason, required_roles=tuple(a.required_roles or ()),
            status=a.status)
        for a in db.session.scalars(select(Account).where(Account.workspace_id == wid).order_by(Account.id))
    )
    contacts = tuple(
        ContactSnap(id=c.id, account_id=c.account_id, first_name=c.first_name, last_name=c.last_name,
                    email=c.email, title=c.title, roles=tuple(c.roles or ()), seniority=c.seniority,
                    function=c.function)
        for c in db.session.scalars(select(Contact).where(Contact.workspace_id == wid).order_by(Contact.id))
    )
    signals = tuple(
        SignalSnap(id=s.id, account_id=s.account_id, contact_id=s.contact_id, type=s.type, occurred_at=s.occurred_at,
                   topic=s.topic, followed_up_at=s.followed_up_at, followed_up_by=s.followed_up_by)
        for s in db.session.scalars(select(Signal).where(Signal.workspace_id == wid).order_by(Signal.occurred_at))
    )
    opportunities = tuple(
        OpportunitySnap(id=o.id, account_id=o.account_id, name=o.name, stage=o.stage, amount=o.amount,
                        currency=o.currency, created_at=o.created_at, closed_at=o.closed_at, is_won=o.is_won,
                        source=o.source)
        for o in db.session.scalars(select(Opportunity).where(Opportunity.workspace_id == wid).order_by(Opportunity.id))
    )
    handoffs = tuple(
        HandoffSnap(id=h.id, account_id=h.account_id, contact_id=h.contact_id, signal_id=h.signal_id, sent_at=h.sent_at,
                    contact_role=h.contact_role, buying_group_relevance=h.buying_group_relevance,
                    engagement_summary=h.engagement_summary, qualification_level=h.qualification_level,
                    recommended_follow_up=h.recommended_follow_up, sales_owner=h.sales_owner, sla_hours=h.sla_hours,
                    first_touch_at=h.first_touch_at, status=h.status, rejection_reason=h.rejection_reason,
                    sales_feedback=h.sales_feedback, meeting_booked=h.meeting_booked)
        for h in db.session.scalars(select(Handoff).where(Handoff.workspace_id == wid).order_by(Handoff.id))
    )
    return WorkspaceSnapshot(name=workspace.name, now=now or utcnow(), accounts=accounts, contacts=contacts,
                             signals=signals, opportunities=opportunities, handoffs=handoffs,
                             programme_start=workspace.programme_start)
