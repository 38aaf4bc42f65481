"""Journey of a public workshop (issue 15's "done when"): a visitor finds a session on `/`, creates an account on
the way and books the last seat, and their confirmation email carries a calendar invitation that parses; a second
visitor joins the waiting list; the first cancels and the second is given the seat and emailed; after the day the
coach marks attendance on the sign-in sheet; the attendee completes the course and sees what comes next."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from selenium.webdriver.common.by import By
from sqlalchemy import select, update

from lms.content.models import Course, Module
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.workshops import services
from lms.workshops.models import SessionPart, WorkshopSession
from tests.factories import DEFAULT_PASSWORD, make_org, make_user
from tests.smtp import body_of, start_smtp
from tests.workshops.fixtures import plan


@pytest.fixture
def mailbox(live_app):
    """A real SMTP server the live app sends to."""
    server = start_smtp()
    live_app.config.update(server.config())
    yield server
    server.stop()


def _mail_to(mailbox, address: str, subject_has: str):
    found = [m for m in mailbox.messages if m["To"] == address and subject_has.lower() in m["Subject"].lower()]
    assert found, f"no email to {address} about {subject_has!r}: {[(m['To'], m['Subject']) for m in mailbox.messages]}"
    return found[-1]


def _calendar_of(message) -> Calendar:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def complete_course(page, app, course_slug: str) -> None:
    """Take every module of the course in the browser: answer each check rightly, then mark the module complete."""
    with app.app_context():
        modules = [(m.slug, [(q["id"], [i for i, o in enumerate(q["options"]) if o["correct"]]) for q in m.questions])
                   for m in db.session.scalars(select(Module).join(Course).where(Course.slug == course_slug)
                                               .order_by(Module.position))]
        db.session.remove()
    for number, (slug, questions) in enumerate(modules, start=1):
        page.go(f"/courses/{course_slug}/{slug}")
        for question_id, right in questions:
            for option in right:
                page.driver.find_element(By.ID, f"q-{question_id}-{option}").click()
            page.press(page.driver.find_element(By.XPATH, f"//form[@id='q-{question_id}']//button"))
        page.click("Mark complete and continue" if number < len(modules) else "Mark complete")


def test_a_visitor_books_the_waiting_list_moves_and_attendance_leads_to_the_next_step(live_app, page, mailbox):
    with live_app.app_context():
        sync_content(Path(live_app.config["COURSES_DIR"]), {})
        provider = make_org("Public courses", kind="public", slug=live_app.config["PUBLIC_ORG_SLUG"])
        admin = make_user(None, (), email="ravi@abm-academy.example", name="Ravi Shah", is_platform_admin=True)
        coach = make_user(provider, ("coach",), email="chloe@abm-academy.example", name="Chloe Adeyemi")
        make_user(None, (), email="ben@example.com", name="Ben Okoro")
        course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
        start = (utcnow() + timedelta(days=10)).replace(hour=9, minute=30, second=0, microsecond=0)
        session = services.create_session(provider, course, plan(start, capacity=1), coach=coach, by=admin)
        db.session.commit()
        session_id, title = session.id, session.title
        db.session.remove()

    # A visitor finds the session on the public catalogue and creates an account on the way to booking.
    page.go("/")
    assert title in page.text and "1 seat left" in page.text and "£495 + VAT" in page.text
    page.click(title)
    assert "12 St John Street" in page.text
    page.click("Create your account")
    page.fill("Your name", "Ada Lovelace")
    page.fill("Work email", "ada@example.com")
    page.fill("Password", DEFAULT_PASSWORD)
    page.fill("Repeat the password", DEFAULT_PASSWORD)
    page.click("Create account")
    confirm = _mail_to(mailbox, "ada@example.com", "confirm")
    link = re.search(r"https?://\S+/signup/confirm/\S+", body_of(confirm)).group(0)
    page.driver.get(link)
    assert page.path.startswith(f"/workshops/{session_id}")
    page.click("Book a seat")
    assert "You're booked on" in page.text
    confirmation = _mail_to(mailbox, "ada@example.com", "booked")
    (event,) = _calendar_of(confirmation).walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART").replace(tzinfo=None) == start + (event.decoded("DTSTART").utcoffset())
    assert str(event["SUMMARY"]) == "ABM in Ten Minutes" and "12 St John Street" in str(event["LOCATION"])
    page.sign_out()

    # A second visitor signs in on the way and, the session being full, joins the waiting list.
    page.go(f"/workshops/{session_id}")
    assert "Full: join the waiting list" in page.text or "waiting list" in page.text
    page.click("Book a seat")
    page.sign_in("ben@example.com")
    assert page.path.startswith(f"/workshops/{session_id}")
    page.click("Join the waiting list")
    assert "number 1 on the waiting list" in page.text
    _mail_to(mailbox, "ben@example.com", "waiting list")
    page.sign_out()

    # The first cancels; the seat goes to the second at once, who is emailed with the calendar invitation.
    page.sign_in("ada@example.com")
    page.go(f"/workshops/{session_id}")
    page.click("Cancel my booking")
    assert "Your booking is cancelled" in page.text
    promoted = _mail_to(mailbox, "ben@example.com", "seat")
    assert _calendar_of(promoted).walk("VEVENT")
    page.sign_out()

    # The day comes and goes; the coach lands on the session and marks attendance on the sign-in sheet.
    with live_app.app_context():
        held = utcnow() - timedelta(hours=8)
        db.session.execute(update(SessionPart).where(SessionPart.session_id == session_id)
                           .values(starts_at=held, ends_at=held + timedelta(hours=7)))
        db.session.execute(update(WorkshopSession).where(WorkshopSession.id == session_id).values(
            starts_at=held, ends_at=held + timedelta(hours=7), booking_deadline=held - timedelta(days=2)))
        db.session.commit()
        db.session.remove()
    page.sign_in("chloe@abm-academy.example")
    page.press(page.driver.find_element(By.XPATH, "//a[starts-with(normalize-space(), 'Mark attendance')]"))
    assert "Ben Okoro" in page.text and "Ada Lovelace" not in page.text
    page.driver.find_element(By.XPATH, "//fieldset[legend[normalize-space()='Ben Okoro']]//label[normalize-space()="
                                       "'Present']").click()
    page.click("Save the sign-in sheet")
    assert "1 present" in page.text
    page.sign_out()

    # The attendee completes the course and the dashboard shows what comes next.
    page.sign_in("ben@example.com")
    complete_course(page, live_app, "tiny-course")
    assert "You've completed ABM in Ten Minutes" in page.text
    page.go("/dashboard")
    assert "Bring your team" in page.text
    assert page.driver.find_element(By.XPATH, "//a[contains(normalize-space(), 'Download your certificate')]")
