"""Workspace operations: accounts, contacts, signals, opportunities, handoffs, sign-off, import and export.

Every function works inside one workspace and adds/flushes; the view (or CLI command) commits once.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import abort, current_app
from sqlalchemy import String, and_, case, cast, func, insert, or_, select
from sqlalchemy.orm import aliased

from lms.abm.coverage import CoverageDetail, RoleRequirement, coverage_detail, required_roles
from lms.abm.domains import email_domain, registrable_domain
from lms.abm.matching import (
    AccountIndex,
    AccountRef,
    Match,
    canonical_external_id,
    describe,
    match_lead,
    normalise_company_name,
)
from lms.abm.roles import infer_roles, infer_title, suggest_roles
from lms.abm.vocabulary import BUYING_ROLES
from lms.accounts import importing
from lms.accounts.exporting import export_rows, safe_cell
from lms.accounts.importing import (
    ENTITIES,
    ExistingKeys,
    ImportFileError,
    MissingColumnsError,
    RowError,
    Table,
    detect_format,
    mapping_fingerprint,
    read_table,
    validate,
)
from lms.accounts.labels import ENTITY_SINGULAR, STYLE_ENTITIES
from lms.accounts.models import (
    Account,
    AccountReview,
    Contact,
    Handoff,
    ImportBatch,
    Opportunity,
    Signal,
    Workspace,
)
from lms.accounts.workspaces import workspace_for
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Organization, User
from lms.tracking.services import record

MODELS: dict[str, type] = {
    "accounts": Account, "contacts": Contact, "signals": Signal, "opportunities": Opportunity, "handoffs": Handoff,
}
OBJECT_TYPES = {"accounts": "account", "contacts": "contact", "signals": "signal", "opportunities": "opportunity",
                "handoffs": "handoff"}


# --------------------------------------------------------------------------------------------- access


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


def _statement(user: User, verb: str, ws: Workspace, obj_type: str, obj_id: Any, name: str | None,
               result: dict | None = None) -> None:
    record(user, verb, (obj_type, obj_id, name or ""), result,
           organization_id=ws.organization_id, cohort_id=ws.cohort_id)


# --------------------------------------------------------------------------------------------- overview


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
        count(Account, target, Account.sales_agreed.is_(None)).label("not_reviewed"),
        count(Account, Account.sales_agreed.is_(False)).label("disagreed"),
        count(Account, Account.sales_agreed.is_(True)).label("agreed"),
        count(Contact).label("contacts"),
        count(Contact, _no_roles()).label("contacts_without_roles"),
        count(Contact, Contact.account_id.is_(None)).label("contacts_without_account"),
        count(Signal).label("signals"),
        count(Opportunity).label("opportunities"),
        count(Handoff).label("handoffs"),
        count(Handoff, Handoff.status == "sent").label("handoffs_awaiting"),
    )).one()
    return dict(row._mapping)


# --------------------------------------------------------------------------------------------- listing


@dataclass
class Page:
    """One page of a list: the rows, and enough to draw the pager."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _page(stmt, page: int, per_page: int, *, scalars: bool = False) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars()) if scalars else list(result.all())
    return Page(items, page, per_page, total)


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
    if agreement == "agreed":
        stmt = stmt.where(Account.sales_agreed.is_(True))
    elif agreement == "disagreed":
        stmt = stmt.where(Account.sales_agreed.is_(False))
    elif agreement == "not_reviewed":
        stmt = stmt.where(Account.sales_agreed.is_(None))
    stmt = stmt.order_by(*ACCOUNT_SORTS.get(sort, ACCOUNT_SORTS["name"])())
    return _page(stmt, page, per_page)


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
    return _page(stmt, page, per_page)


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
    return _page(stmt.order_by(Signal.occurred_at.desc(), Signal.id.desc()), page, per_page)


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
    return _page(stmt, page, per_page)


def handoff_page(ws: Workspace, *, status: str = "", page: int = 1, per_page: int = 25) -> Page:
    """Return a page of (Handoff, account name, contact email) rows, newest first; two queries."""
    stmt = (select(Handoff, Account.name.label("account_name"), Contact.email.label("contact_email"))
            .join(Account, Account.id == Handoff.account_id)
            .outerjoin(Contact, Contact.id == Handoff.contact_id)
            .where(Handoff.workspace_id == ws.id))
    if status:
        stmt = stmt.where(Handoff.status == status)
    return _page(stmt.order_by(Handoff.sent_at.desc(), Handoff.id.desc()), page, per_page)


def account_choices(ws: Workspace) -> list[tuple[int, str]]:
    """Return (id, name) of every account in the workspace, by name, for a select box."""
    return [(i, n) for i, n in db.session.execute(
        select(Account.id, Account.name).where(Account.workspace_id == ws.id).order_by(func.lower(Account.name)))]


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


# --------------------------------------------------------------------------------------------- account detail


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


# --------------------------------------------------------------------------------------------- editing


ACCOUNT_FIELDS = ("name", "website", "industry", "employees", "revenue", "region", "tier", "icp_fit",
                  "icp_reasons", "why_selected", "sales_owner", "marketing_owner", "progress_definition",
                  "is_target", "required_roles", "status")
CONTACT_FIELDS = ("first_name", "last_name", "email", "title", "phone", "region", "crm_role", "account_id")
SIGNAL_FIELDS = ("account_id", "contact_id", "type", "topic", "occurred_at", "followed_up_at", "followed_up_by")
OPPORTUNITY_FIELDS = ("account_id", "name", "stage", "amount", "currency", "created_at", "closed_at", "is_won",
                      "source")
HANDOFF_BRIEF_FIELDS = ("account_id", "contact_id", "signal_id", "sent_at", "contact_role",
                        "buying_group_relevance", "engagement_summary", "qualification_level",
                        "recommended_follow_up", "sales_owner", "sla_hours")
HANDOFF_VERDICT_FIELDS = ("status", "rejection_reason", "sales_feedback", "first_touch_at", "meeting_booked")


