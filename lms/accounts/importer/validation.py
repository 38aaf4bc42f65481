"""Stage 4 of an import: a mapped Table -> an ImportPlan of canonical rows, rejected lines with reasons, merges.

Pure. Each row's cells are parsed (values), checked against its record type's rules, linked to an account
and deduplicated within the file and against the keys of the records already in the workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from lms.abm.domains import is_free_mail, normalise_email, registrable_domain
from lms.abm.matching import normalise_company_name
from lms.accounts.fields import HELPER_FIELDS, IMPORT_FIELDS, Entity
from lms.accounts.importer.reading import ImportFileError, RowError, Table
from lms.accounts.importer.row_rules import (
    KEY_FIELDS,
    MAX_LENGTHS,
    NAME_FIELDS,
    REQUIRED_COLUMNS,
    TEXT_LIMIT,
    RowWarning,
    contact_called,
    looks_free_mail,
    person_key,
)
from lms.accounts.importer.values import (
    BadValue,
    clean_cell,
    id_key,
    is_blank_marker,
    parse_value,
    split_full_name,
    value_kind,
)
from lms.accounts.labels import ENTITY_SINGULAR


class MissingColumnsError(ImportFileError):
    """The mapping leaves out a column the entity needs; `missing` names the canonical fields."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class CanonicalRow:
    """An accepted row. `action` is "new", or "update" when it matches a workspace record named by `match`."""

    line: int
    values: dict[str, Any]
    action: Literal["new", "update"] = "new"
    match: str | None = None


@dataclass(frozen=True)
class Merge:
    """A row folded into an earlier row of the file (`in_file`) or matched to a workspace record (`existing`)."""

    line: int
    key: str  # e.g. "name:larkspur devices", "domain:larkspur-devices.example", "email:jo@x.example"
    into: str  # "line 4" for in_file; the workspace record's label for existing
    kind: Literal["in_file", "existing"]

    def __str__(self) -> str:
        what, _, value = self.key.partition(":")
        if self.kind == "in_file":
            return f"line {self.line}: same {what} as {self.into} ({value}); merged into it"
        return f"line {self.line}: same {what} as '{self.into}' in your workspace ({value}); will update it"


@dataclass(frozen=True)
class ImportSummary:
    """How many rows a file has, and how many are new, update a record, were merged or rejected."""

    total: int
    new: int
    updated: int  # rows matching a workspace record
    merged: int  # rows folded into an earlier row of the file
    rejected: int


@dataclass(frozen=True)
class ImportPlan:
    """The outcome of validate(): rows to write, rejected rows with reasons, merges, and counts."""

    entity: Entity
    rows: list[CanonicalRow]
    errors: list[RowError]
    merges: list[Merge]
    summary: ImportSummary
    warnings: list[RowWarning] = field(default_factory=list)


