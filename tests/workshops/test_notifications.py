"""The booking emails, sent to a real SMTP server and read back as the attendee would: the text, and the calendar
attachment parsed with the icalendar library. A mail server that fails never loses the booking."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from icalendar import Calendar

from lms.extensions import db
from lms.workshops import notifications, services
from lms.workshops.models import Enquiry
from tests.factories import make_user
from tests.ports import free_port
from tests.smtp import body_of as raw_body
from tests.workshops.fixtures import BOOKED, START, plan


@pytest.fixture
def people(provider):
    return [make_user(None, (), email=f"{name.lower()}@example.com", name=f"{name} Tester")
            for name in ("Ada", "Bea", "Cal")]


def _book(session, user, now=BOOKED):
    booking = services.book(session, user, now=now)
    db.session.commit()
    return booking


def _ics(message) -> tuple[Calendar, str]:
    """The message's one text/calendar attachment, parsed, and its METHOD parameter."""
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_content_charset() == "utf-8"
    return Calendar.from_ical(part.get_payload(decode=True)), part.get_param("method")


def body_of(message) -> str:
    return raw_body(message).replace("\r\n", "\n")


def _attachments(message) -> list[str]:
    return [p.get_content_type() for p in message.iter_attachments()]


def test_the_confirmation_says_when_where_what_to_do_first_and_carries_the_invitation(mail, session_at, people,
                                                                                     coach) -> None:
    session = session_at()
    ada = people[0]
    assert notifications.booking_confirmed(_book(session, ada)) is True

    [message] = mail.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Booked: ABM in Ten Minutes, Thu 16 Jan 2031"
    body = body_of(message)
    assert "Thu 16 Jan 2031, 09:30–17:00 GMT (London time)" in body
    assert "The Hub, Clerkenwell, 12 St John Street, London EC1M 4AY" in body
    assert "meet.example.com" not in body
    assert "complete the pre-work by Thu 16 Jan 2031, 09:30 GMT (London time)" in body
    assert "- Choosing target accounts (5 min): http://lms.test/courses/tiny-course/choosing-target-accounts" in body
    assert "due by\nThu 30 Jan 2031, 17:00 GMT (London time)" in body  # the follow-up: 14 days after the end
    assert f"{coach.name} reviews what you hand in" in body
    assert f"http://lms.test/workshops/{session.id}\n" in body  # where to cancel
    assert f"http://lms.test/workshops/{session.id}/calendar.ics" in body
    cal, method = _ics(message)
    assert method == "REQUEST" and cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART").hour == 9 and event["DTSTART"].params["TZID"] == "Europe/London"
    assert str(event["ATTENDEE"]) == "mailto:ada@example.com"


def test_a_virtual_confirmation_gives_the_join_link(mail, session_at, people) -> None:
    session = session_at(delivery="virtual")
    assert notifications.booking_confirmed(_book(session, people[0]))
    body = body_of(mail.messages[0])
    assert "Online. Join with this link" in body and "https://meet.example.com/abm-workshop" in body


def test_the_waiting_list_email_gives_the_position_and_no_invitation(mail, session_at, people) -> None:
    session = session_at(capacity=1)
    _book(session, people[0])
    _book(session, people[1])
    cal_booking = _book(session, people[2])
    assert cal_booking.status == "waitlisted"
    assert notifications.waitlisted(cal_booking)
    [message] = mail.messages
    assert message["Subject"].startswith("On the waiting list: ABM in Ten Minutes")
    body = body_of(message)
    assert "on its waiting list at number 2" in body
    assert "when a seat frees, it goes to the first person on the waiting list" in body
    assert _attachments(message) == []


