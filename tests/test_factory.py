"""The application factory: settings layering, secret key, DATABASE_URL, error pages, security headers."""

from __future__ import annotations

import pytest
from itsdangerous import BadSignature

from lms import create_app


def test_test_mapping_overrides_defaults(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SITE_NAME": "Academy X"})
    assert app.testing
    assert app.config["SITE_NAME"] == "Academy X"


def test_lms_prefixed_environment_variables_become_settings(monkeypatch):
    monkeypatch.setenv("LMS_SITE_NAME", "From env")
    monkeypatch.setenv("LMS_IMPORT_MAX_ROWS", "123")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SITE_NAME"] == "From env"
    assert app.config["IMPORT_MAX_ROWS"] == 123  # JSON-parsed


def test_database_url_postgres_scheme_is_rewritten_for_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.internal:5432/lms")
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal:5432/lms"


def test_secret_key_is_generated_once_into_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] != "dev"


def test_unknown_page_shows_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"Go to your dashboard" in response.data


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_views_own_headers_are_kept_and_none_is_sent_twice(app, client):
    from flask import Response

    @app.get("/own-headers")
    def own_headers():
        response = Response("framed elsewhere")
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["cache-control"] = "private, max-age=60"  # any spelling of the name
        return response

    response = client.get("/own-headers", base_url="https://lms.test")
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'; sandbox"]
    assert response.headers.getlist("Cache-Control") == ["private, max-age=60"]
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert response.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]  # over HTTPS only
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_session_serializer_is_made_once_for_each_set_of_keys(app):
    """Made once, not per request; a new secret key gets a new one that still opens the old key's cookies."""
    sessions = app.session_interface
    first = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is first
    cookie = first.dumps({"_user_id": "1:token"})
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = app.config["SECRET_KEY"] = "a-rotated-secret-key"
    rotated = sessions.get_signing_serializer(app)
    assert rotated is not first and rotated.loads(cookie) == {"_user_id": "1:token"}
    app.config["SECRET_KEY_FALLBACKS"] = []
    with pytest.raises(BadSignature):
        sessions.get_signing_serializer(app).loads(cookie)  # the old key retired: its cookies no longer open


def test_session_cookie_is_httponly_samesite_and_secure_over_https(tmp_path):
    from tests.conftest import _test_config

    # The form's CSRF token is what puts a session cookie on this page.
    client = create_app(_test_config(tmp_path, WTF_CSRF_ENABLED=True)).test_client()
    response = client.get("/login", base_url="https://lms.test")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    client = client.application.test_client()
    plain = client.get("/login", base_url="http://lms.test").headers.get("Set-Cookie", "")
    assert "HttpOnly" in plain and "Secure" not in plain


def test_connections_to_a_database_server_are_checked_before_use(app):
    from lms.extensions import db

    server = db.engine.dialect.name != "sqlite"
    assert db.engine.pool._pre_ping is server  # the app's own engine: PostgreSQL in CI's second run
    options = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@db.internal/lms"}).config
    assert options["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_connections_to_an_sqlite_file_are_not_pinged_on_every_request(tmp_path):
    """A file is never dropped, and the ping was a statement on every request that reads."""
    from sqlalchemy import event

    from lms.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lms.sqlite'}"})
    with app.app_context():
        statements = []  # what SQLite itself ran, a ping included (the pool pings beside SQLAlchemy's events)
        event.listen(db.engine, "connect", lambda connection, _record: connection.set_trace_callback(statements.append))
        for _ in range(2):  # the second checks out the pooled connection the first returned
            with db.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 42")
        assert [s for s in statements if not s.startswith("PRAGMA")] == ["SELECT 42", "SELECT 42"]


@pytest.mark.db
def test_a_dropped_database_connection_costs_no_error_page(app, client):
    """The database restarts (or a proxy drops idle connections): the next request still answers."""
    from sqlalchemy import create_engine, text

    from tests.conftest import TEST_DATABASE_URL

    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only: an SQLite file has no server connection to drop")
    assert client.get("/").status_code == 200  # the catalogue reads the database: a pooled connection now exists
    killer = create_engine(TEST_DATABASE_URL)
    with killer.connect() as conn:
        dropped = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    killer.dispose()
    assert dropped >= 1
    assert client.get("/").status_code == 200
