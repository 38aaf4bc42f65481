"""GET /api/v1/certificates: codes, holders, dates, state and the verification URL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import bearer


def get(client, token, query=""):
    response = client.get(f"/api/v1/certificates{query}", headers=bearer(token))
    return response, response.get_json()


def test_certificates_with_their_state_and_verification_url(client, world):
    response, body = get(client, world.token)
    assert response.status_code == 200
    states = {i["code"]: i["status"] for i in body["items"]}
    assert states == {world.certificates["revoked"].code: "revoked", world.certificates["eve"].code: "expired",
                      world.certificates["ada"].code: "valid"}
    ada = body["items"][-1]
    assert ada["learner"]["name"] == "Ada" and ada["course"]["slug"] == "tiny-course"
    assert ada["verify_url"] == f"http://lms.test/verify/{ada['code']}"
    assert ada["issued_at"].endswith("Z") and ada["expires_at"].endswith("Z") and ada["revoked_at"] is None
    assert client.get(ada["verify_url"]).status_code == 200


@pytest.mark.parametrize(("state", "holders"), [("valid", ["Ada"]), ("expired", ["Eve"]), ("revoked", ["Eve"]),
                                                 ("replaced", [])])
def test_the_status_filter(client, world, state, holders):
    assert [i["learner"]["name"] for i in get(client, world.token, f"?status={state}")[1]["items"]] == holders


def test_updated_since_is_issued_or_revoked_since(client, world):
    since = (world.now - timedelta(days=450)).strftime("%Y-%m-%dT%H:%M:%SZ")
    codes = [i["code"] for i in get(client, world.token, f"?updated_since={since}")[1]["items"]]
    # Eve's old certificate was issued 800 days ago but revoked 500 days ago: outside; the other two inside.
    assert codes == [world.certificates["eve"].code, world.certificates["ada"].code]


def test_tenancy_filters_and_paging(client, world):
    assert [i["code"] for i in get(client, world.other_token)[1]["items"]] == [world.certificates["other"].code]
    assert get(client, world.token, f"?cohort={world.other_cohort.id}")[0].status_code == 404
    body = get(client, world.token, f"?cohort={world.team.id}&per_page=2")[1]
    assert (body["total"], body["pages"], len(body["items"])) == (3, 2, 2)
