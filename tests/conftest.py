"""Shared fixtures: a fresh app and database per test, a client, an auth helper, a query counter, SMTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Integer, event, text

from lms import create_app
from lms.extensions import db
from lms.identity.passwords import use_fast_hashing_for_tests
from tests.factories import DEFAULT_PASSWORD

# Fixtures shared beyond their own folder (the workshop reports use the workshops' sessions; reports, certificates
# and imports use the jobs' Redis queue).
pytest_plugins = ("tests.workshops.fixtures", "tests.jobs.fixtures")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
use_fast_hashing_for_tests()
TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
_pg_schema_ready = False


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that uses the database, so CI can repeat exactly those on PostgreSQL."""
    for item in items:
        if "app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def _test_config(tmp_path: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or "sqlite://",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "COURSES_DIR": str(FIXTURES / "courses"),
        "EXERCISES_DIR": str(ROOT / "exercises"),
        "STORAGE_DIR": str(tmp_path / "files"),
        "SERVER_NAME": "lms.test",
        "MAIL_SERVER": "",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Settings for the `app` fixture; a test may override entries before `app` is created."""
    return _test_config(tmp_path)


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as in production, so `g` and the db session don't leak
    from the test (or an earlier request) into the request."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config) -> Iterator:
    """A fresh application with an empty database (SQLite in memory, or PostgreSQL truncated after)."""
    global _pg_schema_ready
    application = create_app(app_config)
    application.test_client_class = FreshContextClient
    with application.app_context():
        if TEST_DATABASE_URL:
            if not _pg_schema_ready:
                db.drop_all()
                db.create_all()
                _pg_schema_ready = True
        else:
            db.create_all()
        try:
            yield application
        finally:
            db.session.remove()
            if TEST_DATABASE_URL:
                _empty_postgresql()
            db.engine.dispose()


def _empty_postgresql() -> None:
    """Empty every table and restart the id sequences, as TRUNCATE ... RESTART IDENTITY would, but with DELETE in
    reverse dependency order: on tables holding a few rows it is ten times faster than TRUNCATE's file work,
    which took half of CI's PostgreSQL run."""
    tables = list(reversed(db.metadata.sorted_tables))
    serial = [t.name for t in tables if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement is not False
              and isinstance(t.c.id.type, Integer)]
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        conn.execute(text("SELECT " + ", ".join(
            f"setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)" for name in serial)))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str, password: str = DEFAULT_PASSWORD, remember: bool = False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


class QueryCounter:
    """Counts the SQL statements the app sends while active (`with counter: ...`)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def queries(app) -> QueryCounter:
    return QueryCounter(db.engine)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port; `.messages` holds what it received."""
    from tests.smtp import start_smtp

    server = start_smtp()
    try:
        yield server
    finally:
        server.stop()
