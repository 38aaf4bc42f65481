"""`flask db upgrade` on an empty database gives exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from lms import create_app
from lms.extensions import db
from tests.conftest import TEST_DATABASE_URL


def _empty_database_url(tmp_path) -> str:
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    # A schema of its own on the PostgreSQL test database, so the other tests' tables don't interfere.
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_check"))
    engine.dispose()
    return TEST_DATABASE_URL


@pytest.mark.db
def test_upgrade_on_an_empty_database_matches_the_models(tmp_path):
    url = _empty_database_url(tmp_path)
    options = {"connect_args": {"options": "-csearch_path=migration_check"}} if TEST_DATABASE_URL else {}
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) if hasattr(db, "inspect") else None
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"migrations and models differ: {diff}"
        assert tables is None or {"users", "statements", "organizations"} <= tables
        db.engine.dispose()
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA migration_check CASCADE"))
        engine.dispose()
