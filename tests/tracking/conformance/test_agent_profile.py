"""xAPI 1.0.3 Communication 2.6 (Agent Profile Resource) with 2.2 (Document Resources), over HTTP: each test quotes
the requirement it holds the LRS to, and is named by its section."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

PROFILE = "/xapi/agents/profile"
AGENT = {"objectType": "Agent", "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}}


def params(**extra) -> dict:
    values = {"agent": AGENT, "profileId": str(uuid.uuid4())}
    values.update(extra)
    return {k: v for k, v in values.items() if v is not None}


def test_2_6_agent_profile_put_stores_and_get_returns_the_document(lrs):
    """2.6.s3: "Stores, changes, fetches, or deletes the specified profile document in the context of the
    specified Agent" — PUT: 204 No Content; GET: 200 OK, the profile document."""
    query = params()
    assert lrs.put(PROFILE, query=query, json={"a": 1}, headers={"If-None-Match": "*"}).status_code == 204
    got = lrs.get(PROFILE, query=query)
    assert got.status_code == 200 and got.get_json() == {"a": 1}


@pytest.mark.parametrize("agent", [
    {"mbox": "mailto:ada@example.com"},
    {"objectType": "Agent", "mbox_sha1sum": "a" * 40},
    {"openid": "http://openid.example.com/ada"},
    {"name": "Ada", "account": {"homePage": "http://crm.example.com", "name": "ada"}},
])
def test_2_6_agent_profile_agent_is_found_by_its_identifier(lrs, agent):
    """2.6.s3.table1 row 1: agent is an Agent object (JSON) with one of its inverse functional identifiers; the
    document belongs to that Agent, whatever else (a name) the object carries."""
    query = params(agent=agent)
    assert lrs.post(PROFILE, query=query, json={"who": "ada"}).status_code == 204
    renamed = {**agent, "name": "Someone else"}
    assert lrs.get(PROFILE, query={**query, "agent": renamed}).get_json() == {"who": "ada"}
    other = params(agent={"mbox": "mailto:bob@example.com"}, profileId=query["profileId"])
    assert lrs.get(PROFILE, query=other).status_code == 404


def test_2_6_agent_profile_post_merges_json_objects(lrs):
    """2.2.s7: a POSTed JSON object is merged into the existing JSON document; 2.2.s8.b2: 204 No Content."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={"car": "Honda"}).status_code == 204
    assert lrs.post(PROFILE, query=query, json={"type": "Civic"}).status_code == 204
    assert lrs.get(PROFILE, query=query).get_json() == {"car": "Honda", "type": "Civic"}


@pytest.mark.parametrize(("existing", "posted"), [
    ((b'{"a": 1}', "application/json"), (b"abcdefg", "application/octet-stream")),
    ((b'{"a": 1}', "application/json"), (b"abcdefg", "not/json")),
    ((b"/ asdf / undefined", "application/octet-stream"), (b'{"b": 2}', "application/json")),
    ((b'{"a": 1}', "application/json"), (b'{"agent": "x"}{', "application/json")),
])
def test_2_2_s8_b1_agent_profile_post_that_cannot_merge_is_refused(lrs, existing, posted):
    """2.2.s8.b1: "the LRS MUST respond with HTTP status code 400 Bad Request, and MUST NOT update the target
    document as a result of the request"."""
    query = params()
    assert lrs.put(PROFILE, query=query, data=existing[0], content_type=existing[1],
                   headers={"If-None-Match": "*"}).status_code == 204
    assert lrs.post(PROFILE, query=query, data=posted[0], content_type=posted[1]).status_code == 400
    assert lrs.get(PROFILE, query=query).data == existing[0]


def test_2_6_s4_agent_profile_get_without_profile_id_returns_the_ids_since(lrs):
    """2.6.s4: "Fetches profile ids of all profile entries for an Agent. If "since" parameter is specified, this
    is limited to entries that have been stored or updated since the specified Timestamp (exclusive)"."""
    agent = {"mbox": f"mailto:{uuid.uuid4()}@example.com"}
    for profile_id in ("one", "two"):
        assert lrs.post(PROFILE, query={"agent": agent, "profileId": profile_id}, json={}).status_code == 204
    listed = lrs.get(PROFILE, query={"agent": agent})
    assert listed.status_code == 200 and sorted(listed.get_json()) == ["one", "two"]
    assert sorted(lrs.get(PROFILE, query={"agent": agent, "since": "2000-01-01T00:00:00Z"}).get_json()) == [
        "one", "two"]
    assert lrs.get(PROFILE, query={"agent": agent, "since": "2999-01-01T00:00:00Z"}).get_json() == []


