"""Moving a booking to another date through the real page: a no-show's next chance, or a confirmed attendee's
change of plan (whose freed seat goes to the waiting list), only for the booking's owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learning.models import Enrolment
from lms.workshops import services
from lms.workshops.models import Booking
from tests.factories import make_user
from tests.smtp import body_of


def person(name: str):
    return make_user(None, (), email=f"{name.split()[0].lower()}@attendee.example", name=name)


def book(session, user, now=None) -> Booking:
    booking = services.book(session, user, now or session.booking_deadline - timedelta(hours=1))
    db.session.commit()
    return booking


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def move_url(session) -> str:
    return f"/workshops/{session.id}/move"


def day(session) -> str:
    return f"{session.starts_at:%a %-d %b %Y}"  # 09:00 UTC is the same day in London


@pytest.fixture
def mailed(app, smtp_server):
    app.config.update(smtp_server.config())
    return smtp_server


def test_a_no_show_sees_the_next_session_and_moves_to_it(client, auth, make_session, coach, mailed) -> None:
    missed = make_session(days_ahead=-1)
    following = make_session(days_ahead=40)
    make_session(days_ahead=60, capacity=1)
    ada = person("Ada Lovelace")
    booking = book(missed, ada)
    services.mark_attendance(missed, {booking.id: "absent"}, coach)
    db.session.commit()
    auth.login(ada.email)

    page = client.get(move_url(missed)).get_data(as_text=True)

    assert "You were marked absent from this session." in page
    assert f"Move to {day(following)}" in page and "2 seats left" in page and "1 seat left" in page
    response = client.post(move_url(missed), data={"to": str(following.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/workshops/{following.id}")
    moved = fresh(Booking, booking.id)
    assert moved.status == "moved" and moved.moved_to_id == following.id
    new = services.booking_for(following, ada)
    assert new.status == "confirmed" and following.seats_taken == 1
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == ada.id))
    assert enrolment.cohort_id == following.cohort_id and enrolment.attendance == "booked"
    [confirmation] = [m for m in mailed.messages if m["To"] == ada.email]
    assert confirmation["Subject"].startswith("Booked:") and day(following) in confirmation["Subject"]
    auth.logout()
    auth.login(coach.email)  # the missed session's sheet still shows the no-show
    assert "Ada Lovelace" in client.get(f"/manage/workshops/{missed.id}/sign-in").get_data(as_text=True)


def test_a_confirmed_attendee_who_moves_frees_their_seat_for_the_waiting_list(
        client, auth, make_session, coach, mailed) -> None:
    first = make_session(days_ahead=20, capacity=1)
    later = make_session(days_ahead=50, capacity=3)
    ada, ben = person("Ada Lovelace"), person("Ben Okafor")
    book(first, ada)
    waiting = book(first, ben)
    assert waiting.status == "waitlisted"
    auth.login(ada.email)

    page = client.get(move_url(first)).get_data(as_text=True)
    assert "You have a seat on this session." in page and "Your seat on this date is released" in page
    client.post(move_url(first), data={"to": str(later.id)}, follow_redirects=True)

    assert fresh(Booking, waiting.id).status == "confirmed"  # Ben has Ada's seat
    assert services.booking_for(later, ada).status == "confirmed"
    assert [b.user_id for b in services.roster(first)] == [ben.id]  # Ada is off the first date's sheet
    subjects = {(m["To"], m["Subject"].split(":")[0]) for m in mailed.messages}
    assert {(ada.email, "Booked"), (ada.email, "Booking cancelled"), (ben.email, "A seat is yours")} <= subjects
    [promotion] = [m for m in mailed.messages if m["To"] == ben.email]
    assert day(first) in promotion["Subject"] and "Ben" in body_of(promotion)


def test_moving_to_a_full_date_joins_its_waiting_list(client, auth, make_session) -> None:
    first = make_session(days_ahead=20)
    full = make_session(days_ahead=50, capacity=1)
    ada, cleo = person("Ada Lovelace"), person("Cleo Park")
    book(full, cleo)
    booking = book(first, ada)
    auth.login(ada.email)
    assert "This date is full: you'd join its waiting list and give up your seat" in \
        client.get(move_url(first)).get_data(as_text=True)

    response = client.post(move_url(first), data={"to": str(full.id)}, follow_redirects=True)

    assert "is full, so you&#39;re number 1 on its waiting list" in response.get_data(as_text=True)
    assert services.booking_for(full, ada).status == "waitlisted"
    assert fresh(Booking, booking.id).status == "moved"


def test_only_the_bookings_owner_may_move_it(client, auth, make_session) -> None:
    first = make_session(days_ahead=20)
    later = make_session(days_ahead=50)
    booking = book(first, person("Ada Lovelace"))
    assert client.get(move_url(first)).status_code == 302  # signed out: sign in first
    stranger = person("Sam Stranger")
    auth.login(stranger.email)
    assert client.get(move_url(first)).status_code == 404
    assert client.post(move_url(first), data={"to": str(later.id)}).status_code == 404
    assert client.get("/workshops/999999/move").status_code == 404
    assert fresh(Booking, booking.id).status == "confirmed"


def test_a_date_that_is_not_open_is_refused_and_nothing_changes(client, auth, make_session, admin) -> None:
    first = make_session(days_ahead=20)
    cancelled = make_session(days_ahead=50)
    services.cancel_session(cancelled, admin)
    db.session.commit()
    ada = person("Ada Lovelace")
    booking = book(first, ada)
    auth.login(ada.email)
    page = client.get(move_url(first)).get_data(as_text=True)
    assert "No other date of this course is open for booking yet" in page

    for target in (cancelled.id, first.id, "nonsense"):
        response = client.post(move_url(first), data={"to": str(target)})
        assert response.status_code == 422
        assert "That date is not open for booking: choose one of the dates below." in response.get_data(as_text=True)
    assert fresh(Booking, booking.id).status == "confirmed"


def test_someone_who_attended_cannot_move_and_is_told_why(client, auth, make_session, coach) -> None:
    missed = make_session(days_ahead=-1)
    following = make_session(days_ahead=40)
    ada = person("Ada Lovelace")
    booking = book(missed, ada)
    services.mark_attendance(missed, {booking.id: "present"}, coach)
    db.session.commit()
    auth.login(ada.email)
    page = client.get(move_url(missed)).get_data(as_text=True)
    assert "You attended this session, so there is nothing to move." in page and "Move to" not in page
    assert "See this date and book it" in page
    response = client.post(move_url(missed), data={"to": str(following.id)})
    assert response.status_code == 422 and fresh(Booking, booking.id).status == "confirmed"


def test_an_unmarked_seat_after_the_start_waits_for_the_sheet(client, auth, make_session) -> None:
    started = make_session(days_ahead=-1)
    make_session(days_ahead=40)
    ada = person("Ada Lovelace")
    book(started, ada)
    auth.login(ada.email)
    page = client.get(move_url(started)).get_data(as_text=True)
    assert "your booking can move once your coach has marked the sign-in sheet" in page and "Move to" not in page
