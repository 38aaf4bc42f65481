"""Stage 1 of an import: a CSV, TSV or XLSX file's bytes -> a Table of trimmed headers and numbered rows.

Pure. Decodes UTF-8, UTF-16 and Windows-1252, sniffs the delimiter, drops Salesforce report footers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000


class ImportFileError(ValueError):
    """The whole file cannot be imported; `message` is written for the learner."""

    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # "empty": readable but without data rows; "unreadable": anything else


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
        raise ImportFileError(f"{name} is empty. Export it from your CRM again, including the header row.",
                             "empty")
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
        raise ImportFileError(f"{name} is empty. Export it from your CRM again, including the header row.",
                             "empty")
    while headers and not headers[-1]:
        headers.pop()  # a trailing delimiter on the header line
    footer = 0
    while records and _is_footer(records[-1][1], delimiter or ","):
        records.pop()
        footer += 1
    if not records:
        raise ImportFileError(
            f"{name} has a header row but no data rows. Check the report's filters in your CRM and export again.",
            "empty",
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