@dataclass
class ExistingKeys:
    """Normalised keys of records already in the workspace, each mapped to a label shown in messages."""

    account_names: dict[str, str] = field(default_factory=dict)  # normalise_company_name -> name
    account_domains: dict[str, str] = field(default_factory=dict)  # registrable domain -> name
    contact_emails: dict[str, str] = field(default_factory=dict)  # normalised email -> contact label
    external_ids: dict[str, dict[str, str]] = field(default_factory=dict)  # entity -> id key -> label

    @classmethod
    def from_records(
        cls,
        accounts: Iterable[Mapping[str, Any]] = (),
        contacts: Iterable[Mapping[str, Any]] = (),
    ) -> ExistingKeys:
        """Return keys for workspace records given as dicts (name/website/domain/external_id; email/...)."""
        keys = cls()
        for a in accounts:
            keys.add_account(a)
        for c in contacts:
            keys.add_contact(c)
        return keys

    def add_account(self, values: Mapping[str, Any]) -> None:
        """Add one account's name, domain and external id."""
        label = str(values.get("name") or values.get("external_id") or "")
        if values.get("name") and (norm := normalise_company_name(str(values["name"]))):
            self.account_names.setdefault(norm, label)
        domain = values.get("domain") or (
            registrable_domain(str(values["website"])) if values.get("website") else None
        )
        if domain:
            self.account_domains.setdefault(domain, label)
        if values.get("external_id"):
            self.external_ids.setdefault("accounts", {}).setdefault(id_key(str(values["external_id"])), label)

    def add_contact(self, values: Mapping[str, Any]) -> None:
        """Add one contact's email and external id."""
        email = normalise_email(str(values["email"])) if values.get("email") else None
        label = email or " ".join(str(values.get(k) or "") for k in ("first_name", "last_name")).strip()
        if email:
            self.contact_emails.setdefault(email, label)
        if values.get("external_id"):
            self.external_ids.setdefault("contacts", {}).setdefault(id_key(str(values["external_id"])), label)

    def with_plan(self, plan: ImportPlan) -> ExistingKeys:
        """Return a copy that also holds the accepted rows of `plan` (e.g. the accounts file of the same import)."""
        keys = ExistingKeys(
            dict(self.account_names),
            dict(self.account_domains),
            dict(self.contact_emails),
            {k: dict(v) for k, v in self.external_ids.items()},
        )
        for row in plan.rows:
            if plan.entity == "accounts":
                keys.add_account(row.values)
            elif plan.entity == "contacts":
                keys.add_contact(row.values)
            elif row.values.get("external_id"):
                label = str(row.values.get("name") or row.values["external_id"])
                keys.external_ids.setdefault(plan.entity, {})[id_key(str(row.values["external_id"]))] = label
        return keys


def validate(
    table: Table,
    mapping: Mapping[str, str],
    entity: Entity,
    *,
    existing: ExistingKeys | None = None,
    account_resolver: Callable[[CanonicalRow], bool] | None = None,
    dayfirst: bool = True,
) -> ImportPlan:
    """Return an ImportPlan: accepted canonical rows, row errors with line numbers, merges and counts.

    `mapping` is header -> canonical field; when several headers map to one field the first non-empty value
    wins, in mapping order. Accounts dedupe on external id, normalised name or registrable domain; contacts on
    external id or email; others on external id — against earlier rows and against `existing`. A row that
    names an account (contacts, signals, opportunities, handoffs) must resolve to one in `existing` (pass
    `existing.with_plan(accounts_plan)` to include an accounts file imported alongside), through
    `account_resolver`, or by its email's registrable domain. Account rows also carry the derived `domain`.
    Raises MissingColumnsError if the mapping has no column for a required field; ValueError for an unknown
    entity or field.
    """
    if entity not in IMPORT_FIELDS:
        raise ValueError(f"unknown entity {entity!r}")
    allowed = set(IMPORT_FIELDS[entity]) | set(HELPER_FIELDS.get(entity, ()))
    index = {}
    for i, h in enumerate(table.headers):
        index.setdefault(h, i)
    columns: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for header, field_ in mapping.items():
        if not field_:
            continue
        if field_ not in allowed:
            raise ValueError(f"{field_!r} is not a field of {entity}")
        if header in index:
            columns.setdefault(field_, []).append(index[header])
            labels.setdefault(field_, header)
    _check_columns(entity, columns, table.headers)
    existing = existing or ExistingKeys()
    v = _Validator(entity, columns, labels, existing, account_resolver, dayfirst, table.delimiter == ";")
    for line, cells in table.rows:
        v.row(line, cells)
    errors = sorted([*table.problems, *v.errors], key=lambda e: (e.line or 0))
    rejected = len({e.line for e in errors})
    rows = v.rows
    summary = ImportSummary(
        total=len(table.rows) + len(table.problems),
        new=sum(1 for r in rows if r.action == "new"),
        updated=sum(1 for r in rows if r.action == "update"),
        merged=sum(1 for m in v.merges if m.kind == "in_file"),
        rejected=rejected,
    )
    accepted = {r.line for r in rows} | {m.line for m in v.merges}
    warnings = [w for w in v.warnings if w.line in accepted]
    return ImportPlan(entity, rows, errors, v.merges, summary, warnings)


