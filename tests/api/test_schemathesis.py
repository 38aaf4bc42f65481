"""schemathesis against the app in-process (WSGI): every operation of /api/openapi.json with every check, examples
generated from the document (valid and invalid ones), with a fixed seed and derandomized, so a run is repeatable.

The document is read once, at collection, from an app of its own (it needs no database); each operation's test then
calls the `app` fixture's app, seeded with an organisation that has data in every list (tests/api/conftest.py), so
answers are not only empty pages, and CI repeats it on PostgreSQL.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from lms import create_app
from tests.api.conftest import bearer

SEED = 17
MAX_EXAMPLES = 100  # per operation and phase: the whole run takes well under a minute

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "cache": {"enabled": False},  # nothing written to the working tree between runs
    # The token is ours to send (below); the `ignored_auth` check probes each operation without it and with a wrong
    # one, so generated data need not drop or mangle it.
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True,
                   "with-security-parameters": False},
    "checks": {"enabled": True},
})
DOCUMENT_APP = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                           "SERVER_NAME": "lms.test"})
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", DOCUMENT_APP, config=CONFIG)


def test_the_document_tested_is_the_one_the_app_serves(client):
    assert client.get("/api/openapi.json").get_json() == schema.raw_schema


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_the_api_answers_as_its_openapi_document_says(case, app, world):
    case.call_and_validate(app=app, headers=bearer(world.token))
