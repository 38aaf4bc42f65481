"""lms.database.side_by_side: independent reads run at the same time, each on its own connection (a database file on
SQLite, as in production), and one after another in the caller's session on an in-memory database. CI runs this file
on SQLite and on PostgreSQL (it uses the database)."""

from __future__ import annotations

import threading

import pytest

from lms import create_app
from lms.database import side_by_side
from lms.extensions import db
from lms.identity.models import Organization
from tests.factories import make_org
from tests.races import own_connections


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


def test_the_results_come_back_in_the_order_the_reads_were_given(app):
    assert side_by_side(lambda: 1, lambda: "two", lambda: [3], lambda: None) == [1, "two", [3], None]
    assert side_by_side(lambda: "alone") == ["alone"]


def test_every_read_sees_what_was_committed(app):
    make_org("Committed", slug="committed")
    db.session.commit()

    def names() -> list[str]:
        return list(db.session.scalars(db.select(Organization.name)))

    assert side_by_side(names, names, names) == [["Committed"]] * 3


def test_the_reads_run_at_once_each_on_a_connection_of_its_own(app):
    """Three reads that each wait until all three are running: they can only finish if they run at the same time."""
    all_running = threading.Barrier(3, timeout=20)

    def connection() -> tuple[int, int]:
        which = id(db.session.connection().connection.dbapi_connection)
        all_running.wait()
        return which, threading.get_ident()

    results = side_by_side(connection, connection, connection)
    assert len({which for which, _ in results}) == 3  # three connections
    assert len({thread for _, thread in results}) == 3
    # The first in the caller's thread, and in its session.
    assert results[0] == (id(db.session.connection().connection.dbapi_connection), threading.get_ident())


def test_an_in_memory_database_runs_them_one_after_another_in_the_callers_session(tmp_path):
    from tests.conftest import _test_config

    app = create_app(_test_config(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://"))
    with app.app_context():
        caller = db.session()
        seen = side_by_side(lambda: (db.session(), threading.get_ident()),
                            lambda: (db.session(), threading.get_ident()))
    assert seen == [(caller, threading.get_ident())] * 2


@pytest.mark.parametrize("failing", [0, 1])
def test_a_read_that_fails_fails_the_whole(app, failing):
    def broken() -> int:
        raise ValueError("no such figure")

    readers = [lambda: 1, lambda: 2]
    readers[failing] = broken
    with pytest.raises(ValueError, match="no such figure"):
        side_by_side(*readers)
