"""Stage 5 of an import: tie validated rows to the workspace, i.e. the account each names, the record each
updates and what would change. Reads the workspace once per import, in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from lms.abm.domains import email_domain, is_valid_email, normalise_email, registrable_domain
from lms.abm.matching import (
    AccountIndex,
    AccountRef,
    Match,
    canonical_external_id,
    describe,
    match_lead,
    normalise_company_name,
)
from lms.abm.roles import TitleInference, infer_roles, infer_title
from lms.abm.vocabulary import BUYING_ROLES
from lms.accounts import importer
from lms.accounts.importer import CanonicalRow, ExistingKeys, RowError, RowWarning, person_key
from lms.accounts.labels import ENTITY_SINGULAR
from lms.accounts.models import ENTITY_MODELS, Account, Contact, Signal, Workspace
from lms.extensions import db

# Records without a CRM id are recognised on re-import by what they are about.
NATURAL = {
    "signals": ("account_id", "contact_id", "type", "occurred_at"),
    "opportunities": ("account_id", "name"),
    "handoffs": ("account_id", "sent_at", "contact_id"),
}


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
        """Return "new", "update" or "unchanged"."""
        if self.target is None:
            return "new"
        return "update" if self.changes else "unchanged"


@dataclass
class Resolution:
    """What resolve_rows found: the rows to write, and what the preview says about how they were tied."""

    rows: list[ResolvedRow] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # new rows folded into an earlier one about the same thing
    domain_matches: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, who, account, why
    domain_conflicts: list[tuple[int, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=65536)
def _title(title: str | None) -> TitleInference:
    """infer_title, once per distinct title: an import of ten thousand contacts has a few thousand titles."""
    return infer_title(title)


@lru_cache(maxsize=65536)
def _title_facts(title: str | None, crm: str | None) -> tuple[str, str, tuple[str, ...]]:
    """(seniority, function, roles) for a title and CRM role.

    The roles are infer_roles(title, [crm]) without reading the title again: the title's role joined with
    the CRM roles (infer_roles of no title), in BUYING_ROLES order.
    """
    inferred = _title(title)
    roles = set(infer_roles(None, [crm])) | ({inferred.role} - {"unknown"})
    return inferred.seniority, inferred.function, tuple(r for r in BUYING_ROLES if r in roles)


def clear_caches() -> None:
    """Forget every memo of the import's stages (title facts; company names checked for free mail), so
    benchmarks and tests start cold, as a fresh worker does."""
    _title_facts.cache_clear()
    _title.cache_clear()
    importer.clear_caches()


def record_columns(model: type) -> list[Any]:
    """Return a model's mapped columns, to select its records as plain rows (attributes named as the model's)."""
    return [prop.class_attribute for prop in model.__mapper__.column_attrs]


def _key(value: Any) -> str:
    return canonical_external_id(str(value)) if value not in (None, "") else ""


class WorkspaceIndex:
    """The workspace read once for an import (a fixed number of queries, whatever the size).

    Holds the ExistingKeys that validate() dedupes on, the AccountIndex that links rows to accounts, and
    the records of the imported entity so each accepted row resolves to the record it updates. Records are
    read as plain rows of their columns rather than ORM objects (ten thousand contacts load several times
    faster); lms.accounts.batches writes their changes back with a bulk UPDATE.
    """

    def __init__(self, ws: Workspace, entity: str) -> None:
        self.ws, self.entity = ws, entity
        self.keys = ExistingKeys()
        self.matches: dict[int, Match] = {}
        self._matched: dict[tuple, Match] = {}
        self.accounts_by_key: dict[str, Any] = {}
        self.account_names: dict[int, str] = {}
        self.contacts_by_email: dict[str, Any] = {}
        self.contacts_by_ext: dict[str, Any] = {}
        self._contacts: list[Any] = []
        self._by_person: dict[tuple[str, int | None], Any] | None = None  # built when a row without email asks
        self.signals_by_ext: dict[str, int] = {}
        self.by_ext: dict[str, Any] = {}
        self.by_natural: dict[tuple, Any] = {}
        self.matcher: AccountIndex | None = None
        wid = ws.id
        if entity == "accounts":  # full rows when importing accounts, a few columns otherwise
            for a in db.session.execute(select(*record_columns(Account)).where(Account.workspace_id == wid)):
                self.keys.add_account({"name": a.name, "domain": a.domain, "website": a.website,
                                       "external_id": a.external_id})
                self._index_account(a)
            return
        account_rows = db.session.execute(select(Account.id, Account.name, Account.website, Account.domain,
                                                 Account.external_id).where(Account.workspace_id == wid)).all()
        self.account_names = {r.id: r.name for r in account_rows}
        contact_domains = self._load_contacts(wid) if entity in ("contacts", "signals", "handoffs") else {}
        self.matcher = AccountIndex(
            AccountRef(id=r.id, name=r.name, website=r.domain or r.website, external_id=r.external_id,
                       contact_domains=tuple(sorted(contact_domains.get(r.id, ()))))
            for r in account_rows)
        if entity == "handoffs":
            for signal_id, ext in db.session.execute(select(Signal.id, Signal.external_id).where(
                    Signal.workspace_id == wid, Signal.external_id.is_not(None))).all():
                self.signals_by_ext.setdefault(_key(ext), signal_id)
        if entity in NATURAL:
            self._load_records(wid)

    def _index_account(self, a: Any) -> None:
        if a.external_id:
            self.accounts_by_key.setdefault("id:" + _key(a.external_id), a)
        if a.normalised_name or a.name:
            self.accounts_by_key.setdefault("name:" + (a.normalised_name or normalise_company_name(a.name)), a)
        domain = a.domain or (registrable_domain(a.website) if a.website else None)
        if domain:
            self.accounts_by_key.setdefault("domain:" + domain, a)

    def _load_contacts(self, wid: int) -> dict[int, set[str]]:
        """Index contacts by email and CRM id (full rows when importing contacts); return account -> domains."""
        if self.entity == "contacts":
            contacts = self._contacts = db.session.execute(
                select(*record_columns(Contact)).where(Contact.workspace_id == wid)).all()
        else:
            contacts = db.session.execute(select(Contact.id, Contact.account_id, Contact.email,
                                                 Contact.external_id).where(Contact.workspace_id == wid)).all()
        contact_domains: dict[int, set[str]] = {}
        for c in contacts:
            if c.email:
                self.contacts_by_email.setdefault(c.email, c)
                self.keys.contact_emails.setdefault(c.email, c.email)
                if c.account_id and (d := email_domain(c.email)):
                    contact_domains.setdefault(c.account_id, set()).add(d)
            if c.external_id:
                self.contacts_by_ext.setdefault(_key(c.external_id), c)
                if self.entity == "contacts":
                    self.keys.external_ids.setdefault("contacts", {}).setdefault(_key(c.external_id),
                                                                                  c.email or c.external_id)
        return contact_domains

    def _load_records(self, wid: int) -> None:
        """Index the imported entity's signals, opportunities or handoffs by CRM id and by what they are about."""
        entity = self.entity
        model = ENTITY_MODELS[entity]
        for obj in db.session.execute(select(*record_columns(model)).where(model.workspace_id == wid)):
            if obj.external_id:
                self.by_ext.setdefault(_key(obj.external_id), obj)
                self.keys.external_ids.setdefault(entity, {}).setdefault(_key(obj.external_id), obj.external_id)
            self.by_natural.setdefault(self.natural({k: getattr(obj, k) for k in NATURAL[entity]}), obj)

    def contact_by_person(self, person: str, account_id: int | None):
        """Return the workspace's contact (row) with this folded name at this account (or at none), or None."""
        if self._by_person is None:  # most files give every contact an email: fold the names only when asked
            self._by_person = {}
            for c in self._contacts:
                if found := person_key({"first_name": c.first_name, "last_name": c.last_name}):
                    self._by_person.setdefault((found, c.account_id), c)
        return self._by_person.get((person, account_id))

    def match(self, values: Mapping[str, Any]) -> Match:
        """Return the account match of a row's email, account name and account id.

        match_lead reads an email only for whether it is valid and for its domain, so the rows naming the same
        account in the same way from the same email domain are matched once: validation and resolution both
        ask, and ten thousand contacts at five hundred companies make a few hundred matches.
        """
        email = normalise_email(values.get("email") or values.get("contact_email"))
        # A valid address's domain is everything after its last "@" (a domain holds no "@").
        domain = (email.rpartition("@")[2] if is_valid_email(email) else None) if email else ""
        key = (domain, values.get("account_name"), values.get("account_external_id"))
        match = self._matched.get(key)
        if match is None:
            match = self._matched[key] = match_lead(self.matcher, email=email, company=key[1],
                                                    account_external_id=key[2])
        return match

    def resolver(self, row: CanonicalRow) -> bool:
        """validate()'s account_resolver: return True if the row names an account of the workspace."""
        match = self.match(row.values)
        self.matches[row.line] = match
        return match.account_id is not None

    def natural(self, values: Mapping[str, Any]) -> tuple:
        """Return the key a record without a CRM id is recognised by (NATURAL), names compared casefolded."""
        return tuple((values.get(k) or "").casefold() if k == "name" else values.get(k)
                     for k in NATURAL[self.entity])

    def known_contact(self, email: str | None):
        """Return the workspace's contact (row) with this email, or None."""
        return self.contacts_by_email.get(email) if email else None

    def ambiguity(self, line: int | None, field_: str | None) -> str | None:
        """Return "the account name fits more than one account …" when the row's account was ambiguous."""
        match = self.matches.get(line or -1)
        if match is not None and match.reason in ("ambiguous_name", "ambiguous_domain") and field_ in (
                "account_name", "account_external_id"):
            names = ", ".join(f"'{self.account_names.get(i, i)}'" for i in match.suggestions[:3])
            what = "name" if match.reason == "ambiguous_name" else "email domain"
            return (f"the account {what} fits more than one account in your workspace ({names}); "
                    "give the Account ID, or make the names distinct")
        return None

    def explain(self, error: RowError) -> RowError:
        """Return the error, saying "fits more than one account" instead of "no account named" when ambiguous."""
        reason = self.ambiguity(error.line, error.field)
        return error if reason is None else RowError(error.line, error.field, reason)

    def explain_warning(self, warning: RowWarning) -> RowWarning:
        """Return a "no account yet" warning saying "fits more than one account" when that was the reason."""
        reason = self.ambiguity(warning.line, warning.field) if warning.kind == "no_account" else None
        if reason is None:
            return warning
        who = warning.message.partition(": ")[0]
        return RowWarning(warning.line, warning.field, warning.kind, f"{who}: {reason}")


