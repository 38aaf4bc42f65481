"""Read the workspace: headline counts, a page of each record list, an account's detail, records to export.

Each reads a fixed number of queries, whatever the workspace's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import aliased

from lms.abm.coverage import CoverageDetail, RoleRequirement, coverage_detail, required_roles
from lms.abm.vocabulary import BUYING_ROLES
from lms.accounts.exporting import export_rows
from lms.accounts.fields import FIELDS
from lms.accounts.labels import STYLE_ENTITIES
from lms.accounts.models import Account, Contact, Handoff, Opportunity, Signal, Workspace
from lms.accounts.workspaces import record_statement
from lms.extensions import db
from lms.identity.models import User
from lms.paging import Page, paginate


def workspace_counts(ws: Workspace) -> dict[str, int]:
    """Return the workspace's headline counts in one query (accounts, targets, untiered, not_reviewed, …)."""
    wid = ws.id

    def count(model, *conditions):
        return (select(func.count()).select_from(model)
                .where(model.workspace_id == wid, *conditions).scalar_subquery())

    target = Account.is_target.is_(True)
    row = db.session.execute(select(
        count(Account).label("accounts"),
        count(Account, target).label("targets"),
        count(Account, target, Account.tier.is_(None)).label("untiered"),
        count(Account, target, agreement_condition("not_reviewed")).label("not_reviewed"),
        count(Account, agreement_condition("disagreed")).label("disagreed"),
        count(Account, agreement_condition("agreed")).label("agreed"),
        count(Contact).label("contacts"),
        count(Contact, _no_roles()).label("contacts_without_roles"),
        count(Contact, Contact.account_id.is_(None)).label("contacts_without_account"),
        count(Signal).label("signals"),
        count(Opportunity).label("opportunities"),
        count(Handoff).label("handoffs"),
        count(Handoff, Handoff.status == "sent").label("handoffs_awaiting"),
    )).one()
    return dict(row._mapping)


def _no_roles():
    # Portable across SQLite and PostgreSQL (whose json_array_length fails on a JSON null).
    return or_(Contact.roles.is_(None), cast(Contact.roles, String).in_(("[]", "null")))


def _json_contains(column, value: str):
    # Roles are stored as a JSON list of role keys; a LIKE on the JSON text finds one portably.
    return cast(column, String).like(f'%"{value}"%')


ACCOUNT_SORTS = {
    "name": lambda: (func.lower(Account.name), Account.id),
    "tier": lambda: (case((Account.tier.is_(None), 1), else_=0), Account.tier, func.lower(Account.name)),
    "icp_fit": lambda: (case((Account.icp_fit.is_(None), 1), else_=0), Account.icp_fit.desc(),
                        func.lower(Account.name)),
    "updated": lambda: (Account.updated_at.desc(), Account.id.desc()),
}


AGREEMENT_STATES = ("agreed", "disagreed", "not_reviewed")


def agreement_condition(state: str) -> ColumnElement[bool]:
    """Return the SQL condition for sales' verdict on an account: "agreed", "disagreed" or "not_reviewed".

    A verdict counts only when it came through sign-off (sales_agreed_via set); one that did not (say, written
    before imports stopped reading agreement) is "not_reviewed". Raises KeyError for another state.
    """
    signed = Account.sales_agreed_via.is_not(None)
    return {
        "agreed": and_(Account.sales_agreed.is_(True), signed),
        "disagreed": and_(Account.sales_agreed.is_(False), signed),
        "not_reviewed": or_(Account.sales_agreed.is_(None), Account.sales_agreed_via.is_(None)),
    }[state]


def where_agreement(stmt: Select, agreement: str) -> Select:
    """Filter accounts by sales' verdict: "agreed", "disagreed", "not_reviewed", or anything else for all."""
    if agreement not in AGREEMENT_STATES:
        return stmt
    return stmt.where(agreement_condition(agreement))


