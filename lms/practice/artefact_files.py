"""What a passed submission gives the learner to take back to work: their answer as labelled text and tables
(for the PDF), and one rows field as a CSV or XLSX sheet that is safe to open in a spreadsheet.

Pure: the exercise's answer fields, the saved answer and the workspace's account names in; values or bytes out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lms.abm.vocabulary import SIGNAL_TYPE_LABELS, role_label
from lms.accounts.exporting import safe_cell
from lms.practice.answers import form_values, parse_account

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class Table:
    """A rows field as a table: the column labels and each row's cells as text."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Item:
    """One answer field as the PDF shows it: its label, and its text or its table ("" when left empty)."""

    label: str
    text: str = ""
    table: Table | None = None


def account_ids(fields: Sequence[Mapping], answer: Mapping | None) -> set[int]:
    """Return the ids of the accounts an answer names, in account fields and account columns."""
    values = form_values(fields, answer)
    found: set[int | None] = set()
    for f in fields:
        value = values.get(f.get("name"))
        if f.get("type") == "account" and isinstance(value, str):
            found.add(parse_account(value))
        elif f.get("type") == "rows" and isinstance(value, list):
            columns = [c.get("name") for c in f.get("columns") or () if c.get("type") == "account"]
            found.update(parse_account(row.get(c) or "") for row in value for c in columns)
    return {i for i in found if i is not None}


def cell_text(field: Mapping, value: object, account_names: Mapping[int, str]) -> str:
    """Return a form value (as answers.form_values gives it) as the learner would say it: account names
    instead of ids, buying roles and signal types by their labels, lists joined by commas."""
    kind = field.get("type")
    if value is None or value == "" or value == []:
        return ""
    if kind == "account":
        account_id = parse_account(str(value))
        return account_names.get(account_id, f"Account {value}") if account_id else str(value)
    items = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    if kind in ("role", "roles"):
        text = ", ".join(role_label(v) for v in items)
        return text[:1].upper() + text[1:]  # a cell of its own: "Finance, champion"
    if kind == "signal_types":
        items = [SIGNAL_TYPE_LABELS.get(v, v.replace("_", " ")) for v in items]
    elif kind in ("choice", "multichoice"):
        items = [v.replace("_", " ") for v in items]  # "phone_script" reads "phone script", as on the page
    return ", ".join(items)


def _label(field: Mapping) -> str:
    return str(field.get("label") or field.get("name") or "").strip()


def table(field: Mapping, rows: object, account_names: Mapping[int, str]) -> Table:
    """Return a rows field's rows (form values) as a table with the columns' labels."""
    columns = [c for c in field.get("columns") or () if isinstance(c, Mapping)]
    body = tuple(tuple(cell_text(c, row.get(c.get("name")), account_names) for c in columns)
                 for row in rows if isinstance(row, Mapping)) if isinstance(rows, list) else ()
    return Table(tuple(_label(c) for c in columns), body)


def answer_items(fields: Sequence[Mapping], answer: Mapping | None, account_names: Mapping[int, str]
                 ) -> list[Item]:
    """Return every answer field, in the form's order, with its label and its text or table."""
    values = form_values(fields, answer)
    items = []
    for f in fields:
        if not isinstance(f, Mapping) or not isinstance(f.get("name"), str):
            continue
        if f.get("type") == "rows":
            items.append(Item(_label(f), table=table(f, values.get(f["name"]), account_names)))
        else:
            items.append(Item(_label(f), text=cell_text(f, values.get(f["name"]), account_names)))
    return items


def rows_table(fields: Sequence[Mapping], answer: Mapping | None, name: str, account_names: Mapping[int, str]
               ) -> Table:
    """Return the rows field `name` of an answer as a table. Raises KeyError if there is no such rows field."""
    field = next((f for f in fields if f.get("name") == name and f.get("type") == "rows"), None)
    if field is None:
        raise KeyError(name)
    return table(field, form_values(fields, answer).get(name), account_names)


def csv_bytes(data: Table) -> bytes:
    """Return the table as CSV: UTF-8 with a BOM and CRLF line ends (Excel opens it correctly), text that a
    spreadsheet would run as a formula prefixed with ' (accounts.exporting.safe_cell)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in data.headers])
    for row in data.rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(data: Table, sheet: str) -> bytes:
    """Return the table as an XLSX workbook of one sheet named `sheet` (cut to Excel's 31 characters), with
    the same guard against formulas as the CSV."""
    from openpyxl import Workbook  # imported here: only XLSX downloads pay for openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", sheet).strip()[:31] or "Sheet1")
    for row in (data.headers, *data.rows):
        ws.append([safe_cell(ILLEGAL_CHARACTERS_RE.sub("", cell)) for cell in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def file_name(title: str, learner: str, fmt: str) -> str:
    """Return the name a downloaded artefact is saved as, e.g. "Messaging-matrix-Maya-Okafor.xlsx"."""
    stem = "-".join(p for p in (_UNSAFE_NAME.sub("-", title).strip("-"), _UNSAFE_NAME.sub("-", learner).strip("-"))
                    if p)
    return f"{stem[:100] or 'artefact'}.{fmt}"
