"""`make serve`, the production server the README documents: it migrates the database, then serves the app with
gunicorn's sync workers (the class bench_pages measured faster on both databases)."""

from __future__ import annotations

import sqlite3
import urllib.request

from tests.benchmarks.serving import ROOT, running, server_env
from tests.ports import free_port


def test_make_serve_migrates_the_database_and_serves_the_app_with_gunicorn(tmp_path):
    database = tmp_path / "serve.sqlite"
    port = free_port()
    env = server_env(f"sqlite:///{database}", {"LMS_WORKERS": "1", "LMS_BIND": f"127.0.0.1:{port}",
                                                "LMS_STORAGE_DIR": str(tmp_path / "files")})
    login = f"http://127.0.0.1:{port}/login"
    with (running(["make", "--no-print-directory", "-C", str(ROOT), "serve"], env, login),
          urllib.request.urlopen(login, timeout=10) as response):
        page, server = response.read().decode(), response.headers["Server"]

    assert "gunicorn" in server
    assert 'name="csrf_token"' in page  # the app's sign-in form, not an error page
    with sqlite3.connect(database) as connection:
        migrated = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert migrated and {"users", "organizations", "certificates"} <= tables