def _check_columns(entity: str, columns: Mapping[str, list[int]], headers: list[str]) -> None:
    missing: list[str] = []
    needs: list[str] = []
    for group, what in REQUIRED_COLUMNS[entity]:
        if not any(f in columns for f in group):
            missing.append(group[0])
            needs.append(what)
    if missing:
        found = ", ".join(h for h in headers if h) or "none"
        raise MissingColumnsError(
            f"This {ENTITY_SINGULAR[entity]} file has no column for {' or '.join(needs)}. "
            f"Columns found: {found}. Map a column to it, or export the file again with that column.",
            tuple(missing),
        )


class _Validator:
    """Row-by-row state for validate(): accepted rows and the in-file dedupe indexes."""

    def __init__(
        self,
        entity: str,
        columns: dict[str, list[int]],
        labels: dict[str, str],
        existing: ExistingKeys,
        resolver: Callable[[CanonicalRow], bool] | None,
        dayfirst: bool,
        decimal_comma: bool = False,
    ) -> None:
        self.entity = entity
        self.columns = columns
        self.labels = labels
        self.existing = existing
        self.resolver = resolver
        self.dayfirst = dayfirst
        self.decimal_comma = decimal_comma
        self.warnings: list[RowWarning] = []
        self.fields = IMPORT_FIELDS[entity]
        self.rows: list[CanonicalRow] = []
        self.errors: list[RowError] = []
        self.merges: list[Merge] = []
        self.seen: dict[str, int] = {}  # dedupe key -> position in self.rows
        self._names: dict[str, str] = {}  # cache: company name -> normalised
        # Worked out once per file rather than once per cell: each mapped field's kind of value and whether an
        # unreadable value costs the row.
        self._parsed_fields = [(f, value_kind(entity, f), f in KEY_FIELDS[entity]) for f in columns]
        self._rules = {"accounts": self._accounts, "contacts": self._contacts, "signals": self._signals,
                       "opportunities": self._opportunities, "handoffs": self._handoffs}[entity]

    def label(self, field_: str) -> str:
        return self.labels.get(field_, field_)

    def norm_name(self, name: str) -> str:
        if name not in self._names:
            self._names[name] = normalise_company_name(name)
        return self._names[name]

    def warn(self, line: int, field_: str | None, kind: str, message: str) -> None:
        self.warnings.append(RowWarning(line, field_, kind, message))

    def cell(self, line: int, field_: str, cells: list[str]) -> str:
        """Return the field's first non-empty cleaned cell, warning when spaces were trimmed or text cut."""
        raw = ""
        for i in self.columns[field_]:
            found = cells[i]
            if found and (raw := clean_cell(found)):
                break
        else:
            return ""
        if field_ in NAME_FIELDS and found != found.strip():
            self.warn(line, field_, "trimmed", f"{self.label(field_)} '{raw[:80]}' had spaces around it")
        limit = MAX_LENGTHS.get(field_, TEXT_LIMIT)
        if len(raw) > limit:
            self.warn(line, field_, "too_long", f"{self.label(field_)} was {len(raw):,} characters long; "
                      f"the first {limit:,} were kept")
            raw = raw[:limit].rstrip()
        return raw

    def row(self, line: int, cells: list[str]) -> None:
        errors: list[RowError] = []
        values: dict[str, Any] = dict.fromkeys(self.fields)
        extra: dict[str, Any] = {}
        for field_, kind, is_key in self._parsed_fields:
            raw = self.cell(line, field_, cells)
            if not raw:
                continue
            if kind == "text":
                (values if field_ in values else extra)[field_] = raw  # what parse_value gives, without the call
                continue
            try:
                parsed = parse_value(kind, raw, self.dayfirst, decimal_comma=self.decimal_comma)
            except BadValue as exc:
                shown = raw if len(raw) <= 80 else raw[:80] + "…"
                if is_key:
                    errors.append(RowError(line, field_, f"{field_} '{shown}' {exc}"))
                else:
                    self.warn(line, field_, "value_dropped", f"{self.label(field_)} '{shown}' {exc}; "
                              "the row is imported without it")
                continue
            if parsed is None and kind not in ("text", "id") and is_blank_marker(raw):
                self.warn(line, field_, "blank_marker", f"{self.label(field_)} '{raw}' read as empty")
            (values if field_ in values else extra)[field_] = parsed
        self._rules(line, values, extra, errors)
        if errors:
            self.errors.extend(errors)
            return
        self._dedupe(CanonicalRow(line, values))

    def _empty(self, line: int, field_: str, errors: list[RowError]) -> None:
        errors.append(RowError(line, field_, f"{self.label(field_)} is empty"))

    # -- per-entity rules

    def _accounts(self, line: int, values: dict, extra: dict, errors: list[RowError]) -> None:
        domain = registrable_domain(values["website"]) if values["website"] else None
        values["domain"] = domain
        if not values["name"] and domain and not looks_free_mail(domain):
            values["name"] = domain
            self.warn(line, "name", "name_from_domain", f"{self.label('name')} is empty; named '{domain}' after "
                      "its website: rename it to the company's name")
        elif not values["name"]:
            self._empty(line, "name", errors)
        if not domain:
            self.warn(line, "website", "no_website", f"{values['name'] or 'this account'} has no website")
        if not values["owner"]:
            self.warn(line, "owner", "no_owner", f"{values['name'] or 'this account'} has no sales owner")
        for what, text in (("website", domain), ("name", values["name"])):
            if text and looks_free_mail(text):
                errors.append(
                    RowError(line, what, f"'{values[what]}' is a free-mail provider, not a company; remove this row")
                )
                break

    def _contacts(self, line: int, values: dict, extra: dict, errors: list[RowError]) -> None:
        full = extra.get("full_name")
        if full and not values["first_name"] and not values["last_name"]:
            values["first_name"], values["last_name"] = split_full_name(full)
        if not values["last_name"] and not values["email"] and not errors:
            names = " and ".join(self.label(f) for f in ("last_name", "email") if f in self.columns)
            errors.append(RowError(line, "last_name", f"{names or 'Last Name'} empty; a contact needs one of them"))
        email_rejected = any(e.field == "email" for e in errors)
        if not values["email"] and not email_rejected:
            self.warn(line, "email", "no_email", f"{contact_called(values)} has no email address")
        elif values["email"] and is_free_mail(registrable_domain(values["email"].rpartition("@")[2]) or ""):
            self.warn(line, "email", "free_mail", f"{contact_called(values)} uses a personal address ({values['email']})")
        if not email_rejected:
            problem: list[RowError] = []
            self._resolve_account(line, values, values["email"], problem)
            for p in problem:  # kept without an account: the learner links it or creates the account
                self.warn(line, p.field, "no_account", f"{contact_called(values)}: {p.reason}")

    def _signals(self, line: int, values: dict, extra: dict, errors: list[RowError]) -> None:
        for f in ("type", "occurred_at"):
            if values[f] is None and not any(e.field == f for e in errors):
                self._empty(line, f, errors)
        email = values["contact_email"]
        if email and email in self.existing.contact_emails and not (
            values["account_name"] or values["account_external_id"]
        ):
            return  # the known contact carries the account
        if not any(e.field == "contact_email" for e in errors):
            self._resolve_account(line, values, email, errors)

    def _opportunities(self, line: int, values: dict, extra: dict, errors: list[RowError]) -> None:
        for f in ("name", "amount"):
            if values[f] is None and not any(e.field == f for e in errors):
                self._empty(line, f, errors)
        if values["is_won"] is None and values["stage"]:
            stage = values["stage"].casefold()
            if "won" in stage:
                values["is_won"] = True
            elif "lost" in stage:
                values["is_won"] = False
        if extra.get("is_closed") is False:
            # Salesforce fills CloseDate with the expected date on open deals; it is not a close.
            values["is_won"] = None
            values["closed_at"] = None
        self._resolve_account(line, values, None, errors)

    def _handoffs(self, line: int, values: dict, extra: dict, errors: list[RowError]) -> None:
        if values["sent_at"] is None and not any(e.field == "sent_at" for e in errors):
            self._empty(line, "sent_at", errors)
        values["status"] = values["status"] or "sent"
        values["meeting_booked"] = bool(values["meeting_booked"])
        if values["rejection_reason"] and values["status"] != "rejected":
            errors.append(RowError(line, "rejection_reason", "rejection_reason is set but status is not rejected"))
        self._resolve_account(line, values, values["contact_email"], errors)

    def _resolve_account(self, line: int, values: dict, email: str | None, errors: list[RowError]) -> None:
        ext, name = values.get("account_external_id"), values.get("account_name")
        keys = self.existing
        if ext and id_key(ext) in keys.external_ids.get("accounts", {}):
            return
        if name and (norm := self.norm_name(name)) and norm in keys.account_names:
            return
        if name and looks_free_mail(name):
            errors.append(RowError(line, "account_name",
                                   f"{self.label('account_name')} '{name}' is a free-mail provider, not a company"))
            return
        if self.resolver is not None and self.resolver(CanonicalRow(line, values)):
            return
        domain = email.rpartition("@")[2] if email else None
        reg = registrable_domain(domain) if domain else None
        if reg and reg in keys.account_domains and not is_free_mail(reg):
            return
        if ext and name:
            reason = f"no account with ID '{ext}' or named '{name}' in the file or your workspace"
        elif ext:
            reason = f"no account with ID '{ext}' in the file or your workspace"
        elif name:
            reason = f"no account named '{name}' in the file or your workspace"
        elif reg:
            reason = f"no account given, and no account has the email domain '{reg}'"
        else:
            given = [self.label(f) for f in ("account_name", "account_external_id") if f in self.columns]
            reason = f"no account given ({' and '.join(given) or 'no account column'} empty)"
        field_ = "account_external_id" if ext and not name else "account_name"
        errors.append(RowError(line, field_, reason))

    # -- dedupe

    def _keys(self, values: dict) -> list[str]:
        keys: list[str] = []
        if values.get("external_id"):
            keys.append(f"id:{id_key(values['external_id'])}")
        if self.entity == "accounts":
            if values["name"] and (norm := self.norm_name(values["name"])):
                keys.append(f"name:{norm}")
            if values["domain"]:
                keys.append(f"domain:{values['domain']}")
        elif self.entity == "contacts" and values["email"]:
            keys.append(f"email:{values['email']}")
        elif self.entity == "contacts" and (person := person_key(values)):
            account = (f"id {id_key(values['account_external_id'])}" if values.get("account_external_id")
                       else self.norm_name(values["account_name"]) if values.get("account_name") else "")
            keys.append(f"name:{person} at {account}" if account else f"name:{person}")
        return keys

    def _existing_label(self, key: str) -> str | None:
        what, _, value = key.partition(":")
        ex = self.existing
        if what == "id":
            return ex.external_ids.get(self.entity, {}).get(value)
        if what == "name" and self.entity == "accounts":
            return ex.account_names.get(value)
        if what == "domain":
            return ex.account_domains.get(value)
        if what == "name":
            return None  # contacts without an email are matched to the workspace's on name and account later
        return ex.contact_emails.get(value)

    def _dedupe(self, row: CanonicalRow) -> None:
        keys = self._keys(row.values)
        for key in keys:
            pos = self.seen.get(key)
            if pos is not None:
                first = self.rows[pos]
                merged = {k: (v if v not in (None, "", ()) else row.values.get(k)) for k, v in first.values.items()}
                self.rows[pos] = replace(first, values=merged)
                self.merges.append(Merge(row.line, key, f"line {first.line}", "in_file"))
                for k in self._keys(merged):
                    self.seen.setdefault(k, pos)
                return
        for key in keys:
            label = self._existing_label(key)
            if label is not None:
                row = replace(row, action="update", match=label)
                self.merges.append(Merge(row.line, key, label, "existing"))
                break
        for key in keys:
            self.seen.setdefault(key, len(self.rows))
        self.rows.append(row)
