"""xAPI 1.0.3's rules: a statement we build has no problems, and each broken rule is reported."""

from __future__ import annotations

import copy

import pytest

from lms.tracking import xapi
from lms.tracking.validation import statement_problems
from tests.tracking.rows import SITE, row


def valid() -> dict:
    return xapi.to_xapi(row("answered"), SITE)


def broken(change) -> list[str]:
    statement = copy.deepcopy(valid())
    change(statement)
    return statement_problems(statement)


def test_a_valid_statement_has_no_problems():
    assert statement_problems(valid()) == []


@pytest.mark.parametrize(("change", "expected"), [
    (lambda s: s.update(id="not-a-uuid"), "statement.id must be a UUID"),
    (lambda s: s.update(id="4b8f9a52-6f7e-4c1d-1a43-2f0d8c1e5b77"), "statement.id must be a UUID"),
    (lambda s: s.pop("actor"), "statement needs an actor"),
    (lambda s: s.pop("verb"), "statement needs a verb"),
    (lambda s: s.pop("object"), "statement needs an object"),
    (lambda s: s["actor"].pop("mbox"), "exactly one inverse functional identifier"),
    (lambda s: s["actor"].update(openid="https://id.example/ada"), "exactly one inverse functional identifier"),
    (lambda s: s["actor"].update(mbox="ada@northwind.example"), "mailto: IRI"),
    (lambda s: s["actor"].update(objectType="Person"), "objectType must be Agent"),
    (lambda s: s["verb"].update(id="completed"), "statement.verb.id must be an IRI"),
    (lambda s: s["verb"].update(display={"en_GB": "completed"}), "invalid language tag"),
    (lambda s: s["object"].update(id="module 1"), "statement.object.id must be an IRI"),
    (lambda s: s["object"].update(objectType="Thing"), "is not allowed here"),
    (lambda s: s["object"]["definition"].update(type="module"), "definition.type must be an IRI"),
    (lambda s: s.update(timestamp="22/11/2026 06:35"), "ISO 8601 timestamp"),
    (lambda s: s.update(timestamp="2026-11-22T06:35:01"), "ISO 8601 timestamp with a time zone"),
    (lambda s: s.update(timestamp="2026-11-22T06:35:01-00:00"), "must not use the offset -00:00"),
    (lambda s: s.update(stored="2026-02-30T06:35:01Z"), "not a real date"),
    (lambda s: s.update(version="2.0.0"), "version must be 1.0.x"),
    (lambda s: s.update(colour="blue"), "does not define: 'colour'"),
    (lambda s: s["result"]["score"].update(scaled=1.5), "scaled must be between -1 and 1"),
    (lambda s: s["result"]["score"].update(raw=120), "raw must be between min and max"),
    (lambda s: s["result"]["score"].update(min=100, max=0), "min must be less than max"),
    (lambda s: s["result"].update(success="yes"), "success must be true or false"),
    (lambda s: s["result"].update(response=[0, 2]), "response must be a string"),
    (lambda s: s["result"].update(duration="10 minutes"), "ISO 8601 duration"),
    (lambda s: s["context"].update(registration="abc"), "registration must be a UUID"),
    (lambda s: s["context"].update(extensions={"organization": 3}), "extensions key must be an IRI"),
    (lambda s: s["context"].update(language="english please"), "RFC 5646"),
    (lambda s: s["context"]["contextActivities"].update(sibling=[]), "does not define: 'sibling'"),
    (lambda s: s["authority"].pop("account"), "statement.authority must have exactly one"),
])
def test_each_broken_rule_is_reported(change, expected):
    problems = broken(change)
    assert any(expected in p for p in problems), problems


def test_a_group_actor_and_statement_ref_object_are_accepted():
    statement = valid()
    statement["actor"] = {"objectType": "Group", "member": [{"mbox": "mailto:a@x.example"}, {"mbox": "mailto:b@x.example"}]}
    statement["object"] = {"objectType": "StatementRef", "id": "4b8f9a52-6f7e-4c1d-9a43-2f0d8c1e5b77"}
    statement["context"].pop("platform")
    assert statement_problems(statement) == []


def test_an_anonymous_group_without_members_is_a_problem():
    statement = valid()
    statement["actor"] = {"objectType": "Group", "member": []}
    assert any("must list its members" in p for p in statement_problems(statement))


def test_platform_is_not_allowed_when_the_object_is_an_agent():
    statement = valid()
    statement["object"] = {"objectType": "Agent", "mbox": "mailto:b@x.example"}
    assert any("platform must not be used" in p for p in statement_problems(statement))


def test_something_that_is_not_an_object_is_not_a_statement():
    assert statement_problems([valid()]) == ["a statement must be a JSON object"]
