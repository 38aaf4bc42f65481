"""Read a CRM export (CSV or XLSX), recognise its source and entity, and validate it into canonical rows.

Pure: bytes in, dataclasses out. The accounts service decides what to write; nothing here touches the DB.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

from lms.abm.domains import is_free_mail, is_valid_email, normalise_email, registrable_domain
from lms.abm.matching import canonical_external_id, normalise_company_name
from lms.abm.vocabulary import BUYING_ROLES, HANDOFF_STATUSES, REJECTION_REASONS, SIGNAL_TYPES, TIERS

Entity = Literal["accounts", "contacts", "signals", "opportunities", "handoffs"]
Source = Literal["salesforce_report", "salesforce_api", "hubspot", "dynamics", "abm_academy", "unknown"]

ENTITIES: tuple[str, ...] = ("accounts", "contacts", "signals", "opportunities", "handoffs")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000

# Canonical fields per entity, in the order the product shows and exports them. `full_name` (contacts) and
# `is_closed` (opportunities) are helper fields a mapping may target; validate() folds them into the others.
FIELDS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "external_id", "name", "website", "industry", "employees", "revenue", "region", "tier", "owner",
        "marketing_owner", "is_target", "icp_fit", "icp_reasons", "why_selected", "progress_definition",
        "sales_agreed", "sales_agreed_by", "sales_agreed_at", "sales_disagree_reason", "required_roles", "status",
    ),
    "contacts": (
        "external_id", "first_name", "last_name", "email", "title", "account_external_id", "account_name",
        "phone", "crm_role", "region",
    ),
    "signals": (
        "external_id", "account_external_id", "account_name", "contact_email", "type", "topic", "occurred_at",
        "followed_up_at", "followed_up_by",
    ),
    "opportunities": (
        "external_id", "name", "account_external_id", "account_name", "stage", "amount", "currency",
        "created_at", "closed_at", "is_won", "source",
    ),
    "handoffs": (
        "external_id", "account_external_id", "account_name", "contact_email", "signal_external_id", "sent_at",
        "contact_role", "buying_group_relevance", "engagement_summary", "qualification_level",
        "recommended_follow_up", "sales_owner", "sla_hours", "first_touch_at", "status", "rejection_reason",
        "sales_feedback", "meeting_booked",
    ),
}
HELPER_FIELDS: dict[str, tuple[str, ...]] = {"contacts": ("full_name",), "opportunities": ("is_closed",)}

# The product's own export format: snake_case canonical names, except that an account's CRM owner is
# shown as `sales_owner` next to `marketing_owner`, which is what learners call it.
ABM_COLUMNS: dict[str, dict[str, str]] = {
    entity: {("sales_owner" if (entity, f) == ("accounts", "owner") else f): f for f in fields}
    for entity, fields in FIELDS.items()
}

_KINDS: dict[str, str] = {
    "employees": "int", "sla_hours": "int", "icp_fit": "score",
    "revenue": "number", "amount": "number",
    "occurred_at": "date", "followed_up_at": "date", "created_at": "date", "closed_at": "date",
    "sent_at": "date", "first_touch_at": "date", "sales_agreed_at": "date",
    "is_won": "bool", "is_closed": "bool", "is_target": "bool", "sales_agreed": "bool", "meeting_booked": "bool",
    "email": "email", "contact_email": "email", "website": "url", "tier": "tier", "type": "signal_type",
    "required_roles": "roles", "currency": "currency", "rejection_reason": "reason",
    "external_id": "id", "account_external_id": "id", "signal_external_id": "id",
}

# Values CRMs and spreadsheets use for "nothing here" in typed columns.
_BLANKS = frozenset({"", "-", "--", "—", "n/a", "na", "none", "null", "nil", "#n/a"})
# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(ValueError):
    """The whole file cannot be imported; `message` is written for the learner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MissingColumnsError(ImportFileError):
    """The mapping leaves out a column the entity needs; `missing` names the canonical fields."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class RowError:
    """One problem on one line; `line` is None for file-level problems."""

    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


@dataclass(frozen=True)
class Table:
    """A decoded file: trimmed headers and data rows keyed by the physical line (or sheet row) they start on."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252" or "xlsx"
    delimiter: str | None  # None for XLSX
    problems: list[RowError] = field(default_factory=list)  # ragged rows, left out of `rows`
    footer_lines: int = 0  # Salesforce report footer lines dropped


@dataclass(frozen=True)
class Detected:
    """What detect_format recognised: the CRM, the entity, and a header -> canonical field mapping."""

    source: Source
    entity: Entity | None
    mapping: dict[str, str]
    ignored: tuple[str, ...] = ()  # e.g. Dynamics "(Do Not Modify)" bookkeeping columns
    unmapped: tuple[str, ...] = ()


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
            self.external_ids.setdefault("accounts", {}).setdefault(_id_key(str(values["external_id"])), label)

    def add_contact(self, values: Mapping[str, Any]) -> None:
        """Add one contact's email and external id."""
        email = normalise_email(str(values["email"])) if values.get("email") else None
        label = email or " ".join(str(values.get(k) or "") for k in ("first_name", "last_name")).strip()
        if email:
            self.contact_emails.setdefault(email, label)
        if values.get("external_id"):
            self.external_ids.setdefault("contacts", {}).setdefault(_id_key(str(values["external_id"])), label)

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
                keys.external_ids.setdefault(plan.entity, {})[_id_key(str(row.values["external_id"]))] = label
        return keys