def account_page(ws: Workspace, *, q: str = "", tier: str = "", agreement: str = "", sort: str = "name",
                 page: int = 1, per_page: int = 25) -> Page:
    """Return a page of (Account, contact count) rows, searched by name/domain and filtered; two queries."""
    contacts = (select(func.count(Contact.id)).where(Contact.account_id == Account.id)
                .correlate(Account).scalar_subquery())
    stmt = select(Account, contacts.label("contacts")).where(Account.workspace_id == ws.id)
    if q:
        stmt = stmt.where(or_(Account.name.icontains(q, autoescape=True),
                              Account.domain.icontains(q, autoescape=True)))
    if tier == "none":
        stmt = stmt.where(Account.tier.is_(None))
    elif tier:
        stmt = stmt.where(Account.tier == tier)
    stmt = where_agreement(stmt, agreement).order_by(*ACCOUNT_SORTS.get(sort, ACCOUNT_SORTS["name"])())
    return paginate(stmt, page, per_page)


def contact_page(ws: Workspace, *, q: str = "", role: str = "", account_id: int | None = None, page: int = 1,
                 per_page: int = 25) -> Page:
    """Return a page of (Contact, account name) rows searched by name, email or title; two queries."""
    stmt = (select(Contact, Account.name.label("account_name"))
            .outerjoin(Account, Account.id == Contact.account_id)
            .where(Contact.workspace_id == ws.id))
    if q:
        like = [Contact.first_name, Contact.last_name, Contact.email, Contact.title]
        stmt = stmt.where(or_(*(c.icontains(q, autoescape=True) for c in like)))
    if role == "none":
        stmt = stmt.where(_no_roles())
    elif role in BUYING_ROLES:
        stmt = stmt.where(_json_contains(Contact.roles, role))
    if account_id:
        stmt = stmt.where(Contact.account_id == account_id)
    stmt = stmt.order_by(func.lower(func.coalesce(Contact.last_name, Contact.email, "")), Contact.id)
    return paginate(stmt, page, per_page)


def signal_page(ws: Workspace, *, signal_type: str = "", followed_up: str = "", page: int = 1,
                per_page: int = 25) -> Page:
    """Return a page of (Signal, account name, contact email) rows, newest first; two queries."""
    stmt = (select(Signal, Account.name.label("account_name"), Contact.email.label("contact_email"))
            .outerjoin(Account, Account.id == Signal.account_id)
            .outerjoin(Contact, Contact.id == Signal.contact_id)
            .where(Signal.workspace_id == ws.id))
    if signal_type:
        stmt = stmt.where(Signal.type == signal_type)
    if followed_up == "no":
        stmt = stmt.where(Signal.followed_up_at.is_(None))
    elif followed_up == "yes":
        stmt = stmt.where(Signal.followed_up_at.is_not(None))
    return paginate(stmt.order_by(Signal.occurred_at.desc(), Signal.id.desc()), page, per_page)


def opportunity_page(ws: Workspace, *, state: str = "", page: int = 1, per_page: int = 25) -> Page:
    """Return a page of (Opportunity, account name) rows, newest first; two queries."""
    stmt = (select(Opportunity, Account.name.label("account_name"))
            .join(Account, Account.id == Opportunity.account_id)
            .where(Opportunity.workspace_id == ws.id))
    if state == "open":
        stmt = stmt.where(Opportunity.is_won.is_(None))
    elif state == "won":
        stmt = stmt.where(Opportunity.is_won.is_(True))
    elif state == "lost":
        stmt = stmt.where(Opportunity.is_won.is_(False))
    stmt = stmt.order_by(Opportunity.created_at.desc().nulls_last(), Opportunity.id.desc())
    return paginate(stmt, page, per_page)


