"""xAPI 1.0.3 Communication 2.2 (Document Resources) and 2.3 (State Resource), over HTTP: each test quotes the
requirement it holds the LRS to, and is named by its section."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from lms.database import utcnow
from lms.extensions import db
from lms.tracking.models import LrsDocument

STATE = "/xapi/activities/state"
ACTIVITY = "http://www.example.com/activityId/hashset"
AGENT = {"objectType": "Agent", "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}}


def params(**extra) -> dict:
    values = {"activityId": ACTIVITY, "agent": AGENT, "stateId": str(uuid.uuid4())}
    values.update(extra)
    return {k: v for k, v in values.items() if v is not None}


def test_2_3_state_put_stores_a_document_and_get_returns_it(lrs):
    """2.3.s3: "Stores, changes, fetches, or deletes the document specified by the given stateId" — PUT returns
    204 No Content; GET returns 200 OK and the State document."""
    query = params()
    put = lrs.put(STATE, query=query, data=b"\x00binary state", content_type="application/octet-stream")
    assert put.status_code == 204 and put.data == b""
    got = lrs.get(STATE, query=query)
    assert got.status_code == 200
    assert got.data == b"\x00binary state"
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["X-Experience-API-Version"] == "1.0.3"


def test_2_3_state_put_replaces_the_document(lrs):
    """2.3.s3: PUT "Stores, changes" the document — the State Resource permits PUT without concurrency headers
    (3.1.s3), so a second PUT replaces the first."""
    query = params()
    assert lrs.put(STATE, query=query, json={"a": 1}).status_code == 204
    assert lrs.put(STATE, query=query, json={"b": 2}).status_code == 204
    assert lrs.get(STATE, query=query).get_json() == {"b": 2}


def test_2_2_s7_state_post_of_a_new_document_stores_it_as_a_put_would(lrs):
    """2.2.s7 / 2.3.s3: a POST for a document the LRS doesn't have stores it (returns 204 No Content)."""
    query = params()
    document = {"name": str(uuid.uuid4()), "location": {"name": "x"}}
    assert lrs.post(STATE, query=query, json=document).status_code == 204
    assert lrs.get(STATE, query=query).get_json() == document


@pytest.mark.parametrize("body", [b"1", b"true", b"plain words"])
def test_2_2_s4_b2_state_post_is_not_rejected_for_the_document_s_contents(lrs, body):
    """2.2.s4.b2: "The LRS MUST NOT reject documents on the basis of not having prior knowledge of the Activity
    and/or Agent" — nor, for a new document, on its contents (Implicit)."""
    query = params()
    assert lrs.post(STATE, query=query, data=body, content_type="application/x-www-form-urlencoded").status_code == 204
    assert lrs.get(STATE, query=query).data == body


def test_2_3_state_post_merges_json_objects(lrs):
    """2.2.s7: "When an LRS receives a POST request with content type application/json for an existing document
    also of content type application/json, it MUST merge the posted document with the existing document" —
    top-level properties only, each replaced whole; 2.2.s8.b2: "If the merge is successful, the LRS MUST respond
    with HTTP status code 204 No Content"."""
    query = params()
    first = {"x": "foo", "y": "bar", "car": {"make": "Ford", "model": "Escape"}}
    assert lrs.post(STATE, query=query, json=first).status_code == 204
    merge = lrs.post(STATE, query=query, json={"x": "bash", "z": "faz", "car": {"make": "Dodge"}})
    assert merge.status_code == 204
    got = lrs.get(STATE, query=query)
    assert got.get_json() == {"x": "bash", "y": "bar", "car": {"make": "Dodge"}, "z": "faz"}
    assert got.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(("existing", "posted"), [
    ((b'{"a": 1}', "application/json"), (b"abc", "application/octet-stream")),
    ((b'{"a": 1}', "application/json"), (b"abc", "application/x-www-form-urlencoded")),
    ((b"/ asdf / undefined", "application/octet-stream"), (b'{"b": 2}', "application/json")),
    ((b'{"a": 1}', "application/json"), (b'{"b": 2}{', "application/json")),
    ((b'{"a": 1}', "application/json"), (b"[1, 2]", "application/json")),
    ((b"[1, 2]", "application/json"), (b'{"b": 2}', "application/json")),
])
def test_2_2_s8_b1_state_post_that_cannot_merge_is_refused_and_changes_nothing(lrs, existing, posted):
    """2.2.s8.b1: "If the document being posted or any existing document does not have a Content-Type of
    application/json, or if either document cannot be parsed as a JSON Object, the LRS MUST respond with HTTP
    status code 400 Bad Request, and MUST NOT update the target document as a result of the request"."""
    query = params()
    assert lrs.put(STATE, query=query, data=existing[0], content_type=existing[1]).status_code == 204
    refused = lrs.post(STATE, query=query, data=posted[0], content_type=posted[1])
    assert refused.status_code == 400 and refused.get_json()["error"]
    got = lrs.get(STATE, query=query)
    assert got.data == existing[0] and got.headers["Content-Type"] == existing[1]