# --------------------------------------------------------------------------------------------- reading

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FOOTER = (
    re.compile(r"grand totals? \(\d[\d,.]* records?\)", re.I),
    re.compile(r"confidential information - do not distribute", re.I),
    re.compile(r"copyright \(c\) \d{4}(-\d{4})? salesforce\.com, inc\. all rights reserved\.?", re.I),
)
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def read_table(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """Return the file's headers and data rows, from CSV/TSV text or the first sheet of an XLSX workbook.

    Raises ImportFileError for an empty, header-only, binary, undecodable, oversized or overlong file.
    Ragged rows (more values than headers) are not fatal: they are listed in `Table.problems`.
    """
    name = filename or "The file"
    if len(data) > max_bytes:
        raise ImportFileError(
            f"{name} is {_size(len(data))}; the limit is {_size(max_bytes)}. "
            "Export fewer columns, or split the file and import each part."
        )
    if not data.strip(b" \t\r\n\x00").removeprefix(codecs.BOM_UTF8).strip():
        raise ImportFileError(f"{name} is empty. Export it from your CRM again, including the header row.")
    lower = name.lower()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name, max_rows)
    if data.startswith(_OLE):
        raise ImportFileError(
            f"{name} is an old-style Excel (.xls) or password-protected Office file. "
            "Open it in Excel and save it as .xlsx (no password) or as CSV UTF-8."
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(f"{name} is named like an Excel workbook but is not one. Export it again as .xlsx or CSV.")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFileError(f"{name} is {what}, not a CSV or Excel file. Export your data from the CRM as CSV.")
    text, encoding = _decode(data, name)
    return _read_csv(text, encoding, name, max_rows)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    # Excel's "Unicode Text" is UTF-16 with a BOM; it is full of NUL bytes, so it must be handled before the
    # NUL-byte binary check.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{name} starts like UTF-16 text but cannot be decoded ({exc.reason}).") from exc
    if b"\x00" in data[:65536]:
        raise ImportFileError(
            f"{name} contains binary data (NUL bytes), so it is not a CSV file. "
            "Export your data from the CRM as CSV or .xlsx."
        )
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text, encoding = body.decode("utf-8"), ("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        try:
            # Windows-1252 is what Excel writes for "CSV (Comma delimited)" on UK/US Windows.
            text, encoding = body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            raise ImportFileError(
                f"{name} is not UTF-8 or Windows-1252 text (byte 0x{body[exc.start]:02X} on line {line} "
                "cannot be read). In Excel use Save As > 'CSV UTF-8 (Comma delimited)' and upload it again."
            ) from exc
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if controls >= 20 or controls > len(sample) / 100:
        raise ImportFileError(f"{name} looks like a binary file, not text. Export your data from the CRM as CSV.")
    return text, encoding


def _sniff_delimiter(text: str, name: str) -> str:
    # Count candidates in the first logical record (the header), outside quotes.
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch in counts:
                counts[ch] += 1
            elif ch in "\r\n" and any(counts.values()):
                break
    best = max(counts, key=lambda c: (counts[c], c == ","))
    if name.lower().endswith((".tsv", ".tab")) and counts["\t"]:
        return "\t"
    return best if counts[best] else ","


def _read_csv(text: str, encoding: str, name: str, max_rows: int) -> Table:
    delimiter = _sniff_delimiter(text, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for record in reader:
            start, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines are not rows; the line count still advances
            if headers is None:
                headers = [h.strip().lstrip("\ufeff").strip() for h in record]
                continue
            records.append((start, record))
            if len(records) > max_rows + len(_FOOTER) + 1:
                break
    except csv.Error as exc:
        raise ImportFileError(
            f"{name}: line {last + 1} cannot be read ({exc}). A quoted value probably never ends: "
            'look for a stray " character.'
        ) from exc
    return _finish(headers, records, encoding, delimiter, name, max_rows)


def _finish(
    headers: list[str] | None,
    records: list[tuple[int, list[str]]],
    encoding: str,
    delimiter: str | None,
    name: str,
    max_rows: int,
) -> Table:
    if headers is None:
        raise ImportFileError(f"{name} is empty. Export it from your CRM again, including the header row.")
    while headers and not headers[-1]:
        headers.pop()  # a trailing delimiter on the header line
    footer = 0
    while records and _is_footer(records[-1][1], delimiter or ","):
        records.pop()
        footer += 1
    if not records:
        raise ImportFileError(
            f"{name} has a header row but no data rows. Check the report's filters in your CRM and export again."
        )
    if len(records) > max_rows:
        raise ImportFileError(
            f"{name} has more than {max_rows:,} data rows. Split it into files of at most {max_rows:,} rows."
        )
    width = len(headers)
    rows: list[tuple[int, list[str]]] = []
    problems: list[RowError] = []
    sep = _DELIMITER_NAMES.get(delimiter or ",", "comma")
    for line, cells in records:
        if len(cells) > width:
            if any(c.strip() for c in cells[width:]):
                problems.append(
                    RowError(
                        line,
                        None,
                        f"has {len(cells)} values but the header has {width} columns; "
                        f"a value probably contains an unquoted {sep}",
                    )
                )
                continue
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))  # spreadsheets drop trailing empty cells
        rows.append((line, cells))
    return Table(headers, rows, encoding, delimiter, problems, footer)


def _is_footer(cells: list[str], delimiter: str) -> bool:
    # Rejoin the cells: the unquoted copyright line contains commas and so arrives split.
    text = delimiter.join(cells).strip().rstrip(delimiter + " ")
    return not text or any(p.fullmatch(text) for p in _FOOTER)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")  # never "1e+16": the number parser rejects exponents
    return str(value)


def _read_xlsx(data: bytes, name: str, max_rows: int) -> Table:
    from openpyxl import load_workbook  # imported here: CSV-only callers should not pay for openpyxl

    try:
        with warnings.catch_warnings():
            # CRM-generated workbooks often lack styles or carry data validation that openpyxl warns about;
            # neither affects the values.
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = wb.worksheets
                if not sheets:
                    raise ImportFileError(f"{name} has no worksheets.")
                visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
                ws = (visible or sheets)[0]
                ws.reset_dimensions()  # some exporters write a wrong <dimension>; read every row
                headers: list[str] | None = None
                records: list[tuple[int, list[str]]] = []
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    cells = [_xlsx_text(v) for v in values]
                    if not any(c.strip() for c in cells):
                        continue
                    if headers is None:
                        headers = [h.strip() for h in cells]
                        continue
                    records.append((number, cells))
                    if len(records) > max_rows + len(_FOOTER) + 1:
                        break
            finally:
                wb.close()
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise ImportFileError(
            f"{name} is a ZIP file but not a readable Excel workbook. Save it from Excel as .xlsx or export CSV."
        ) from exc
    return _finish(headers, records, "xlsx", None, name, max_rows)


# --------------------------------------------------------------------------------------------- detection


def _norm_header(header: str) -> str:
    return re.sub(r"\s+", " ", header.replace("\ufeff", "").strip()).casefold()


def _aliases(*pairs: str) -> dict[str, str]:
    """Build an alias table from "header=field" strings, keeping their order as the column priority."""
    return {_norm_header(h): f for h, _, f in (p.partition("=") for p in pairs)}


_TIER_ALIASES = ("ABM Tier=tier", "Tier=tier", "Account Tier=tier")

ALIASES: dict[str, dict[str, dict[str, str]]] = {
    "salesforce_api": {
        "accounts": _aliases(
            "Id=external_id", "Name=name", "Website=website", "Industry=industry", "NumberOfEmployees=employees",
            "AnnualRevenue=revenue", "BillingCountry=region", "BillingState=region", "Owner.Name=owner",
            "ABM_Tier__c=tier", "Tier__c=tier",
        ),
        "contacts": _aliases(
            "Id=external_id", "FirstName=first_name", "LastName=last_name", "Name=full_name", "Email=email",
            "Title=title", "AccountId=account_external_id", "Account.Name=account_name", "Phone=phone",
            "MobilePhone=phone", "BuyerAttributes=crm_role", "Buying_Role__c=crm_role",
            "MailingCountry=region", "MailingState=region",
        ),
        "opportunities": _aliases(
            "Id=external_id", "Name=name", "AccountId=account_external_id", "Account.Name=account_name",
            "StageName=stage", "Amount=amount", "CurrencyIsoCode=currency", "CreatedDate=created_at",
            "CloseDate=closed_at", "IsWon=is_won", "IsClosed=is_closed", "LeadSource=source",
        ),
    },
    "salesforce_report": {
        "accounts": _aliases(
            "Account ID=external_id", "Account Name=name", "Website=website", "Industry=industry",
            "Employees=employees", "Annual Revenue=revenue", "Billing Country=region",
            "Billing State/Province=region", "Account Owner=owner", *_TIER_ALIASES,
        ),
        "contacts": _aliases(
            "Contact ID=external_id", "First Name=first_name", "Last Name=last_name", "Full Name=full_name",
            "Email=email", "Title=title", "Account ID=account_external_id", "Account Name=account_name",
            "Phone=phone", "Mobile=phone", "Buyer Attributes=crm_role", "Buying Role=crm_role",
            "Contact Role=crm_role", "Mailing Country=region", "Mailing State/Province=region",
        ),
        "opportunities": _aliases(
            "Opportunity ID=external_id", "Opportunity Name=name", "Account ID=account_external_id",
            "Account Name=account_name", "Stage=stage", "Amount=amount", "Opportunity Currency=currency",
            "Amount Currency=currency", "Created Date=created_at", "Close Date=closed_at", "Won=is_won",
            "Closed=is_closed", "Lead Source=source",
        ),
    },
    "hubspot": {
        "accounts": _aliases(
            "Record ID=external_id", "Company name=name", "Company Domain Name=website", "Website URL=website",
            "Industry=industry", "Number of Employees=employees", "Annual Revenue=revenue",
            "Country/Region=region", "State/Region=region", "Company owner=owner",
            "Ideal Customer Profile Tier=tier", *_TIER_ALIASES,
        ),
        "contacts": _aliases(
            "Record ID=external_id", "First Name=first_name", "Last Name=last_name", "Email=email",
            "Job Title=title", "Primary Associated Company ID=account_external_id",
            "Associated Company IDs=account_external_id", "Record ID - Company=account_external_id",
            "Associated Company=account_name", "Company Name=account_name", "Phone Number=phone",
            "Mobile Phone Number=phone", "Buying Role=crm_role", "Country/Region=region", "State/Region=region",
        ),
        "opportunities": _aliases(
            "Record ID=external_id", "Deal Name=name", "Associated Company IDs=account_external_id",
            "Primary Associated Company ID=account_external_id", "Associated Company=account_name",
            "Deal Stage=stage", "Amount=amount", "Currency=currency", "Create Date=created_at",
            "Close Date=closed_at", "Is Closed Won=is_won", "Is Closed=is_closed", "Original Source=source",
        ),
    },
    "dynamics": {
        "accounts": _aliases(
            "(Do Not Modify) Account=external_id", "Account Name=name", "Website=website", "Industry=industry",
            "Number of Employees=employees", "Annual Revenue=revenue", "Address 1: Country/Region=region",
            "Address 1: State/Province=region", "Owner=owner", *_TIER_ALIASES,
        ),
        "contacts": _aliases(
            "(Do Not Modify) Contact=external_id", "First Name=first_name", "Last Name=last_name",
            "Full Name=full_name", "Email=email", "Email 1=email", "Job Title=title",
            "Company Name=account_name", "Account Name=account_name", "Business Phone=phone",
            "Mobile Phone=phone", "Role=crm_role", "Address 1: Country/Region=region",
            "Address 1: State/Province=region",
        ),
        "opportunities": _aliases(
            "(Do Not Modify) Opportunity=external_id", "Topic=name", "Potential Customer=account_name",
            "Account=account_name", "Sales Stage=stage", "Pipeline Phase=stage", "Est. Revenue=amount",
            "Actual Revenue=amount", "Currency=currency", "Created On=created_at", "Actual Close Date=closed_at",
        ),
    },
    "abm_academy": {entity: dict(cols) for entity, cols in ABM_COLUMNS.items()},
}

# Headers that only one source writes; finding one is strong evidence for that source.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "abm_academy": ("external_id",),
    "hubspot": ("record id", "associated company", "associated company ids", "primary associated company id"),
    "dynamics": ("(do not modify)",),
    "salesforce_api": ("accountid", "account.name", "billingcountry", "numberofemployees", "lastname", "stagename"),
    "salesforce_report": ("account owner", "billing state/province", "mailing country", "account id"),
}
_SOURCE_ORDER = ("abm_academy", "dynamics", "hubspot", "salesforce_api", "salesforce_report")
# Entities whose files carry people are preferred on a tie: an accounts file rarely has First Name.
_ENTITY_ORDER = ("handoffs", "signals", "opportunities", "contacts", "accounts")
_DNM = "(do not modify) "

