"""lms.practice.values: reading loose answer values, and result.sort_findings, as the checkers rely on them."""

from __future__ import annotations

import math

import pytest

from lms.practice.result import Finding, sort_findings
from lms.practice.values import as_id, as_number, as_rows, as_strings, as_text, is_blank_row, is_filled

ODD = [None, [], {}, (), object(), b"12", 1j]


# --- as_id ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (0, 0),
        (-3, -3),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("007", 7),
        ("١٢", 12),  # Arabic-Indic digits are decimal digits, as int() reads them
    ],
)
def test_as_id_reads_ints_whole_floats_and_digit_strings(value, expected):
    assert as_id(value) == expected
    assert type(as_id(value)) is int


@pytest.mark.parametrize(
    "value",
    [True, False, 12.5, math.nan, math.inf, "", " ", "12a", "-3", "+3", "1.0", "1,200", "²", *ODD],
)
def test_as_id_rejects_bools_fractions_and_other_text(value):
    assert as_id(value) is None


# --- as_number -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3.0), (2.5, 2.5), ("12", 12.0), (" 1.5 ", 1.5), ("-4", -4.0), ("1e3", 1000.0), (0, 0.0)],
)
def test_as_number_reads_numbers_and_numeric_text(value, expected):
    for formatted in (False, True):
        result = as_number(value, formatted=formatted)
        assert result == expected
        assert type(result) is float


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        math.nan,
        math.inf,
        -math.inf,
        "nan",
        "inf",
        "-Infinity",
        "1e400",
        10**400,  # too large for a float: None, not OverflowError
        "",
        "  ",
        "twelve",
        *ODD,
    ],
)
def test_as_number_rejects_bools_non_finite_and_junk(value):
    assert as_number(value) is None
    assert as_number(value, formatted=True) is None


@pytest.mark.parametrize("value", ["1,200", "45%", "1,200.5%", " 45 % "])
def test_commas_and_percent_signs_are_read_only_when_formatted(value):
    assert as_number(value) is None
    assert as_number(value, formatted=True) is not None


def test_formatted_numbers_drop_the_commas_and_the_percent_sign_without_scaling():
    assert as_number("1,200", formatted=True) == 1200.0
    assert as_number("1,234,567.5", formatted=True) == 1234567.5
    assert as_number("45%", formatted=True) == 45.0  # not 0.45: the checker decides what a percentage means
    assert as_number(" 45 % ", formatted=True) == 45.0
    assert as_number("0.5%", formatted=True) == 0.5
    assert as_number("%", formatted=True) is None
    assert as_number("45%x", formatted=True) is None


# --- as_text and as_strings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("  hello  ", "hello"), ("", ""), ("\n\t", ""), ("a b", "a b"), (12, ""), (None, ""), (["x"], "")],
)
def test_as_text_strips_strings_and_blanks_everything_else(value, expected):
    assert as_text(value) == expected


def test_as_strings_splits_comma_text_and_strips_list_items():
    assert as_strings("demo_request, pricing_page_visit ,,") == ["demo_request", "pricing_page_visit"]
    assert as_strings([" a ", "", "  ", "b", 3, None, ["c"]]) == ["a", "b"]
    assert as_strings(("a", "b")) == ["a", "b"]
    assert sorted(as_strings({"a", "b"})) == ["a", "b"]
    assert sorted(as_strings(frozenset({"a"}))) == ["a"]


@pytest.mark.parametrize("value", [None, "", " , ", 12, {"a": "b"}, object()])
def test_as_strings_gives_an_empty_list_for_nothing_usable(value):
    assert as_strings(value) == []


# --- as_rows and is_blank_row ----------------------------------------------------------------------------------


def test_as_rows_returns_a_list_of_the_rows():
    rows = [{"account": 1}, {"account": 2}]
    assert as_rows(rows) == rows
    assert as_rows(rows) is not rows  # a copy: the caller may not change the answer
    assert as_rows(tuple(rows)) == rows
    assert as_rows([None, "x", 3]) == [None, "x", 3]  # rows are not judged here


@pytest.mark.parametrize("value", [None, "", []])
def test_missing_or_empty_rows_are_no_rows(value):
    assert as_rows(value) == []


@pytest.mark.parametrize("value", ["some text", 3, {"account": 1}, True, {1, 2}])
def test_rows_that_are_not_a_list_cannot_be_read(value):
    assert as_rows(value) is None


def test_is_blank_row_is_true_only_when_every_cell_is_empty():
    assert is_blank_row({})
    assert is_blank_row({"kpi": None, "target": "", "roles": [], "tiers": ()})
    assert not is_blank_row({"kpi": None, "target": 0})
    assert not is_blank_row({"kpi": " "})
    assert not is_blank_row({"enabled": False})


# --- is_filled -------------------------------------------------------------------------------------------------


def test_is_filled_needs_text():
    assert is_filled("Jane Smith")
    assert is_filled("  x ")
    for value in ("", "   ", None, 3, ["a"]):
        assert not is_filled(value)


def test_is_filled_rejects_the_placeholders_it_is_given_whatever_their_case():
    placeholders = frozenset({"tbd", "n/a"})
    assert not is_filled(" TBD ", placeholders)
    assert not is_filled("N/A", placeholders)
    assert is_filled("TBD by Friday", placeholders)
    assert is_filled("TBD")  # no placeholders given: any text counts


# --- sort_findings ---------------------------------------------------------------------------------------------


def test_sort_findings_puts_blockers_first_and_keeps_the_order_within_a_severity():
    good = Finding("good", "g")
    improve_1, improve_2 = Finding("improve", "i1"), Finding("improve", "i2")
    blocker_1, blocker_2 = Finding("blocker", "b1"), Finding("blocker", "b2")
    findings = [good, improve_1, blocker_1, improve_2, blocker_2]
    assert sort_findings(findings) == (blocker_1, blocker_2, improve_1, improve_2, good)
    assert sort_findings([]) == ()
    assert sort_findings(iter([good, blocker_1])) == (blocker_1, good)


def test_filled_rows_number_rows_from_one_and_leave_out_blank_and_unreadable_ones():
    from lms.practice.values import filled_rows

    answer = {"reps": [{"name": "Dana"}, {"name": ""}, "junk", {"name": "Tom", "why": ""}]}
    assert filled_rows(answer, "reps") == [(1, {"name": "Dana"}), (4, {"name": "Tom", "why": ""})]
    assert filled_rows({"reps": "not rows"}, "reps") == [] and filled_rows({}, "reps") == []
