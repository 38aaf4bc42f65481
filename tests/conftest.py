"""Shared fixtures: a fresh app and database per test, a client, an auth helper, a query counter, SMTP."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Integer, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from werkzeug.routing.rules import Rule

from lms import create_app, pdf
from lms.config import Defaults
from lms.database import plain_read_ran
from lms.extensions import db
from lms.identity.passwords import use_fast_hashing_for_tests
from tests.databases import ensure_postgres
from tests.factories import DEFAULT_PASSWORD

# Fixtures shared beyond their own folder (the workshop reports use the workshops' sessions; reports, certificates
# and imports use the jobs' Redis queue).
pytest_plugins = ("tests.workshops.fixtures", "tests.jobs.fixtures")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A report table's headings in the PDFs' language (lms.pdf.LANG), in columns narrow enough to hyphenate them, as the
# report PDFs do (thead th { hyphens: auto }): rendering it reads the language's hyphenation patterns.
HYPHENATED_HEADINGS = (f'<html lang="{pdf.LANG}"><table><thead><tr>'
                       + "".join(f"<th>Internationalisation {n}</th>" for n in range(12)) + "</tr></thead></table></html>")
use_fast_hashing_for_tests()
_pg_schema_ready = False


def _test_database_url() -> str:
    """LMS_TEST_DATABASE_URL, or "" for SQLite in memory. Under pytest-xdist each worker process gets a PostgreSQL
    database of its own (test_gw0, test_gw1, ... beside the one named), created on first use, so workers never empty
    each other's tables."""
    url = os.environ.get("LMS_TEST_DATABASE_URL", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    own = f"{url}_{worker}"
    if ensure_postgres(own) is None:
        raise RuntimeError(f"no PostgreSQL server answers at {url}")
    return own


TEST_DATABASE_URL = _test_database_url()


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that uses the database, so CI can repeat exactly those on PostgreSQL."""
    for item in items:
        if "app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_collection_finish(session) -> None:
    """Move what collection loaded (the app's modules, the tests) out of the garbage collector's sight: its full
    collections then look only at what the tests themselves make."""
    gc.collect()
    gc.freeze()


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
    """A fresh application with an empty database (SQLite in memory, or PostgreSQL emptied after)."""
    global _pg_schema_ready
    application = create_app(app_config)
    application.test_client_class = FreshContextClient
    application.jinja_env.bytecode_cache = _TEMPLATES
    with application.app_context():
        shared = _share_engine()
        if TEST_DATABASE_URL:
            if not _pg_schema_ready:
                db.drop_all()
                db.create_all()
                _pg_schema_ready = True
        elif application.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://":
            _copy_sqlite_schema()
        else:
            db.create_all()
        try:
            yield application
        finally:
            db.session.remove()
            if TEST_DATABASE_URL:
                _empty_postgresql()
            if not shared:
                db.engine.dispose()


_engines: dict[str, Engine] = {}


def _share_engine() -> bool:
    """Give the current app the engine of the first test's app, when it uses the run's database with the default
    engine options; return True if it did.

    SQLAlchemy keeps compiled statements per engine, so an engine per test compiled every statement again in every
    test: a fifth of the suite's time. Each test still starts from an empty database (the SQLite schema copied over
    the old one, PostgreSQL's tables emptied)."""
    from flask import current_app

    config = current_app.config
    if (config["SQLALCHEMY_DATABASE_URI"] != (TEST_DATABASE_URL or "sqlite://")
            or config["SQLALCHEMY_ENGINE_OPTIONS"] != Defaults.SQLALCHEMY_ENGINE_OPTIONS):
        return False
    engines = db.engines
    shared = _engines.setdefault(config["SQLALCHEMY_DATABASE_URI"], engines[None])
    if shared is not engines[None]:
        engines[None].dispose()
        engines[None] = shared
    return True


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per process and shared by every test's app (Jinja checks each against its source's
    checksum): compiling them again for each new app took a tenth of the suite's time."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()
_sqlite_schema = None


def _copy_sqlite_schema() -> None:
    """Give the app's in-memory SQLite database the schema by copying it from one made once per process (SQLite's
    backup API, about a millisecond) instead of running create_all's 300 DDL statements for every test."""
    global _sqlite_schema
    if _sqlite_schema is None:
        import sqlite3

        _sqlite_schema = sqlite3.connect(":memory:", check_same_thread=False)
        engine = create_engine("sqlite://", creator=lambda: _sqlite_schema, poolclass=StaticPool)
        db.metadata.create_all(engine)
    with db.engine.connect() as conn:
        target = conn.connection.driver_connection
        if target.in_transaction:  # left open by a failed test: the copy must not fail every later test too
            target.rollback()
        _sqlite_schema.backup(target)


def _cache_route_builders() -> None:
    """Compile each URL rule's builder once per process, not once per test's app.

    Werkzeug generates and compiles a Python function per rule each time an app registers its routes: for our 170
    routes that was about 150 ms of every test that creates an app, a third of the suite. The generated function
    depends only on the rule's text, parts and defaults (it reaches the rule's converters through its `self`
    argument), so the same function serves every app's copy of the rule."""
    compile_builder = Rule._compile_builder
    builders: dict[tuple, object] = {}

    def cached(self: Rule, append_unknown: bool = True):
        key = (self.rule, tuple(self._trace), tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
               append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = cached


_cache_route_builders()


def _empty_postgresql() -> None:
    """Empty every table and restart the id sequences, as TRUNCATE ... RESTART IDENTITY would, but with DELETE in
    reverse dependency order: on tables holding a few rows it is ten times faster than TRUNCATE's file work,
    which took half of CI's PostgreSQL run. The statements go in one round trip (a third of the time of one each)."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql(_emptying_sql())


@cache
def _emptying_sql() -> str:
    tables = list(reversed(db.metadata.sorted_tables))
    serial = [t.name for t in tables if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement is not False
              and isinstance(t.c.id.type, Integer)]
    # The models' own table names, no input: S608 does not apply.
    return "".join(f'DELETE FROM "{t.name}";' for t in tables) + "SELECT " + ", ".join(  # noqa: S608
        f"setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)" for name in serial)


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
    """Counts the SQL statements the app sends while active (`with counter: ...`): SQLAlchemy's, and those a
    lms.database.PlainRead runs on the driver's connection."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def _on_plain_read(self, _read, statement: str) -> None:
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        plain_read_ran.connect(self._on_plain_read)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
        plain_read_ran.disconnect(self._on_plain_read)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def queries(app) -> QueryCounter:
    return QueryCounter(db.engine)


@pytest.fixture
def renderer_setups(monkeypatch) -> list[str]:
    """What the PDF renderer (WeasyPrint) sets up, in order, as it happens: a font configuration, a parsed
    stylesheet, a language's hyphenation patterns (read by Pyphen, none read yet, as in a new process)."""
    import pyphen
    import weasyprint
    import weasyprint.text.fonts

    made: list[str] = []
    real_css, real_fonts = weasyprint.CSS, weasyprint.text.fonts.FontConfiguration

    def css(*args, **kwargs):
        made.append("stylesheet")
        return real_css(*args, **kwargs)

    def fonts(*args, **kwargs):
        made.append("font configuration")
        return real_fonts(*args, **kwargs)

    def patterns(*args, **kwargs):
        made.append("hyphenation patterns")
        return real_patterns(*args, **kwargs)

    real_patterns = pyphen.HyphDict
    monkeypatch.setattr(weasyprint, "CSS", css)
    monkeypatch.setattr(weasyprint.text.fonts, "FontConfiguration", fonts)
    monkeypatch.setattr(pyphen, "HyphDict", patterns)
    monkeypatch.setattr(pyphen, "hdcache", {})
    return made


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port; `.messages` holds what it received."""
    from tests.smtp import start_smtp

    server = start_smtp()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def migrated_app(tmp_path, request):
    """An app on an empty database of its own, for migration tests to upgrade and downgrade: a file, or on
    PostgreSQL a schema named after the test (tests in parallel workers do not share it)."""
    options = {}
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    schema = f"migration_{request.node.name[-40:].lower()}"
    if TEST_DATABASE_URL:
        url, options = TEST_DATABASE_URL, {"connect_args": {"options": f"-csearch_path={schema}"}}
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
