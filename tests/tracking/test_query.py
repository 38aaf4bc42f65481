"""The statements API's query parameters and its signed `more` cursor, without an app."""

from __future__ import annotations

from datetime import datetime

import pytest

from lms.tracking.query import (
    MAX_LIMIT,
    QueryError,
    StatementQuery,
    decode_cursor,
    encode_cursor,
    parse_agent,
    parse_query,
)


def test_agent_parameter_must_be_an_identified_agent():
    assert parse_agent('{"mbox": "mailto:ada@northwind.example"}') == {"mbox": "mailto:ada@northwind.example"}
    assert parse_agent('{"account": {"homePage": "https://crm.example", "name": "42"}}')
    for bad in ("ada@northwind.example", '{"name": "Ada"}', '{"mbox": "ada@northwind.example"}',
                '{"mbox": "mailto:a@x.example", "openid": "https://id.example/a"}'):
        with pytest.raises(ValueError):
            parse_agent(bad)


def test_parameters_become_a_query():
    query = parse_query({"agent": '{"mbox": "mailto:ada@northwind.example"}',
                         "verb": "http://adlnet.gov/expapi/verbs/completed", "since": "2026-11-02T12:00:00+03:00",
                         "limit": "0", "ascending": "true", "related_activities": "false", "format": "ids"})
    assert query == StatementQuery(agent={"mbox": "mailto:ada@northwind.example"},
                                   verb="http://adlnet.gov/expapi/verbs/completed", since=datetime(2026, 11, 2, 9),
                                   limit=MAX_LIMIT, ascending=True, format="ids")
    assert parse_query({}) == StatementQuery()
    assert parse_query({"limit": "2000"}).limit == MAX_LIMIT


@pytest.mark.parametrize(("params", "named"), [
    ({"agent": "ada"}, "agent"), ({"verb": "completed"}, "verb"), ({"activity": "not an iri"}, "activity"),
    ({"since": "yesterday"}, "since"), ({"limit": "-1"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"ascending": "maybe"}, "ascending"), ({"format": "pretty"}, "format"),
])
def test_a_faulty_parameter_is_named(params, named):
    with pytest.raises(QueryError, match=named):
        parse_query(params)


def test_the_more_cursor_round_trips_and_refuses_tampering_and_other_organisations():
    query = StatementQuery(verb="http://adlnet.gov/expapi/verbs/completed", limit=2, ascending=True)
    after = (datetime(2026, 11, 2, 9, 3), "4b8f9a52-6f7e-4c1d-9a43-2f0d8c1e5b77")
    cursor = encode_cursor("key", 3, query, after)
    assert decode_cursor("key", 3, cursor) == (query, after)
    with pytest.raises(QueryError, match="another"):
        decode_cursor("key", 4, cursor)
    for bad_key, bad_cursor in (("other-key", cursor), ("key", cursor[:-2]), ("key", "tampered")):
        with pytest.raises(QueryError, match="not valid"):
            decode_cursor(bad_key, 3, bad_cursor)