# Words that custom spreadsheets use, for suggestions on unknown formats.
_GENERIC: dict[str, dict[str, str]] = {
    "accounts": _aliases(
        "org=name", "organisation=name", "organization=name", "company=name", "account=name", "customer=name",
        "name=name", "web=website", "site=website", "url=website", "domain=website", "homepage=website",
        "headcount=employees", "staff=employees", "fte=employees", "size=employees", "turnover=revenue",
        "revenue=revenue", "arr=revenue", "sector=industry", "vertical=industry", "country=region",
        "region=region", "territory=region", "location=region", "state=region", "segment=tier", "tier=tier",
        "owner=owner", "rep=owner", "account manager=owner", "id=external_id", "crm id=external_id",
    ),
    "contacts": _aliases(
        "first=first_name", "forename=first_name", "given name=first_name", "surname=last_name",
        "last=last_name", "family name=last_name", "name=full_name", "contact=full_name", "e-mail=email",
        "mail=email", "email address=email", "position=title", "role=title", "job=title",
        "company=account_name", "organisation=account_name", "org=account_name", "account=account_name",
        "tel=phone", "telephone=phone", "mobile=phone", "country=region", "id=external_id",
    ),
    "signals": _aliases(
        "activity=type", "event=type", "signal=type", "date=occurred_at", "when=occurred_at",
        "subject=topic", "company=account_name", "account=account_name", "email=contact_email",
    ),
    "opportunities": _aliases(
        "deal=name", "opportunity=name", "value=amount", "company=account_name", "account=account_name",
        "phase=stage", "status=stage", "opened=created_at", "closed=closed_at", "won=is_won",
    ),
}
_IDENTITY: dict[str, tuple[tuple[str, ...], ...]] = {
    "accounts": (("name",),),
    "contacts": (("first_name", "last_name", "email", "full_name"),),
    "signals": (("type",), ("occurred_at",)),
    "opportunities": (("name",), ("amount", "stage")),
    "handoffs": (("sent_at",),),
}