def resolve_rows(index: WorkspaceIndex, rows: list[CanonicalRow], mapped: set[str]) -> Resolution:
    """Return each accepted row tied to the record it updates (or none), with what would change.

    `mapped` holds the canonical fields the file has a column for: only those are written, never an empty
    value. New signals, opportunities and handoffs about the same thing (and without their own CRM ids) are
    merged into the first.
    """
    resolve = _RESOLVERS[index.entity]
    out = Resolution()
    pending: dict[tuple, int] = {}  # natural key -> position of a new row in out.rows
    for row in rows:
        resolved = resolve(index, row, mapped, out)
        if index.entity in NATURAL and resolved.target is None:
            natural = index.natural(resolved.changes)
            # Two rows with their own CRM ids are two records, however alike they look.
            if natural in pending and not row.values.get("external_id"):
                first = out.rows[pending[natural]]
                out.merges.append(f"line {row.line}: same {ENTITY_SINGULAR[index.entity]} as line "
                                  f"{first.line}; merged into it")
                continue
            pending.setdefault(natural, len(out.rows))
        out.rows.append(resolved)
    return out


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


def _diff(target: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    if target is None:
        return wanted  # each row's own dict: a new record takes all of it
    return {k: v for k, v in wanted.items() if getattr(target, k) != v}


def _same(*fields: str) -> tuple[tuple[str, str], ...]:
    return tuple((f, f) for f in fields)


# The canonical fields each entity writes, with the model attribute each is written to.
_WRITTEN = {
    "accounts": (*_same("name", "website", "industry", "employees", "revenue", "region", "tier", "marketing_owner",
                        "is_target", "icp_fit", "icp_reasons", "why_selected", "progress_definition",
                        "required_roles", "status", "external_id"), ("owner", "sales_owner")),
    "contacts": _same("first_name", "last_name", "email", "title", "phone", "crm_role", "region", "external_id"),
    "signals": _same("type", "topic", "occurred_at", "followed_up_at", "followed_up_by", "external_id"),
    "opportunities": _same("name", "stage", "amount", "currency", "created_at", "closed_at", "is_won", "source",
                           "external_id"),
    "handoffs": _same("sent_at", "contact_role", "buying_group_relevance", "engagement_summary",
                      "qualification_level", "recommended_follow_up", "sales_owner", "sla_hours", "first_touch_at",
                      "status", "rejection_reason", "sales_feedback", "meeting_booked", "external_id"),
}


def _resolve_accounts(index: WorkspaceIndex, row: CanonicalRow, mapped: set[str], out: Resolution) -> ResolvedRow:
    v = row.values
    wanted = _wanted(v, mapped, _WRITTEN["accounts"])
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
        if k in index.accounts_by_key:
            target, how = index.accounts_by_key[k], k.partition(":")[0]
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
    return ResolvedRow(row.line, v, target, _diff(target, wanted))


def _resolve_contacts(index: WorkspaceIndex, row: CanonicalRow, mapped: set[str], out: Resolution) -> ResolvedRow:
    v = row.values
    wanted = _wanted(v, mapped, _WRITTEN["contacts"])
    target = None
    match = index.match(v)
    if v.get("external_id"):
        target = index.contacts_by_ext.get(_key(v["external_id"]))
    if target is None and v.get("email"):
        target = index.contacts_by_email.get(v["email"])
    if target is None and not v.get("email") and (person := person_key(v)):
        # Without an email, the same person at the same account (or at none) is the same contact.
        target = index.contact_by_person(person, match.account_id)
    if (match.account_id is None and "account_name" in mapped and v.get("account_name")
            and (target is None or target.account_id is None)):
        wanted["company"] = v["account_name"]  # kept for "Contacts with no account yet"
    if match.account_id is not None:
        wanted["account_id"] = match.account_id
        who = contact_label_values(v)
        account = index.account_names.get(match.account_id, "")
        if match.reason == "domain":
            out.domain_matches.append((row.line, who, account, describe(match)))
        if "domain_conflict" in match.flags:
            out.domain_conflicts.append((row.line, who, account, describe(match)))
    if target is not None and target.external_id:
        wanted.pop("external_id", None)
    title = wanted.get("title", target.title if target is not None else None)
    crm = wanted.get("crm_role", target.crm_role if target is not None else None)
    wanted["seniority"], wanted["function"], roles = _title_facts(title, crm)
    if target is None or not target.roles_set_by_learner:
        wanted["roles"] = list(roles)
    if target is None:
        wanted["roles_set_by_learner"] = False
    return ResolvedRow(row.line, v, target, _diff(target, wanted), match)


def _resolve_signals(index: WorkspaceIndex, row: CanonicalRow, mapped: set[str], out: Resolution) -> ResolvedRow:
    v = row.values
    wanted = _wanted(v, mapped, _WRITTEN["signals"])
    contact = index.known_contact(v.get("contact_email"))
    match = None
    if contact is not None and not (v.get("account_name") or v.get("account_external_id")):
        account_id = contact.account_id
    else:
        match = index.match(v)
        account_id = match.account_id
    if contact is not None:
        wanted["contact_id"] = contact.id
    elif v.get("contact_email"):
        out.notes.append(f"line {row.line}: no contact with the email {v['contact_email']} in your "
                         "workspace; the signal is kept on the account only")
    if account_id is not None:
        wanted["account_id"] = account_id
    return _by_key(index, row, wanted, match)


def _resolve_opportunities(index: WorkspaceIndex, row: CanonicalRow, mapped: set[str],
                           out: Resolution) -> ResolvedRow:
    v = row.values
    wanted = _wanted(v, mapped, _WRITTEN["opportunities"])
    match = index.match(v)
    wanted["account_id"] = match.account_id
    resolved = _by_key(index, row, wanted, match)
    if resolved.target is None:
        resolved.changes.setdefault("currency", "GBP")
    return resolved


def _resolve_handoffs(index: WorkspaceIndex, row: CanonicalRow, mapped: set[str], out: Resolution) -> ResolvedRow:
    v = row.values
    wanted = _wanted(v, mapped, _WRITTEN["handoffs"])
    match = index.match(v)
    wanted["account_id"] = match.account_id
    contact = index.known_contact(v.get("contact_email"))
    if contact is not None:
        wanted["contact_id"] = contact.id
    elif v.get("contact_email"):
        out.notes.append(f"line {row.line}: no contact with the email {v['contact_email']} in your "
                         "workspace; the handoff is kept without a contact")
    if v.get("signal_external_id"):
        signal_id = index.signals_by_ext.get(_key(v["signal_external_id"]))
        if signal_id is None:
            out.notes.append(f"line {row.line}: no signal with the ID {v['signal_external_id']} in "
                             "your workspace; the handoff is kept without it")
        else:
            wanted["signal_id"] = signal_id
    resolved = _by_key(index, row, wanted, match)
    if resolved.target is None:
        resolved.changes.setdefault("status", "sent")
        resolved.changes.setdefault("meeting_booked", False)
    return resolved


def _by_key(index: WorkspaceIndex, row: CanonicalRow, wanted: dict[str, Any], match: Match | None) -> ResolvedRow:
    """Resolve a signal, opportunity or handoff row by its CRM id, else by what it is about."""
    v = row.values
    target = index.by_ext.get(_key(v.get("external_id"))) if v.get("external_id") else None
    if target is None:
        target = index.by_natural.get(index.natural(wanted))
        if target is not None and target.external_id and v.get("external_id"):
            target = None  # a different CRM record that happens to look alike
    if target is not None and target.external_id:
        wanted.pop("external_id", None)
    return ResolvedRow(row.line, v, target, _diff(target, wanted), match)


_RESOLVERS = {"accounts": _resolve_accounts, "contacts": _resolve_contacts, "signals": _resolve_signals,
              "opportunities": _resolve_opportunities, "handoffs": _resolve_handoffs}


def contact_label_values(values: Mapping[str, Any]) -> str:
    """Return "First Last <email>" (or what there is of it) for an import row's contact."""
    name = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
    email = values.get("email")
    if name and email:
        return f"{name} <{email}>"
    return name or email or "this contact"
