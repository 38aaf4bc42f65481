"""Running sessions through the pages: who may, creating one through the form (times typed on the session's
clock), errors that keep what was typed, editing and cancelling with the emails they send, and the bookings page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.database import utcnow
from lms.extensions import db
from lms.learning.deadlines import utc_to_local
from lms.workshops import services
from lms.workshops.models import Booking, WorkshopSession
from tests.factories import make_org, make_user


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def form_data(course, coach, day: date, **overrides) -> dict:
    """What a manager types to create a one-day in-person session on `day`, 09:30-16:30 in London."""
    data = {
        "course_id": str(course.id), "title": "ABM in Ten Minutes, London", "delivery": "in_person",
        "timezone": "Europe/London", "parts-0-day": day.isoformat(), "parts-0-starts": "09:30",
        "parts-0-ends": "16:30", "capacity": "12", "deadline_date": (day - timedelta(days=3)).isoformat(),
        "deadline_time": "17:00", "venue_name": "The Clerkenwell Rooms",
        "venue_address": "42 St John Street\nLondon EC1M 4DL", "join_url": "", "price_text": "£495 + VAT",
        "coach_id": str(coach.id),
    }
    data.update(overrides)
    return data


def sessions() -> list[WorkshopSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(WorkshopSession).order_by(WorkshopSession.id)))


@pytest.fixture
def client_coach(provider):
    northwind = make_org("Northwind Analytics")
    return make_user(northwind, ("coach", "manager", "org_admin"), email="coach@northwind.example", name="Nia Coach")


def test_a_client_organisations_coach_gets_404_on_every_manage_page(client, auth, make_session, client_coach):
    session = make_session()
    auth.login(client_coach.email)
    for url in ("/manage/workshops", "/manage/workshops/new", f"/manage/workshops/{session.id}",
                f"/manage/workshops/{session.id}/edit"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/manage/workshops/{session.id}/cancel").status_code == 404
    booking_id = 1
    assert client.post(f"/manage/workshops/{session.id}/bookings/{booking_id}/cancel").status_code == 404
    assert not sessions()[0].is_cancelled
    assert ">Workshops</a>" not in page(client.get("/dashboard"))


def test_a_public_learner_gets_404_and_a_visitor_is_sent_to_sign_in(client, auth, provider, make_session):
    learner = make_user(provider, ("learner",), email="alex@example.com")
    assert client.get("/manage/workshops").headers["Location"].startswith("/login")
    auth.login(learner.email)
    assert client.get("/manage/workshops").status_code == 404


def test_a_provider_coach_creates_a_session_with_times_typed_in_london_winter(client, auth, course, coach):
    auth.login(coach.email)
    assert 'href="/manage/workshops">Workshops</a>' in page(client.get("/dashboard"))
    day = date(utcnow().year + 1, 1, 14)
    response = client.post("/manage/workshops/new", data=form_data(course, coach, day))
    (session,) = sessions()
    assert response.status_code == 302 and response.headers["Location"] == f"/manage/workshops/{session.id}"
    assert [(p.starts_at, p.ends_at) for p in session.parts] == [
        (datetime(day.year, 1, 14, 9, 30), datetime(day.year, 1, 14, 16, 30))]  # GMT is UTC
    assert session.booking_deadline == datetime(day.year, 1, 11, 17, 0)
    assert session.coach_id == coach.id and session.capacity == 12 and session.venue_name == "The Clerkenwell Rooms"
    html = page(client.get(f"/manage/workshops/{session.id}"))
    assert "is on the catalogue, open for booking" in html
    assert "09:30–16:30 GMT (London time)" in html
    client.post("/logout")
    assert session.title in page(client.get("/"))


def test_a_platform_admin_creates_a_two_part_virtual_session_in_london_summer(client, auth, course, admin, coach):
    auth.login(admin.email)
    day = date(utcnow().year + 1, 7, 14)
    data = form_data(course, coach, day, delivery="virtual", venue_address="", venue_name="",
                     join_url="https://meet.example.com/abm", **{"parts-1-day": date(day.year, 7, 15).isoformat(),
                                                                 "parts-1-starts": "09:30", "parts-1-ends": "12:30"})
    assert client.post("/manage/workshops/new", data=data).status_code == 302
    (session,) = sessions()
    assert [(p.starts_at, p.ends_at) for p in session.parts] == [
        (datetime(day.year, 7, 14, 8, 30), datetime(day.year, 7, 14, 15, 30)),  # BST is UTC+1
        (datetime(day.year, 7, 15, 8, 30), datetime(day.year, 7, 15, 11, 30))]
    assert session.organization_id == services.upcoming(utcnow())[0].organization_id
    assert session.delivery == "virtual" and session.join_url == "https://meet.example.com/abm"
    html = page(client.get("/manage/workshops"))
    assert session.title in html and "0 / 12" in html and f'href="/manage/workshops/{session.id}/sign-in"' in html


def test_a_session_in_new_york_is_typed_on_new_yorks_clock(client, auth, course, admin, coach):
    auth.login(admin.email)
    day = date(utcnow().year + 1, 1, 14)
    client.post("/manage/workshops/new", data=form_data(course, coach, day, timezone="America/New_York",
                                                        delivery="virtual", join_url="https://meet.example.com/ny"))
    (session,) = sessions()
    assert session.starts_at == datetime(day.year, 1, 14, 14, 30)  # 09:30 EST
    assert "09:30–16:30 EST (New York time)" in page(client.get(f"/workshops/{session.id}"))


def test_form_errors_say_what_is_wrong_and_keep_what_was_typed(client, auth, course, coach):
    auth.login(coach.email)
    day = date(utcnow().year + 1, 3, 10)
    html = page(client.post("/manage/workshops/new", data=form_data(
        course, coach, day, title="Spring in Clerkenwell", venue_address="", timezone="Mars/Olympus_Mons")))
    assert "Unknown time zone" in html
    assert 'value="Spring in Clerkenwell"' in html and 'value="Mars/Olympus_Mons"' in html
    assert f'value="{day.isoformat()}"' in html and 'value="09:30"' in html
    html = page(client.post("/manage/workshops/new", data=form_data(
        course, coach, day, title="Spring in Clerkenwell", venue_address="",
        **{"parts-0-ends": "08:00", "parts-2-day": day.isoformat()})))
    assert "The part must end after it starts." in html
    assert "Give each part its date, start time and end time." in html  # the third row: a date alone
    assert "An in-person session needs the venue&#39;s address." in html
    assert 'value="Spring in Clerkenwell"' in html and 'value="£495 + VAT"' in html
    html = page(client.post("/manage/workshops/new", data=form_data(
        course, coach, day, deadline_date=date(day.year, 3, 11).isoformat())))
    assert "Booking must close before the session starts." in html
    html = page(client.post("/manage/workshops/new", data=form_data(
        course, coach, day, **{"parts-0-day": "", "parts-0-starts": "", "parts-0-ends": ""})))
    assert "Give the session at least one dated part." in html
    assert sessions() == []


def test_the_create_form_needs_its_csrf_token(app, client, auth, course, coach):
    auth.login(coach.email)
    app.config["WTF_CSRF_ENABLED"] = True
    day = date(utcnow().year + 1, 1, 14)
    assert client.post("/manage/workshops/new", data=form_data(course, coach, day)).status_code == 400
    assert sessions() == []
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page(client.get("/manage/workshops/new"))).group(1)
    assert client.post("/manage/workshops/new", data={**form_data(course, coach, day), "csrf_token": token}
                       ).status_code == 302
    assert len(sessions()) == 1


def test_editing_the_dates_emails_everyone_booked_and_more_seats_promote_the_waiting(app, client, auth, admin,
                                                                                    make_session, smtp_server):
    app.config.update(smtp_server.config())
    session = make_session(capacity=1, days_ahead=40)
    ada, bob = (make_user(None, (), email="ada@example.com", name="Ada Lovelace"),
                make_user(None, (), email="bob@example.com", name="Bob Brown"))
    for who in (ada, bob):
        services.book(session, who)
        db.session.commit()
    auth.login(admin.email)
    form = page(client.get(f"/manage/workshops/{session.id}/edit"))
    london = ZoneInfo("Europe/London")
    assert f'value="{session.title}"' in form
    assert f'value="{utc_to_local(session.starts_at, london):%H:%M}"' in form  # as stored, on the session's clock
    data = {name: value for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form)
            if name not in ("csrf_token", "delivery")}
    data.update({"delivery": "in_person", "venue_address": "12 St John Street, London EC1M 4AY",
                 "capacity": "2", "parts-0-starts": "11:00", "coach_id": "0", "course_id": str(session.course_id)})
    response = client.post(f"/manage/workshops/{session.id}/edit", data=data)
    assert response.status_code == 302, page(response)
    db.session.expire_all()
    session = db.session.get(WorkshopSession, session.id)
    assert session.sequence == 1 and utc_to_local(session.starts_at, london).hour == 11 and session.capacity == 2
    assert {b.user_id: b.status for b in db.session.scalars(select(Booking))} == {ada.id: "confirmed",
                                                                                   bob.id: "confirmed"}
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == sorted([ada.email, bob.email])  # Ada told of the change; Bob promoted, with the new dates
    html = page(client.get(f"/manage/workshops/{session.id}"))
    assert "The new dates or place were emailed" in html and "got a seat and were emailed" in html


def test_cancelling_the_session_ends_every_booking_and_emails_each_person(app, client, auth, coach, make_session,
                                                                        smtp_server):
    app.config.update(smtp_server.config())
    session = make_session(capacity=1)
    ada, bob = make_user(None, (), email="ada@example.com"), make_user(None, (), email="bob@example.com")
    for who in (ada, bob):
        services.book(session, who)
        db.session.commit()
    auth.login(coach.email)
    html = page(client.post(f"/manage/workshops/{session.id}/cancel", follow_redirects=True))
    assert "is cancelled; 2 booked or waiting were emailed" in html
    assert {b.status for b in db.session.scalars(select(Booking))} == {"cancelled"}
    assert sorted(m["To"] for m in smtp_server.messages) == [ada.email, bob.email]
    assert "This session has been cancelled." in page(client.get(f"/workshops/{session.id}"))


def test_the_bookings_page_lists_seats_and_the_waiting_list_and_cancels_for_someone(app, client, auth, coach,
                                                                                   make_session, smtp_server):
    app.config.update(smtp_server.config())
    session = make_session(capacity=1)
    ada = make_user(None, (), email="ada@example.com", name="Ada Lovelace")
    bob = make_user(None, (), email="bob@example.com", name="Bob Brown")
    cy = make_user(None, (), email="cy@example.com", name="Cy Young")
    for who in (ada, bob, cy):
        services.book(session, who)
        db.session.commit()
    auth.login(coach.email)
    html = page(client.get(f"/manage/workshops/{session.id}"))
    confirmed, waiting = html.split('id="waiting-heading"')
    assert "Ada Lovelace" in confirmed and "Bob Brown" not in confirmed
    assert waiting.index("Bob Brown") < waiting.index("Cy Young")
    assert "1 / 1" in html and "Waiting list (2)" in html
    assert "1 / 1" in page(client.get("/manage/workshops"))
    ada_booking = services.booking_for(session, ada)
    html = page(client.post(f"/manage/workshops/{session.id}/bookings/{ada_booking.id}/cancel",
                            follow_redirects=True))
    assert "Cancelled Ada Lovelace&#39;s booking. Bob Brown got the seat from the waiting list." in html
    assert sorted(m["To"] for m in smtp_server.messages) == [ada.email, bob.email]
    other = make_session(days_ahead=60)
    assert client.post(f"/manage/workshops/{other.id}/bookings/{ada_booking.id}/cancel").status_code == 404


def test_an_edit_the_rules_refuse_is_explained_and_keeps_what_was_typed(client, auth, admin, make_session):
    session = make_session(capacity=2)
    for n in range(2):
        services.book(session, make_user(None, (), email=f"p{n}@example.com"))
        db.session.commit()
    auth.login(admin.email)
    form = page(client.get(f"/manage/workshops/{session.id}/edit"))
    data = {name: value for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form)
            if name not in ("csrf_token", "delivery")}
    data.update({"delivery": "in_person", "venue_address": "12 St John Street, London EC1M 4AY", "capacity": "1",
                 "title": "Smaller room", "coach_id": "0", "course_id": str(session.course_id)})
    html = page(client.post(f"/manage/workshops/{session.id}/edit", data=data))
    assert "2 seats are booked: capacity cannot go below that." in html
    assert 'value="Smaller room"' in html and 'value="1"' in html
    db.session.expire_all()
    assert db.session.get(WorkshopSession, session.id).title != "Smaller room"