def _eligible(entity: str, fields: set[str]) -> bool:
    return all(any(f in fields for f in group) for group in _IDENTITY[entity])


def detect_format(headers: Iterable[str], entity: Entity | None = None) -> Detected:
    """Return the CRM source, entity and header -> canonical field mapping the headers look like.

    Header matching is case- and space-insensitive. Pass `entity` when the caller already knows it.
    For an unrecognised file, `source` is "unknown" and `mapping` holds suggestions for a mapping form.
    """
    headers = [h.strip() for h in headers]
    normed = [_norm_header(h) for h in headers]
    present = {n for n in normed if n}
    # Dynamics bookkeeping columns; the entity's own GUID column is mapped to external_id below.
    dnm = tuple(h for h, n in zip(headers, normed, strict=True) if n.startswith(_DNM))
    best: tuple[int, int, int, str, str] | None = None
    for s_rank, source in enumerate(_SOURCE_ORDER):
        bonus = 3 * sum(1 for sig in _SIGNATURES[source] if any(n == sig or n.startswith(sig) for n in present))
        for e_rank, ent in enumerate(_ENTITY_ORDER):
            table = ALIASES[source].get(ent)
            if table is None or (entity and ent != entity):
                continue
            hits = present & table.keys()
            if not hits or not _eligible(ent, {table[h] for h in hits}):
                continue
            if source == "abm_academy" and len(hits) < max(2, len(present) * 0.6):
                continue  # snake_case canonical names: trust them only when most headers are ours
            score = (len(hits) + bonus, -s_rank, -e_rank, source, ent)
            if best is None or score > best:
                best = score
    if best is None or best[0] < 2:
        return _suggest(headers, normed, entity, dnm)
    source, ent = best[3], best[4]
    table = ALIASES[source][ent]
    by_norm = {n: h for h, n in reversed(list(zip(headers, normed, strict=True))) if n}
    mapping = {by_norm[alias]: f for alias, f in table.items() if alias in by_norm}
    ignored = tuple(h for h in dnm if h not in mapping)
    unmapped = tuple(h for h in headers if h and h not in mapping and h not in ignored)
    return Detected(source, ent, mapping, ignored, unmapped)  # type: ignore[arg-type]