def _assign(obj, data: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Set the given fields from data; return the names that changed."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, tuple):
            value = list(value)
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _account_derived(account: Account) -> None:
    account.normalised_name = normalise_company_name(account.name)
    account.domain = registrable_domain(account.website) if account.website else None


def duplicate_account(ws: Workspace, name: str | None, website: str | None,
                      exclude_id: int | None = None) -> tuple[Account, str] | None:
    """Return (an account of the workspace with the same normalised name or domain, "name" | "domain")."""
    norm = normalise_company_name(name)
    domain = registrable_domain(website) if website else None
    conditions = [Account.normalised_name == norm] if norm else []
    if domain:
        conditions.append(Account.domain == domain)
    if not conditions:
        return None
    stmt = select(Account).where(Account.workspace_id == ws.id, or_(*conditions))
    if exclude_id:
        stmt = stmt.where(Account.id != exclude_id)
    found = db.session.scalars(stmt.limit(1)).first()
    if found is None:
        return None
    return found, ("name" if norm and found.normalised_name == norm else "domain")


def create_account(ws: Workspace, user: User, data: Mapping[str, Any]) -> Account:
    """Add an account to the workspace from form data and record 'created'; returns it (flushed)."""
    account = Account(organization_id=ws.organization_id, workspace_id=ws.id, required_roles=[], is_target=True,
                      status="active")
    _assign(account, data, ACCOUNT_FIELDS)
    account.required_roles = list(account.required_roles or [])
    _account_derived(account)
    db.session.add(account)
    db.session.flush()
    _statement(user, "created", ws, "account", account.id, account.name)
    return account


def update_account(ws: Workspace, user: User, account: Account, data: Mapping[str, Any]) -> list[str]:
    """Apply form data to an account; record 'updated' when something changed. Returns the changed fields."""
    changed = _assign(account, data, ACCOUNT_FIELDS)
    if changed:
        account.required_roles = list(account.required_roles or [])
        _account_derived(account)
        account.updated_at = utcnow()
        _statement(user, "updated", ws, "account", account.id, account.name, {"changed": changed})
    db.session.flush()
    return changed


def delete_object(ws: Workspace, user: User, obj, name: str) -> None:
    """Delete an account, contact, signal, opportunity or handoff and record 'deleted'.

    The database cascades: an account takes its signals, opportunities, handoffs and reviews with it; its
    contacts stay, without an account.
    """
    kind = {Account: "account", Contact: "contact", Signal: "signal", Opportunity: "opportunity",
            Handoff: "handoff"}[type(obj)]
    obj_id = obj.id
    db.session.delete(obj)
    db.session.flush()
    _statement(user, "deleted", ws, kind, obj_id, name)


def contact_by_email(ws: Workspace, email: str | None, *, exclude_id: int | None = None) -> Contact | None:
    """Return the workspace's contact with this (normalised) email, or None."""
    if not email:
        return None
    stmt = select(Contact).where(Contact.workspace_id == ws.id, Contact.email == email.strip().lower())
    if exclude_id:
        stmt = stmt.where(Contact.id != exclude_id)
    return db.session.scalars(stmt.limit(1)).first()


def _contact_inference(contact: Contact) -> None:
    inferred = infer_title(contact.title)
    contact.seniority, contact.function = inferred.seniority, inferred.function
    if not contact.roles_set_by_learner:
        contact.roles = list(infer_roles(contact.title, [contact.crm_role]))


def save_contact(ws: Workspace, user: User, contact: Contact | None, data: Mapping[str, Any],
                 roles: Iterable[str] | None, *, reset_roles: bool = False) -> tuple[Contact, list[str]]:
    """Create or update a contact from form data; returns (contact, changed fields).

    Seniority and function follow the title. Roles the learner chose (different from what was shown) are
    kept and marked `roles_set_by_learner`, so no import or title change overwrites them; `reset_roles`
    hands the roles back to the title's suggestion. Records 'created' or 'updated'.
    """
    created = contact is None
    if contact is None:
        contact = Contact(organization_id=ws.organization_id, workspace_id=ws.id, roles=[],
                          roles_set_by_learner=False)
    data = dict(data)
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
    changed = _assign(contact, data, CONTACT_FIELDS)
    chosen = [r for r in BUYING_ROLES if r in set(roles or ())]
    if reset_roles:
        if contact.roles_set_by_learner:
            changed.append("roles_set_by_learner")
        contact.roles_set_by_learner = False
    elif roles is not None and (chosen != list(contact.roles or []) or (created and chosen)):
        contact.roles = chosen
        contact.roles_set_by_learner = True
        changed.append("roles")
    before = list(contact.roles or [])
    _contact_inference(contact)
    if before != list(contact.roles or []) and "roles" not in changed:
        changed.append("roles")
    if created:
        db.session.add(contact)
        db.session.flush()
        _statement(user, "created", ws, "contact", contact.id, contact_label(contact))
    elif changed:
        contact.updated_at = utcnow()
        db.session.flush()
        _statement(user, "updated", ws, "contact", contact.id, contact_label(contact), {"changed": changed})
    return contact, changed


def contact_label(contact: Contact) -> str:
    """Return a contact's name, or their email when there is no name."""
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    return name or contact.email or f"contact {contact.id}"


def save_record(ws: Workspace, user: User, model: type, obj, data: Mapping[str, Any],
                fields: Iterable[str], name: str) -> tuple[Any, list[str]]:
    """Create (obj None) or update a signal, opportunity or handoff from form data; records the change.

    Returns (object, changed fields). Only `fields` are written, so a form can leave some to others.
    """
    kind = {Signal: "signal", Opportunity: "opportunity", Handoff: "handoff"}[model]
    if obj is None:
        obj = model(organization_id=ws.organization_id, workspace_id=ws.id)
        if model is Opportunity:
            obj.currency = "GBP"
        if model is Handoff:
            obj.status, obj.meeting_booked = "sent", False
        changed = _assign(obj, data, fields)
        db.session.add(obj)
        db.session.flush()
        _statement(user, "created", ws, kind, obj.id, name)
        return obj, changed
    changed = _assign(obj, data, fields)
    if changed:
        db.session.flush()
        _statement(user, "updated", ws, kind, obj.id, name, {"changed": changed})
    return obj, changed


# --------------------------------------------------------------------------------------------- sign-off


def can_sign_off(user: User) -> bool:
    """Only sales people agree or disagree with the target list (marketing proposes it)."""
    return user.job_function == "sales"


def signoff_page(ws: Workspace, *, show: str = "not_reviewed", page: int = 1, per_page: int = 25) -> Page:
    """Return a page of target accounts for sign-off: not reviewed (default), agreed, disagreed or all."""
    stmt = select(Account).where(Account.workspace_id == ws.id, Account.is_target.is_(True))
    if show == "not_reviewed":
        stmt = stmt.where(Account.sales_agreed.is_(None))
    elif show == "agreed":
        stmt = stmt.where(Account.sales_agreed.is_(True))
    elif show == "disagreed":
        stmt = stmt.where(Account.sales_agreed.is_(False))
    tier_order = case((Account.tier == "1:1", 0), (Account.tier == "1:few", 1), (Account.tier == "1:many", 2),
                      else_=3)
    return _page(stmt.order_by(tier_order, func.lower(Account.name)), page, per_page, scalars=True)


def disagreements(ws: Workspace) -> list[Account]:
    """Return the accounts sales disagreed with, for the alignment workshop (newest verdict first)."""
    return list(db.session.scalars(
        select(Account).where(Account.workspace_id == ws.id, Account.sales_agreed.is_(False))
        .order_by(Account.sales_agreed_at.desc().nulls_last(), func.lower(Account.name))))


def sign_off(ws: Workspace, user: User, account: Account, agreed: bool, reason: str | None) -> AccountReview:
    """Store a sales member's verdict on one proposed account and record 'agreed' or 'disagreed'.

    Upserts the reviewer's AccountReview and sets the account's sales_agreed, by, at and disagree reason.
    Raises PermissionError when the user is not in sales, ValueError for a disagreement without a reason.
    """
    if not can_sign_off(user):
        raise PermissionError("Only a sales member of the team can sign off the target list.")
    reason = (reason or "").strip() or None
    if not agreed and not reason:
        raise ValueError("Say why you disagree, so the team can discuss it.")
    now = utcnow()
    review = db.session.scalar(select(AccountReview).where(AccountReview.account_id == account.id,
                                                           AccountReview.reviewer_id == user.id))
    if review is None:
        review = AccountReview(organization_id=ws.organization_id, account_id=account.id, reviewer_id=user.id)
        db.session.add(review)
    review.agreed, review.reason, review.reviewed_at = agreed, reason, now
    account.sales_agreed = agreed
    account.sales_agreed_by_id = user.id
    account.sales_agreed_by = user.name
    account.sales_agreed_at = now
    account.sales_disagree_reason = None if agreed else reason
    account.updated_at = now
    db.session.flush()
    _statement(user, "agreed" if agreed else "disagreed", ws, "account", account.id, account.name,
               {"reason": reason} if reason else None)
    return review


# --------------------------------------------------------------------------------------------- import


@dataclass
class ResolvedRow:
    """An accepted import row tied to the workspace: the record it updates (or None) and what would change."""

    line: int
    values: dict[str, Any]
    target: Any | None
    changes: dict[str, Any]
    match: Match | None = None

    @property
    def action(self) -> str:
        if self.target is None:
            return "new"
        return "update" if self.changes else "unchanged"


@dataclass
class ImportCounts:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ImportAnalysis:
    """A file read, recognised and checked against the workspace, ready to show or to apply."""

    filename: str
    table: Table
    source: str
    entity: str | None
    mapping: dict[str, str]
    mapping_origin: str  # "detected" | "saved" (the workspace remembered it) | "chosen" (for this batch)
    fingerprint: str
    ignored: tuple[str, ...] = ()
    dayfirst: bool = True
    missing: MissingColumnsError | None = None
    rows: list[ResolvedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # in-file duplicates folded into an earlier line
    domain_matches: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, who, account, why
    domain_conflicts: list[tuple[int, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)

    @property
    def needs_entity(self) -> bool:
        return self.entity is None

    @property
    def needs_mapping(self) -> bool:
        """True when the columns must be mapped by hand: one is missing, or the format was not recognised."""
        if self.entity is None:
            return False
        return self.missing is not None or (self.source == "unknown" and self.mapping_origin == "detected")

    @property
    def ready(self) -> bool:
        return self.entity is not None and self.missing is None

    @property
    def rejected_lines(self) -> int:
        return self.counts.rejected


class ImportRefused(Exception):
    """Applying was refused: the file has errors and the learner did not choose to import only valid rows."""


def import_limits() -> tuple[int, int]:
    """Return (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS) from the app's settings."""
    cfg = current_app.config
    return int(cfg["IMPORT_MAX_BYTES"]), int(cfg["IMPORT_MAX_ROWS"])


def _storage(batch_id: int) -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / "imports" / str(batch_id)


def read_upload(data: bytes, filename: str) -> Table:
    """Return the decoded table of an upload within the configured limits; raises ImportFileError."""
    max_bytes, max_rows = import_limits()
    return read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)


def start_import(ws: Workspace, user: User, filename: str, data: bytes, entity: str | None = None
                 ) -> tuple[ImportBatch, ImportAnalysis]:
    """Read an upload, keep its bytes for the preview, and return (batch, analysis).

    Raises ImportFileError (after recording a 'rejected' batch) when the file cannot be read at all:
    too large, too many rows, empty, header-only, binary or undecodable.
    """
    _forget_stale_uploads(ws)
    filename = Path(filename or "upload.csv").name[:300]
    try:
        table = read_upload(data, filename)
    except ImportFileError as exc:
        db.session.add(ImportBatch(organization_id=ws.organization_id, workspace_id=ws.id, user_id=user.id,
                                   filename=filename, entity=entity or "", source="unknown", status="rejected",
                                   summary={}, errors=[{"line": None, "field": None, "reason": exc.message}]))
        db.session.flush()
        raise
    batch = ImportBatch(organization_id=ws.organization_id, workspace_id=ws.id, user_id=user.id,
                        filename=filename, entity=entity or "", source="unknown", status="previewed",
                        summary={}, errors=[])
    db.session.add(batch)
    db.session.flush()
    path = _storage(batch.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    analysis = analyse_table(ws, table, filename, entity=entity or None)
    _remember_analysis(batch, analysis)
    return batch, analysis


def _forget_stale_uploads(ws: Workspace, older_than: timedelta = timedelta(days=1)) -> None:
    """Delete the kept bytes of this workspace's previews abandoned for more than a day."""
    stale = db.session.scalars(select(ImportBatch.id).where(
        ImportBatch.workspace_id == ws.id, ImportBatch.status == "previewed",
        ImportBatch.created_at < utcnow() - older_than))
    for batch_id in stale:
        _storage(batch_id).unlink(missing_ok=True)


def upload_kept(batch: ImportBatch) -> bool:
    """Return True while the uploaded bytes of a previewed batch are still kept."""
    return batch.status == "previewed" and _storage(batch.id).exists()


def analyse_batch(ws: Workspace, batch: ImportBatch) -> ImportAnalysis:
    """Re-read a previewed batch's kept file with its chosen entity, mapping and date order.

    Raises ImportFileError when the file is no longer kept (or can no longer be read).
    """
    path = _storage(batch.id)
    if batch.status != "previewed" or not path.exists():
        raise ImportFileError("The uploaded file is no longer kept. Upload it again to import it.")
    table = read_upload(path.read_bytes(), batch.filename)
    summary = batch.summary or {}
    return analyse_table(ws, table, batch.filename, entity=batch.entity or None,
                         mapping=summary.get("mapping") if summary.get("mapping_origin") == "chosen" else None,
                         dayfirst=summary.get("dayfirst", True))


def set_batch_options(ws: Workspace, batch: ImportBatch, entity: str, dayfirst: bool) -> ImportAnalysis:
    """Change what a previewed file holds and how its dates read; the mapping is detected again."""
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}")
    batch.entity = entity
    batch.summary = {**(batch.summary or {}), "dayfirst": dayfirst, "mapping_origin": "detected"}
    analysis = analyse_batch(ws, batch)
    _remember_analysis(batch, analysis)
    return analysis


def set_batch_mapping(ws: Workspace, batch: ImportBatch, headers: list[str], mapping: Mapping[str, str]
                      ) -> ImportAnalysis:
    """Use the learner's column mapping for this file, and remember it for files with the same headers."""
    clean = {h: (mapping.get(h) or "") for h in headers if h}
    fingerprint = mapping_fingerprint(headers)
    ws.column_mappings = {**(ws.column_mappings or {}), fingerprint: clean}
    batch.summary = {**(batch.summary or {}), "mapping": clean, "mapping_origin": "chosen"}
    analysis = analyse_batch(ws, batch)
    _remember_analysis(batch, analysis)
    return analysis


def _entity_of_mapping(mapping: Mapping[str, str]) -> str | None:
    used = {f for f in mapping.values() if f}
    for entity in ENTITIES:
        allowed = set(importing.FIELDS[entity]) | set(importing.HELPER_FIELDS.get(entity, ()))
        if used and used <= allowed:
            return entity
    return None


def analyse_table(ws: Workspace, table: Table, filename: str, *, entity: str | None = None,
                  mapping: Mapping[str, str] | None = None, dayfirst: bool = True) -> ImportAnalysis:
    """Recognise a table, validate every row against the workspace and resolve each to a record.

    The mapping is, in order: `mapping` (chosen for this batch), the workspace's remembered mapping for
    these headers, or what detect_format recognised. Reads the workspace in a fixed number of queries.
    """
    fingerprint = mapping_fingerprint(table.headers)
    saved = (ws.column_mappings or {}).get(fingerprint)
    detected = detect_format(table.headers, entity)  # type: ignore[arg-type]
    if mapping is not None:
        used, origin = dict(mapping), "chosen"
    elif saved and (entity is None or _entity_of_mapping(saved) in (entity, None)):
        used, origin = dict(saved), "saved"
    else:
        used, origin = dict(detected.mapping), "detected"
    chosen_entity = entity or (detected.entity if origin == "detected" else _entity_of_mapping(used))
    chosen_entity = chosen_entity or detected.entity
    analysis = ImportAnalysis(filename=filename, table=table, source=detected.source, entity=chosen_entity,
                              mapping=used, mapping_origin=origin, fingerprint=fingerprint,
                              ignored=detected.ignored, dayfirst=dayfirst)
    if chosen_entity is None:
        return analysis
    allowed = set(importing.FIELDS[chosen_entity]) | set(importing.HELPER_FIELDS.get(chosen_entity, ()))
    used = {h: f for h, f in used.items() if f in allowed}
    analysis.mapping = used
    index = _WorkspaceIndex(ws, chosen_entity)
    try:
        plan = validate(table, used, chosen_entity, existing=index.keys,  # type: ignore[arg-type]
                        account_resolver=index.resolver, dayfirst=dayfirst)
    except MissingColumnsError as exc:
        analysis.missing = exc
        return analysis
    mapped = {f for f in used.values() if f}
    # Fields validate() derives from others count as mapped: names from a full name, won from the stage.
    if "full_name" in mapped:
        mapped |= {"first_name", "last_name"}
    if mapped & {"stage", "is_closed"}:
        mapped.add("is_won")
    analysis.errors = [_clearer(e, index) for e in plan.errors]
    analysis.merges = [str(m) for m in plan.merges if m.kind == "in_file"]
    index.resolve(plan.rows, mapped, analysis)
    actions = [row.action for row in analysis.rows]
    analysis.counts = ImportCounts(
        total=plan.summary.total, new=actions.count("new"), updated=actions.count("update"),
        unchanged=actions.count("unchanged"), merged=len(analysis.merges),
        rejected=len({e.line for e in plan.errors}))
    return analysis


def _clearer(error: RowError, index: _WorkspaceIndex) -> RowError:
    """Say "fits more than one account" instead of "no account named" when a name was ambiguous."""
    match = index.matches.get(error.line or -1)
    if match is not None and match.reason in ("ambiguous_name", "ambiguous_domain") and error.field in (
            "account_name", "account_external_id"):
        names = ", ".join(f"'{index.account_names.get(i, i)}'" for i in match.suggestions[:3])
        what = "name" if match.reason == "ambiguous_name" else "email domain"
        return RowError(error.line, error.field,
                        f"the account {what} fits more than one account in your workspace ({names}); "
                        "give the Account ID, or make the names distinct")
    return error


def _remember_analysis(batch: ImportBatch, analysis: ImportAnalysis) -> None:
    batch.entity = analysis.entity or ""
    batch.source = analysis.source
    batch.summary = {
        **(batch.summary or {}),
        "headers": analysis.table.headers,
        "mapping": analysis.mapping,
        "mapping_origin": analysis.mapping_origin,
        "dayfirst": analysis.dayfirst,
        "counts": analysis.counts.as_dict(),
    }
    batch.errors = _error_records(analysis)


def _error_records(analysis: ImportAnalysis) -> list[dict]:
    cells = dict(analysis.table.rows)
    headers = analysis.table.headers
    out = []
    for e in analysis.errors:
        row = cells.get(e.line or -1)
        out.append({"line": e.line, "field": e.field, "reason": e.reason,
                    "values": dict(zip(headers, row, strict=False)) if row else {}})
    if analysis.missing is not None:
        out.append({"line": None, "field": None, "reason": analysis.missing.message, "values": {}})
    return out


def batch_errors(ws: Workspace, batch: ImportBatch) -> tuple[list[str], list[dict]]:
    """Return (the file's headers, its rejected rows): fresh from the kept file, else as stored at import."""
    if upload_kept(batch):
        try:
            analysis = analyse_batch(ws, batch)
        except ImportFileError:
            pass
        else:
            return list(analysis.table.headers), _error_records(analysis)
    return list((batch.summary or {}).get("headers") or []), list(batch.errors or [])


def errors_csv(headers: list[str], records: Iterable[Mapping[str, Any]]) -> bytes:
    """Return rejected rows as CSV: line, column, reason, then the row as it was uploaded.

    Every cell is guarded against formula injection (exporting.safe_cell). UTF-8 with a BOM for Excel.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in ["line", "column", "reason", *headers]])
    for e in records:
        values = e.get("values") or {}
        cells = (e.get("line"), e.get("field"), e.get("reason"), *(values.get(h, "") for h in headers))
        writer.writerow(["" if v is None else safe_cell(str(v)) for v in cells])
    return buffer.getvalue().encode("utf-8-sig")


def preview_rows(analysis: ImportAnalysis, limit: int = 10) -> tuple[list[str], list[tuple[int, str, dict]]]:
    """Return (canonical fields to show, the first accepted rows as (line, action, values))."""
    rows = analysis.rows[:limit]
    if not analysis.entity:
        return [], []
    fields = [f for f in (*importing.FIELDS[analysis.entity], "domain")
              if any(r.values.get(f) not in (None, "", ()) for r in rows)]
    return fields, [(r.line, r.action, r.values) for r in rows]


def column_samples(analysis: ImportAnalysis, limit: int = 3) -> dict[str, list[str]]:
    """Return up to `limit` distinct non-empty example values per column header, for the mapping form."""
    samples: dict[str, list[str]] = {h: [] for h in analysis.table.headers if h}
    for _line, cells in analysis.table.rows[:200]:
        for header, cell in zip(analysis.table.headers, cells, strict=False):
            values = samples.get(header)
            text = cell.strip()[:40]
            if values is not None and text and len(values) < limit and text not in values:
                values.append(text)
    return samples


def outcome_message(analysis: ImportAnalysis, counts: ImportCounts) -> str:
    """Return the one-line summary shown after an import."""
    what = analysis.entity or "records"
    parts = [f"{counts.new} new", f"{counts.updated} updated"]
    if counts.unchanged:
        parts.append(f"{counts.unchanged} unchanged")
    text = f"Imported {what} from {analysis.filename}: {', '.join(parts)}."
    if counts.merged:
        text += f" {counts.merged} duplicate rows were merged."
    if counts.rejected:
        text += f" {counts.rejected} rows with errors were left out."
    return text


@dataclass(frozen=True)
class RoleSuggestion:
    """What a contact's title (and CRM role) suggest, beside what the contact holds now."""

    suggested: tuple[str, ...]
    current: tuple[str, ...]
    set_by_learner: bool

    @property
    def differs(self) -> bool:
        return set(self.suggested) != set(self.current)


def role_suggestion(contact: Contact) -> RoleSuggestion:
    """Return the title-based suggestion (roles.suggest_roles with no learner choice) and the current roles."""
    suggested = suggest_roles(contact.title, [contact.crm_role], ())
    return RoleSuggestion(suggested, tuple(contact.roles or ()), bool(contact.roles_set_by_learner))


def handoff_defaults(ws: Workspace, signal_id: int | None) -> dict[str, Any]:
    """Return form values for a handoff started from one of the workspace's signals ({} if none)."""
    signal = db.session.get(Signal, signal_id) if signal_id else None
    if signal is None or signal.workspace_id != ws.id:
        return {}
    contact = db.session.get(Contact, signal.contact_id) if signal.contact_id else None
    summary = signal.type.replace("_", " ") + (f" on {signal.topic}" if signal.topic else "")
    return {"account_id": signal.account_id, "signal_id": signal.id,
            "contact_email": contact.email if contact else None,
            "contact_role": (contact.roles or [""])[0] if contact else "",
            "engagement_summary": f"{summary} ({signal.occurred_at:%d %b %Y})"}


def apply_import(ws: Workspace, user: User, analysis: ImportAnalysis, *, only_valid: bool = False,
                 batch: ImportBatch | None = None, log_unchanged: bool = True) -> ImportCounts:
    """Write an analysed file into the workspace: new records added, matched ones updated. Flushes.

    Never blanks a filled field with an empty cell. Records one 'imported' statement with the counts
    (skipped when nothing changed and `log_unchanged` is False, so re-running the demo changes nothing).
    Raises ImportRefused when the file has rejected rows (or cannot be read as mapped) and `only_valid`
    is not set.
    """
    if not analysis.ready or analysis.needs_mapping:
        raise ImportRefused("Choose what the file holds and confirm how its columns are read first.")
    if analysis.errors and not only_valid:
        raise ImportRefused(f"{analysis.counts.rejected} rows have errors. Fix them and upload the file again, "
                            "or import only the valid rows.")
    if not analysis.rows:
        raise ImportRefused("No row of this file can be imported.")
    entity = analysis.entity
    assert entity is not None
    model = MODELS[entity]
    now = utcnow()
    new_rows = []
    for row in analysis.rows:
        if row.target is None:
            new_rows.append({"organization_id": ws.organization_id, "workspace_id": ws.id, **row.changes})
        elif row.changes:
            for name, value in row.changes.items():
                setattr(row.target, name, value)
            if hasattr(row.target, "updated_at"):
                row.target.updated_at = now
    db.session.flush()
    if new_rows:
        # An ORM bulk INSERT (executemany, column defaults applied): ten times faster than one object a row.
        db.session.execute(insert(model), new_rows)
    counts = analysis.counts
    if batch is None:
        batch = ImportBatch(organization_id=ws.organization_id, workspace_id=ws.id, user_id=user.id,
                            filename=analysis.filename, entity=entity, source=analysis.source, summary={},
                            errors=[])
        if not log_unchanged and not (counts.new or counts.updated):
            return counts
        db.session.add(batch)
        _remember_analysis(batch, analysis)
    batch.status = "imported"
    batch.summary = {**(batch.summary or {}), "counts": counts.as_dict(), "imported_at": now.isoformat()}
    db.session.flush()
    _statement(user, "imported", ws, "import", batch.id, f"{entity} from {analysis.filename}",
               {"entity": entity, "source": analysis.source, **counts.as_dict()})
    return counts


def claim_batch(batch: ImportBatch) -> bool:
    """Lock a batch's row for this transaction and return True if it still waits to be imported.

    A second click on Import, arriving while the first is still writing, then finds it imported.
    """
    db.session.refresh(batch, with_for_update=True)
    return batch.status == "previewed"


def discard_upload(batch: ImportBatch) -> None:
    """Delete the kept bytes of an applied batch (call after the commit)."""
    _storage(batch.id).unlink(missing_ok=True)


def import_file(ws: Workspace, user: User, filename: str, data: bytes, *, entity: str | None = None,
                only_valid: bool = False, log_unchanged: bool = True) -> tuple[ImportAnalysis, ImportCounts]:
    """Analyse and apply a file in one go (demo data, benchmarks); returns (analysis, counts). Flushes.

    Raises ImportFileError when the file cannot be read and ImportRefused as apply_import does.
    """
    table = read_upload(data, filename)
    analysis = analyse_table(ws, table, filename, entity=entity)
    if analysis.missing is not None:
        raise ImportRefused(analysis.missing.message)
    counts = apply_import(ws, user, analysis, only_valid=only_valid, log_unchanged=log_unchanged)
    return analysis, counts


def recent_batches(ws: Workspace, limit: int = 10) -> list[ImportBatch]:
    """Return the workspace's latest imports and previews, newest first."""
    return list(db.session.scalars(select(ImportBatch).where(ImportBatch.workspace_id == ws.id)
                                   .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(limit)))


@lru_cache(maxsize=65536)
def _title_facts(title: str | None, crm: str | None) -> tuple[str, str, tuple[str, ...]]:
    """(seniority, function, roles) for a title and CRM role; titles repeat a lot, so this is cached.

    The roles are infer_roles(title, [crm]) without reading the title twice: the title's role joined with
    the CRM roles (infer_roles of no title), in BUYING_ROLES order.
    """
    inferred = infer_title(title)
    roles = set(infer_roles(None, [crm])) | ({inferred.role} - {"unknown"})
    return inferred.seniority, inferred.function, tuple(r for r in BUYING_ROLES if r in roles)


def _key(value: Any) -> str:
    return canonical_external_id(str(value)) if value not in (None, "") else ""


class _WorkspaceIndex:
    """The workspace read once for an import (a fixed number of queries, whatever the size).

    Holds the ExistingKeys that validate() dedupes on, the AccountIndex that links rows to accounts, and
    the records of the imported entity so each accepted row resolves to the record it updates.
    """

    def __init__(self, ws: Workspace, entity: str) -> None:
        self.ws, self.entity = ws, entity
        self.keys = ExistingKeys()
        self.matches: dict[int, Match] = {}
        self._matched: dict[tuple, Match] = {}
        wid = ws.id
        # Accounts: full rows when importing accounts, a few columns otherwise.
        self.accounts_by_key: dict[str, Any] = {}
        self.account_names: dict[int, str] = {}
        if entity == "accounts":
            accounts = list(db.session.scalars(select(Account).where(Account.workspace_id == wid)))
            for a in accounts:
                self.keys.add_account({"name": a.name, "domain": a.domain, "website": a.website,
                                       "external_id": a.external_id})
                self._index_account(a)
            return
        account_rows = db.session.execute(select(Account.id, Account.name, Account.website, Account.domain,
                                                 Account.external_id).where(Account.workspace_id == wid)).all()
        self.account_names = {r.id: r.name for r in account_rows}
        # Contacts: full rows when importing contacts; id, account and email otherwise.
        contact_domains: dict[int, set[str]] = {}
        self.contacts_by_email: dict[str, Any] = {}
        self.contacts_by_ext: dict[str, Any] = {}
        if entity in ("contacts", "signals", "handoffs"):
            if entity == "contacts":
                contacts = list(db.session.scalars(select(Contact).where(Contact.workspace_id == wid)))
            else:
                contacts = db.session.execute(select(Contact.id, Contact.account_id, Contact.email,
                                                     Contact.external_id).where(Contact.workspace_id == wid)).all()
            for c in contacts:
                if c.email:
                    self.contacts_by_email.setdefault(c.email, c)
                    self.keys.contact_emails.setdefault(c.email, c.email)
                    if c.account_id and (d := email_domain(c.email)):
                        contact_domains.setdefault(c.account_id, set()).add(d)
                if c.external_id:
                    self.contacts_by_ext.setdefault(_key(c.external_id), c)
                    if entity == "contacts":
                        self.keys.external_ids.setdefault("contacts", {}).setdefault(_key(c.external_id),
                                                                                      c.email or c.external_id)
        self.matcher = AccountIndex(
            AccountRef(id=r.id, name=r.name, website=r.domain or r.website, external_id=r.external_id,
                       contact_domains=tuple(sorted(contact_domains.get(r.id, ()))))
            for r in account_rows)
        self.signals_by_ext: dict[str, int] = {}
        if entity == "handoffs":
            for signal_id, ext in db.session.execute(select(Signal.id, Signal.external_id).where(
                    Signal.workspace_id == wid, Signal.external_id.is_not(None))).all():
                self.signals_by_ext.setdefault(_key(ext), signal_id)
        self.by_ext: dict[str, Any] = {}
        self.by_natural: dict[tuple, Any] = {}
        if entity in ("signals", "opportunities", "handoffs"):
            model = MODELS[entity]
            for obj in db.session.scalars(select(model).where(model.workspace_id == wid)):
                if obj.external_id:
                    self.by_ext.setdefault(_key(obj.external_id), obj)
                    self.keys.external_ids.setdefault(entity, {}).setdefault(_key(obj.external_id),
                                                                             obj.external_id)
                self.by_natural.setdefault(self._natural({k: getattr(obj, k) for k in self.NATURAL[entity]}),
                                           obj)

    # -- accounts

    def _index_account(self, a: Account) -> None:
        if a.external_id:
            self.accounts_by_key.setdefault("id:" + _key(a.external_id), a)
        if a.normalised_name or a.name:
            self.accounts_by_key.setdefault("name:" + (a.normalised_name or normalise_company_name(a.name)), a)
        domain = a.domain or (registrable_domain(a.website) if a.website else None)
        if domain:
            self.accounts_by_key.setdefault("domain:" + domain, a)

    # -- linking rows to accounts

    def _match(self, values: Mapping[str, Any]) -> Match:
        key = (values.get("email") or values.get("contact_email"), values.get("account_name"),
               values.get("account_external_id"))
        match = self._matched.get(key)
        if match is None:  # validation and resolution both ask; each row is matched once
            match = self._matched[key] = match_lead(self.matcher, email=key[0], company=key[1],
                                                    account_external_id=key[2])
        return match

    def resolver(self, row: importing.CanonicalRow) -> bool:
        match = self._match(row.values)
        self.matches[row.line] = match
        return match.account_id is not None

    # Records without a CRM id are recognised on re-import by what they are about.
    NATURAL = {
        "signals": ("account_id", "contact_id", "type", "occurred_at"),
        "opportunities": ("account_id", "name"),
        "handoffs": ("account_id", "sent_at", "contact_id"),
    }

    def _natural(self, v: Mapping[str, Any]) -> tuple:
        return tuple((v.get(k) or "").casefold() if k == "name" else v.get(k) for k in self.NATURAL[self.entity])

    # -- resolving accepted rows

    def resolve(self, rows: list[importing.CanonicalRow], mapped: set[str], analysis: ImportAnalysis) -> None:
        resolve = getattr(self, f"_resolve_{self.entity}")
        pending: dict[tuple, int] = {}  # natural key -> position of a new row in analysis.rows
        for row in rows:
            resolved = resolve(row, mapped, analysis)
            if resolved is None:
                continue
            if self.entity in ("signals", "opportunities", "handoffs") and resolved.target is None:
                natural = self._natural(resolved.changes)
                # Two rows with their own CRM ids are two records, however alike they look.
                if natural in pending and not row.values.get("external_id"):
                    first = analysis.rows[pending[natural]]
                    analysis.merges.append(f"line {row.line}: same {ENTITY_SINGULAR[self.entity]} as line "
                                           f"{first.line}; merged into it")
                    continue
                pending.setdefault(natural, len(analysis.rows))
            analysis.rows.append(resolved)

    @staticmethod
    def _wanted(values: Mapping[str, Any], mapped: set[str], pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """Model attributes from canonical values: only mapped columns, and never an empty value."""
        out = {}
        for canonical, attr in pairs:
            if canonical not in mapped:
                continue
            value = values.get(canonical)
            if value is None or value == "" or value == ():
                continue
            out[attr] = list(value) if isinstance(value, tuple) else value
        return out

    @staticmethod
    def _diff(target: Any, wanted: Mapping[str, Any]) -> dict[str, Any]:
        if target is None:
            return dict(wanted)
        return {k: v for k, v in wanted.items() if getattr(target, k) != v}

    def _resolve_accounts(self, row, mapped, analysis) -> ResolvedRow:
        v = row.values
        pairs = [(f, f) for f in ("name", "website", "industry", "employees", "revenue", "region", "tier",
                                  "marketing_owner", "is_target", "icp_fit", "icp_reasons", "why_selected",
                                  "progress_definition", "sales_agreed", "sales_agreed_by", "sales_agreed_at",
                                  "sales_disagree_reason", "required_roles", "status", "external_id")]
        wanted = self._wanted(v, mapped, [*pairs, ("owner", "sales_owner")])
        if v.get("domain"):
            wanted["domain"] = v["domain"]
        target, how = None, None
        keys = []
        if v.get("external_id"):
            keys.append("id:" + _key(v["external_id"]))
        if v.get("name"):
            keys.append("name:" + normalise_company_name(v["name"]))
        if v.get("domain"):
            keys.append("domain:" + v["domain"])
        for k in keys:
            if k in self.accounts_by_key:
                target, how = self.accounts_by_key[k], k.partition(":")[0]
                break
        if target is not None:
            if target.external_id:
                wanted.pop("external_id", None)  # keep the first CRM's id: later files still match by name
            if how != "id":
                wanted.pop("name", None)  # same company by name or domain: keep the name the learner has
        if "name" in wanted:
            wanted["normalised_name"] = normalise_company_name(wanted["name"])
        if target is None:
            wanted.setdefault("required_roles", [])
            wanted.setdefault("is_target", True)
            wanted.setdefault("status", "active")
        return ResolvedRow(row.line, v, target, self._diff(target, wanted))

    def _resolve_contacts(self, row, mapped, analysis) -> ResolvedRow:
        v = row.values
        wanted = self._wanted(v, mapped, [(f, f) for f in ("first_name", "last_name", "email", "title", "phone",
                                                           "crm_role", "region", "external_id")])
        target = None
        if v.get("external_id"):
            target = self.contacts_by_ext.get(_key(v["external_id"]))
        if target is None and v.get("email"):
            target = self.contacts_by_email.get(v["email"])
        match = self._match(v)
        if match.account_id is not None:
            wanted["account_id"] = match.account_id
            who = contact_label_values(v)
            account = self.account_names.get(match.account_id, "")
            if match.reason == "domain":
                analysis.domain_matches.append((row.line, who, account, describe(match)))
            if "domain_conflict" in match.flags:
                analysis.domain_conflicts.append((row.line, who, account, describe(match)))
        if target is not None and target.external_id:
            wanted.pop("external_id", None)
        title = wanted.get("title", target.title if target is not None else None)
        crm = wanted.get("crm_role", target.crm_role if target is not None else None)
        wanted["seniority"], wanted["function"], roles = _title_facts(title, crm)
        if target is None or not target.roles_set_by_learner:
            wanted["roles"] = list(roles)
        if target is None:
            wanted["roles_set_by_learner"] = False
        return ResolvedRow(row.line, v, target, self._diff(target, wanted), match)

    def _known_contact(self, email: str | None):
        return self.contacts_by_email.get(email) if email else None

    def _resolve_signals(self, row, mapped, analysis) -> ResolvedRow:
        v = row.values
        wanted = self._wanted(v, mapped, [(f, f) for f in ("type", "topic", "occurred_at", "followed_up_at",
                                                           "followed_up_by", "external_id")])
        contact = self._known_contact(v.get("contact_email"))
        match = None
        if contact is not None and not (v.get("account_name") or v.get("account_external_id")):
            account_id = contact.account_id
        else:
            match = self._match(v)
            account_id = match.account_id
        if contact is not None:
            wanted["contact_id"] = contact.id
        elif v.get("contact_email"):
            analysis.notes.append(f"line {row.line}: no contact with the email {v['contact_email']} in your "
                                  "workspace; the signal is kept on the account only")
        if account_id is not None:
            wanted["account_id"] = account_id
        return self._by_key(row, v, wanted, match)

    def _resolve_opportunities(self, row, mapped, analysis) -> ResolvedRow:
        v = row.values
        wanted = self._wanted(v, mapped, [(f, f) for f in ("name", "stage", "amount", "currency", "created_at",
                                                           "closed_at", "is_won", "source", "external_id")])
        match = self._match(v)
        wanted["account_id"] = match.account_id
        resolved = self._by_key(row, v, wanted, match)
        if resolved.target is None:
            resolved.changes.setdefault("currency", "GBP")
        return resolved

    def _resolve_handoffs(self, row, mapped, analysis) -> ResolvedRow:
        v = row.values
        fields = ("sent_at", "contact_role", "buying_group_relevance", "engagement_summary",
                  "qualification_level", "recommended_follow_up", "sales_owner", "sla_hours", "first_touch_at",
                  "status", "rejection_reason", "sales_feedback", "meeting_booked", "external_id")
        wanted = self._wanted(v, mapped, [(f, f) for f in fields])
        match = self._match(v)
        wanted["account_id"] = match.account_id
        contact = self._known_contact(v.get("contact_email"))
        if contact is not None:
            wanted["contact_id"] = contact.id
        elif v.get("contact_email"):
            analysis.notes.append(f"line {row.line}: no contact with the email {v['contact_email']} in your "
                                  "workspace; the handoff is kept without a contact")
        if v.get("signal_external_id"):
            signal_id = self.signals_by_ext.get(_key(v["signal_external_id"]))
            if signal_id is None:
                analysis.notes.append(f"line {row.line}: no signal with the ID {v['signal_external_id']} in "
                                      "your workspace; the handoff is kept without it")
            else:
                wanted["signal_id"] = signal_id
        resolved = self._by_key(row, v, wanted, match)
        if resolved.target is None:
            resolved.changes.setdefault("status", "sent")
            resolved.changes.setdefault("meeting_booked", False)
        return resolved

    def _by_key(self, row, v, wanted, match) -> ResolvedRow:
        target = self.by_ext.get(_key(v.get("external_id"))) if v.get("external_id") else None
        if target is None:
            target = self.by_natural.get(self._natural(wanted))
            if target is not None and target.external_id and v.get("external_id"):
                target = None  # a different CRM record that happens to look alike
        if target is not None and target.external_id:
            wanted.pop("external_id", None)
        return ResolvedRow(row.line, v, target, self._diff(target, wanted), match)


def contact_label_values(values: Mapping[str, Any]) -> str:
    """Return "First Last <email>" (or what there is of it) for an import row's contact."""
    name = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
    email = values.get("email")
    if name and email:
        return f"{name} <{email}>"
    return name or email or "this contact"


# --------------------------------------------------------------------------------------------- export


def export_records(ws: Workspace, entity: str) -> list[dict[str, Any]]:
    """Return the workspace's records of `entity` as canonical dicts (importing.FIELDS), in one query."""
    wid = ws.id
    if entity == "accounts":
        rows = db.session.scalars(select(Account).where(Account.workspace_id == wid)
                                  .order_by(func.lower(Account.name), Account.id))
        return [{**{f: getattr(a, f, None) for f in importing.FIELDS["accounts"] if f != "owner"},
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
    _statement(user, "exported", ws, "workspace", ws.id, ws.name, {"entity": entity, "format": fmt, "style": style})
    return data