def handoff_page(ws: Workspace, *, status: str = "", page: int = 1, per_page: int = 25) -> Page:
    """Return a page of (Handoff, account name, contact email) rows, newest first; two queries."""
    stmt = (select(Handoff, Account.name.label("account_name"), Contact.email.label("contact_email"))
            .join(Account, Account.id == Handoff.account_id)
            .outerjoin(Contact, Contact.id == Handoff.contact_id)
            .where(Handoff.workspace_id == ws.id))
    if status:
        stmt = stmt.where(Handoff.status == status)
    return paginate(stmt.order_by(Handoff.sent_at.desc(), Handoff.id.desc()), page, per_page)


def signal_choices(ws: Workspace, account_id: int | None, current_id: int | None = None,
                   limit: int = 300) -> list[tuple[int, str]]:
    """Return (id, label) of the account's signals (or the newest in the workspace), newest first."""
    stmt = (select(Signal.id, Signal.type, Signal.occurred_at, Signal.topic, Account.name)
            .outerjoin(Account, Account.id == Signal.account_id).where(Signal.workspace_id == ws.id))
    if account_id:
        stmt = stmt.where(or_(Signal.account_id == account_id, Signal.id == (current_id or 0)))
    rows = db.session.execute(stmt.order_by(Signal.occurred_at.desc()).limit(limit)).all()
    return [(i, f"{when:%d %b %Y} · {kind.replace('_', ' ')}{f' ({topic})' if topic else ''} · {name or 'no account'}")
            for i, kind, when, topic, name in rows]


@dataclass
class AccountDetail:
    """Everything the account page shows, read in a fixed number of queries."""

    account: Account
    contacts: list[Contact]
    by_role: list[tuple[str, list[Contact]]]  # (role, contacts) in BUYING_ROLES order, only roles present
    without_role: list[Contact]
    requirement: RoleRequirement
    coverage: CoverageDetail
    signals: list[Signal]
    opportunities: list[Opportunity]
    handoffs: list[Handoff]
    contact_emails: dict[int, str]

    @property
    def percent(self) -> int:
        """Return the buying-group coverage as a whole percentage."""
        return round(self.coverage.ratio * 100)


def account_detail(account: Account, signal_limit: int = 50) -> AccountDetail:
    """Return the account's contacts grouped by buying role, its coverage, signals, opportunities, handoffs."""
    contacts = list(db.session.scalars(select(Contact).where(Contact.account_id == account.id)
                                       .order_by(func.lower(func.coalesce(Contact.last_name, Contact.email, "")))))
    groups: dict[str, list[Contact]] = {r: [] for r in BUYING_ROLES}
    without: list[Contact] = []
    for c in contacts:
        roles = [r for r in (c.roles or []) if r in groups]
        for r in roles:
            groups[r].append(c)
        if not roles:
            without.append(c)
    requirement = required_roles(account)
    signals = list(db.session.scalars(select(Signal).where(Signal.account_id == account.id)
                                      .order_by(Signal.occurred_at.desc()).limit(signal_limit)))
    opportunities = list(db.session.scalars(select(Opportunity).where(Opportunity.account_id == account.id)
                                            .order_by(Opportunity.created_at.desc().nulls_last())))
    handoffs = list(db.session.scalars(select(Handoff).where(Handoff.account_id == account.id)
                                       .order_by(Handoff.sent_at.desc())))
    return AccountDetail(
        account=account, contacts=contacts, by_role=[(r, cs) for r, cs in groups.items() if cs],
        without_role=without, requirement=requirement, coverage=coverage_detail(account, contacts, requirement),
        signals=signals, opportunities=opportunities, handoffs=handoffs,
        contact_emails={c.id: c.email or c.last_name or "" for c in contacts},
    )


def delete_impact(account: Account) -> dict[str, int]:
    """Return how many contacts (kept), signals, opportunities and handoffs (deleted) an account has."""
    def count(model):
        return select(func.count()).select_from(model).where(model.account_id == account.id).scalar_subquery()

    row = db.session.execute(select(count(Contact).label("contacts"), count(Signal).label("signals"),
                                    count(Opportunity).label("opportunities"),
                                    count(Handoff).label("handoffs"))).one()
    return dict(row._mapping)