def _suggest(headers: list[str], normed: list[str], entity: Entity | None, ignored: tuple[str, ...]) -> Detected:
    candidates = [entity] if entity else ["contacts", "opportunities", "signals", "accounts"]
    best: tuple[int, str, dict[str, str]] | None = None
    for ent in candidates:
        known: dict[str, str] = dict(_GENERIC.get(ent, {}))
        for source in _SOURCE_ORDER:
            known.update({k: v for k, v in ALIASES[source].get(ent, {}).items() if k not in known})
        known.update({f.replace("_", " "): f for f in FIELDS[ent] + HELPER_FIELDS.get(ent, ())})
        scored: list[tuple[float, str, str]] = []
        for header, norm in zip(headers, normed, strict=True):
            if not norm or header in ignored:
                continue
            field_, score = _guess_field(norm, known)
            if field_:
                scored.append((score, header, field_))
        mapping: dict[str, str] = {}
        taken: set[str] = set()
        for _score, header, field_ in sorted(scored, key=lambda t: -t[0]):
            if field_ not in taken:
                mapping[header] = field_
                taken.add(field_)
        mapping = {h: mapping[h] for h in headers if h in mapping}  # back in file order for the form
        rank = len(mapping) + (5 if _eligible(ent, taken) else 0)
        if best is None or rank > best[0]:
            best = (rank, ent, mapping)
    assert best is not None
    rank, ent, mapping = best
    guessed = ent if rank >= 5 or entity else None
    unmapped = tuple(h for h in headers if h and h not in mapping and h not in ignored)
    return Detected("unknown", guessed, mapping, ignored, unmapped)  # type: ignore[arg-type]


_NOISE = frozenset({"note", "notes", "comment", "comments", "description", "created", "modified", "last"})


def _guess_field(norm: str, known: dict[str, str]) -> tuple[str | None, float]:
    if norm in known:
        return known[norm], 1.0
    squashed = re.sub(r"[^a-z0-9]+", " ", norm).strip()
    if squashed in known:
        return known[squashed], 0.95
    words = squashed.split()
    if _NOISE.intersection(words):
        return None, 0.0  # "Owner Notes" or "Created Date" are not the owner or a date we need
    for word in words:
        if word in known:
            return known[word], 0.8
    close = difflib.get_close_matches(squashed, list(known), n=1, cutoff=0.8)
    if close:
        return known[close[0]], difflib.SequenceMatcher(None, squashed, close[0]).ratio() * 0.9
    return None, 0.0


