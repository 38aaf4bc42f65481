"""GET /api/v1/completions: completed courses in order, on time or not, with their certificate."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import bearer


def get(client, token, query=""):
    response = client.get(f"/api/v1/completions{query}", headers=bearer(token))
    return response, response.get_json()


def test_completions_oldest_first_with_their_certificate(client, world):
    response, body = get(client, world.token)
    assert response.status_code == 200
    assert [(i["learner"]["name"], i["on_time"]) for i in body["items"]] == [("Eve", None), ("Ada", True)]
    assert body["items"][1]["certificate_code"] == world.certificates["ada"].code
    assert body["items"][0]["certificate_code"] == world.certificates["eve"].code  # the current one, not revoked


def test_updated_since_is_completed_since(client, world):
    since = (world.now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [i["learner"]["name"] for i in get(client, world.token, f"?updated_since={since}")[1]["items"]] == ["Ada"]


def test_tenancy_filters_and_paging(client, world):
    assert [i["learner"]["name"] for i in get(client, world.other_token)[1]["items"]] == ["Contoso Learner"]
    assert get(client, world.token, f"?cohort={world.other_cohort.id}")[0].status_code == 404
    body = get(client, world.token, "?per_page=1&course=tiny-course")[1]
    assert (body["total"], body["pages"], body["items"][0]["learner"]["name"]) == (2, 2, "Eve")
    assert get(client, world.token, "?per_page=1&page=2")[1]["items"][0]["learner"]["name"] == "Ada"
