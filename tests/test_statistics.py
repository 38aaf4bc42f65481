"""SQLite's query statistics: it keeps none until ANALYZE runs, so the nightly `statistics` job (and `flask lms
generate`) refresh them, and pooled connections are replaced hourly so every one reads them. PostgreSQL's autovacuum
keeps its own."""

from __future__ import annotations

from sqlalchemy import text

from lms import create_app
from lms.database import SQLITE_RECYCLE_SECONDS
from lms.extensions import db
from tests.conftest import TEST_DATABASE_URL, _test_config
from tests.factories import make_org, make_user


def _file_app(tmp_path, **settings):
    app = create_app(_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'lms.sqlite'}",
                                  **settings))
    with app.app_context():
        db.create_all()
    return app


def _analysed_tables() -> set[str]:
    with db.engine.connect() as conn:
        if conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar_one() == 0:
            return set()
        return set(conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars())


def test_the_nightly_job_gives_a_new_sqlite_database_its_statistics(tmp_path):
    app = _file_app(tmp_path)
    with app.app_context():
        org = make_org("Statistics")
        for i in range(30):
            make_user(org, email=f"learner{i}@stats.example")
        assert _analysed_tables() == set()  # a database filled by the app has none

        result = app.test_cli_runner().invoke(args=["lms", "enqueue", "statistics"])

        assert result.exit_code == 0, result.output
        assert "(Refresh the database's query statistics): done." in result.output
        analysed = _analysed_tables()
        assert {"users", "memberships", "organizations"} <= analysed
        assert f"Refreshed the query statistics of {len(analysed)} tables." in result.output


def test_pooled_sqlite_connections_are_replaced_hourly_so_each_reads_the_new_statistics(tmp_path):
    """An open SQLite connection goes on planning with the statistics it read when it opened."""
    with _file_app(tmp_path).app_context():
        assert db.engine.pool._recycle == SQLITE_RECYCLE_SECONDS
    with _file_app(tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_recycle": 120}).app_context():
        assert db.engine.pool._recycle == 120  # the setting still wins
    memory = create_app(_test_config(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://"))
    with memory.app_context():
        assert db.engine.pool._recycle == -1  # the database lives in its one connection: never replaced


def test_postgresql_is_left_to_its_autovacuum(app):
    from lms.database import refresh_statistics

    message = refresh_statistics()
    if TEST_DATABASE_URL:
        assert message == "postgresql keeps its own statistics (autovacuum): nothing to do."
    else:
        assert message.startswith("Refreshed the query statistics of ")