def mapping_fingerprint(headers: Iterable[str]) -> str:
    """Return a stable 16-hex-digit hash of the normalised, sorted headers, to remember a mapping by."""
    normed = sorted({_norm_header(h) for h in headers} - {""})
    return hashlib.sha256("\x1f".join(normed).encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------- values

_INT_PLAIN = re.compile(r"-?\d+(\.\d+)?")
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
_DOT_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")
_DECIMAL_COMMA = re.compile(r"-?\d{1,3}(\.\d{3})*,\d+|-?\d+,\d{1,2}")
_SUFFIX = re.compile(r"-?\d+([.,]\d+)?\s*(k|m|mn|bn|b)\.?", re.I)
_SCIENTIFIC = re.compile(r"-?\d+(\.\d+)?e[+-]?\d+", re.I)
_CURRENCY_CHARS = "£$€¥"
_ISO_DT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?", re.I
)
_SLASH_DT = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?", re.I
)
_TIERS = {
    **dict.fromkeys(("1:1", "1-1", "1to1", "one to one", "one-to-one", "tier 1", "tier1", "tier_1", "t1", "1",
                     "strategic"), "1:1"),
    **dict.fromkeys(("1:few", "1-few", "1 to few", "one to few", "one-to-few", "tier 2", "tier2", "tier_2",
                     "t2", "2"), "1:few"),
    **dict.fromkeys(("1:many", "1-many", "1 to many", "one to many", "one-to-many", "tier 3", "tier3", "tier_3",
                     "t3", "3", "programmatic"), "1:many"),
}
_SIGNAL_SYNONYMS = {
    **{t: t for t in SIGNAL_TYPES},
    **dict.fromkeys(("download", "content", "whitepaper_download", "ebook_download", "asset_download",
                     "content_syndication", "guide_download"), "content_download"),
    **dict.fromkeys(("webinar_attended", "webinar_attendance", "webinar_registration", "webinar_registered"),
                    "webinar"),
    **dict.fromkeys(("web_visit", "site_visit", "page_view", "visit", "website"), "website_visit"),
    **dict.fromkeys(("pricing", "pricing_visit", "pricing_page", "pricing_page_view"), "pricing_page_visit"),
    **dict.fromkeys(("demo", "request_a_demo", "demo_requested", "contact_sales"), "demo_request"),
    **dict.fromkeys(("intent", "intent_surge", "surge", "bombora_surge", "intent_topic_surge"), "intent_spike"),
    **dict.fromkeys(("reply", "email_response", "replied"), "email_reply"),
    **dict.fromkeys(("meeting", "meeting_booked", "meeting_requested"), "meeting_request"),
    **dict.fromkeys(("event", "event_attended", "trade_show", "conference", "field_event"), "event_attendance"),
    **dict.fromkeys(("ad", "linkedin_ad_click", "paid_click", "ad_engagement"), "ad_click"),
}
_TRUE = frozenset({"true", "yes", "y", "1", "won", "closed won", "x", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "lost", "closed lost"})


class _Bad(Exception):
    """A value that cannot be parsed; the message completes "<field> '<raw>' …"."""


def _id_key(value: str) -> str:
    """Return the key an external id is compared on (Salesforce 18 -> 15 characters, GUIDs lower-cased)."""
    return canonical_external_id(value)


def _parse_number(s: str) -> float:
    t = s.replace("\u00a0", " ").strip()
    if any(ch in t for ch in _CURRENCY_CHARS) or re.match(r"(gbp|usd|eur)\b|.*\b(gbp|usd|eur)$", t, re.I):
        raise _Bad("contains a currency; give the number only (the currency goes in its own column)")
    if _SUFFIX.fullmatch(t):
        raise _Bad("uses a 'k'/'m' style suffix; write the number in full")
    if _SCIENTIFIC.fullmatch(t):
        raise _Bad("is in scientific notation; format the column as a number before exporting")
    if _DOT_THOUSANDS.fullmatch(t):
        raise _Bad("is ambiguous (dot as a thousands separator?); write 1200 or 1,200")
    if _THOUSANDS.fullmatch(t):
        t = t.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(t):
        raise _Bad("uses a decimal comma; write 1200.50 or 1,200.50")
    elif not _INT_PLAIN.fullmatch(t):
        raise _Bad("is not a number")
    value = float(t)
    if value < 0:
        raise _Bad("must not be negative")
    return value


def _parse_int(s: str) -> int:
    try:
        value = _parse_number(s)
    except _Bad as exc:
        if str(exc) in {"is not a number", "must not be negative"} or "ambiguous" in str(exc):
            raise _Bad(str(exc).replace("is not a number", "is not a whole number")) from None
        raise
    if not value.is_integer():
        raise _Bad("is not a whole number")
    return int(value)


