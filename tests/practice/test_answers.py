"""lms/practice/answers.py: form -> answer dict (as exercises/README.md defines it) and back, never raising."""

from __future__ import annotations

import math

import pytest
from werkzeug.datastructures import MultiDict

from lms.practice.answers import (
    BLANK_ROWS,
    MAX_ROWS,
    form_values,
    parse_account,
    parse_answer,
    parse_number,
    row_slots,
    rows_fields,
    to_form,
)
from lms.practice.registry import scan
from tests.practice.snapshot_builders import EXERCISES

MESSAGES = [
    {"name": "messages", "type": "rows", "min_rows": 1, "columns": [
        {"name": "account", "type": "account"},
        {"name": "role", "type": "role"},
        {"name": "channel", "type": "choice", "choices": ["email", "linkedin"]},
        {"name": "roles", "type": "roles"},
        {"name": "week", "type": "number"},
        {"name": "message", "type": "textarea"},
    ]},
    {"name": "tier", "type": "choice", "choices": ["1:1", "1:few", "1:many"]},
    {"name": "tiers", "type": "multichoice", "choices": ["1:1", "1:few", "1:many"]},
    {"name": "types", "type": "signal_types"},
    {"name": "required", "type": "roles"},
    {"name": "lead", "type": "role"},
    {"name": "target", "type": "number"},
    {"name": "owner", "type": "account"},
    {"name": "note", "type": "text"},
]


def all_fields() -> list[tuple[str, tuple]]:
    exercises, problems = scan(EXERCISES)
    assert problems == []
    return [(slug, ex.answer_fields) for slug, ex in exercises.items()]


def test_a_multidict_becomes_the_answer_the_readme_defines():
    form = MultiDict([
        ("answer-messages-0-account", "12"), ("answer-messages-0-role", "Finance"),
        ("answer-messages-0-channel", "email"), ("answer-messages-0-roles", "champion"),
        ("answer-messages-0-roles", "economic buyer"), ("answer-messages-0-week", "3"),
        ("answer-messages-0-message", "  Hello Fernhollow  "),
        ("answer-messages-1-account", ""), ("answer-messages-1-message", " "),  # empty: dropped
        ("answer-messages-2-message", "Only a message"),
        ("answer-tier", "1:few"), ("answer-tiers", "1:1"), ("answer-tiers", "1:many"),
        ("answer-types", "demo_request"), ("answer-types", "webinar"), ("answer-required", "finance"),
        ("answer-lead", "technical_evaluator"), ("answer-target", "1,200"), ("answer-owner", "7"),
        ("answer-note", "A note"), ("csrf_token", "x"),
    ])
    assert parse_answer(MESSAGES, form) == {
        "messages": [
            {"account": 12, "role": "finance", "channel": "email", "roles": ["champion", "senior_decision_maker"],
             "week": 3.0, "message": "Hello Fernhollow"},
            {"account": None, "role": None, "channel": None, "roles": [], "week": None, "message": "Only a message"},
        ],
        "tier": "1:few", "tiers": ["1:1", "1:many"], "types": ["demo_request", "webinar"], "required": ["finance"],
        "lead": "technical_evaluator", "target": 1200.0, "owner": 7, "note": "A note",
    }


def test_a_plain_dict_works_too_and_missing_fields_are_empty():
    assert parse_answer(MESSAGES, {"answer-required": ["finance", "champion"], "answer-messages-0-week": 2}) == {
        "messages": [{"account": None, "role": None, "channel": None, "roles": [], "week": 2.0, "message": ""}],
        "tier": None, "tiers": [], "types": [], "required": ["finance", "champion"], "lead": None, "target": None,
        "owner": None, "note": "",
    }
    assert parse_answer(MESSAGES, {})["messages"] == []


def test_rows_keep_the_order_of_their_numbers_not_of_the_form():
    form = MultiDict([("answer-messages-10-message", "third"), ("answer-messages-2-message", "second"),
                      ("answer-messages-0-message", "first")])
    assert [r["message"] for r in parse_answer(MESSAGES, form)["messages"]] == ["first", "second", "third"]


@pytest.mark.parametrize("text, expected", [
    ("12", 12.0), (" 1.5 ", 1.5), ("1,200", 1200.0), ("60%", 60.0), ("£5,000", 5000.0), ("-3", -3.0),
    ("", None), ("abc", None), ("nan", None), ("inf", None), ("1e999", None), ("5k", None), ("1" * 50, None),
])
def test_numbers_are_read_loosely_and_only_finite(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("12", 12), (" 7 ", 7), ("0", None), ("-1", None), ("1.5", None), ("abc", None), ("", None), ("9" * 30, None),
])
def test_account_ids_are_positive_integers(text, expected):
    assert parse_account(text) == expected


