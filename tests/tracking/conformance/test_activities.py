"""xAPI 1.0.3 Communication 2.5 (Activities Resource), over HTTP: the Activity object with the fullest definition
one organisation's record holds. Each test quotes the requirement it holds the LRS to, and is named by section."""

from __future__ import annotations

import copy
import re

import pytest

from lms.extensions import db
from lms.tracking import lrs_store, services
from lms.tracking.directory import Actor

ACTIVITIES = "/xapi/activities"
MEETING = {
    "objectType": "Activity",
    "id": "http://www.example.com/verify/complete/34534",
    "definition": {
        "type": "http://adlnet.gov/expapi/activities/meeting",
        "name": {"en-GB": "example meeting", "en-US": "example meeting"},
        "description": {"en-GB": "An example meeting.", "en-US": "An example meeting."},
        "moreInfo": "http://virtualmeeting.example.com/345256",
        "extensions": {"http://example.com/profiles/meetings/extension/location": "X:\\meetings\\minutes"},
    },
}


def sent(lrs, *objects: dict) -> None:
    """Store one statement per object in `lrs`'s organisation, in order, as the LRS stores what a tool POSTs."""
    for obj in objects:
        statement = {"actor": {"mbox": "mailto:rick@example.com"},
                     "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"}, "object": obj}
        authority = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": lrs.key}}
        lrs_store.save(lrs.org_id, None, authority, [statement])
        db.session.commit()


def test_2_5_s1_activities_returns_the_complete_activity_object(lrs):
    """2.5.s1: "Loads the complete Activity Object specified" — 200 OK, the Activity as the statements gave it."""
    sent(lrs, MEETING)
    answer = lrs.get(ACTIVITIES, query={"activityId": MEETING["id"]})
    assert answer.status_code == 200
    assert answer.get_json() == MEETING


def test_2_5_s1_activities_returns_the_fullest_definition_known(lrs):
    """2.5 "a full description of an Activity": what several statements said of it is combined — language maps
    and extensions key by key, other properties as the latest statement gave them."""
    first = copy.deepcopy(MEETING)
    later = {"id": MEETING["id"], "definition": {"name": {"fr-FR": "réunion"}, "moreInfo": "http://example.com/new"}}
    bare = {"id": MEETING["id"]}
    sent(lrs, first, later, bare)
    definition = lrs.get(ACTIVITIES, query={"activityId": MEETING["id"]}).get_json()["definition"]
    assert definition["name"] == {"en-GB": "example meeting", "en-US": "example meeting", "fr-FR": "réunion"}
    assert definition["moreInfo"] == "http://example.com/new"
    assert definition["description"] == MEETING["definition"]["description"]
    assert definition["type"] == MEETING["definition"]["type"]


def test_2_5_s2_b1_an_unknown_activity_is_still_returned_as_an_activity(lrs):
    """2.5.s2.b1: "If an LRS does not have a canonical definition of the Activity to return, the LRS SHOULD*
    still return an Activity Object when queried"."""
    answer = lrs.get(ACTIVITIES, query={"activityId": "http://www.example.com/never/seen"})
    assert answer.status_code == 200
    assert answer.get_json() == {"objectType": "Activity", "id": "http://www.example.com/never/seen"}


def test_2_5_the_academy_s_own_activities_are_described_from_its_record(lrs):
    """2.5.s1: the academy's own activities (modules, courses, questions it records) are returned with the
    definition its statements carry: their type and name."""
    services.record(Actor(None, "ada@northwind.example", "Ada"), "launched",
                    ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts"),
                    organization_id=lrs.org_id, course_slug="tiny-course")
    db.session.commit()
    iri = "http://lms.test/xapi/activities/module/tiny-course/choosing-target-accounts"
    activity = lrs.get(ACTIVITIES, query={"activityId": iri}).get_json()
    assert activity["objectType"] == "Activity" and activity["id"] == iri
    assert activity["definition"]["type"] == "http://adlnet.gov/expapi/activities/module"
    assert activity["definition"]["name"] == {"en-GB": "Choosing target accounts"}


def test_2_5_an_activity_never_shows_what_another_organisation_recorded(lrs, other_lrs):
    """Tenancy: one organisation's statements define nothing for another organisation's LRS."""
    sent(other_lrs, MEETING)
    services.record(Actor(None, "eve@globex.example", "Eve"), "launched", ("module", "tiny-course/x", "Their module"),
                    organization_id=other_lrs.org_id)
    db.session.commit()
    for iri in (MEETING["id"], "http://lms.test/xapi/activities/module/tiny-course/x"):
        assert lrs.get(ACTIVITIES, query={"activityId": iri}).get_json() == {"objectType": "Activity", "id": iri}


def test_2_5_s1_table1_activities_requires_an_activity_id(lrs):
    """2.5.s1.table1 row 1: activityId is Required (3.2.s2.b1: 400 Bad Request for a missing argument)."""
    assert lrs.get(ACTIVITIES).status_code == 400


@pytest.mark.parametrize("value", ["1", "true", '{"key": "value"}', "no scheme", ""])
def test_2_5_s1_table1_activities_rejects_an_activity_id_that_is_not_an_iri(lrs, value):
    """2.5.s1.table1 row 1: activityId is an Activity id (IRI)."""
    assert lrs.get(ACTIVITIES, query={"activityId": value}).status_code == 400


@pytest.mark.parametrize("name", ["ActivityId", "agent", "since"])
def test_3_2_s3_b7_activities_rejects_parameters_it_does_not_recognise(lrs, name):
    """3.2.s3.b7 / b8: unknown parameters, and known ones in another case, get 400 Bad Request."""
    assert lrs.get(ACTIVITIES, query={"activityId": MEETING["id"], name: "x"}).status_code == 400


def test_1_1_activities_head_has_no_body(lrs):
    """1.1.s3.b1: a HEAD answers as GET would, "The message-body MUST be omitted"."""
    sent(lrs, MEETING)
    query = {"activityId": MEETING["id"]}
    got, head = lrs.get(ACTIVITIES, query=query), lrs.head(ACTIVITIES, query=query)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == got.headers["ETag"]


def test_3_1_s4_b1_activities_get_carries_an_etag(lrs):
    """2.5: "This resource has Concurrency controls associated with it" — 3.1.s4.b1: a GET carries an ETag."""
    answer = lrs.get(ACTIVITIES, query={"activityId": MEETING["id"]})
    assert re.fullmatch(r'"[0-9a-f]{40}"', answer.headers["ETag"])


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_2_5_activities_answers_only_get(lrs, method):
    """2.5.s1: the Activities Resource is a "Full Activity Object GET": other methods are not allowed (405)."""
    assert lrs.request(method, ACTIVITIES, query={"activityId": MEETING["id"]}).status_code == 405


def test_3_2_s3_b10_activities_refuses_write_only_credentials(lrs_write_only):
    """3.2.s3.b10: credentials without permission to read get 403 Forbidden."""
    assert lrs_write_only.get(ACTIVITIES, query={"activityId": MEETING["id"]}).status_code == 403
