"""xAPI 1.0.3 Communication 3.1 (Concurrency): ETags on every document GET, If-Match / If-None-Match on PUT, POST
and DELETE, 412 and 409, over HTTP for the three document resources. Each test quotes its requirement."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest

AGENT = {"objectType": "Agent", "mbox": "mailto:rick@example.com"}
ACTIVITY = "http://www.example.com/activityId/hashset"
RESOURCES = {
    "state": ("/xapi/activities/state", lambda: {"activityId": ACTIVITY, "agent": AGENT, "stateId": str(uuid.uuid4())}),
    "activity_profile": ("/xapi/activities/profile", lambda: {"activityId": ACTIVITY, "profileId": str(uuid.uuid4())}),
    "agent_profile": ("/xapi/agents/profile", lambda: {"agent": AGENT, "profileId": str(uuid.uuid4())}),
}
PROFILES = ["activity_profile", "agent_profile"]


def stored(lrs, kind: str, document: dict | None = None) -> tuple[str, dict, str]:
    """Store a document on the resource; return (path, query, its ETag as the LRS gives it)."""
    path, make = RESOURCES[kind]
    query = make()
    assert lrs.post(path, query=query, json=document or {"a": 1}).status_code == 204
    return path, query, lrs.get(path, query=query).headers["ETag"]


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b1_get_of_a_document_carries_an_etag(lrs, kind):
    """3.1.s4.b1: "An LRS responding to a GET request MUST add an ETag HTTP header to the response"."""
    path, query, etag = stored(lrs, kind)
    assert etag
    listing = {k: v for k, v in query.items() if k not in ("stateId", "profileId")}
    assert lrs.get(path, query=listing).headers["ETag"]


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b2_the_etag_is_the_sha1_of_the_contents_in_lower_case_hex(lrs, kind):
    """3.1.s4.b2: the LRS "MUST calculate the value of the ETag header to be a hexadecimal string of the SHA-1
    digest of the contents ... rendered using numbers and lowercase characters only"."""
    path, query = RESOURCES[kind][0], RESOURCES[kind][1]()
    content = b"Some document \xe2\x9c\x93"
    assert lrs.put(path, query=query, data=content, content_type="text/plain; charset=utf-8",
                   headers={"If-None-Match": "*"}).status_code == 204
    got = lrs.get(path, query=query)
    assert got.data == content
    assert got.headers["ETag"] == f'"{hashlib.sha1(content).hexdigest()}"'  # noqa: S324 - xAPI's ETag
    assert re.fullmatch(r'"[0-9a-f]{40}"', got.headers["ETag"])


def test_3_1_s4_b2_the_etag_of_a_merged_document_is_that_of_the_merged_contents(lrs):
    """3.1.s4.b2: after a POST merge the ETag is the SHA-1 of the document the LRS now returns."""
    path, query, before = stored(lrs, "state", {"a": 1})
    assert lrs.post(path, query=query, json={"b": 2}).status_code == 204
    got = lrs.get(path, query=query)
    assert got.headers["ETag"] != before
    assert got.headers["ETag"] == f'"{hashlib.sha1(got.data).hexdigest()}"'  # noqa: S324 - xAPI's ETag


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b4_the_etag_is_enclosed_in_quotes(lrs, kind):
    """3.1.s4.b4: "As defined in RFC 2616, an LRS responding to a GET request MUST enclose the header in quotes"."""
    _, _, etag = stored(lrs, kind)
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 42


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b5_put_with_a_matching_if_match_replaces_the_document(lrs, kind):
    """3.1.s4.b5: "An LRS responding to a PUT request MUST handle the If-Match header as described in RFC2616,
    HTTP 1.1 if it contains an ETag" — a matching ETag (or *) lets the PUT through."""
    path, query, etag = stored(lrs, kind)
    assert lrs.put(path, query=query, json={"b": 2}, headers={"If-Match": etag}).status_code == 204
    assert lrs.get(path, query=query).get_json() == {"b": 2}
    assert lrs.put(path, query=query, json={"c": 3}, headers={"If-Match": "*"}).status_code == 204
    etag = lrs.get(path, query=query).headers["ETag"]
    listed = f'"{"0" * 40}", {etag}'
    assert lrs.put(path, query=query, json={"d": 4}, headers={"If-Match": listed}).status_code == 204


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b9_put_whose_if_match_fails_is_412_and_changes_nothing(lrs, kind):
    """3.1.s4.b9-b10: if the If-Match precondition of a PUT fails, the LRS "MUST return HTTP status 412
    Precondition Failed" and "MUST NOT make a modification to the resource"."""
    path, query, _ = stored(lrs, kind, {"a": 1})
    bad = '"1111111111111111111111111111111111111111"'
    assert lrs.put(path, query=query, json={"b": 2}, headers={"If-Match": bad}).status_code == 412
    assert lrs.get(path, query=query).get_json() == {"a": 1}


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b6_put_with_if_none_match_star_creates_only_a_new_document(lrs, kind):
    """3.1.s4.b6: "An LRS responding to a PUT request MUST handle the If-None-Match header as described in RFC2616
    if it contains "*"" — it stores a new document, and fails with 412 (changing nothing) when one exists."""
    path, query = RESOURCES[kind][0], RESOURCES[kind][1]()
    assert lrs.put(path, query=query, json={"a": 1}, headers={"If-None-Match": "*"}).status_code == 204
    assert lrs.put(path, query=query, json={"b": 2}, headers={"If-None-Match": "*"}).status_code == 412
    assert lrs.get(path, query=query).get_json() == {"a": 1}


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_if_match_on_a_document_that_does_not_exist_is_412(lrs, kind):
    """3.1.s4.b5 with RFC 2616 14.24: "if "*" is given and no current entity exists, the server MUST NOT perform
    the requested method, and MUST return a 412 (Precondition Failed) response" (any ETag likewise)."""
    path, query = RESOURCES[kind][0], RESOURCES[kind][1]()
    assert lrs.put(path, query=query, json={"a": 1}, headers={"If-Match": "*"}).status_code == 412
    assert lrs.get(path, query=query).status_code == 404


