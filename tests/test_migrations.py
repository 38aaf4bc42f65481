"""`flask db upgrade` on an empty database gives exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

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


@pytest.fixture
def empty_app(tmp_path):
    """An app on an empty database (a schema of its own on PostgreSQL, dropped afterwards)."""
    url = _empty_database_url(tmp_path)
    options = {"connect_args": {"options": "-csearch_path=migration_check"}} if TEST_DATABASE_URL else {}
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA migration_check CASCADE"))
        engine.dispose()


@pytest.mark.db
def test_upgrade_on_an_empty_database_matches_the_models(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) if hasattr(db, "inspect") else None
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"migrations and models differ: {diff}"
        assert tables is None or {"users", "statements", "organizations"} <= tables


@pytest.mark.db
def test_the_guest_verdict_key_keeps_the_latest_of_two_verdicts_stored_at_once(empty_app):
    """f9a0b1c2d3e4: where a double click had stored two verdicts through one review link, the upgrade keeps the
    latest (the one the account shows) and then holds one per account and link."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from lms.accounts.models import AccountReview
    from lms.accounts.records import create_account
    from lms.accounts.signoff import invite_reviewer
    from lms.accounts.workspaces import workspace_for
    from tests.factories import make_org, make_user

    with empty_app.app_context():
        upgrade(revision="e8f9a0b1c2d3")
        org = make_org("Public courses", kind="public")
        learner = make_user(org, ("learner",), email="pat@attendee.example")
        ws = workspace_for(learner, org)
        account = create_account(ws, learner, {"name": "Larkspur Devices", "tier": "1:1", "is_target": True,
                                               "why_selected": "Opened a tender"})
        invitation, _ = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")
        for agreed in (True, False):
            db.session.add(AccountReview(organization_id=org.id, account_id=account.id, invitation_id=invitation.id,
                                         reviewer_name="Dana Whitlock", agreed=agreed, reason="Too small"))
            db.session.flush()
        db.session.commit()
        db.session.remove()

        upgrade()
        assert [r.agreed for r in db.session.scalars(select(AccountReview))] == [False]
        db.session.add(AccountReview(organization_id=org.id, account_id=account.id, invitation_id=invitation.id,
                                     reviewer_name="Dana Whitlock", agreed=True))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


@pytest.mark.db
def test_the_latest_statements_from_other_tools_are_read_down_their_own_index(empty_app):
    # The connected tools page lists an organisation's latest statements from other tools. Reading its statements
    # newest first until twenty came from other tools read all of them when none did (1.4 s at 1,000,000). The
    # migrated schema, which deployments run, must answer from the partial index on both databases. (On a schema
    # made by create_all, whose order of indexes is arbitrary, SQLite may pick the organisation's index instead.)
    from lms.tracking.tool_mappings import latest_from_other_tools

    sent = []  # the SQL and parameters as the app sends them, explained as sent

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append((statement, parameters))

    with empty_app.app_context():
        upgrade()
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            db.session.execute(latest_from_other_tools(1, 20)).all()
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        db.session.rollback()
        (statement, parameters), = sent
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "sqlite":
                plan = " ".join(str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                         parameters))
            else:  # PostgreSQL prefers a scan of an empty table: asked not to, it shows whether the index serves
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        assert "ix_statements_external" in plan, plan
