"""GET /api/v1/workspace-accounts: the team workspaces' target accounts (never a personal workspace's)."""

from __future__ import annotations

from datetime import timedelta

from lms.extensions import db
from tests.api.conftest import bearer


def get(client, token, query=""):
    response = client.get(f"/api/v1/workspace-accounts{query}", headers=bearer(token))
    return response, response.get_json()


def test_the_team_workspaces_accounts_with_tier_owners_and_fit(client, world):
    response, body = get(client, world.token)
    assert response.status_code == 200
    assert [i["name"] for i in body["items"]] == ["Acme Ltd", "Globex", "Initech"]  # not Ada's practice account
    acme = body["items"][0]
    assert (acme["tier"], acme["icp_fit"], acme["owner"], acme["sales_agreed"]) == (
        "1:1", 90, {"sales": "Ada", "marketing": "Ben"}, True)
    assert acme["workspace"]["cohort"] == {"id": world.team.id, "name": "Team A"}


def test_filters(client, world):
    assert [i["name"] for i in get(client, world.token, "?tier=1:few")[1]["items"]] == ["Globex"]
    assert get(client, world.token, "?tier=2:1")[0].status_code == 422
    assert get(client, world.token, f"?cohort={world.team.id}")[1]["total"] == 3
    world.accounts["globex"].updated_at = world.now + timedelta(minutes=5)
    db.session.commit()
    since = (world.now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [i["name"] for i in get(client, world.token, f"?updated_since={since}")[1]["items"]] == ["Globex"]


def test_tenancy_and_paging(client, world):
    assert [i["name"] for i in get(client, world.other_token)[1]["items"]] == ["Contoso target"]
    assert get(client, world.token, f"?cohort={world.other_cohort.id}")[0].status_code == 404
    body = get(client, world.token, "?per_page=2&page=2")[1]
    assert [i["name"] for i in body["items"]] == ["Initech"] and body["next"] is None
