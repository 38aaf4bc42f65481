"""Write workspace records (and an import's rejected rows) as CSV or XLSX, safe to open in a spreadsheet.

Pure: canonical dicts in, bytes out, in a CRM's own headers. Re-importing a file gives the same values back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from lms.accounts.fields import ABM_COLUMNS, FIELDS, FORMULA_TRIGGERS

Style = Literal["abm_academy", "salesforce_report", "hubspot"]
Format = Literal["csv", "xlsx"]

# Canonical field -> the header that CRM writes (and that importer.detect_format recognises).
HEADERS: dict[str, dict[str, dict[str, str]]] = {
    "abm_academy": {entity: {f: c for c, f in cols.items()} for entity, cols in ABM_COLUMNS.items()},
    "salesforce_report": {
        "accounts": {
            "external_id": "Account ID", "name": "Account Name", "website": "Website", "industry": "Industry",
            "employees": "Employees", "revenue": "Annual Revenue", "region": "Billing Country",
            "tier": "ABM Tier", "owner": "Account Owner",
        },
        "contacts": {
            "external_id": "Contact ID", "first_name": "First Name", "last_name": "Last Name", "email": "Email",
            "title": "Title", "account_external_id": "Account ID", "account_name": "Account Name",
            "phone": "Phone", "crm_role": "Buyer Attributes", "region": "Mailing Country",
        },
        "opportunities": {
            "external_id": "Opportunity ID", "name": "Opportunity Name", "account_external_id": "Account ID",
            "account_name": "Account Name", "stage": "Stage", "amount": "Amount",
            "currency": "Opportunity Currency", "created_at": "Created Date", "closed_at": "Close Date",
            "is_closed": "Closed", "is_won": "Won", "source": "Lead Source",
        },
    },
    "hubspot": {
        "accounts": {
            "external_id": "Record ID", "name": "Company name", "website": "Website URL", "industry": "Industry",
            "employees": "Number of Employees", "revenue": "Annual Revenue", "region": "Country/Region",
            "tier": "Ideal Customer Profile Tier", "owner": "Company owner",
        },
        "contacts": {
            "external_id": "Record ID", "first_name": "First Name", "last_name": "Last Name", "email": "Email",
            "title": "Job Title", "account_external_id": "Primary Associated Company ID",
            "account_name": "Associated Company", "phone": "Phone Number", "crm_role": "Buying Role",
            "region": "Country/Region",
        },
        "opportunities": {
            "external_id": "Record ID", "name": "Deal Name", "account_external_id": "Associated Company IDs",
            "account_name": "Associated Company", "stage": "Deal Stage", "amount": "Amount",
            "currency": "Currency", "created_at": "Create Date", "closed_at": "Close Date",
            "is_closed": "Is Closed", "is_won": "Is Closed Won", "source": "Original Source",
        },
    },
}

# HubSpot's "Ideal Customer Profile Tier" property uses Tier 1-3; the importer maps them back.
_HUBSPOT_TIERS = {"1:1": "Tier 1", "1:few": "Tier 2", "1:many": "Tier 3"}


def safe_cell(value: Any) -> Any:
    """Return the value with a leading `'` if it is text a spreadsheet would run as a formula.

    OWASP CSV-injection rule: text starting with = + - @ tab or CR is prefixed, so "-2+3" and "+44 20 7946"
    become "'-2+3" and "'+44 20 7946". Numbers (int, float, Decimal) are returned unchanged: a number cell
    cannot hold a formula, so negative numbers stay numbers. The importer strips the prefix again.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _number_text(value: float | int | Decimal) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)


def _date_text(value: date, style: str) -> str:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    seconds = value.second or value.microsecond
    if style == "abm_academy":
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if style == "salesforce_report":  # a UK-locale org: DD/MM/YYYY, time only when there is one
        day = value.strftime("%d/%m/%Y")
        if value.time() == datetime.min.time():
            return day
        return day + value.strftime(" %H:%M:%S" if seconds else " %H:%M")
    return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")  # HubSpot


def _prepare(field_: str, record: Mapping[str, Any], style: str) -> Any:
    if field_ == "is_closed":
        return record.get("is_won") is not None
    value = record.get(field_)
    if field_ == "tier" and style == "hubspot" and value in _HUBSPOT_TIERS:
        return _HUBSPOT_TIERS[value]
    if isinstance(value, tuple | list | set | frozenset):
        return ";".join(str(v) for v in value)
    return value


def _csv_text(value: Any, style: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("1" if value else "0") if style == "salesforce_report" else ("true" if value else "false")
    if isinstance(value, int | float | Decimal):
        return _number_text(value)
    if isinstance(value, date):
        return _date_text(value, style)
    return str(safe_cell(str(value)))


def export_rows(
    entity: str,
    records: Iterable[Mapping[str, Any]],
    fmt: Format = "csv",
    style: Style = "abm_academy",
) -> bytes:
    """Return `records` (canonical dicts, as validate() produces) as CSV or XLSX bytes with `style`'s headers.

    CSV is UTF-8 with a BOM and CRLF line ends, which Excel opens correctly. Text cells are guarded
    against formula injection (safe_cell). Raises ValueError for an unknown format, style or entity,
    or an entity the style has no export for.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown format {fmt!r}")
    if style not in HEADERS:
        raise ValueError(f"unknown style {style!r}")
    if entity not in FIELDS:
        raise ValueError(f"unknown entity {entity!r}")
    columns = HEADERS[style].get(entity)
    if columns is None:
        raise ValueError(f"{style} has no {entity} export; use the abm_academy style")
    rows = ([_prepare(f, r, style) for f in columns] for r in records)
    if fmt == "csv":
        return _write_csv(list(columns.values()), rows, style)
    return _write_xlsx(list(columns.values()), rows, entity)


def _write_csv(headers: list[str], rows: Iterable[list[Any]], style: str) -> bytes:
    buffer = io.StringIO(newline="")
    # Salesforce quotes every field in its report exports; the others quote only when needed.
    quoting = csv.QUOTE_ALL if style == "salesforce_report" else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=quoting)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_text(v, style) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _write_xlsx(headers: list[str], rows: Iterable[list[Any]], entity: str) -> bytes:
    from openpyxl import Workbook  # imported here: CSV exports should not pay for openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=entity.capitalize())
    ws.append(headers)
    for row in rows:
        out: list[Any] = []
        for value in row:
            if isinstance(value, str):
                # XLSX cannot store most C0 control characters; openpyxl raises on them.
                value = safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
            elif isinstance(value, Decimal):
                value = float(value)
            out.append(value)  # numbers, dates and booleans keep their cell types
        ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def errors_csv(headers: list[str], records: Iterable[Mapping[str, Any]]) -> bytes:
    """Return rejected rows as CSV: line, column, reason, then the row as it was uploaded.

    Every cell is guarded against formula injection (safe_cell). UTF-8 with a BOM for Excel.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in ["line", "column", "reason", *headers]])
    for e in records:
        values = e.get("values") or {}
        cells = (e.get("line"), e.get("field"), e.get("reason"), *(values.get(h, "") for h in headers))
        writer.writerow(["" if v is None else safe_cell(str(v)) for v in cells])
    return buffer.getvalue().encode("utf-8-sig")