def test_a_cancellation_frees_the_seat_and_the_first_waiting_is_told_a_seat_is_theirs(mail, session_at, people
                                                                                    ) -> None:
    session = session_at(capacity=1)
    ada, bea = people[:2]
    ada_booking = _book(session, ada)
    _book(session, bea)
    [promoted] = services.cancel(ada_booking, ada, now=BOOKED + timedelta(days=1))
    db.session.commit()
    assert notifications.booking_cancelled(ada_booking)
    assert notifications.promoted(promoted)

    cancelled, seat = mail.messages
    assert cancelled["To"] == "ada@example.com"
    assert "Your booking is cancelled and your seat has been released" in body_of(cancelled)
    cal, method = _ics(cancelled)
    assert method == "CANCEL" and [e["STATUS"] for e in cal.walk("VEVENT")] == ["CANCELLED"]

    assert seat["To"] == "bea@example.com"
    assert seat["Subject"] == "A seat is yours: ABM in Ten Minutes, Thu 16 Jan 2031"
    body = body_of(seat)
    assert "a seat has come free and it is yours" in body
    assert "Thu 16 Jan 2031, 09:30–17:00 GMT (London time)" in body
    assert "Choosing target accounts (5 min)" in body
    cal, method = _ics(seat)
    assert method == "REQUEST" and str(cal.walk("VEVENT")[0]["ATTENDEE"]) == "mailto:bea@example.com"


def test_leaving_the_waiting_list_sends_no_calendar_cancellation(mail, session_at, people) -> None:
    session = session_at(capacity=1)
    _book(session, people[0])
    waiting = _book(session, people[1])
    services.cancel(waiting, people[1], now=BOOKED)
    db.session.commit()
    assert notifications.booking_cancelled(waiting)
    [message] = mail.messages
    assert "You have left the waiting list" in body_of(message)
    assert _attachments(message) == []


def test_a_changed_date_sends_the_updated_invitation_with_the_next_sequence(mail, session_at, people, admin,
                                                                            coach) -> None:
    session = session_at(capacity=1)
    seat = _book(session, people[0])
    waiting = _book(session, people[1])
    services.update_session(session, plan(START + timedelta(days=7), capacity=1), coach=coach, by=admin)
    db.session.commit()
    assert notifications.session_changed(session, [seat, waiting])

    to_seat, to_waiting = mail.messages
    assert to_seat["Subject"] == "Changed: ABM in Ten Minutes, now Thu 23 Jan 2031"
    assert "Thu 23 Jan 2031, 09:30–17:00 GMT (London time)" in body_of(to_seat)
    cal, method = _ics(to_seat)
    [event] = cal.walk("VEVENT")
    assert method == "REQUEST" and event["SEQUENCE"] == 1 and event.decoded("DTSTART").day == 23
    assert "still on the waiting list at number 1" in body_of(to_waiting)
    assert _attachments(to_waiting) == []


def test_a_cancelled_session_cancels_the_calendar_event_and_points_to_the_next_date(mail, session_at, people,
                                                                                    admin) -> None:
    session = session_at(capacity=1)
    later = session_at(START + timedelta(days=28))
    _book(session, people[0])
    _book(session, people[1])
    affected = services.cancel_session(session, admin)
    db.session.commit()
    assert notifications.session_cancelled(session, affected)

    had_seat, was_waiting = mail.messages
    assert had_seat["Subject"] == "Session cancelled: ABM in Ten Minutes, Thu 16 Jan 2031"
    cal, method = _ics(had_seat)
    [event] = cal.walk("VEVENT")
    assert method == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    body = body_of(had_seat)
    assert "The next session of ABM in Ten Minutes is Thu 13 Feb 2031, 09:30–17:00 GMT (London time)" in body
    assert f"http://lms.test/workshops/{later.id}" in body
    assert "your place on the waiting list" in body_of(was_waiting)
    assert _attachments(was_waiting) == []