def export_records(ws: Workspace, entity: str) -> list[dict[str, Any]]:
    """Return the workspace's records of `entity` as canonical dicts (FIELDS), in one query."""
    wid = ws.id
    if entity == "accounts":
        rows = db.session.scalars(select(Account).where(Account.workspace_id == wid)
                                  .order_by(func.lower(Account.name), Account.id))
        return [{**{f: getattr(a, f, None) for f in FIELDS["accounts"] if f != "owner"},
                 "owner": a.sales_owner, "required_roles": tuple(a.required_roles or ())} for a in rows]
    if entity == "contacts":
        rows = db.session.execute(select(Contact, Account.external_id, Account.name)
                                  .outerjoin(Account, Account.id == Contact.account_id)
                                  .where(Contact.workspace_id == wid).order_by(Contact.id))
        return [{**{f: getattr(c, f, None) for f in ("external_id", "first_name", "last_name", "email", "title",
                                                     "phone", "crm_role", "region")},
                 "account_external_id": ext, "account_name": name} for c, ext, name in rows]
    if entity == "signals":
        rows = db.session.execute(select(Signal, Account.external_id, Account.name, Contact.email)
                                  .outerjoin(Account, Account.id == Signal.account_id)
                                  .outerjoin(Contact, Contact.id == Signal.contact_id)
                                  .where(Signal.workspace_id == wid).order_by(Signal.occurred_at, Signal.id))
        return [{**{f: getattr(s, f) for f in ("external_id", "type", "topic", "occurred_at", "followed_up_at",
                                               "followed_up_by")},
                 "account_external_id": ext, "account_name": name, "contact_email": email}
                for s, ext, name, email in rows]
    if entity == "opportunities":
        rows = db.session.execute(select(Opportunity, Account.external_id, Account.name)
                                  .join(Account, Account.id == Opportunity.account_id)
                                  .where(Opportunity.workspace_id == wid).order_by(Opportunity.id))
        return [{**{f: getattr(o, f) for f in ("external_id", "name", "stage", "amount", "currency", "created_at",
                                               "closed_at", "is_won", "source")},
                 "account_external_id": ext, "account_name": name} for o, ext, name in rows]
    if entity == "handoffs":
        sig = aliased(Signal)
        rows = db.session.execute(select(Handoff, Account.external_id, Account.name, Contact.email, sig.external_id)
                                  .join(Account, Account.id == Handoff.account_id)
                                  .outerjoin(Contact, Contact.id == Handoff.contact_id)
                                  .outerjoin(sig, and_(sig.id == Handoff.signal_id))
                                  .where(Handoff.workspace_id == wid).order_by(Handoff.sent_at, Handoff.id))
        fields = ("external_id", "sent_at", "contact_role", "buying_group_relevance", "engagement_summary",
                  "qualification_level", "recommended_follow_up", "sales_owner", "sla_hours", "first_touch_at",
                  "status", "rejection_reason", "sales_feedback", "meeting_booked")
        return [{**{f: getattr(h, f) for f in fields}, "account_external_id": ext, "account_name": name,
                 "contact_email": email, "signal_external_id": sig_ext}
                for h, ext, name, email, sig_ext in rows]
    raise ValueError(f"unknown entity {entity!r}")


def export_workspace(ws: Workspace, user: User, entity: str, fmt: str, style: str) -> bytes:
    """Return the entity's records as CSV or XLSX in a CRM's headers and record 'exported'.

    Raises ValueError for an unknown entity, format or style, or a style without that entity.
    """
    if entity not in STYLE_ENTITIES.get(style, ()):
        raise ValueError(f"{style} has no {entity} export")
    data = export_rows(entity, export_records(ws, entity), fmt, style)  # type: ignore[arg-type]
    record_statement(user, "exported", ws, "workspace", ws.id, ws.name,
                     {"entity": entity, "format": fmt, "style": style})
    return data
