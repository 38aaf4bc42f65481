"""Sessions, bookings, the waiting list and attendance, through the services the pages call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import CohortMember
from lms.learning.models import Assignment, Enrolment
from lms.tracking.models import Statement
from lms.workshops import services
from lms.workshops.models import Booking
from tests.factories import make_user
from tests.workshops.fixtures import plan


def _people(n: int):
    return [make_user(None, (), email=f"attendee{i}@example.com", name=f"Attendee {i}") for i in range(n)]


def _verbs(user) -> list[str]:
    return list(db.session.scalars(select(Statement.verb).where(Statement.actor_id == user.id)
                                   .order_by(Statement.id)))


def test_a_session_gets_its_own_cohort_coach_and_assignment_due_after_the_follow_up(make_session, coach) -> None:
    session = make_session(days_ahead=30)
    members = {(m.user_id, m.role) for m in db.session.scalars(select(CohortMember).where(
        CohortMember.cohort_id == session.cohort_id))}
    assert members == {(coach.id, "coach")}
    assignment = db.session.scalar(select(Assignment).where(Assignment.cohort_id == session.cohort_id))
    assert assignment.due_at == session.ends_at + timedelta(days=14)
    assert session.seats_left == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"capacity": 0}, "at least 1 seat"),
    ({"venue_address": ""}, "venue's address"),
    ({"delivery": "virtual", "join_url": ""}, "link attendees join"),
    ({"booking_deadline_days": 1}, "deadline must be before"),
])
def test_a_session_that_cannot_run_is_refused_with_the_reason(provider, course, admin, coach, change, message) -> None:
    start = (utcnow() + timedelta(days=20)).replace(microsecond=0)
    extra = dict(change)
    if extra.pop("booking_deadline_days", None):
        extra["booking_deadline"] = start + timedelta(days=1)
    with pytest.raises(services.BookingError, match=message):
        services.create_session(provider, course, plan(start, **extra), coach=coach, by=admin)


def test_booking_enrols_on_the_course_with_attendance_expected(make_session) -> None:
    session = make_session()
    (ada,) = _people(1)
    booking = services.book(session, ada)
    db.session.commit()
    assert booking.status == "confirmed"
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == ada.id))
    assert enrolment.cohort_id == session.cohort_id and enrolment.attendance == "booked"
    assert enrolment.due_at == session.ends_at + timedelta(days=14)
    assert "booked" in _verbs(ada) and "enrolled" in _verbs(ada)
    assert session.seats_left == 1
    assert services.book(session, ada).id == booking.id  # booking twice keeps one seat
    assert session.seats_taken == 1


def test_a_full_session_puts_people_on_the_waiting_list_in_order(make_session) -> None:
    session = make_session(capacity=2)
    a, b, c, d = _people(4)
    for person in (a, b, c, d):
        services.book(session, person)
        db.session.commit()
    states = {b_.user_id: b_.status for b_ in db.session.scalars(select(Booking))}
    assert [states[p.id] for p in (a, b, c, d)] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert services.waiting_position(services.booking_for(session, c)) == 1
    assert services.waiting_position(services.booking_for(session, d)) == 2
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == c.id)) is None  # no seat, no course


def test_a_cancelled_seat_goes_to_the_first_person_waiting(make_session) -> None:
    session = make_session(capacity=1)
    a, b, c = _people(3)
    for person in (a, b, c):
        services.book(session, person)
    db.session.commit()
    promoted = services.cancel(services.booking_for(session, a), a)
    db.session.commit()
    assert [p.user_id for p in promoted] == [b.id]
    assert services.booking_for(session, b).status == "confirmed"
    assert services.booking_for(session, b).promoted_at is not None
    assert services.booking_for(session, c).status == "waitlisted"
    assert services.waiting_position(services.booking_for(session, c)) == 1
    assert session.seats_taken == 1
    assert "promoted" in _verbs(b) and "cancelled" in _verbs(a)
    cancelled = db.session.scalar(select(Enrolment).where(Enrolment.user_id == a.id))
    assert cancelled.withdrawn_at is not None  # the cancelled attendee no longer has the course due
    assert db.session.scalar(select(CohortMember).where(CohortMember.user_id == a.id)) is None


def test_cancelling_a_waiting_place_frees_no_seat(make_session) -> None:
    session = make_session(capacity=1)
    a, b = _people(2)
    services.book(session, a)
    services.book(session, b)
    assert services.cancel(services.booking_for(session, b), b) == []
    db.session.commit()
    assert session.seats_taken == 1 and services.booking_for(session, a).status == "confirmed"


def test_more_seats_fill_from_the_waiting_list(make_session, admin, coach) -> None:
    session = make_session(capacity=1)
    a, b, c = _people(3)
    for person in (a, b, c):
        services.book(session, person)
    db.session.commit()
    start = session.starts_at
    promoted = services.update_session(session, plan(start, capacity=3), coach=coach, by=admin)
    db.session.commit()
    assert {p.user_id for p in promoted} == {b.id, c.id}
    assert session.seats_taken == 3


def test_capacity_cannot_drop_below_the_seats_booked(make_session, admin, coach) -> None:
    session = make_session(capacity=2)
    for person in _people(2):
        services.book(session, person)
    with pytest.raises(services.BookingError, match="2 seats are booked"):
        services.update_session(session, plan(session.starts_at, capacity=1), coach=coach, by=admin)


def test_booking_is_closed_after_the_deadline_and_for_a_cancelled_session(make_session, admin) -> None:
    session = make_session(days_ahead=10)
    (ada,) = _people(1)
    with pytest.raises(services.BookingError, match="closed"):
        services.book(session, ada, now=session.booking_deadline + timedelta(minutes=1))
    services.cancel_session(session, admin)
    with pytest.raises(services.BookingError, match="cancelled"):
        services.book(session, ada)


def test_cancelling_the_session_cancels_every_booking(make_session, admin) -> None:
    session = make_session(capacity=1)
    a, b = _people(2)
    services.book(session, a)
    services.book(session, b)
    affected = services.cancel_session(session, admin)
    db.session.commit()
    assert {x.user_id for x in affected} == {a.id, b.id}
    assert {x.status for x in db.session.scalars(select(Booking))} == {"cancelled"}
    assert session.seats_taken == 0


def test_attendance_completes_a_course_that_requires_it_only_when_present(make_session, coach) -> None:
    session = make_session(days_ahead=1)
    a, b = _people(2)
    early = session.booking_deadline - timedelta(hours=1)
    ba, bb = services.book(session, a, early), services.book(session, b, early)
    db.session.commit()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == a.id))
    with pytest.raises(services.BookingError, match="once the session has started"):
        services.mark_attendance(session, {ba.id: "present"}, coach)
    later = session.ends_at + timedelta(hours=1)
    absent = services.mark_attendance(session, {ba.id: "partial", bb.id: "absent"}, coach, now=later)
    db.session.commit()
    assert [x.user_id for x in absent] == [b.id]
    assert enrolment.attendance == "partial"
    assert "missed" in _verbs(b) and "attended" in _verbs(a)
    with pytest.raises(services.BookingError, match="present, partial or absent"):
        services.mark_attendance(session, {ba.id: "late"}, coach, now=later)
    (stranger,) = [make_user(None, (), email="x@example.com")]
    other = make_session(days_ahead=40)
    sb = services.book(other, stranger)
    with pytest.raises(services.BookingError, match="not on this session"):
        services.mark_attendance(session, {sb.id: "present"}, coach, now=later)


def test_the_course_completion_names_attendance_as_missing(app) -> None:
    from lms.learning.progress import ModuleState, completion

    states = [ModuleState(module_id=1, minutes=5, completed=True, score=100)]
    assert completion(states, 70, (), (), None).complete
    assert completion(states, 70, (), (), "present").complete
    check = completion(states, 70, (), (), "absent")
    assert not check.complete and "missed" in check.missing[0]
    assert "only in part" in completion(states, 70, (), (), "partial").missing[0]


def test_a_no_show_can_move_to_the_next_session(make_session, coach) -> None:
    first = make_session(days_ahead=1)
    second = make_session(days_ahead=40)
    (ada,) = _people(1)
    booking = services.book(first, ada, first.booking_deadline - timedelta(hours=1))
    db.session.commit()
    services.mark_attendance(first, {booking.id: "absent"}, coach, now=first.ends_at + timedelta(hours=1))
    assert services.next_session(first.course_id, first.ends_at, exclude=first.id).id == second.id
    new, promoted = services.move(booking, second, ada, now=first.ends_at + timedelta(hours=2))
    db.session.commit()
    assert new.session_id == second.id and new.status == "confirmed"
    assert promoted == []  # the missed session's seat is not freed: it has been and gone
    assert booking.status == "moved" and booking.moved_to_id == second.id
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == ada.id))
    assert enrolment.cohort_id == second.cohort_id and enrolment.attendance == "booked"
    assert enrolment.withdrawn_at is None
