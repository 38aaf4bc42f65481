"""People racing for the last seats never overbook a session, on SQLite and on PostgreSQL (CI runs this file on
both: it uses the database). Each booking runs in its own thread, app context, session and connection, released
together by a barrier, as simultaneous requests to gunicorn workers would."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.workshops import services
from lms.workshops.models import Booking, WorkshopSession
from tests.factories import make_user
from tests.races import in_threads, own_connections

RACERS = 8
SEATS = 3


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


def _race(app, work, ids) -> list[BaseException]:
    """Run work(id) for each id at the same moment, each in its own app context; return the errors raised."""
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def run(item):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                work(item)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    in_threads(run, ids)
    return errors


def test_racing_for_the_last_seats_confirms_exactly_the_capacity(app, make_session) -> None:
    session_id = make_session(capacity=SEATS).id
    user_ids = [make_user(None, (), email=f"racer{i}@example.com").id for i in range(RACERS)]
    db.session.remove()

    def book(user_id):
        from lms.identity.models import User

        services.book(db.session.get(WorkshopSession, session_id), db.session.get(User, user_id))

    assert _race(app, book, user_ids) == []
    counts = dict(db.session.execute(select(Booking.status, func.count()).group_by(Booking.status)).all())
    assert counts == {"confirmed": SEATS, "waitlisted": RACERS - SEATS}
    assert db.session.get(WorkshopSession, session_id).seats_taken == SEATS


def test_cancellations_at_the_same_moment_promote_different_people(app, make_session) -> None:
    session_id = make_session(capacity=2).id
    session = db.session.get(WorkshopSession, session_id)
    people = [make_user(None, (), email=f"waiter{i}@example.com") for i in range(5)]
    for person in people:
        services.book(session, person)
    db.session.commit()
    leaving = [services.booking_for(session, p).id for p in people[:2]]
    db.session.remove()

    def cancel(booking_id):
        booking = db.session.get(Booking, booking_id)
        services.cancel(booking, booking.user)

    assert _race(app, cancel, leaving) == []
    confirmed = set(db.session.scalars(select(Booking.user_id).where(Booking.status == "confirmed")))
    assert confirmed == {people[2].id, people[3].id}  # the first two waiting, once each
    assert db.session.get(WorkshopSession, session_id).seats_taken == 2
    waiting = list(db.session.scalars(select(Booking.user_id).where(Booking.status == "waitlisted")))
    assert waiting == [people[4].id]
