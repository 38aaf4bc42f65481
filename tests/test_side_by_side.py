"""lms.database.side_by_side: independent reads run at the same time on PostgreSQL, each on its own connection, and
one after another in the caller's session on SQLite. CI runs this file on both databases (it uses the database)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from lms.database import is_sqlite, side_by_side
from lms.extensions import db
from lms.identity.models import Organization
from tests.factories import make_org


def test_the_results_come_back_in_the_order_the_reads_were_given(app):
    assert side_by_side(lambda: 1, lambda: "two", lambda: [3], lambda: None) == [1, "two", [3], None]
    assert side_by_side(lambda: "alone") == ["alone"]


def test_every_read_sees_what_was_committed(app):
    make_org("Committed", slug="committed")
    db.session.commit()

    def names() -> list[str]:
        return list(db.session.scalars(db.select(Organization.name)))

    assert side_by_side(names, names, names) == [["Committed"]] * 3


def test_on_postgresql_the_reads_run_at_once_each_on_a_connection_of_its_own(app):
    """Three reads that each wait until all three are running: they can only finish if they run at the same time."""
    if is_sqlite(db.engine):
        pytest.skip("SQLite runs them one after another (the next test)")
    all_running = threading.Barrier(3, timeout=20)

    def backend() -> tuple[int, int]:
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        all_running.wait()
        return pid, threading.get_ident()

    results = side_by_side(backend, backend, backend)
    assert len({pid for pid, _ in results}) == 3  # three connections
    assert len({thread for _, thread in results}) == 3
    assert results[0][1] == threading.get_ident()  # the first in the caller's thread (and session)
    assert results[0][0] == db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_on_sqlite_the_reads_run_one_after_another_in_the_callers_session(app):
    if not is_sqlite(db.engine):
        pytest.skip("PostgreSQL runs them at once (the previous test)")
    caller = db.session()
    seen = side_by_side(lambda: (db.session(), threading.get_ident()), lambda: (db.session(), threading.get_ident()))
    assert seen == [(caller, threading.get_ident())] * 2


@pytest.mark.parametrize("failing", [0, 1])
def test_a_read_that_fails_fails_the_whole(app, failing):
    def broken() -> int:
        raise ValueError("no such figure")

    readers = [lambda: 1, lambda: 2]
    readers[failing] = broken
    with pytest.raises(ValueError, match="no such figure"):
        side_by_side(*readers)