def parse_datetime(s: str, *, dayfirst: bool = True) -> datetime:
    """Return a naive UTC datetime from ISO, Salesforce, HubSpot or DD/MM/YYYY text; raises ValueError."""
    t = s.strip()
    if m := _ISO_DT.fullmatch(t):
        y, mo, d, hh, mm, ss, frac, tz = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
        if tz and tz.upper() != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            dt = (dt.replace(tzinfo=timezone(sign * offset))).astimezone(UTC).replace(tzinfo=None)
        return dt
    if m := _SLASH_DT.fullmatch(t):
        a, b, y, hh, mm, ss, ampm = m.groups()
        d, mo = (a, b) if dayfirst else (b, a)
        hour = int(hh or 0)
        if ampm:
            if not 1 <= hour <= 12:
                raise ValueError("hour out of range")
            hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
        return datetime(int(y), int(mo), int(d), hour, int(mm or 0), int(ss or 0))
    raise ValueError("unrecognised date")


def _clean(raw: str) -> str:
    s = raw.strip()
    # Undo the formula-injection guard our exports add, so a round trip gives the value back.
    if s[:1] == "'" and s[1:2] in FORMULA_TRIGGERS and len(s) > 1:
        s = s[1:]
    return s


def _parse(kind: str, s: str, dayfirst: bool) -> Any:
    if kind == "text":
        return s
    if kind == "id":
        # HubSpot "Associated Company IDs" lists several; the first is the primary association.
        return s.split(";")[0].strip() or None
    if s.casefold() in _BLANKS:
        return None
    if kind == "int":
        return _parse_int(s)
    if kind == "score":
        v = _parse_int(s)
        if v > 100:
            raise _Bad("is not a score from 0 to 100")
        return v
    if kind == "number":
        return _parse_number(s)
    if kind == "date":
        try:
            return parse_datetime(s, dayfirst=dayfirst)
        except ValueError:
            order = "DD/MM/YYYY" if dayfirst else "MM/DD/YYYY"
            raise _Bad(f"is not a date (use YYYY-MM-DD or {order})") from None
    if kind == "bool":
        v = s.casefold()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
        raise _Bad("is not yes/no (use true or false)")
    if kind == "email":
        if not is_valid_email(s):
            raise _Bad("is not a valid address")
        return normalise_email(s)
    if kind == "url":
        return s
    if kind == "tier":
        tier = _TIERS.get(re.sub(r"\s+", " ", s.casefold()))
        if tier is None:
            raise _Bad(f"is not one of {', '.join(TIERS)}")
        return tier
    if kind == "signal_type":
        key = re.sub(r"[^a-z0-9]+", "_", s.casefold()).strip("_")
        found = _SIGNAL_SYNONYMS.get(key)
        if found is None:
            raise _Bad(f"is not a known signal type ({', '.join(SIGNAL_TYPES)})")
        return found
    if kind == "roles":
        roles = tuple(r.strip().casefold().replace(" ", "_") for r in re.split(r"[;,]", s) if r.strip())
        unknown = [r for r in roles if r not in BUYING_ROLES]
        if unknown:
            raise _Bad(f"has unknown buying roles {', '.join(unknown)}")
        return roles
    if kind == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", s):
            raise _Bad("is not a three-letter currency code such as GBP")
        return s.upper()
    if kind == "reason":
        if s not in REJECTION_REASONS:
            raise _Bad(f"is not one of {', '.join(REJECTION_REASONS)}")
        return s
    if kind == "handoff_status":
        if s.casefold() not in HANDOFF_STATUSES:
            raise _Bad(f"is not one of {', '.join(HANDOFF_STATUSES)}")
        return s.casefold()
    raise AssertionError(kind)  # pragma: no cover


def _split_full_name(full: str) -> tuple[str | None, str]:
    """Split "First Last" (or "Last, First"); the first word is the first name so "van der Berg" stays whole."""
    if "," in full:
        last, _, first = full.partition(",")
        return (first.strip() or None), last.strip()
    parts = full.split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


# --------------------------------------------------------------------------------------------- validation

_ACCOUNT_REF = ("account_external_id", "account_name")
_REQUIRED_COLUMNS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "accounts": ((("name",), "the account name"),),
    "contacts": (
        (("last_name", "email", "full_name"), "the last name or email"),
        (("account_external_id", "account_name", "email"), "the account (Account Name or Account ID)"),
    ),
    "signals": (
        (("type",), "the signal type"),
        (("occurred_at",), "the date it happened"),
        (("account_external_id", "account_name", "contact_email"), "the account"),
    ),
    "opportunities": (
        (("name",), "the opportunity name"),
        (("amount",), "the amount"),
        (_ACCOUNT_REF, "the account (Account Name or Account ID)"),
    ),
    "handoffs": ((("sent_at",), "the date it was sent"), (_ACCOUNT_REF, "the account")),
}
_ENTITY_SINGULAR = {
    "accounts": "account", "contacts": "contact", "signals": "signal", "opportunities": "opportunity",
    "handoffs": "handoff",
}


def _kind(entity: str, field_: str) -> str:
    if entity == "handoffs" and field_ == "status":
        return "handoff_status"
    return _KINDS.get(field_, "text")


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
    if entity not in FIELDS:
        raise ValueError(f"unknown entity {entity!r}")
    allowed = set(FIELDS[entity]) | set(HELPER_FIELDS.get(entity, ()))
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
    v = _Validator(entity, columns, labels, existing, account_resolver, dayfirst)
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
    return ImportPlan(entity, rows, errors, v.merges, summary)