def test_2_6_agent_profile_delete_removes_the_document(lrs):
    """2.6.s3: DELETE deletes the profile document and returns 204 No Content."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={}).status_code == 204
    assert lrs.delete(PROFILE, query=query).status_code == 204
    assert lrs.get(PROFILE, query=query).status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_2_6_s3_table1_agent_profile_requires_an_agent(lrs, method):
    """2.6.s3.table1 row 1 / 2.6.s4.table1 row 1: agent is Required (400 Bad Request, 3.2.s2.b1)."""
    answer = lrs.request(method, PROFILE, query=params(agent=None), json={} if method in ("PUT", "POST") else None)
    assert answer.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_2_6_s3_table1_agent_profile_requires_a_profile_id(lrs, method):
    """2.6.s3.table1 row 2: profileId is Required to store or delete a document."""
    answer = lrs.request(method, PROFILE, query=params(profileId=None), json={} if method != "DELETE" else None)
    assert answer.status_code == 400


@pytest.mark.parametrize("agent", ["1", "true", "not Agent", '{"key": "value"}', '{"not_actor": "yup"}',
                                   '{"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}',
                                   '{"objectType": "Person", "mbox": ["mailto:a@example.com"]}',
                                   '{"mbox": "ada@example.com"}'])
@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_2_6_s3_table1_agent_profile_rejects_an_agent_that_is_not_an_agent_object(lrs, method, agent):
    """2.6.s3.table1 row 1: agent is an "Agent object (JSON)"; "The agent parameter is an Agent Object and not a
    Group" (2.6.s3 note)."""
    answer = lrs.request(method, PROFILE, query=params(agent=agent), json={} if method != "DELETE" else None)
    assert answer.status_code == 400


def test_2_6_agent_profile_rejects_an_agent_whose_json_is_broken(lrs):
    """2.6 (XAPI-00284): a request whose agent parameter is not valid JSON is refused with 400 Bad Request."""
    broken = quote(json.dumps(AGENT), safe="").replace("%3A", "%22", 1)
    answer = lrs.client.post(f"{PROFILE}?profileId=p&agent={broken}", data=b'{"a": 1}',
                             content_type="application/json", headers=lrs.headers())
    assert answer.status_code == 400


@pytest.mark.parametrize("since", ["1", "true", "not timestamp"])
def test_2_6_s4_table1_agent_profile_rejects_a_since_that_is_not_a_timestamp(lrs, since):
    """2.6.s4.table1 row 2: since is a Timestamp."""
    assert lrs.get(PROFILE, query={"agent": AGENT, "since": since}).status_code == 400


@pytest.mark.parametrize("name", ["activityId", "stateId", "Agent", "ProfileId"])
def test_3_2_s3_b7_agent_profile_rejects_parameters_it_does_not_recognise(lrs, name):
    """3.2.s3.b7 / b8: unknown parameters, and known ones in another case, are refused with 400 Bad Request."""
    assert lrs.get(PROFILE, query={**params(), name: "x"}).status_code == 400


def test_1_1_agent_profile_head_has_no_body(lrs):
    """1.1.s3.b1.b1: a HEAD answers as GET would, but "The message-body MUST be omitted"."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={"a": 1}).status_code == 204
    head = lrs.head(PROFILE, query=query)
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_3_2_s3_b10_agent_profile_refuses_writes_from_read_only_credentials(lrs_read_only, method):
    """3.2.s3.b10: 403 Forbidden when the credentials do not have permission to make the request."""
    answer = lrs_read_only.request(method, PROFILE, query=params(), json={} if method != "DELETE" else None)
    assert answer.status_code == 403


def test_agent_profiles_of_one_organisation_are_invisible_to_another(lrs, other_lrs):
    """Tenancy: another organisation's credentials neither see nor change this organisation's agent profiles."""
    query = params()
    assert lrs.post(PROFILE, query=query, json={"ours": 1}).status_code == 204
    assert other_lrs.get(PROFILE, query=query).status_code == 404
    assert other_lrs.get(PROFILE, query={"agent": AGENT}).get_json() == []
    assert other_lrs.delete(PROFILE, query=query).status_code == 204
    assert lrs.get(PROFILE, query=query).get_json() == {"ours": 1}
