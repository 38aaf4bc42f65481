"""The REST API at /api/v1 (read-only, per organisation, API-token auth) and its OpenAPI 3.1 document."""
