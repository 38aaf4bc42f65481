"""/api/openapi.json: an OpenAPI 3.1 document generated from the code, documenting every operation and answer."""

from __future__ import annotations

import pytest

OPERATIONS = {
    "/api/v1/enrolments": "listEnrolments", "/api/v1/assignments": "listAssignments",
    "/api/v1/progress": "listProgress", "/api/v1/completions": "listCompletions",
    "/api/v1/certificates": "listCertificates", "/api/v1/workspace-accounts": "listWorkspaceAccounts",
    "/api/v1/reports/completion": "getCompletionFigures", "/api/v1/reports/capability": "getCapabilityFigures",
    "/api/v1/reports/adoption": "getAdoptionFigures",
}


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")  # public: no token needed to read the documentation
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_an_openapi_3_1_document_of_the_api_and_nothing_else(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "ABM Academy API" and "Bearer" in document["info"]["description"]
    assert {path: ops["get"]["operationId"] for path, ops in document["paths"].items()} == OPERATIONS
    assert all(set(ops) == {"get"} for ops in document["paths"].values())


def test_every_operation_needs_the_bearer_token(document):
    assert document["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token of your organisation."}}
    assert document["security"] == [{"bearerAuth": []}]


@pytest.mark.parametrize("path", OPERATIONS)
def test_every_answer_an_operation_can_give_is_documented(document, path):
    responses = document["paths"][path]["get"]["responses"]
    assert set(responses) == {"200", "400", "401", "404", "422"}
    for code in ("400", "401", "404", "422"):
        assert responses[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/")


def test_the_error_schema(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"status", "error", "message", "details"}
    assert set(error["required"]) == {"status", "error", "message"}


def test_lists_document_paging_and_their_filters(document):
    names = {p["name"]: p for p in document["paths"]["/api/v1/enrolments"]["get"]["parameters"]}
    assert set(names) == {"page", "per_page", "course", "cohort", "status", "updated_since"}
    assert names["per_page"]["schema"]["maximum"] == 200 and names["page"]["schema"]["minimum"] == 1
    assert names["updated_since"]["schema"] == {
        "type": "string", "format": "date-time", "title": "Updated Since",
        "description": names["updated_since"]["description"]}
    assert not any(p["required"] for p in names.values())
    page = document["components"]["schemas"]["EnrolmentPage"]
    assert {"items", "page", "per_page", "total", "pages", "next", "previous"} <= set(page["required"])
