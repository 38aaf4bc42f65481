"""xAPI 1.0.3 Communication 3.3 Versioning: the X-Experience-API-Version header on every response, and which request
versions the LRS accepts or rejects, over HTTP."""

from __future__ import annotations

import pytest

from tests.tracking.conformance.stmt_data import STATEMENTS, new_id, statement


def test_3_3_every_response_carries_the_latest_patch_version(lrs):
    """3.3.s3.b1/b2: "The LRS MUST include the "X-Experience-API-Version" header in every response"; "The LRS MUST
    set this header to the latest patch version" (1.0.3): successes and errors alike."""
    responses = [
        lrs.post(STATEMENTS, json=statement()),
        lrs.put(STATEMENTS, query={"statementId": new_id()}, json=statement()),
        lrs.get(STATEMENTS),
        lrs.head(STATEMENTS),
        lrs.get(STATEMENTS, query={"statementId": new_id()}),  # 404
        lrs.post(STATEMENTS, json={"actor": {}}),  # 400
        lrs.get(STATEMENTS, headers={"Authorization": "Basic Zm9vOmJhcg=="}),  # 401
        lrs.request("DELETE", STATEMENTS),  # 405
        lrs.get("/xapi/about", headers={"X-Experience-API-Version": "0.8"}),
    ]
    assert [r.status_code for r in responses] == [200, 204, 200, 200, 404, 400, 401, 405, 200]
    assert {r.headers.get("X-Experience-API-Version") for r in responses} == {"1.0.3"}


def test_3_3_a_request_without_the_version_header_is_400(lrs):
    """3.3.s4.b1: "The Client MUST include the "X-Experience-API-Version" header in every request" (an LRS resource
    other than About answers 400 without it, with the reason)."""
    for method in ("GET", "POST", "PUT"):
        response = lrs.request(method, STATEMENTS, query={"statementId": new_id()} if method == "PUT" else None,
                               json=statement() if method != "GET" else None, headers={"X-Experience-API-Version": ""})
        assert response.status_code == 400, method
    response = lrs.client.get(STATEMENTS, headers={"Authorization": lrs.headers()["Authorization"]})
    assert response.status_code == 400 and "X-Experience-API-Version" in response.get_json()["error"]


@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.9"])
def test_3_3_versions_starting_with_1_0_are_accepted(lrs, version):
    """3.3.s3.b3/b5: "The LRS MUST accept requests with a version header of 1.0 as if the version header was 1.0.0";
    "The LRS MUST accept requests with a version header starting with 1.0. if the request is otherwise valid"."""
    assert lrs.post(STATEMENTS, json=statement(), headers={"X-Experience-API-Version": version}).status_code == 200
    assert lrs.get(STATEMENTS, headers={"X-Experience-API-Version": version}).status_code == 200


@pytest.mark.parametrize("version", ["0.9", "0.95", "0.9.5", "1.1.0", "1.1", "2.0.0", "1", "1.0.x", "banana"])
def test_3_3_versions_before_1_0_0_or_from_1_1_0_are_400_with_a_description(lrs, version):
    """3.3.s3.b4/b6/b7: "The LRS MUST reject requests with version header prior to version 1.0.0"; "MUST reject
    requests with a version header of 1.1.0 or greater"; "MUST make these rejects by responding with a 400 Bad Request
    error including a short description of the problem"."""
    doc = statement(id=new_id())
    response = lrs.post(STATEMENTS, json=doc, headers={"X-Experience-API-Version": version})
    assert response.status_code == 400 and response.get_json()["error"]
    assert lrs.get(STATEMENTS, query={"statementId": doc["id"]}).status_code == 404
    assert lrs.get(STATEMENTS, headers={"X-Experience-API-Version": version}).status_code == 400


def test_3_3_statements_of_1_0_x_keep_their_version(lrs):
    """3.3.s5.b1: "Statements of newer versions MUST NOT be converted into a prior version format"; Data 2.4.10.s3.b3:
    statements "MUST retain the version they are accepted with"."""
    doc = statement(id=new_id(), version="1.0.3")
    assert lrs.post(STATEMENTS, json=doc, headers={"X-Experience-API-Version": "1.0.0"}).status_code == 200
    assert lrs.get(STATEMENTS, query={"statementId": doc["id"]}).get_json()["version"] == "1.0.3"
