"""xAPI 1.0.3 Communication 2.7 (Activity Profile Resource) with 2.2 (Document Resources), over HTTP: each test
quotes the requirement it holds the LRS to, and is named by its section."""

from __future__ import annotations

import uuid

import pytest

PROFILE = "/xapi/activities/profile"
ACTIVITY = "http://www.example.com/activityId/hashset"


def params(**extra) -> dict:
    values = {"activityId": ACTIVITY, "profileId": str(uuid.uuid4())}
    values.update(extra)
    return {k: v for k, v in values.items() if v is not None}


def test_2_7_activity_profile_put_stores_and_get_returns_the_document(lrs):
    """2.7.s3: "Stores, changes, fetches, or deletes the specified profile document in the context of the
    specified Activity" — PUT: 204 No Content; GET: 200 OK, the profile document."""
    query = params()
    put = lrs.put(PROFILE, query=query, data=b"<profile/>", content_type="application/xml",
                  headers={"If-None-Match": "*"})
    assert put.status_code == 204 and put.data == b""
    got = lrs.get(PROFILE, query=query)
    assert got.status_code == 200 and got.data == b"<profile/>"
    assert got.headers["Content-Type"] == "application/xml"


def test_2_7_activity_profile_put_of_a_new_document_without_concurrency_headers_is_stored(lrs):
    """3.1.s4.b13: the 409 for a PUT without If-Match / If-None-Match is for "a resource that already exists";
    a new profile is stored (204)."""
    query = params()
    assert lrs.put(PROFILE, query=query, json={"a": 1}).status_code == 204
    assert lrs.get(PROFILE, query=query).get_json() == {"a": 1}


def test_2_2_s7_activity_profile_post_of_a_new_document_stores_it(lrs):
    """2.2.s7: a POST for a document the LRS doesn't have is stored as a PUT would (204 No Content)."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={"name": "x"}).status_code == 204
    assert lrs.get(PROFILE, query=query).get_json() == {"name": "x"}


def test_2_7_activity_profile_post_merges_json_objects(lrs):
    """2.2.s7: POSTed application/json into an existing application/json document "MUST merge the posted document
    with the existing document"; 2.2.s8.b2: 204 No Content."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={"car": "Honda"}).status_code == 204
    assert lrs.post(PROFILE, query=query, json={"type": "Civic"}).status_code == 204
    assert lrs.get(PROFILE, query=query).get_json() == {"car": "Honda", "type": "Civic"}


@pytest.mark.parametrize(("existing", "posted"), [
    ((b'{"a": 1}', "application/json"), (b"abcdefg", "application/octet-stream")),
    ((b"/ asdf / undefined", "application/octet-stream"), (b'{"b": 2}', "application/json")),
    ((b'{"a": 1}', "application/json"), (b'{"activityId": "x"}{', "application/json")),
])
def test_2_2_s8_b1_activity_profile_post_that_cannot_merge_is_refused(lrs, existing, posted):
    """2.2.s8.b1: when either document is not application/json or not a JSON object, "the LRS MUST respond with
    HTTP status code 400 Bad Request, and MUST NOT update the target document"."""
    query = params()
    assert lrs.put(PROFILE, query=query, data=existing[0], content_type=existing[1],
                   headers={"If-None-Match": "*"}).status_code == 204
    assert lrs.post(PROFILE, query=query, data=posted[0], content_type=posted[1]).status_code == 400
    assert lrs.get(PROFILE, query=query).data == existing[0]


def test_2_7_s4_activity_profile_get_without_profile_id_returns_the_ids(lrs):
    """2.7.s4: "Fetches profile ids of all profile entries for an Activity" — 200 OK, an array of ids."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    for profile_id in ("one", "two"):
        assert lrs.post(PROFILE, query={"activityId": activity, "profileId": profile_id}, json={}).status_code == 204
    assert lrs.post(PROFILE, query=params(profileId="elsewhere"), json={}).status_code == 204
    listed = lrs.get(PROFILE, query={"activityId": activity})
    assert listed.status_code == 200 and sorted(listed.get_json()) == ["one", "two"]


def test_2_7_s4_activity_profile_ids_since(lrs):
    """2.7.s4: "If "since" parameter is specified, this is limited to entries that have been stored or updated
    since the specified Timestamp (exclusive)"."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    assert lrs.post(PROFILE, query={"activityId": activity, "profileId": "p"}, json={}).status_code == 204
    assert lrs.get(PROFILE, query={"activityId": activity, "since": "2000-01-01T00:00:00Z"}).get_json() == ["p"]
    assert lrs.get(PROFILE, query={"activityId": activity, "since": "2999-01-01T00:00:00+01:00"}).get_json() == []


