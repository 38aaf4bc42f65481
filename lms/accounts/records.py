"""Create, update and delete the workspace's accounts, contacts, signals, opportunities and handoffs.

Each change records a statement and flushes; the view commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from lms.abm.domains import email_domain, is_free_mail, registrable_domain
from lms.abm.matching import SUGGEST_LIMIT, AccountIndex, AccountRef, normalise_company_name
from lms.abm.roles import infer_roles, infer_title, suggest_roles
from lms.abm.vocabulary import BUYING_ROLES
from lms.accounts import picks
from lms.accounts.models import Account, Contact, Handoff, Opportunity, Signal, Workspace
from lms.accounts.workspaces import record_statement
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.paging import Page, paginate

ACCOUNT_FIELDS = ("name", "website", "industry", "employees", "revenue", "region", "tier", "icp_fit",
                  "icp_reasons", "why_selected", "sales_owner", "marketing_owner", "progress_definition",
                  "is_target", "required_roles", "status")
UNLINKED_PER_PAGE = 25  # the queue of contacts with no account yet
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
    record_statement(user, "created", ws, "account", account.id, account.name)
    return account


def update_account(ws: Workspace, user: User, account: Account, data: Mapping[str, Any]) -> list[str]:
    """Apply form data to an account; record 'updated' when something changed. Returns the changed fields."""
    changed = _assign(account, data, ACCOUNT_FIELDS)
    if changed:
        account.required_roles = list(account.required_roles or [])
        _account_derived(account)
        account.updated_at = utcnow()
        record_statement(user, "updated", ws, "account", account.id, account.name, {"changed": changed})
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
    record_statement(user, "deleted", ws, kind, obj_id, name)


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
        record_statement(user, "created", ws, "contact", contact.id, contact_label(contact))
    elif changed:
        contact.updated_at = utcnow()
        db.session.flush()
        record_statement(user, "updated", ws, "contact", contact.id, contact_label(contact),
                         {"changed": changed})
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
        record_statement(user, "created", ws, kind, obj.id, name)
        return obj, changed
    changed = _assign(obj, data, fields)
    if changed:
        db.session.flush()
        record_statement(user, "updated", ws, kind, obj.id, name, {"changed": changed})
    return obj, changed


@dataclass(frozen=True)
class RoleSuggestion:
    """What a contact's title (and CRM role) suggest, beside what the contact holds now."""

    suggested: tuple[str, ...]
    current: tuple[str, ...]
    set_by_learner: bool

    @property
    def differs(self) -> bool:
        """True when the suggestion and the current roles differ."""
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


def unlinked_contacts_page(ws: Workspace, page: int = 1) -> Page:
    """Return one page (UNLINKED_PER_PAGE) of the workspace's contacts with no account yet, the company they named
    first, then by name (two queries)."""
    return paginate(select(Contact).where(Contact.workspace_id == ws.id, Contact.account_id.is_(None))
                    .order_by(Contact.company.is_(None), Contact.company, Contact.last_name, Contact.id),
                    page, UNLINKED_PER_PAGE, scalars=True)


@dataclass
class LinkChoices:
    """What the queue offers for linking its contacts: up to SUGGEST_LIMIT accounts per contact that its email
    domain or company name points to, best first, each by its label, and the workspace's accounts with their labels
    (lms.accounts.picks), for typing one."""

    suggestions: dict[int, list[tuple[int, str]]]
    accounts: list[picks.Pickable]
    labels: dict[int, str]


def link_choices(ws: Workspace, contacts: Iterable[Contact]) -> LinkChoices:
    """Return the accounts to suggest for each of `contacts` (one query: the workspace's accounts, indexed as the
    importer indexes them, so the queue suggests what lead-to-account matching would)."""
    rows = db.session.execute(select(Account.id, Account.name, Account.website, Account.domain, Account.tier,
                                     Account.is_target).where(Account.workspace_id == ws.id)).all()
    index = AccountIndex(AccountRef(account_id, name, website) for account_id, name, website, *_ in rows)
    accounts = picks.in_order(picks.Pickable(i, name, domain, tier, target)
                              for i, name, _, domain, tier, target in rows)
    labels = picks.labels(accounts)
    suggestions = {}
    for contact in contacts:
        by_domain, _ = index.by_domain(email_domain(contact.email)) if contact.email else ((), False)
        ids = list(dict.fromkeys((*by_domain, *index.suggest(contact.company))))[:SUGGEST_LIMIT]
        suggestions[contact.id] = [(account_id, labels[account_id]) for account_id in ids]
    return LinkChoices(suggestions, accounts, labels)


def link_contact(ws: Workspace, user: User, contact: Contact, account: Account) -> None:
    """Link a contact with no account to an account of the workspace and record 'updated'. Flushes."""
    contact.account_id = account.id
    contact.company = None
    contact.updated_at = utcnow()
    db.session.flush()
    record_statement(user, "updated", ws, "contact", contact.id, contact_label(contact),
                     {"changed": ["account_id"], "account": account.name})


def account_from_contact(contact: Contact) -> dict[str, Any] | None:
    """Return the name and website an account for this contact would have: the company they named and their
    email's domain (a personal address gives no website); None when there is neither."""
    domain = registrable_domain(contact.email.rpartition("@")[2]) if contact.email else None
    if domain and is_free_mail(domain):
        domain = None
    name = contact.company or domain
    return {"name": name, "website": domain} if name else None


def create_account_for_contact(ws: Workspace, user: User, contact: Contact) -> Account | None:
    """Link the contact to the account its company or email domain names, creating that account if the
    workspace has none (recorded 'created'); None when the contact names no company. Flushes."""
    data = account_from_contact(contact)
    if data is None:
        return None
    existing = duplicate_account(ws, data["name"], data["website"])
    account = existing[0] if existing else create_account(ws, user, data)
    link_contact(ws, user, contact, account)
    return account
