"""Parse a bulk-invitation CSV (name, email, function, cohort) into rows and per-row errors."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

REQUIRED = ("name", "email")
FUNCTIONS = {"sales": "sales", "marketing": "marketing", "other": "other", "": "other"}
MAX_ROWS = 2000


@dataclass(frozen=True)
class InviteRow:
    line: int
    name: str
    email: str
    function: str
    cohort: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def parse_invitations(data: bytes, cohort_names: set[str]) -> tuple[list[InviteRow], list[RowError]]:
    """Return the valid rows and the errors of a bulk-invitation CSV.

    Headers are matched case-insensitively (name, email, function, cohort); `cohort` is optional and must
    name an existing cohort. Duplicate emails in the file are reported. File-level problems (not text, no
    header, missing columns, too many rows) come back as one error on line 1.
    """
    if b"\x00" in data[:4096]:
        return [], [RowError(1, "this isn't a CSV file (it contains binary data). Save it as CSV UTF-8.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "the file is empty. Add a header row: name,email,function,cohort.")]
    columns = {h.strip().lower(): i for i, h in enumerate(header)}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return [], [RowError(1, f"missing column(s): {', '.join(missing)}. Expected: name,email,function,cohort.")]
    by_lower = {n.lower(): n for n in cohort_names}
    rows: list[InviteRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    count = 0
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        count += 1
        if count > MAX_ROWS:
            return [], [RowError(1, f"too many rows: invite at most {MAX_ROWS} people per file.")]

        def cell(name: str, record: list[str] = record) -> str:
            i = columns.get(name)
            return record[i].strip() if i is not None and i < len(record) else ""

        name, raw_email = cell("name"), cell("email")
        function = cell("function").lower()
        cohort = cell("cohort")
        if not name:
            errors.append(RowError(line, "name is empty."))
            continue
        try:
            email = validate_email(raw_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.append(RowError(line, f"'{raw_email}' is not a valid email address."))
            continue
        if function not in FUNCTIONS:
            errors.append(RowError(line, f"function '{function}' must be sales, marketing or other."))
            continue
        if cohort and cohort.lower() not in by_lower:
            errors.append(RowError(line, f"there is no cohort called '{cohort}'."))
            continue
        if email in seen:
            errors.append(RowError(line, f"{email} is already on line {seen[email]}."))
            continue
        seen[email] = line
        rows.append(InviteRow(line, name, email, FUNCTIONS[function], by_lower.get(cohort.lower(), "")))
    if not rows and not errors:
        errors.append(RowError(1, "the file has a header but no people in it."))
    return rows, errors