def test_invalid_choices_roles_and_signal_types_are_dropped():
    form = MultiDict([("answer-tier", "1:1000"), ("answer-tiers", "1:few"), ("answer-tiers", "nope"),
                      ("answer-types", "telepathy"), ("answer-types", "webinar,demo_request"),
                      ("answer-required", "chief wizard"), ("answer-required", "finance, finance"),
                      ("answer-lead", "nobody")])
    answer = parse_answer(MESSAGES, form)
    assert answer["tier"] is None and answer["tiers"] == ["1:few"] and answer["lead"] is None
    assert answer["types"] == ["webinar", "demo_request"]
    assert answer["required"] == ["finance"]


GARBAGE = [
    None, 42, "a string", [("answer-tier", "1:1")], MultiDict(),
    {"answer-messages-99999-account": "1"}, {"answer-messages-x-account": "1"},
    {"answer-messages-0-account": None, "answer-note": 12, "answer-target": ["1", "2"]},
    {"answer-note": "\x00\ud800" + "x" * 20_000}, {("tuple", "key"): "value"},
]


@pytest.mark.parametrize("form", GARBAGE)
def test_garbage_never_raises(form):
    for _, fields in all_fields():
        answer = parse_answer(fields, form)
        assert isinstance(answer, dict)
        assert set(answer) == {f["name"] for f in fields}
    assert len(parse_answer(MESSAGES, {"answer-note": "x" * 20_000})["note"]) == 10_000


def test_bad_field_definitions_are_skipped():
    assert parse_answer([None, {"type": "text"}, {"name": 3}, {"name": "ok", "type": "unknown"}],
                        {"answer-ok": " yes "}) == {"ok": "yes"}
    assert parse_answer([{"name": "r", "type": "rows", "columns": "nope"}], {"answer-r-0-x": "1"}) == {"r": []}


def test_at_most_max_rows_are_kept():
    form = {f"answer-messages-{i}-message": f"m{i}" for i in range(MAX_ROWS + 50)}
    assert len(parse_answer(MESSAGES, form)["messages"]) == MAX_ROWS


@pytest.mark.parametrize("slug_fields", all_fields(), ids=lambda p: p[0])
def test_every_exercise_round_trips_answer_to_form_and_back(slug_fields):
    _, fields = slug_fields
    answer = {}
    for f in fields:
        if f["type"] == "rows":
            answer[f["name"]] = [{c["name"]: sample(c) for c in f["columns"]} for _ in range(2)]
        else:
            answer[f["name"]] = sample(f)
    assert parse_answer(fields, to_form(fields, answer)) == answer


def sample(field: dict) -> object:
    kind = field["type"]
    return {
        "text": "Some text", "textarea": "Longer text\nover two lines", "number": 2.5, "account": 42,
        "role": "finance", "roles": ["finance", "champion"], "signal_types": ["webinar", "demo_request"],
        "choice": (field.get("choices") or [None])[-1], "multichoice": list(field.get("choices") or [])[:2],
    }[kind]


def test_form_values_turn_an_answer_into_strings_and_lists_for_the_form():
    values = form_values(MESSAGES, {
        "messages": [{"account": 12, "role": "finance", "roles": ["champion"], "week": 3.0, "message": "Hi"},
                     "not a row", {}],
        "tier": "1:few", "tiers": "1:1", "target": 0.6, "owner": None, "note": None, "required": None,
    })
    assert values["messages"] == [{"account": "12", "role": "finance", "channel": "", "roles": ["champion"],
                                   "week": "3", "message": "Hi"}]
    assert values["tier"] == "1:few" and values["tiers"] == ["1:1"] and values["target"] == "0.6"
    assert values["owner"] == "" and values["note"] == "" and values["required"] == []
    assert form_values(MESSAGES, None)["messages"] == []
    assert form_values(MESSAGES, {"target": math.nan, "messages": "junk"})["target"] == ""


def test_row_slots_offer_blank_rows_more_on_request_and_at_least_min_rows():
    field = {"name": "targets", "type": "rows", "min_rows": 5}
    assert row_slots(field, 0) == row_slots(field, 0, "") and row_slots(field, 0).total == 5
    assert row_slots(field, 4).blank == BLANK_ROWS
    assert row_slots(field, 4, "9").blank == 9
    assert row_slots(field, 4, "nonsense").blank == BLANK_ROWS
    assert row_slots(field, 4, "-5").blank == BLANK_ROWS
    assert row_slots(field, 4, "9" * 40).blank == 60
    assert row_slots(field, MAX_ROWS).blank == 0
    assert row_slots({"min_rows": "junk"}, 0).total == BLANK_ROWS


def test_rows_fields_lists_the_tables():
    assert rows_fields(MESSAGES) == ["messages"]
    assert rows_fields([{"name": "x", "type": "text"}, "junk"]) == []