def test_2_3_s4_state_get_without_state_id_returns_the_ids(lrs):
    """2.3.s4: "Fetches State ids of all state data for this context (Activity + Agent [+ registration if
    specified])" — 200 OK, an array of ids."""
    base = params(stateId=None)
    for state_id in ("one", "two"):
        assert lrs.put(STATE, query={**base, "stateId": state_id}, json={}).status_code == 204
    other_agent = {"mbox": "mailto:someone@example.com"}
    assert lrs.put(STATE, query={**base, "agent": other_agent, "stateId": "three"}, json={}).status_code == 204
    listed = lrs.get(STATE, query=base)
    assert listed.status_code == 200
    assert sorted(listed.get_json()) == ["one", "two"]
    assert lrs.get(STATE, query={**base, "activityId": "http://example.com/nothing"}).get_json() == []


def test_2_3_s4_state_ids_since_are_those_stored_after_it_exclusive(app, lrs):
    """2.3.s4: "If "since" parameter is specified, this is limited to entries that have been stored or updated
    since the specified timestamp (exclusive)"."""
    base = params(stateId=None)
    for state_id in ("old", "new"):
        assert lrs.put(STATE, query={**base, "stateId": state_id}, json={}).status_code == 204
    cut = utcnow() - timedelta(hours=1)
    with app.app_context():
        old = db.session.query(LrsDocument).filter_by(document_id="old").one()
        old.updated = cut
        db.session.commit()
    since = cut.isoformat() + "Z"
    assert lrs.get(STATE, query={**base, "since": since}).get_json() == ["new"]
    earlier = (cut - timedelta(seconds=1)).isoformat() + "Z"
    assert sorted(lrs.get(STATE, query={**base, "since": earlier}).get_json()) == ["new", "old"]


def test_2_3_s4_state_since_is_ignored_for_a_single_document(lrs):
    """2.3.s4: since applies to the list of ids; a GET naming a stateId still returns that document."""
    query = params()
    assert lrs.put(STATE, query=query, json={"a": 1}).status_code == 204
    got = lrs.get(STATE, query={**query, "since": "2000-01-01T00:00:00Z"})
    assert got.status_code == 200 and got.get_json() == {"a": 1}


def test_2_3_state_registration_keeps_documents_apart(lrs):
    """2.3.s3: the document "exists in the context of the specified Activity, Agent, and registration (if
    specified)"."""
    query = params()
    registration = str(uuid.uuid4())
    assert lrs.put(STATE, query=query, json={"where": "none"}).status_code == 204
    assert lrs.put(STATE, query={**query, "registration": registration}, json={"where": "reg"}).status_code == 204
    assert lrs.get(STATE, query=query).get_json() == {"where": "none"}
    assert lrs.get(STATE, query={**query, "registration": registration}).get_json() == {"where": "reg"}
    listing = {k: v for k, v in query.items() if k != "stateId"}
    assert lrs.get(STATE, query={**listing, "registration": str(uuid.uuid4())}).get_json() == []
    assert lrs.get(STATE, query={**listing, "registration": registration}).get_json() == [query["stateId"]]


def test_2_3_state_delete_removes_the_document(lrs):
    """2.3.s3: DELETE "deletes the document specified by the given stateId" and returns 204 No Content."""
    query = params()
    assert lrs.put(STATE, query=query, json={"a": 1}).status_code == 204
    assert lrs.delete(STATE, query=query).status_code == 204
    assert lrs.get(STATE, query=query).status_code == 404
    assert lrs.delete(STATE, query=query).status_code == 204  # deleting what isn't there changes nothing


def test_2_3_s5_state_delete_without_state_id_deletes_all_state_of_the_context(lrs):
    """2.3.s5: "Deletes all state data for this context (Activity + Agent [+ registration if specified])"."""
    base = params(stateId=None)
    registration = str(uuid.uuid4())
    for state_id in ("one", "two"):
        assert lrs.put(STATE, query={**base, "stateId": state_id}, json={}).status_code == 204
    assert lrs.put(STATE, query={**base, "stateId": "three", "registration": registration}, json={}).status_code == 204
    kept = {**base, "activityId": "http://www.example.com/other", "stateId": "kept"}
    assert lrs.put(STATE, query=kept, json={}).status_code == 204

    assert lrs.delete(STATE, query={**base, "registration": registration}).status_code == 204
    assert sorted(lrs.get(STATE, query=base).get_json()) == ["one", "two"]
    assert lrs.delete(STATE, query=base).status_code == 204
    assert lrs.get(STATE, query=base).get_json() == []
    assert lrs.get(STATE, query=kept).status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("missing", ["activityId", "agent"])