def _check_columns(entity: str, columns: Mapping[str, list[int]], headers: list[str]) -> None:
    missing: list[str] = []
    needs: list[str] = []
    for group, what in _REQUIRED_COLUMNS[entity]:
        if not any(f in columns for f in group):
            missing.append(group[0])
            needs.append(what)
    if missing:
        found = ", ".join(h for h in headers if h) or "none"
        raise MissingColumnsError(
            f"This {_ENTITY_SINGULAR[entity]} file has no column for {' or '.join(needs)}. "
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
    ) -> None:
        self.entity = entity
        self.columns = columns
        self.labels = labels
        self.existing = existing
        self.resolver = resolver
        self.dayfirst = dayfirst
        self.fields = FIELDS[entity]
        self.rows: list[CanonicalRow] = []
        self.errors: list[RowError] = []
        self.merges: list[Merge] = []
        self.seen: dict[str, int] = {}  # dedupe key -> position in self.rows
        self._names: dict[str, str] = {}  # cache: company name -> normalised

    def label(self, field_: str) -> str:
        return self.labels.get(field_, field_)

    def norm_name(self, name: str) -> str:
        if name not in self._names:
            self._names[name] = normalise_company_name(name)
        return self._names[name]

    def row(self, line: int, cells: list[str]) -> None:
        errors: list[RowError] = []
        values: dict[str, Any] = dict.fromkeys(self.fields)
        extra: dict[str, Any] = {}
        for field_, idxs in self.columns.items():
            raw = next((c for c in (_clean(cells[i]) for i in idxs) if c), "")
            if not raw:
                continue
            try:
                parsed = _parse(_kind(self.entity, field_), raw, self.dayfirst)
            except _Bad as exc:
                errors.append(RowError(line, field_, f"{field_} '{raw}' {exc}"))
                continue
            (values if field_ in values else extra)[field_] = parsed
        getattr(self, f"_{self.entity}")(line, values, extra, errors)
        if errors:
            self.errors.extend(errors)
            return
        self._dedupe(CanonicalRow(line, values))

    def _empty(self, line: int, field_: str, errors: list[RowError]) -> None:
        errors.append(RowError(line, field_, f"{self.label(field_)} is empty"))

    # -- per-entity rules

    def _accounts(self, line: int, values: dict, extra: dict, errors: list[RowError]) -> None:
        if not values["name"]:
            self._empty(line, "name", errors)
        domain = registrable_domain(values["website"]) if values["website"] else None
        values["domain"] = domain
        for what, text in (("website", domain), ("name", values["name"])):
            if text and _looks_free_mail(text):
                errors.append(
                    RowError(line, what, f"'{values[what]}' is a free-mail provider, not a company; remove this row")
                )
                break

    def _contacts(self, line: int, values: dict, extra: dict, errors: list[RowError]) -> None:
        full = extra.get("full_name")
        if full and not values["first_name"] and not values["last_name"]:
            values["first_name"], values["last_name"] = _split_full_name(full)
        if not values["last_name"] and not values["email"] and not errors:
            names = " and ".join(self.label(f) for f in ("last_name", "email") if f in self.columns)
            errors.append(RowError(line, "last_name", f"{names or 'Last Name'} empty; a contact needs one of them"))
        if not any(e.field == "email" for e in errors):
            self._resolve_account(line, values, values["email"], errors)

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
        if ext and _id_key(ext) in keys.external_ids.get("accounts", {}):
            return
        if name and (norm := self.norm_name(name)) and norm in keys.account_names:
            return
        if name and _looks_free_mail(name):
            errors.append(
                RowError(line, "account_name", f"account '{name}' is a free-mail provider, not a company")
            )
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
            reason = "no account given (Account Name or Account ID is empty)"
        field_ = "account_external_id" if ext and not name else "account_name"
        errors.append(RowError(line, field_, reason))

    # -- dedupe

    def _keys(self, values: dict) -> list[str]:
        keys: list[str] = []
        if values.get("external_id"):
            keys.append(f"id:{_id_key(values['external_id'])}")
        if self.entity == "accounts":
            if values["name"] and (norm := self.norm_name(values["name"])):
                keys.append(f"name:{norm}")
            if values["domain"]:
                keys.append(f"domain:{values['domain']}")
        elif self.entity == "contacts" and values["email"]:
            keys.append(f"email:{values['email']}")
        return keys

    def _existing_label(self, key: str) -> str | None:
        what, _, value = key.partition(":")
        ex = self.existing
        if what == "id":
            return ex.external_ids.get(self.entity, {}).get(value)
        if what == "name":
            return ex.account_names.get(value)
        if what == "domain":
            return ex.account_domains.get(value)
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


def _looks_free_mail(text: str) -> bool:
    """True for a free-mail domain or a company "name" that is one (HubSpot's junk "Gmail.com" companies)."""
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    if "." not in t or " " in t:
        return False
    reg = registrable_domain(t)
    return bool(reg) and is_free_mail(reg)
