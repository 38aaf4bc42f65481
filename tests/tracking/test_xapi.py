"""xAPI 1.0.3 as we write it: statement rows become valid statements for every verb; activity IRIs and timestamps."""

from __future__ import annotations

from datetime import datetime

import pytest

from lms.tracking import xapi
from lms.tracking.validation import statement_problems
from lms.tracking.verbs import VERBS, verb_key
from tests.tracking.rows import OBJECTS, SITE, row


def test_every_verb_in_the_vocabulary_has_an_example_here():
    assert set(OBJECTS) == set(VERBS)


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_verb_the_app_records_becomes_a_valid_statement(verb):
    statement = xapi.to_xapi(row(verb), SITE)
    assert statement_problems(statement) == []
    assert statement_problems(xapi.ids_format(statement)) == []
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
    assert statement["version"] == "1.0.0"  # the statement data model; the API header says 1.0.3
    assert statement["authority"]["account"] == {"homePage": "https://academy.example", "name": "organization-3"}


def test_an_answer_carries_success_and_the_chosen_options_as_a_response():
    result = xapi.to_xapi(row("answered"), SITE)["result"]
    assert result["success"] is False
    assert result["response"] == "0[,]2"


def test_the_course_itself_is_not_grouped_under_itself():
    statement = xapi.to_xapi(row("enrolled"), SITE)
    assert "contextActivities" not in statement["context"]


def test_an_assignment_names_the_manager_recorded_with_it_as_instructor():
    statement = xapi.to_xapi(row("assigned"), SITE)
    assert statement["context"]["instructor"] == {"objectType": "Agent", "mbox": "mailto:marcus@northwind.example",
                                                  "name": "Marcus Bell"}
    extensions = statement["context"]["extensions"]
    assert not any(key.endswith(("/instructor", "/assigned_by")) for key in extensions)
    assert statement["context"]["extensions"]["https://abm-academy.org/xapi/extensions/due_at"] == "2027-03-10T00:30:00Z"


def test_a_statement_without_an_actor_is_attributed_to_the_platform():
    statement = xapi.to_xapi(row("invited", actor_email=None, actor_name=None, organization_id=None), SITE)
    assert statement["actor"]["account"] == {"homePage": "https://academy.example", "name": "system"}
    assert statement_problems(statement) == []


def test_activity_iris_round_trip_and_other_iris_are_not_ours():
    iri = xapi.activity_iri(SITE, "question", "tiny-course/choosing#choose 1")
    assert iri == "https://academy.example/xapi/activities/question/tiny-course/choosing%23choose%201"
    assert xapi.parse_activity_iri(SITE, iri) == ("question", "tiny-course/choosing#choose 1")
    assert xapi.parse_activity_iri(SITE, "https://elsewhere.example/activities/course/x") is None


def test_verb_iris_map_back_to_keys():
    assert verb_key("http://adlnet.gov/expapi/verbs/completed") == "completed"
    assert verb_key("http://example.com/verbs/danced") is None


def test_timestamps_parse_to_naive_utc():
    assert xapi.parse_timestamp("2027-03-10T09:30:00+09:00") == datetime(2027, 3, 10, 0, 30)
    assert xapi.parse_timestamp("2027-03-10T00:30:00Z") == datetime(2027, 3, 10, 0, 30)
    assert xapi.parse_timestamp("2027-03-10") == datetime(2027, 3, 10)
    with pytest.raises(ValueError):
        xapi.parse_timestamp("last tuesday")
