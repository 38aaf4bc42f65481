"""xAPI 1.0.3: statement rows become valid statements for every verb, and the validator enforces the rules."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest

from lms.tracking import xapi
from lms.tracking.verbs import VERBS, verb_key

SITE = xapi.Site(activity_base="https://academy.example/xapi/activities", home_page="https://academy.example",
                 name="ABM Academy")
WHEN = datetime(2026, 11, 22, 6, 35, 1, 123456)

# One representative row for each verb, shaped as the app records it.
OBJECTS = {
    "registered": ("organization", "7", "Public courses", None),
    "logged-in": ("user", "12", "Ada Lovelace", None),
    "logged-out": ("user", "12", "Ada Lovelace", None),
    "invited": ("user", "new.person@northwind.example", "New Person", {"role": "learner"}),
    "joined": ("organization", "7", "Northwind", None),
    "enrolled": ("course", "tiny-course", "ABM in Ten Minutes", {"source": "assigned"}),
    "assigned": ("course", "tiny-course", "ABM in Ten Minutes", None),
    "withdrew": ("course", "tiny-course", "ABM in Ten Minutes", None),
    "rescheduled": ("course", "tiny-course", "ABM in Ten Minutes", None),
    "launched": ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts", {"version": "ab12"}),
    "completed": ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts",
                  {"completion": True, "score": 67, "version": "ab12"}),
    "answered": ("question", "tiny-course/choosing-target-accounts#choose-1", "Who agrees the list?",
                 {"success": False, "response": [0, 2], "score": 33}),
    "passed": ("exercise", "target-account-list", "Target account list", {"score": 82, "passed": True}),
    "failed": ("exercise", "target-account-list", "Target account list", {"score": 41, "passed": False}),
    "imported": ("workspace", "3", "Team workspace", {"accounts": 120, "contacts": 480}),
    "exported": ("workspace", "3", "Team workspace", {"rows": 120}),
    "created": ("api-token", "4", "Learning Locker", None),
    "updated": ("account", "55", "Globex", None),
    "deleted": ("account", "55", "Globex", None),
    "agreed": ("account", "55", "Globex", None),
    "disagreed": ("account", "55", "Globex", None),
    "ran": ("exercise", "target-account-list", "Target account list", {"score": 82, "passed": True}),
    "submitted": ("exercise", "target-account-list", "Target account list", {"score": 82}),
    "reviewed": ("submission", "9", "Target account list", {"rating": 4}),
    "commented": ("submission", "9", None, None),
    "rated": ("competency", "buying-group-mapping", "Buying-group mapping", {"rating": 3}),
    "earned": ("certificate", "X7K2", "ABM in Ten Minutes", None),
    "revoked": ("api-token", "4", "Learning Locker", None),
    "viewed": ("report", "completion", "Completion", None),
}


def row(verb: str = "completed", **overrides) -> xapi.StatementRow:
    object_type, object_id, name, result = OBJECTS[verb]
    values = {
        "id": "4b8f9a52-6f7e-4c1d-9a43-2f0d8c1e5b77", "timestamp": WHEN, "stored": WHEN, "verb": verb,
        "object_type": object_type, "object_id": object_id, "object_name": name, "result": result,
        "context": {"assigned_by": 5, "due_at": "2027-03-10T00:30:00Z"} if verb == "assigned" else None,
        "actor_email": "ada@northwind.example", "actor_name": "Ada Lovelace", "organization_id": 3,
        "organization_name": "Northwind", "cohort_id": 8, "cohort_name": "Winter 2026", "course_slug": "tiny-course",
    }
    values.update(overrides)
    return xapi.StatementRow(**values)


def test_every_verb_in_the_vocabulary_has_an_example_here():
    assert set(OBJECTS) == set(VERBS)


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_verb_the_app_records_becomes_a_valid_statement(verb):
    statement = xapi.to_xapi(row(verb), SITE, {5: ("marcus@northwind.example", "Marcus Bell")})
    assert xapi.statement_problems(statement) == []
    assert xapi.statement_problems(xapi.ids_format(statement)) == []
    assert statement["verb"]["id"] == VERBS[verb][0]


def test_a_completed_module_has_actor_verb_activity_result_and_course_grouping():
    statement = xapi.to_xapi(row("completed"), SITE)
    assert statement["actor"] == {"objectType": "Agent", "mbox": "mailto:ada@northwind.example", "name": "Ada Lovelace"}
    assert statement["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-GB": "completed"}}
    assert statement["object"] == {
        "objectType": "Activity",
        "id": "https://academy.example/xapi/activities/module/tiny-course/choosing-target-accounts",
        "definition": {"type": "http://adlnet.gov/expapi/activities/module",
                       "name": {"en-GB": "Choosing target accounts"}},
    }
    assert statement["result"]["score"] == {"scaled": 0.67, "raw": 67, "min": 0, "max": 100}
    assert statement["result"]["completion"] is True
    assert statement["result"]["extensions"] == {"https://abm-academy.org/xapi/extensions/version": "ab12"}
    grouping = statement["context"]["contextActivities"]["grouping"]
    assert grouping[0]["id"] == "https://academy.example/xapi/activities/course/tiny-course"
    assert statement["context"]["extensions"] == {
        "https://abm-academy.org/xapi/extensions/organization": {"id": 3, "name": "Northwind"},
        "https://abm-academy.org/xapi/extensions/cohort": {"id": 8, "name": "Winter 2026"},
    }
    assert statement["timestamp"] == "2026-11-22T06:35:01.123Z"
    assert statement["version"] == "1.0.3"
    assert statement["authority"]["account"] == {"homePage": "https://academy.example", "name": "organization-3"}


def test_an_answer_carries_success_and_the_chosen_options_as_a_response():
    result = xapi.to_xapi(row("answered"), SITE)["result"]
    assert result["success"] is False
    assert result["response"] == "0[,]2"


def test_the_course_itself_is_not_grouped_under_itself():
    statement = xapi.to_xapi(row("enrolled"), SITE)
    assert "contextActivities" not in statement["context"]


def test_an_assignment_names_the_manager_as_instructor():
    statement = xapi.to_xapi(row("assigned"), SITE, {5: ("marcus@northwind.example", "Marcus Bell")})
    assert statement["context"]["instructor"] == {"objectType": "Agent", "mbox": "mailto:marcus@northwind.example",
                                                  "name": "Marcus Bell"}
    assert statement["context"]["extensions"]["https://abm-academy.org/xapi/extensions/due_at"] == "2027-03-10T00:30:00Z"


def test_a_statement_without_an_actor_is_attributed_to_the_platform():
    statement = xapi.to_xapi(row("invited", actor_email=None, actor_name=None, organization_id=None), SITE)
    assert statement["actor"]["account"] == {"homePage": "https://academy.example", "name": "system"}
    assert xapi.statement_problems(statement) == []


def test_activity_iris_round_trip_and_other_iris_are_not_ours():
    iri = xapi.activity_iri(SITE, "question", "tiny-course/choosing#choose 1")
    assert iri == "https://academy.example/xapi/activities/question/tiny-course/choosing%23choose%201"
    assert xapi.parse_activity_iri(SITE, iri) == ("question", "tiny-course/choosing#choose 1")
    assert xapi.parse_activity_iri(SITE, "https://elsewhere.example/activities/course/x") is None


def test_verb_iris_map_back_to_keys():
    assert verb_key("http://adlnet.gov/expapi/verbs/completed") == "completed"
    assert verb_key("http://example.com/verbs/danced") is None


# --- The validator: each rule can fail -----------------------------------------------------------


def valid() -> dict:
    return xapi.to_xapi(row("answered"), SITE)


def broken(change) -> list[str]:
    statement = copy.deepcopy(valid())
    change(statement)
    return xapi.statement_problems(statement)


def test_a_valid_statement_has_no_problems():
    assert xapi.statement_problems(valid()) == []


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
    assert xapi.statement_problems(statement) == []


def test_an_anonymous_group_without_members_is_a_problem():
    statement = valid()
    statement["actor"] = {"objectType": "Group", "member": []}
    assert any("must list its members" in p for p in xapi.statement_problems(statement))


def test_platform_is_not_allowed_when_the_object_is_an_agent():
    statement = valid()
    statement["object"] = {"objectType": "Agent", "mbox": "mailto:b@x.example"}
    assert any("platform must not be used" in p for p in xapi.statement_problems(statement))


def test_something_that_is_not_an_object_is_not_a_statement():
    assert xapi.statement_problems([valid()]) == ["a statement must be a JSON object"]


# --- Query parameters ------------------------------------------------------------------------------


def test_timestamps_parse_to_naive_utc():
    assert xapi.parse_timestamp("2027-03-10T09:30:00+09:00") == datetime(2027, 3, 10, 0, 30)
    assert xapi.parse_timestamp("2027-03-10T00:30:00Z") == datetime(2027, 3, 10, 0, 30)
    assert xapi.parse_timestamp("2027-03-10") == datetime(2027, 3, 10)
    with pytest.raises(ValueError):
        xapi.parse_timestamp("last tuesday")


def test_agent_parameter_must_be_an_identified_agent():
    assert xapi.parse_agent('{"mbox": "mailto:ada@northwind.example"}') == {"mbox": "mailto:ada@northwind.example"}
    assert xapi.parse_agent('{"account": {"homePage": "https://crm.example", "name": "42"}}')
    for bad in ("ada@northwind.example", '{"name": "Ada"}', '{"mbox": "ada@northwind.example"}',
                '{"mbox": "mailto:a@x.example", "openid": "https://id.example/a"}'):
        with pytest.raises(ValueError):
            xapi.parse_agent(bad)
