"""Booking through the pages: visitors sign in or sign up on the way, seats, the waiting list, cancelling and the
promotion it triggers, the deadline, CSRF, and a client organisation's member booking a public session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.workshops import services
from lms.workshops.models import Booking
from tests.factories import make_org, make_user
from tests.smtp import body_of


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def status_of(session, user) -> str | None:
    db.session.expire_all()
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
    return booking.status if booking else None


def person(email: str, name: str = "Ada Lovelace") -> User:
    return make_user(None, (), email=email, name=name)


def test_a_visitor_who_books_is_sent_to_sign_in_and_comes_back_to_the_session(app, client, auth, make_session):
    session = make_session()
    here = f"/workshops/{session.id}"
    response = client.post(f"{here}/book")
    assert response.status_code == 302 and response.headers["Location"] == f"/login?next={here}"
    ada = person("ada@example.com")
    signed_in = client.post(f"/login?next={here}", data={"email": ada.email, "password": "correct horse battery"})
    assert signed_in.headers["Location"] == here
    assert "Book a seat" in page(client.get(here))
    assert status_of(session, ada) is None  # nothing is booked until they press the button


def test_signing_up_to_book_lands_back_on_the_session_after_confirming_the_email(app, client, make_session,
                                                                               smtp_server):
    app.config.update(smtp_server.config())
    session = make_session()
    here = f"/workshops/{session.id}"
    form = page(client.get(f"/signup?next={here}"))
    assert f'href="/login?next={here}"' in form  # the way back to sign in keeps the session too
    client.post(f"/signup?next={here}", data={
        "name": "Grace Hopper", "email": "grace@example.com", "job_function": "marketing",
        "password": "a long enough secret", "confirm": "a long enough secret"})
    (message,) = smtp_server.messages
    link = re.search(r"https?://\S+/signup/confirm/\S+", body_of(message)).group(0)
    confirmed = client.get(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == here
    client.post(f"{here}/book")
    assert status_of(session, db.session.scalar(select(User).where(User.email == "grace@example.com"))) == "confirmed"


def test_next_only_ever_leads_to_a_page_of_this_site(client, auth, course) -> None:
    ada = person("ada@example.com")
    for target in ("//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
                   "/workshops/1\r\nSet-Cookie:x"):
        response = client.post("/login", query_string={"next": target},
                               data={"email": ada.email, "password": "correct horse battery"})
        assert response.headers["Location"] == "/dashboard", target
        auth.logout()


def test_booking_confirms_a_seat_and_shows_the_join_link_and_calendar(app, client, auth, make_session, smtp_server):
    app.config.update(smtp_server.config())
    session = make_session(delivery="virtual")
    ada = person("ada@example.com")
    auth.login(ada.email)
    before = page(client.get(f"/workshops/{session.id}"))
    assert "meet.example.com" not in before
    response = client.post(f"/workshops/{session.id}/book", follow_redirects=True)
    html = page(response)
    assert "You&#39;re booked on" in html and "You're booked</h2>" in html
    assert 'href="https://meet.example.com/abm-workshop"' in html
    assert f'href="/workshops/{session.id}/calendar.ics"' in html
    assert "Cancel my booking" in html
    assert 'href="/courses/tiny-course/choosing-target-accounts"' in html  # the pre-work, ready to start
    assert status_of(session, ada) == "confirmed"
    assert [m["To"] for m in smtp_server.messages] == [ada.email]


def test_a_full_session_puts_the_next_person_on_the_waiting_list_with_their_position(client, auth, make_session):
    session = make_session(capacity=1, delivery="virtual")
    ada, bob = person("ada@example.com"), person("bob@example.com", "Bob Brown")
    services.book(session, ada)
    db.session.commit()
    auth.login(bob.email)
    html = page(client.post(f"/workshops/{session.id}/book", follow_redirects=True))
    assert "you&#39;re number 1 on the waiting list" in html
    assert "You're number 1 on the waiting list</h2>" in html
    assert "meet.example.com" not in html  # waiting is not a seat
    assert "calendar.ics" not in html
    assert "Leave the waiting list" in html
    assert status_of(session, bob) == "waitlisted"


def test_cancelling_gives_the_seat_to_the_first_person_waiting_and_emails_both(app, client, auth, make_session,
                                                                              smtp_server):
    app.config.update(smtp_server.config())
    session = make_session(capacity=1)
    ada, bob, cy = (person("ada@example.com"), person("bob@example.com", "Bob Brown"),
                    person("cy@example.com", "Cy Young"))
    for who in (ada, bob, cy):
        services.book(session, who)
        db.session.commit()
    auth.login(ada.email)
    html = page(client.post(f"/workshops/{session.id}/cancel", follow_redirects=True))
    assert "Your booking is cancelled" in html and "Join the waiting list" in html  # Bob has the seat now
    assert [status_of(session, p) for p in (ada, bob, cy)] == ["cancelled", "confirmed", "waitlisted"]
    assert sorted(m["To"] for m in smtp_server.messages) == [ada.email, bob.email]
    auth.logout()
    auth.login(bob.email)
    assert "You're booked</h2>" in page(client.get(f"/workshops/{session.id}"))
    auth.logout()
    auth.login(cy.email)
    assert "You're number 1 on the waiting list" in page(client.get(f"/workshops/{session.id}"))


def test_booking_after_the_deadline_is_refused_with_the_reason(client, auth, make_session):
    session = make_session(days_ahead=10, booking_deadline=utcnow() - timedelta(minutes=5))
    ada = person("ada@example.com")
    auth.login(ada.email)
    html = page(client.post(f"/workshops/{session.id}/book", follow_redirects=True))
    assert "Booking for this session has closed." in html
    assert status_of(session, ada) is None


def test_booking_needs_the_forms_csrf_token(app, client, auth, make_session):
    session = make_session()
    ada = person("ada@example.com")
    auth.login(ada.email)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/workshops/{session.id}/book").status_code == 400
    assert status_of(session, ada) is None
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page(client.get(f"/workshops/{session.id}"))).group(1)
    assert client.post(f"/workshops/{session.id}/book", data={"csrf_token": token}).status_code == 302
    assert status_of(session, ada) == "confirmed"


def test_a_client_organisations_member_books_and_is_shown_where_the_course_is(client, auth, make_session, provider):
    session = make_session()
    northwind = make_org("Northwind Analytics")
    maya = make_user(northwind, ("learner",), email="maya@northwind.example", name="Maya Okafor")
    auth.login(maya.email)
    html = page(client.post(f"/workshops/{session.id}/book", follow_redirects=True))
    assert "You're booked</h2>" in html
    assert "Switch to Public courses" in html
    assert f'action="/organizations/{provider.id}/switch"' in html
    switched = client.post(f"/organizations/{provider.id}/switch")
    assert switched.headers["Location"] == "/dashboard"
    assert "ABM in Ten Minutes" in page(client.get("/dashboard"))
    assert "Switch to Public courses" not in page(client.get(f"/workshops/{session.id}"))


@pytest.fixture
def rate_limited(app_config):
    app_config.update({"RATELIMIT_ENABLED": True, "BOOKING_RATE_LIMIT": "3 per minute"})


def test_booking_posts_are_rate_limited_per_person(rate_limited, app, client, auth, make_session):
    session = make_session()
    ada = person("ada@example.com")
    auth.login(ada.email)
    statuses = [client.post(f"/workshops/{session.id}/book").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