def test_2_3_s3_table1_state_rejects_a_request_without_a_required_parameter(lrs, method, missing):
    """2.3.s3.table1 rows 1-2: activityId and agent are Required — 3.2.s2.b1: 400 Bad Request "Indicates an error
    condition caused by an invalid or missing argument"."""
    query = params()
    del query[missing]
    answer = lrs.request(method, STATE, query=query, json={"a": 1} if method in ("PUT", "POST") else None)
    assert answer.status_code == 400 and missing in answer.get_json()["error"]


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_2_3_s3_table1_state_put_and_post_require_a_state_id(lrs, method):
    """2.3.s3.table1 row 4: stateId is Required to store a document."""
    answer = lrs.request(method, STATE, query=params(stateId=None), json={"a": 1})
    assert answer.status_code == 400


@pytest.mark.parametrize(("name", "value"), [
    ("activityId", "1"), ("activityId", "true"), ("activityId", '{"key": "value"}'), ("activityId", "undefined"),
    ("agent", "not JSON"), ("agent", "1"), ("agent", "true"), ("agent", '{"key": "value"}'),
    ("agent", '{"mbox": "mailto:a@example.com", "openid": "http://example.com/a"}'),
    ("agent", '{"objectType": "Group", "mbox": "mailto:team@example.com"}'),
    ("registration", "not UUID"), ("registration", "1"), ("registration", "true"),
])
@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_2_3_s3_table1_state_rejects_a_malformed_parameter(lrs, method, name, value):
    """2.3.s3.table1: activityId is an IRI, agent an Agent Object (JSON), registration a UUID — anything else is
    "an invalid argument" (3.2.s2.b1: 400 Bad Request)."""
    query = {**params(), name: value}
    answer = lrs.request(method, STATE, query=query, json={"a": 1} if method in ("PUT", "POST") else None)
    assert answer.status_code == 400


@pytest.mark.parametrize("since", ["not a timestamp", "1", "true", "2026-13-45T00:00:00Z"])
def test_2_3_s4_table1_state_rejects_a_since_that_is_not_a_timestamp(lrs, since):
    """2.3.s4.table1 row 4: since is a Timestamp."""
    assert lrs.get(STATE, query={**params(stateId=None), "since": since}).status_code == 400


@pytest.mark.parametrize(("method", "name"), [("GET", "foo"), ("PUT", "StateId"), ("POST", "profileId"),
                                              ("DELETE", "since"), ("GET", "ActivityId")])
def test_3_2_s3_b7_state_rejects_parameters_it_does_not_recognise(lrs, method, name):
    """3.2.s3.b7: "The LRS MUST reject with 400 Bad Request status any requests that use any parameters which the
    LRS does not recognize in their intended context" — and 3.2.s3.b8 "any parameters matching parameters
    described in this specification in all but case"."""
    answer = lrs.request(method, STATE, query={**params(), name: "x"}, json={} if method in ("PUT", "POST") else None)
    assert answer.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_2_3_state_put_and_post_need_a_document(lrs, method):
    """2.3.s3: "Content (PUT | POST): The document to be stored or updated" — a request without one is missing
    an argument (3.2.s2.b1)."""
    assert lrs.request(method, STATE, query=params()).status_code == 400


def test_3_2_s3_b6_state_refuses_a_json_content_type_that_is_not_json(lrs):
    """3.2.s3.b6: the LRS SHOULD* reject with 400 "where the content type header does not match the content"."""
    assert lrs.put(STATE, query=params(), data=b"{not json", content_type="application/json").status_code == 400


def test_2_2_s6_state_get_says_when_documents_were_last_modified(lrs):
    """2.2.s6.b1 / b2: the LRS SHOULD* include a Last-Modified header, for one document and for the list (when
    the most recent one was modified)."""
    query = params()
    assert lrs.put(STATE, query=query, json={}).status_code == 204
    assert lrs.get(STATE, query=query).headers["Last-Modified"].endswith("GMT")
    listing = {k: v for k, v in query.items() if k != "stateId"}
    assert lrs.get(STATE, query=listing).headers["Last-Modified"].endswith("GMT")


