"""Session figures and the provider's summary, worked out by hand for constructed sessions, in a fixed number of
queries however many sessions there are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.database import utcnow
from lms.extensions import db
from lms.workshops import services, stats
from tests.factories import make_user


def people(n: int, start: int = 0):
    return [make_user(None, (), email=f"p{i}@attendee.example", name=f"Person {i}") for i in range(start, start + n)]


def early(session):
    return session.booking_deadline - timedelta(hours=1)


@pytest.fixture
def constructed(make_session, coach):
    """Yesterday's session (4 seats): A present, B partial, C absent (then moved to a later date), D unmarked;
    E waiting; F left the waiting list. The later date (2 seats) has C only."""
    run = make_session(days_ahead=-1, capacity=4)
    later = make_session(days_ahead=30, capacity=2)
    a, b, c, d, e, f = people(6)
    booked = {p.id: services.book(run, p, early(run)) for p in (a, b, c, d, e, f)}
    services.cancel(booked[f.id], f, early(run))
    services.mark_attendance(run, {booked[a.id].id: "present", booked[b.id].id: "partial",
                                   booked[c.id].id: "absent"}, coach)
    services.move(booked[c.id], later, c)
    db.session.commit()
    return run, later


def test_a_sessions_figures_count_seats_waiting_and_the_sign_in_sheet(constructed) -> None:
    run, later = constructed
    figures = stats.session_stats([run, later])
    s = figures[run.id]
    assert (s.capacity, s.confirmed, s.waiting, s.cancelled, s.moved) == (4, 4, 1, 1, 0)
    assert (s.present, s.partial, s.absent, s.unmarked) == (1, 1, 1, 1)
    assert s.fill_rate == 100.0
    assert s.no_show_rate == pytest.approx(100 / 3)
    t = figures[later.id]
    assert (t.confirmed, t.waiting, t.unmarked, t.fill_rate, t.no_show_rate) == (1, 0, 1, 50.0, None)


def test_a_session_nobody_booked_has_no_rates_but_its_capacity(make_session) -> None:
    empty = make_session(days_ahead=10, capacity=12)
    s = stats.session_stats([empty])[empty.id]
    assert (s.capacity, s.confirmed, s.unmarked, s.fill_rate, s.no_show_rate) == (12, 0, 0, 0.0, None)
    assert stats.session_stats([]) == {}


def test_a_seat_moved_away_before_the_session_is_not_counted_as_held(make_session) -> None:
    first = make_session(days_ahead=10, capacity=2)
    second = make_session(days_ahead=40, capacity=2)
    (ada,) = people(1)
    booking = services.book(first, ada)
    services.move(booking, second, ada)
    db.session.commit()
    s = stats.session_stats([first])[first.id]
    assert (s.confirmed, s.moved, s.fill_rate) == (0, 1, 0.0)


def test_the_provider_summary_covers_the_sessions_run_since_the_date(constructed, make_session, admin) -> None:
    run, later = constructed
    make_session(days_ahead=-60, capacity=1)  # before the period
    gone = make_session(days_ahead=-2, capacity=5)
    services.cancel_session(gone, admin)
    promoted_into = make_session(days_ahead=20, capacity=1)
    g, h = people(2, start=10)
    first = services.book(promoted_into, g)
    services.book(promoted_into, h)
    assert [p.user_id for p in services.cancel(first, g)] == [h.id]
    db.session.commit()

    summary = stats.provider_summary(utcnow() - timedelta(days=30))

    assert summary.sessions_run == 1  # the upcoming, cancelled and earlier sessions are left out
    assert summary.average_fill_rate == 100.0
    assert (summary.marked, summary.absent) == (3, 1) and summary.no_show_rate == pytest.approx(100 / 3)
    assert summary.promotions == 1 and summary.moves == 1
    assert stats.provider_summary(utcnow() - timedelta(days=30), organization_id=run.organization_id + 999
                                  ).sessions_run == 0


def test_figures_take_the_same_queries_for_3_sessions_as_for_15(make_session, queries) -> None:
    sessions = [make_session(days_ahead=-1 - i, capacity=3) for i in range(15)]
    for i, session in enumerate(sessions):
        for person in people(2, start=100 + 2 * i):
            services.book(session, person, early(session))
    db.session.commit()
    since = utcnow() - timedelta(days=60)
    counts = []
    for subset in (sessions[:3], sessions):
        with queries:
            figures = stats.session_stats(subset)
            summary = stats.provider_summary(since)
        counts.append(queries.count)
        assert all(f.confirmed == 2 for f in figures.values())
    assert summary.sessions_run == 15
    assert counts[0] == counts[1] <= 4
