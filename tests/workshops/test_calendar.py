"""Calendar invitations, parsed back with the icalendar library as a calendar program would read them: the
local time and zone, the place, the sequence that replaces an event, one event per part; and the download."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from lms.extensions import db
from lms.workshops import calendar, services
from tests.factories import make_user
from tests.workshops.fixtures import plan


@pytest.fixture
def session_at(provider, course, admin, coach):
    """Create a session whose first part starts at `start` (naive UTC), committed."""

    def _make(start: datetime, **overrides):
        session = services.create_session(provider, course, plan(start, **overrides), coach=coach, by=admin)
        db.session.commit()
        return session

    return _make


@pytest.fixture
def ada(provider):
    return make_user(None, (), email="ada@lovelace.example", name="Ada Lovelace")


def _book(session, user):
    booking = services.book(session, user, now=session.booking_deadline - timedelta(days=10))
    db.session.commit()
    return booking


def _events(ics: bytes) -> tuple[Calendar, list]:
    cal = Calendar.from_ical(ics)
    return cal, list(cal.walk("VEVENT"))


def test_a_london_session_in_january_is_at_0930_london_time_with_its_vtimezone(session_at, ada, course) -> None:
    session = session_at(datetime(2031, 1, 16, 9, 30))  # GMT: 09:30 UTC is 09:30 in London
    ics = calendar.invitation(_book(session, ada))
    cal, [event] = _events(ics)

    assert cal["METHOD"] == "REQUEST" and cal["VERSION"] == "2.0" and cal["PRODID"]
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    start = event.decoded("DTSTART")
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2031, 1, 16, 9, 30)
    assert start.utcoffset() == timedelta(0)
    assert event.decoded("DTEND").hour == 17  # 7.5 hours later
    assert b"DTSTART;TZID=Europe/London:20310116T093000" in ics
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert event["SUMMARY"] == course.title
    assert event["LOCATION"] == "The Hub, Clerkenwell, 12 St John Street, London EC1M 4AY"
    assert b"LOCATION:The Hub\\, Clerkenwell\\, 12 St John Street\\, London EC1M 4AY" in ics  # escaped
    assert event["STATUS"] == "CONFIRMED"
    assert event["UID"] == f"session-{session.id}-part-1@lms.test"
    assert event["URL"] == f"http://lms.test/workshops/{session.id}"
    assert str(event["ORGANIZER"]) == "mailto:no-reply@abm-academy.example"
    assert event["ORGANIZER"].params["CN"] == "ABM Academy"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ada@lovelace.example"
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"], attendee.params["CN"]) == (
        "ACCEPTED", "FALSE", "Ada Lovelace")
    # What to bring: the pre-work with its link, and where the session's page is.
    notes = event["DESCRIPTION"]
    assert "Choosing target accounts (5 min): http://lms.test/courses/tiny-course/choosing-target-accounts" in notes
    assert f"http://lms.test/workshops/{session.id}" in notes
    assert "Join online" not in notes
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # folded lines


def test_a_july_session_is_at_0930_british_summer_time(session_at, ada) -> None:
    session = session_at(datetime(2031, 7, 10, 8, 30))  # BST: 08:30 UTC is 09:30 in London
    _, [event] = _events(calendar.invitation(_book(session, ada)))
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert (start.hour, start.minute, start.utcoffset()) == (9, 30, timedelta(hours=1))


def test_a_new_york_virtual_session_is_in_new_york_time_with_the_join_link(session_at, ada) -> None:
    session = session_at(datetime(2031, 1, 16, 14, 30), timezone="America/New_York", delivery="virtual")
    ics = calendar.invitation(_book(session, ada))
    cal, [event] = _events(ics)
    assert b"DTSTART;TZID=America/New_York:20310116T093000" in ics
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-5)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    assert event["LOCATION"] == "Online"
    assert "Join online: https://meet.example.com/abm-workshop" in event["DESCRIPTION"]


def test_a_two_part_session_is_two_events_with_their_own_stable_uids(session_at, ada, course) -> None:
    session = session_at(datetime(2031, 1, 16, 9, 30), days=2)
    _, events = _events(calendar.invitation(_book(session, ada)))
    assert [e["UID"] for e in events] == [f"session-{session.id}-part-1@lms.test",
                                          f"session-{session.id}-part-2@lms.test"]
    assert [e.decoded("DTSTART").day for e in events] == [16, 17]
    assert [e["SUMMARY"] for e in events] == [f"{course.title} (part 1 of 2)", f"{course.title} (part 2 of 2)"]


def test_moving_the_date_bumps_the_sequence_so_the_calendar_replaces_the_event(session_at, ada, admin, coach
                                                                                ) -> None:
    session = session_at(datetime(2031, 1, 16, 9, 30))
    booking = _book(session, ada)
    _, [before] = _events(calendar.invitation(booking))
    services.update_session(session, plan(datetime(2031, 1, 23, 9, 30)), coach=coach, by=admin)
    db.session.commit()
    _, [after] = _events(calendar.invitation(booking))
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert after["UID"] == before["UID"]
    assert after.decoded("DTSTART").day == 23


def test_a_cancellation_cancels_every_part(session_at, ada) -> None:
    session = session_at(datetime(2031, 1, 16, 9, 30), days=2)
    cal, events = _events(calendar.cancellation(_book(session, ada)))
    assert cal["METHOD"] == "CANCEL"
    assert [e["STATUS"] for e in events] == ["CANCELLED", "CANCELLED"]
    assert [e["UID"] for e in events] == [f"session-{session.id}-part-1@lms.test",
                                          f"session-{session.id}-part-2@lms.test"]


# --- the download --------------------------------------------------------------------------------------------


def test_a_booked_attendee_downloads_their_calendar_file(client, auth, session_at, ada) -> None:
    session = session_at(datetime(2031, 1, 16, 9, 30))
    _book(session, ada)
    auth.login("ada@lovelace.example")
    response = client.get(f"/workshops/{session.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert f'filename="workshop-{session.id}.ics"' in response.headers["Content-Disposition"]
    cal, [event] = _events(response.data)
    assert cal["METHOD"] == "PUBLISH"
    assert event.decoded("DTSTART").hour == 9


def test_the_calendar_file_is_404_without_a_confirmed_booking(client, auth, session_at, ada, provider) -> None:
    session = session_at(datetime(2031, 1, 16, 9, 30), capacity=1)
    booking = _book(session, ada)
    bea = make_user(None, (), email="bea@example.com", name="Bea Waits")
    assert _book(session, bea).status == "waitlisted"
    make_user(None, (), email="cal@example.com", name="Cal Nobody")

    assert client.get(f"/workshops/{session.id}/calendar.ics").status_code == 302  # sign in first
    for email in ("bea@example.com", "cal@example.com"):
        auth.login(email)
        assert client.get(f"/workshops/{session.id}/calendar.ics").status_code == 404
        auth.logout()
    auth.login("ada@lovelace.example")
    assert client.get(f"/workshops/{session.id + 1}/calendar.ics").status_code == 404
    assert client.get(f"/workshops/{session.id}/calendar.ics").status_code == 200
    services.cancel(booking, ada, now=session.booking_deadline - timedelta(days=1))
    db.session.commit()
    assert client.get(f"/workshops/{session.id}/calendar.ics").status_code == 404  # cancelled: no seat, no file