def test_1_1_state_head_answers_as_get_without_the_body(lrs):
    """1.1.s3.b1: "The LRS MUST respond to any HTTP HEAD request as it would have responded to an otherwise
    identical HTTP GET request except: The message-body MUST be omitted"."""
    query = params()
    assert lrs.put(STATE, query=query, json={"a": 1}).status_code == 204
    got, head = lrs.get(STATE, query=query), lrs.head(STATE, query=query)
    assert head.status_code == 200 and head.data == b""
    for header in ("ETag", "Last-Modified", "Content-Type", "X-Experience-API-Version"):
        assert head.headers[header] == got.headers[header]
    listing = {k: v for k, v in query.items() if k != "stateId"}
    assert lrs.head(STATE, query=listing).status_code == 200
    assert lrs.head(STATE, query={**query, "stateId": "missing"}).status_code == 404


def test_3_2_s2_b4_state_get_of_a_missing_document_is_404(lrs):
    """3.2.s2.b4: 404 Not Found "May be returned by any method that returns a uniquely identified resource, for
    instance, any State ... request targeting a specific document"."""
    answer = lrs.get(STATE, query=params())
    assert answer.status_code == 404 and answer.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_3_2_s3_b10_state_refuses_writes_from_read_only_credentials(lrs, lrs_read_only, method):
    """3.2.s3.b10: "The LRS MUST reject with 403 Forbidden status any request rejected by the LRS where the
    credentials associated with the request do not have permission to make that request"."""
    query = params()
    assert lrs.put(STATE, query=query, json={"a": 1}).status_code == 204
    refused = lrs_read_only.request(method, STATE, query=query, json={"b": 2} if method != "DELETE" else None)
    assert refused.status_code == 403
    assert lrs.get(STATE, query=query).get_json() == {"a": 1}
    assert lrs_read_only.get(STATE, query=query).get_json() == {"a": 1}


def test_3_2_s3_b10_state_refuses_reads_from_write_only_credentials(lrs_write_only):
    """3.2.s3.b10: credentials that may only write get 403 Forbidden for a GET."""
    assert lrs_write_only.get(STATE, query=params()).status_code == 403


def test_3_2_s3_b11_state_refuses_a_document_beyond_the_size_limit_with_413(app, lrs):
    """3.2.s3.b11: "The LRS MUST reject with 413 Request Entity Too Large status any request rejected by the LRS
    where the size of the ... document is larger than the maximum allowed by the LRS"."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    query = params()
    answer = lrs.put(STATE, query=query, data=b"x" * 1001, content_type="text/plain")
    assert answer.status_code == 413 and answer.headers["X-Experience-API-Version"] == "1.0.3"
    assert lrs.put(STATE, query=query, data=b"x" * 1000, content_type="text/plain").status_code == 204


def test_4_0_state_needs_credentials(lrs):
    """4.0.s3.b2 / 3.2.s2.b2: 401 Unauthorized "Indicates that authentication is required, or ... that the given
    credentials have been refused"."""
    assert lrs.get(STATE, query=params(), headers={"Authorization": ""}).status_code == 401
    wrong = {"Authorization": "Basic " + "Zm9vOmJhcg=="}
    assert lrs.put(STATE, query=params(), json={}, headers=wrong).status_code == 401


def test_3_3_state_requires_the_version_header(lrs):
    """3.3.s3.b4-b7: requests without a 1.0.x version header are rejected with 400 Bad Request."""
    query = params()
    assert lrs.put(STATE, query=query, json={}, headers={"X-Experience-API-Version": "1.1.0"}).status_code == 400
    assert lrs.client.get(STATE, query_string={**query, "agent": json.dumps(AGENT)},
                          headers={"Authorization": lrs.headers()["Authorization"]}).status_code == 400


def test_state_documents_of_one_organisation_are_invisible_to_another(lrs, other_lrs):
    """Tenancy: every organisation's LRS has its own documents — another organisation's credentials see none of
    them (404, an empty list), and their writes and deletes under the same key touch only their own."""
    query = params()
    listing = {k: v for k, v in query.items() if k != "stateId"}
    assert lrs.put(STATE, query=query, json={"ours": True}).status_code == 204
    assert other_lrs.get(STATE, query=query).status_code == 404
    assert other_lrs.get(STATE, query=listing).get_json() == []
    assert other_lrs.post(STATE, query=query, json={"theirs": True}).status_code == 204
    assert other_lrs.delete(STATE, query=listing).status_code == 204
    assert lrs.get(STATE, query=query).get_json() == {"ours": True}
    assert other_lrs.get(STATE, query=query).status_code == 404
