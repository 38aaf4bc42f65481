"""Two requests storing the same learner's first statements of a week at the same moment: the learner is one weekly
and one monthly active learner, not two. On SQLite and on PostgreSQL (CI runs this file on both: it uses the
database). Each request runs in its own thread, app context, session and connection, as in two gunicorn workers.

The order is forced, not left to chance: the first request has counted its statement and waits to commit; the second
then commits, and is held until the first has (on PostgreSQL the test waits until the second is seen waiting on a
lock; on SQLite the database's one writer holds it)."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from lms.extensions import db
from lms.identity.models import User
from lms.reports import live
from lms.reports.models import ActiveLearners, ActivityWeekly
from lms.tracking.services import record
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_org, make_user
from tests.races import own_connections

MONDAY = datetime(2026, 3, 2, 9)  # the week of 2 March 2026, the month of March


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


def _waiting_on_a_lock() -> bool:
    with db.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar())


def test_two_first_statements_of_a_week_at_once_count_one_active_learner(app):
    org = make_org("Racing", slug="racing")
    learner = make_user(org, ("learner",), email="twotabs@racing.example")
    db.session.commit()
    org_id, user_id = org.id, learner.id
    db.session.remove()
    counted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first():
        with app.app_context():
            try:
                record(db.session.get(User, user_id), "launched", ("module", "c/one", "One"), organization_id=org_id,
                       timestamp=MONDAY)
                db.session.flush()
                live._keep_current(db.session)  # what its commit does first: count the statement in the roll-ups
                counted.set()
                assert release.wait(timeout=20)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
                counted.set()
            finally:
                db.session.remove()

    def second():
        with app.app_context():
            try:
                record(db.session.get(User, user_id), "launched", ("module", "c/two", "Two"), organization_id=org_id,
                       timestamp=MONDAY.replace(hour=10))
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    one = threading.Thread(target=first)
    one.start()
    assert counted.wait(timeout=20)
    two = threading.Thread(target=second)
    two.start()
    if TEST_DATABASE_URL:
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_a_lock(), "the second request should wait for the first"
    else:
        time.sleep(0.3)  # the second request waits for SQLite's one writer (the first), well within its timeout
    release.set()
    one.join(timeout=30)
    two.join(timeout=30)
    assert errors == []

    assert db.session.scalar(select(ActivityWeekly.statements).where(ActivityWeekly.user_id == user_id)) == 2
    active = {(r.period, r.period_start): r.learners
              for r in db.session.scalars(select(ActiveLearners).where(ActiveLearners.organization_id == org_id))}
    assert active == {("week", date(2026, 3, 2)): 1, ("month", date(2026, 3, 1)): 1}
