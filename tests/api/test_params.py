"""The API's strict parameter parsing and its paging arithmetic (pure: no app)."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from lms.api.paging import Window
from lms.api.params import EnrolmentQuery, parse_boolean, parse_integer, parse_timestamp


@pytest.mark.parametrize(("text", "number"), [("1", 1), ("200", 200), ("-3", -3), ("007", 7)])
def test_an_integer_is_its_decimal_digits(text, number):
    assert parse_integer(text) == number


@pytest.mark.parametrize("text", ["1.0", "+1", " 1", "1_000", "1e3", "", "one", "１", "9" * 19, True])
def test_anything_else_is_not_an_integer(text):
    with pytest.raises(ValueError):
        parse_integer(text)


@pytest.mark.parametrize(("text", "moment"), [
    ("2026-01-31T09:00:00Z", datetime(2026, 1, 31, 9)),
    ("2026-01-31t09:00:00z", datetime(2026, 1, 31, 9)),
    ("2026-01-31T09:00:00.25+01:00", datetime(2026, 1, 31, 8, 0, 0, 250000)),
    ("2026-01-31T23:30:00-02:00", datetime(2026, 2, 1, 1, 30)),
    ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59)),  # a leap second: the second before it
    ("0000-01-01T00:00:00Z", datetime.min),
    ("0001-01-01T00:00:00+01:00", datetime.min),  # before what Python holds: the earliest it can
    ("9999-12-31T23:59:59-01:00", datetime.max),
])
def test_a_timestamp_is_rfc_3339_with_its_offset_and_comes_back_as_naive_utc(text, moment):
    assert parse_timestamp(text) == moment


@pytest.mark.parametrize("text", ["2026-01-31", "2026-01-31T09:00:00", "2026-01-31 09:00:00Z", "1769850000",
                                  "2026-02-30T00:00:00Z", "2026-01-31T24:00:00Z", "2026-01-31T09:00:00+24:00",
                                  "2026-01-31T09:00:00Z\n", None])
def test_anything_else_is_not_a_timestamp(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_a_boolean_is_true_or_false():
    assert parse_boolean("true") is True and parse_boolean("false") is False
    for text in ("1", "yes", "True", ""):
        with pytest.raises(ValueError):
            parse_boolean(text)


def test_a_query_takes_its_filters_and_rejects_other_names_and_bad_values():
    query = EnrolmentQuery.model_validate({"page": "2", "per_page": "20", "cohort": "4", "status": "overdue",
                                           "updated_since": "2026-01-01T00:00:00Z"})
    assert (query.page, query.per_page, query.cohort, query.status, query.offset) == (2, 20, 4, "overdue", 20)
    for bad in ({"per_page": "201"}, {"page": "0"}, {"cohort": "2147483648"}, {"status": "late"},
                {"updated_since": "yesterday"}, {"page": ["1", "2"]}, {"unknown": "1"}):
        with pytest.raises(ValidationError):
            EnrolmentQuery.model_validate(bad)


def test_a_window_knows_its_offset_and_the_pages_around_it():
    window = Window(page=2, per_page=10, total=25)
    assert (window.offset, window.pages, window.has_next, window.has_previous) == (10, 3, True, True)
    assert not Window(3, 10, 25).has_next
    assert Window(1, 10, 0).pages == 1 and not Window(1, 10, 0).has_previous
    assert Window(9, 10, 25).previous_page == 3  # past the end, "previous" is the last page
