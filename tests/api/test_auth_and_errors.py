"""Every operation needs an API token of the organisation; every error under /api is JSON in the `Error` shape.

These tests run with the forms' CSRF protection on, as in production: a bearer-token API is exempt from it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.tracking.models import ApiToken
from lms.tracking.services import revoke_token
from tests.api.conftest import bearer

OPERATIONS = ["/api/v1/enrolments", "/api/v1/assignments", "/api/v1/progress", "/api/v1/completions",
              "/api/v1/certificates", "/api/v1/workspace-accounts", "/api/v1/reports/completion",
              "/api/v1/reports/capability", "/api/v1/reports/adoption"]
ERROR_KEYS = {"status", "error", "message", "details"}


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.mark.parametrize("path", OPERATIONS)
def test_without_a_token_every_operation_answers_401_with_a_bearer_challenge(client, world, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ABM Academy API"'
    assert response.is_json and set(response.get_json()) == ERROR_KEYS
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("path", OPERATIONS)
def test_with_the_token_every_operation_answers_200(client, world, path):
    assert client.get(path, headers=bearer(world.token)).status_code == 200


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer abm_not-a-token"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"},  # LRS credentials are for /xapi, not for this API
    {"Authorization": "abm_whatever"},
])
def test_a_wrong_token_or_scheme_answers_401(client, world, headers):
    response = client.get("/api/v1/enrolments", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="ABM Academy API"')


def test_an_invalid_token_is_told_so_in_the_challenge(client, world):
    response = client.get("/api/v1/enrolments", headers=bearer("abm_not-a-token"))
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ABM Academy API", error="invalid_token"'


def test_a_revoked_token_answers_401(client, world):
    token = db.session.scalar(select(ApiToken).where(ApiToken.organization_id == world.org.id))
    revoke_token(token, None)
    db.session.commit()
    assert client.get("/api/v1/enrolments", headers=bearer(world.token)).status_code == 401


def test_a_suspended_organisations_token_answers_401(client, world):
    world.org.is_active = False  # suspending an organisation revokes its tokens
    db.session.commit()
    assert client.get("/api/v1/enrolments", headers=bearer(world.token)).status_code == 401


def test_the_tokens_last_use_is_noted(client, world):
    client.get("/api/v1/enrolments", headers=bearer(world.token))
    token = db.session.scalar(select(ApiToken).where(ApiToken.organization_id == world.org.id))
    assert token.last_used_at is not None


def test_an_unknown_parameter_answers_400_naming_it(client, world):
    response = client.get("/api/v1/enrolments?cohort_id=1&page=1", headers=bearer(world.token))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "unknown_parameter" and "cohort_id" in body["message"]
    assert body["details"] == [{"location": "query.cohort_id", "message": "not a parameter of this operation"}]


@pytest.mark.parametrize("query", ["per_page=201", "per_page=0", "page=0", "page=1.0", "cohort=abc",
                                   "status=late", "updated_since=2026-01-01", "page=1&page=2"])
def test_an_invalid_value_answers_422_saying_where(client, world, query):
    response = client.get(f"/api/v1/enrolments?{query}", headers=bearer(world.token))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_parameter" and body["status"] == 422
    assert body["details"][0]["location"] == f"query.{query.split('=')[0]}"


def test_the_token_is_checked_before_the_parameters(client, world):
    assert client.get("/api/v1/enrolments?per_page=999&nonsense=1").status_code == 401


def test_an_unknown_path_and_a_wrong_method_answer_json(client, world):
    missing = client.get("/api/v1/nothing-here", headers=bearer(world.token))
    assert missing.status_code == 404 and set(missing.get_json()) == ERROR_KEYS
    wrong = client.post("/api/v1/enrolments", headers=bearer(world.token))
    assert wrong.status_code == 405 and wrong.get_json()["error"] == "method_not_allowed"
    assert set(wrong.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_pages_outside_the_api_keep_their_html_errors(client, world):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_the_api_is_not_behind_the_forms_csrf_protection(client, world):
    """A bearer-token API has no cookies to protect: a POST meets the API's own 405, not a CSRF error page."""
    response = client.post("/api/v1/enrolments", headers=bearer(world.token))
    assert response.status_code == 405 and response.is_json