@pytest.mark.parametrize("kind", PROFILES)
def test_3_1_s4_b13_put_to_an_existing_profile_without_either_header_is_409(lrs, kind):
    """3.1.s4.b13-b15: "If a PUT request is received without either header for a resource that already exists,
    the LRS MUST return HTTP status 409 Conflict; MUST return a response explaining that the Learning Record
    Provider SHOULD check the current state of the resource [and] set the "If-Match" header with the current
    ETag to resolve the conflict; MUST NOT make a modification to the resource"."""
    path, query, _ = stored(lrs, kind, {"a": 1})
    conflict = lrs.put(path, query=query, json={"b": 2})
    assert conflict.status_code == 409
    message = conflict.get_json()["error"]
    assert "If-Match" in message and "current" in message
    assert lrs.get(path, query=query).get_json() == {"a": 1}


def test_3_1_s3_state_put_without_concurrency_headers_replaces_an_existing_document(lrs):
    """3.1.s3: "The State Resource will permit PUT, POST and DELETE requests without concurrency headers, since
    state conflicts are unlikely"."""
    path, query, _ = stored(lrs, "state", {"a": 1})
    assert lrs.put(path, query=query, json={"b": 2}).status_code == 204
    assert lrs.get(path, query=query).get_json() == {"b": 2}


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b7_post_and_delete_whose_if_match_fails_are_412(lrs, kind):
    """3.1.s4.b7 / b11-b12: on a POST or DELETE the LRS SHOULD* handle If-Match, return 412 when it fails, and not
    modify the resource."""
    path, query, etag = stored(lrs, kind, {"a": 1})
    bad = '"1111111111111111111111111111111111111111"'
    assert lrs.post(path, query=query, json={"b": 2}, headers={"If-Match": bad}).status_code == 412
    assert lrs.delete(path, query=query, headers={"If-Match": bad}).status_code == 412
    assert lrs.get(path, query=query).get_json() == {"a": 1}
    assert lrs.post(path, query=query, json={"b": 2}, headers={"If-Match": etag}).status_code == 204
    etag = lrs.get(path, query=query).headers["ETag"]
    assert lrs.delete(path, query=query, headers={"If-Match": etag}).status_code == 204
    assert lrs.get(path, query=query).status_code == 404


@pytest.mark.parametrize("kind", RESOURCES)
def test_3_1_s4_b8_post_with_if_none_match_star_on_an_existing_document_is_412(lrs, kind):
    """3.1.s4.b8: the LRS SHOULD* handle If-None-Match: * on a POST "to detect when there is a resource present
    that the Client is not aware of"."""
    path, query, _ = stored(lrs, kind, {"a": 1})
    assert lrs.post(path, query=query, json={"b": 2}, headers={"If-None-Match": "*"}).status_code == 412
    assert lrs.get(path, query=query).get_json() == {"a": 1}


def test_3_1_an_etag_of_another_organisation_s_document_is_no_key_to_ours(lrs, other_lrs):
    """Tenancy: a document of the same key in another organisation has its own ETag and its own preconditions."""
    path, query, etag = stored(lrs, "agent_profile", {"a": 1})
    assert other_lrs.put(path, query=query, json={"x": 1}, headers={"If-Match": etag}).status_code == 412
    assert other_lrs.put(path, query=query, json={"a": 1}, headers={"If-None-Match": "*"}).status_code == 204
    assert lrs.get(path, query=query).get_json() == {"a": 1}