def test_a_no_show_is_offered_the_next_session_with_the_link_to_move(mail, session_at, people) -> None:
    missed = session_at()
    following = session_at(START + timedelta(days=28))
    booking = _book(missed, people[0])
    assert booking.next_offer_at is None
    assert notifications.next_session_offer(booking, following)
    [message] = mail.messages
    assert message["Subject"] == "We missed you: the next ABM in Ten Minutes is Thu 13 Feb 2031"
    body = body_of(message)
    assert "We missed you at ABM in Ten Minutes on Thu 16 Jan 2031" in body
    assert "Thu 13 Feb 2031, 09:30–17:00 GMT (London time)" in body
    assert f"http://lms.test/workshops/{missed.id}/move" in body
    assert booking.next_offer_at is not None


def test_an_enquiry_reaches_the_provider_with_reply_to_the_enquirer_and_is_acknowledged(app, mail, course) -> None:
    app.config["ENQUIRIES_EMAIL"] = "sales@abm-academy.example"
    enquiry = Enquiry(name="Dana Scully", email="dana@northwind.example", company="Northwind", team_size=12,
                      message="Our sales and marketing teams, in March?", course_id=course.id)
    db.session.add(enquiry)
    db.session.commit()
    assert notifications.enquiry_received(enquiry)

    to_provider, to_enquirer = mail.messages
    assert to_provider["To"] == "sales@abm-academy.example"
    assert to_provider["Reply-To"] == "Dana Scully <dana@northwind.example>"
    assert to_provider["Subject"] == "In-house enquiry: Northwind, 12 people"
    body = body_of(to_provider)
    for text in ("Dana Scully", "dana@northwind.example", "Northwind", "12", "ABM in Ten Minutes",
                 "Our sales and marketing teams, in March?"):
        assert text in body
    assert to_enquirer["To"] == "Dana Scully <dana@northwind.example>"
    assert "Thank you for asking about ABM Academy for your team at Northwind" in body_of(to_enquirer)


def test_enquiries_go_to_the_sender_address_when_no_enquiries_address_is_set(app, mail) -> None:
    app.config["ENQUIRIES_EMAIL"] = ""
    enquiry = Enquiry(name="Dana Scully", email="dana@northwind.example", company="Northwind", team_size=5)
    db.session.add(enquiry)
    db.session.commit()
    assert notifications.enquiry_received(enquiry)
    assert mail.messages[0]["To"] == "no-reply@abm-academy.example"


def test_a_mail_server_that_refuses_returns_false_and_logs_without_raising(app, session_at, people, caplog
                                                                          ) -> None:
    closed_port = free_port()  # nothing listens there
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TIMEOUT=2)
    booking = _book(session_at(), people[0])
    with caplog.at_level(logging.ERROR):
        assert notifications.booking_confirmed(booking) is False
    [entry] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "ada@example.com" in entry.getMessage() and "Booked: ABM in Ten Minutes" in entry.getMessage()
    assert db.session.get(type(booking), booking.id).status == "confirmed"  # the booking stands


def test_moving_to_another_date_takes_the_old_one_off_the_calendar(mail, session_at, people) -> None:
    first = session_at()
    later = session_at(START + timedelta(days=28))
    old = _book(first, people[0])
    new, _ = services.move(old, later, people[0], now=BOOKED + timedelta(days=1))
    db.session.commit()
    assert notifications.booking_cancelled(old) and notifications.booking_confirmed(new)

    cancelled, confirmed = mail.messages
    assert "You have moved to another date, so your seat on this one is released" in body_of(cancelled)
    assert "Book again" not in body_of(cancelled)
    cal, method = _ics(cancelled)
    assert method == "CANCEL" and cal.walk("VEVENT")[0]["UID"] == f"session-{first.id}-part-1@lms.test"
    cal, method = _ics(confirmed)
    assert method == "REQUEST" and cal.walk("VEVENT")[0]["UID"] == f"session-{later.id}-part-1@lms.test"
    assert "Thu 13 Feb 2031, 09:30–17:00 GMT (London time)" in body_of(confirmed)
