"""lms/practice/artefact_files.py: the answer as labelled text and tables, and a rows field as CSV or XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from lms.practice.artefact_files import (
    Table,
    account_ids,
    answer_items,
    cell_text,
    csv_bytes,
    file_name,
    rows_table,
    xlsx_bytes,
)

FIELDS = (
    {"name": "messages", "label": "Messages by role", "type": "rows", "columns": [
        {"name": "account", "label": "Account", "type": "account"},
        {"name": "role", "label": "Buying role", "type": "role"},
        {"name": "message", "label": "Message", "type": "textarea"},
    ]},
    {"name": "focus", "label": "Focus account", "type": "account"},
    {"name": "roles", "label": "Roles to reach", "type": "roles"},
    {"name": "signals", "label": "Signals to watch", "type": "signal_types"},
    {"name": "budget", "label": "Budget", "type": "number"},
    {"name": "notes", "type": "textarea"},
)
ANSWER = {
    "messages": [
        {"account": 11, "role": "finance", "message": "Payback in nine months on the depot routes"},
        {"account": 12, "role": "technical_evaluator", "message": "=HYPERLINK(\"http://evil.example\")"},
        {"account": None, "role": None, "message": ""},  # an empty row is left out
    ],
    "focus": 11,
    "roles": ["senior_decision_maker", "finance"],
    "signals": ["intent_surge"],
    "budget": 12000.0,
    "notes": "",
}
NAMES = {11: "Harbourline Logistics", 12: "Fernhollow Labs"}


def test_the_accounts_an_answer_names_are_found_in_fields_and_columns():
    assert account_ids(FIELDS, ANSWER) == {11, 12}
    assert account_ids(FIELDS, {}) == set() and account_ids(FIELDS, None) == set()


def test_values_read_as_the_learner_would_say_them():
    assert cell_text({"type": "account"}, "11", NAMES) == "Harbourline Logistics"
    assert cell_text({"type": "account"}, "99", NAMES) == "Account 99"  # no longer in the workspace
    assert cell_text({"type": "role"}, "technical_evaluator", NAMES) == "Technical evaluator"
    assert cell_text({"type": "roles"}, ["finance", "champion"], NAMES) == "Finance, champion"
    assert cell_text({"type": "text"}, "", NAMES) == "" and cell_text({"type": "text"}, None, NAMES) == ""
    assert cell_text({"type": "choice"}, "phone_script", NAMES) == "phone script"
    assert cell_text({"type": "multichoice"}, ["ad", "direct_mail"], NAMES) == "ad, direct mail"
    assert cell_text({"type": "text"}, "keep_this_underscore", NAMES) == "keep_this_underscore"


def test_the_whole_answer_is_listed_with_labels_rows_as_tables_and_names_for_ids():
    items = answer_items(FIELDS, ANSWER, NAMES)
    assert [i.label for i in items] == ["Messages by role", "Focus account", "Roles to reach", "Signals to watch",
                                        "Budget", "notes"]
    table = items[0].table
    assert table.headers == ("Account", "Buying role", "Message")
    assert table.rows[0] == ("Harbourline Logistics", "Finance", "Payback in nine months on the depot routes")
    assert len(table.rows) == 2
    assert items[1].text == "Harbourline Logistics"
    assert items[2].text == "Senior decision maker (economic buyer), finance"
    assert items[3].text and "_" not in items[3].text
    assert items[4].text == "12000" and items[5].text == ""


def test_a_rows_field_exports_as_csv_with_formulas_defused():
    table = rows_table(FIELDS, ANSWER, "messages", NAMES)
    data = csv_bytes(table)
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Account", "Buying role", "Message"]
    assert rows[1] == ["Harbourline Logistics", "Finance", "Payback in nine months on the depot routes"]
    assert rows[2][2] == "'=HYPERLINK(\"http://evil.example\")"
    with pytest.raises(KeyError):
        rows_table(FIELDS, ANSWER, "focus", NAMES)


def test_a_rows_field_exports_as_xlsx_that_reads_back():
    data = xlsx_bytes(rows_table(FIELDS, ANSWER, "messages", NAMES), "Messaging matrix: by role/account")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Messaging matrix  by role accoun"[:31]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Account", "Buying role", "Message"]
    assert values[1][0] == "Harbourline Logistics" and values[2][2].startswith("'=")
    empty = load_workbook(io.BytesIO(xlsx_bytes(Table(("A",), ()), "x"))).active
    assert [[c.value for c in row] for row in empty.iter_rows()] == [["A"]]


def test_download_names_are_safe():
    assert file_name("Messaging matrix", "Maya O'Kafor", "xlsx") == "Messaging-matrix-Maya-O-Kafor.xlsx"
    assert file_name("../../etc", "", "pdf") == "etc.pdf"
    assert file_name("", "", "csv") == "artefact.csv"


def test_every_installed_artefact_renders_from_its_exercises_fields():
    from lms.config import ROOT
    from lms.practice.registry import scan

    exercises, _ = scan(ROOT / "exercises")
    declared = {slug: ex for slug, ex in exercises.items() if ex.artefact}
    for slug, ex in declared.items():
        items = answer_items(ex.answer_fields, {}, {})
        assert [i.label for i in items] and all(i.label for i in items), slug  # every field has a label
        if ex.artefact["format"] != "pdf":
            data = rows_table(ex.answer_fields, {}, ex.artefact["field"], {})
            assert data.headers and all(data.headers) and data.rows == (), slug