def test_2_7_activity_profile_delete_removes_the_document(lrs):
    """2.7.s3: DELETE deletes the specified profile document: 204 No Content (also when it was not there)."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={}).status_code == 204
    assert lrs.delete(PROFILE, query=query).status_code == 204
    assert lrs.get(PROFILE, query=query).status_code == 404
    assert lrs.delete(PROFILE, query=params()).status_code == 204


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_2_7_s3_table1_activity_profile_requires_activity_id(lrs, method):
    """2.7.s3.table1 row 1: activityId is Required (400 Bad Request otherwise, 3.2.s2.b1)."""
    answer = lrs.request(method, PROFILE, query=params(activityId=None),
                         json={} if method in ("PUT", "POST") else None)
    assert answer.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_2_7_s3_table1_activity_profile_requires_profile_id(lrs, method):
    """2.7.s3.table1 row 2: profileId is Required to store or delete a document."""
    answer = lrs.request(method, PROFILE, query=params(profileId=None), json={} if method != "DELETE" else None)
    assert answer.status_code == 400


@pytest.mark.parametrize("value", ["1", "true", '{"key": "value"}', "not an IRI"])
@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_2_7_s3_table1_activity_profile_rejects_an_activity_id_that_is_not_an_iri(lrs, method, value):
    """2.7.s3.table1 row 1: activityId is an Activity id (IRI)."""
    answer = lrs.request(method, PROFILE, query=params(activityId=value), json={} if method != "DELETE" else None)
    assert answer.status_code == 400


@pytest.mark.parametrize("since", ["1", "true", "not Timestamp"])
def test_2_7_s4_table1_activity_profile_rejects_a_since_that_is_not_a_timestamp(lrs, since):
    """2.7.s4.table1 row 2: since is a Timestamp."""
    assert lrs.get(PROFILE, query={"activityId": ACTIVITY, "since": since}).status_code == 400


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_3_2_s3_b7_activity_profile_rejects_an_agent_parameter(lrs, method):
    """3.2.s3.b7: parameters the LRS does not recognise "in their intended context" are refused with 400 — the
    Activity Profile Resource takes no agent."""
    query = params(agent='{"mbox": "mailto:a@example.com"}')
    assert lrs.request(method, PROFILE, query=query, json={} if method != "DELETE" else None).status_code == 400


def test_3_2_s3_b8_activity_profile_rejects_a_parameter_in_another_case(lrs):
    """3.2.s3.b8: parameters "matching parameters described in this specification in all but case" get 400."""
    answer = lrs.get(PROFILE, query={"ActivityId": ACTIVITY, "profileId": "p"})
    assert answer.status_code == 400 and "case" in answer.get_json()["error"]


def test_1_1_activity_profile_head_has_no_body(lrs):
    """1.1.s3.b1.b1: a HEAD answers as GET would, but "The message-body MUST be omitted"."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={"a": 1}).status_code == 204
    head = lrs.head(PROFILE, query=query)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_3_2_s3_b10_activity_profile_refuses_writes_from_read_only_credentials(lrs_read_only, method):
    """3.2.s3.b10: 403 Forbidden when the credentials do not have permission to make the request."""
    answer = lrs_read_only.request(method, PROFILE, query=params(), json={} if method != "DELETE" else None)
    assert answer.status_code == 403


def test_activity_profiles_of_one_organisation_are_invisible_to_another(lrs, other_lrs):
    """Tenancy: another organisation's credentials neither see nor change this organisation's profiles."""
    query = params()
    assert lrs.put(PROFILE, query=query, json={"ours": 1}, headers={"If-None-Match": "*"}).status_code == 204
    assert other_lrs.get(PROFILE, query=query).status_code == 404
    assert other_lrs.get(PROFILE, query={"activityId": ACTIVITY}).get_json() == []
    assert other_lrs.put(PROFILE, query=query, json={"theirs": 1}, headers={"If-None-Match": "*"}).status_code == 204
    assert other_lrs.delete(PROFILE, query=query).status_code == 204
    assert lrs.get(PROFILE, query=query).get_json() == {"ours": 1}
