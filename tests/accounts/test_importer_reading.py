"""Reading files into tables: whole-file refusals, encodings, delimiters, line numbers, XLSX sheets."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from openpyxl import Workbook

from lms.accounts.importer import ImportFileError, detect_format, read_table
from tests.accounts.importer_support import CRM, load, plan

# --- whole-file refusals


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("empty.csv", "empty.csv is empty."),
        ("header_only.csv", "header_only.csv has a header row but no data rows."),
        ("binary.csv", "binary.csv is a PNG image, not a CSV or Excel file."),
        ("bad_encoding.csv", "bad_encoding.csv is not UTF-8 or Windows-1252 text (byte 0x81 on line 2"),
    ],
)
def test_unreadable_fixture_is_refused_with_its_own_message(fixture, expected):
    with pytest.raises(ImportFileError) as caught:
        read_table((CRM / fixture).read_bytes(), fixture)

    assert caught.value.message.startswith(expected)


def test_file_over_the_size_limit_is_refused():
    with pytest.raises(ImportFileError, match=r"accounts.csv is 2 KB; the limit is 1 KB"):
        read_table(b"Account Name\n" + b"x" * 2048, "accounts.csv", max_bytes=1024)


def test_file_with_more_rows_than_the_limit_is_refused():
    data = ("Account Name\n" + "".join(f"Firm {i}\n" for i in range(4))).encode()

    with pytest.raises(ImportFileError, match=r"more than 3 data rows"):
        read_table(data, "accounts.csv", max_rows=3)


def test_rows_up_to_the_limit_are_accepted():
    data = ("Account Name\n" + "".join(f"Firm {i}\n" for i in range(3))).encode()

    assert len(read_table(data, "accounts.csv", max_rows=3).rows) == 3


def test_whitespace_and_bom_only_file_counts_as_empty():
    with pytest.raises(ImportFileError, match="is empty"):
        read_table(b"\xef\xbb\xbf\r\n  \r\n", "accounts.csv")


def test_nul_bytes_mean_binary():
    with pytest.raises(ImportFileError, match="contains binary data"):
        read_table(b"Account Name\nAcme\x00\x00\x01", "accounts.csv")


def test_control_characters_mean_binary_even_when_cp1252_decodes_them():
    with pytest.raises(ImportFileError, match="looks like a binary file"):
        read_table(b"Account Name\n" + bytes(range(1, 9)) * 10, "accounts.csv")


def test_old_xls_is_refused_with_save_as_advice():
    with pytest.raises(ImportFileError, match=r"old-style Excel \(\.xls\)"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "accounts.xls")


def test_text_named_xlsx_is_refused():
    with pytest.raises(ImportFileError, match="named like an Excel workbook but is not one"):
        read_table(b"Account Name\nAcme\n", "accounts.xlsx")


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")

    with pytest.raises(ImportFileError, match="not a readable Excel workbook"):
        read_table(buffer.getvalue(), "accounts.xlsx")


def test_unterminated_quote_is_reported_with_its_line():
    data = b'Account Name,Website\nAcme,acme.example\n"Broken,' + b"x" * 140_000 + b"\n"

    with pytest.raises(ImportFileError, match=r'line 3 cannot be read .*stray "'):
        read_table(data, "accounts.csv")



# --- line numbers and XLSX


def test_multiline_quoted_field_keeps_physical_line_numbers():
    accounts = load("salesforce_report_accounts.csv")
    contacts = load("salesforce_report_contacts.csv")

    assert [line for line, _ in accounts.rows] == [2, 3, 4, 6, 7, 8, 9]
    fernhollow = dict(accounts.rows)[4]
    assert fernhollow[10] == "Spun out of a university lab.\r\nSeries B closed 2023."
    assert [line for line, _ in contacts.rows] == [2, 4, 5, 6, 7, 8, 9]
    assert dict(contacts.rows)[2][4] == "Unit 4\r\nRiverside Park"


def test_xlsx_is_recognised_by_its_bytes_even_when_named_csv():
    table = load("dynamics_accounts.xlsx", as_name="export.csv")

    assert table.encoding == "xlsx"


def test_xlsx_line_numbers_are_sheet_rows_even_with_blank_rows():
    wb = Workbook()
    ws = wb.active
    ws["A3"], ws["B3"] = "Account Name", "Website"
    ws["A4"] = "Acme Ltd"
    ws["A7"], ws["B7"] = "Beta plc", "beta.example"
    buffer = io.BytesIO()
    wb.save(buffer)

    table = read_table(buffer.getvalue(), "accounts.xlsx")

    assert table.headers == ["Account Name", "Website"]
    assert table.rows == [(4, ["Acme Ltd", ""]), (7, ["Beta plc", "beta.example"])]



# --- encodings and delimiters


def test_windows_1252_file_is_decoded_with_pound_and_accents():
    table = load("windows1252_accounts.csv")
    rows = dict(table.rows)

    assert table.encoding == "cp1252"
    assert rows[2][0] == "Crème Analytics Ltd"
    assert rows[2][5] == "Budget £50k agreed for pilot"
    assert rows[3][5] == "Owner: Zoë Bexley; “premium” range"
    assert plan("windows1252_accounts.csv").errors == []


def test_bom_followed_by_windows_1252_text_still_decodes():
    table = read_table(codecs.BOM_UTF8 + "Account Name\nCrème Ltd\n".encode("cp1252"), "accounts.csv")

    assert (table.encoding, table.rows) == ("cp1252", [(2, ["Crème Ltd"])])


def test_semicolon_delimiter_is_sniffed_and_commas_stay_in_values():
    table = load("semicolon_contacts.csv")

    assert table.delimiter == ";"
    assert dict(table.rows)[3][3] == "Head of IT, EMEA"
    assert detect_format(table.headers).entity == "contacts"


def test_tab_delimited_file_is_read():
    table = load("tab_contacts.tsv")
    detected = detect_format(table.headers)

    assert table.delimiter == "\t"
    assert (detected.source, detected.entity) == ("hubspot", "contacts")
    assert dict(table.rows)[3][3] == "Director, Research Operations"


def test_excel_unicode_text_in_utf16_is_read():
    data = codecs.BOM_UTF16_LE + "Account Name\tWebsite\r\nCrème Ltd\tcreme.example\r\n".encode("utf-16-le")
    table = read_table(data, "accounts.txt")

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows == [(2, ["Crème Ltd", "creme.example"])]
