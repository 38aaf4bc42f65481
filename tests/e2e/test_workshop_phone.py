"""The public workshop pages on a 375 px phone: the catalogue, a session page (as a visitor and as a booked
attendee), the in-house page, and the coach's sign-in sheet fit the screen and pass axe-core's WCAG 2 A/AA rules."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.workshops import services
from lms.workshops.models import SessionPart, WorkshopSession
from tests.e2e.test_phone_layouts import assert_no_sideways_scroll, axe, on_phone
from tests.factories import make_org, make_user
from tests.workshops.fixtures import plan


def test_workshop_pages_fit_a_phone_and_pass_axe(live_app, page):
    with live_app.app_context():
        sync_content(Path(live_app.config["COURSES_DIR"]), {})
        provider = make_org("Public courses", kind="public", slug=live_app.config["PUBLIC_ORG_SLUG"])
        admin = make_user(None, (), email="ravi@abm-academy.example", name="Ravi Shah", is_platform_admin=True)
        coach = make_user(provider, ("coach",), email="chloe@abm-academy.example", name="Chloe Adeyemi")
        ada = make_user(None, (), email="ada@example.com", name="Ada Lovelace-Montgomery-Featherstonehaugh")
        course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
        start = (utcnow() + timedelta(days=12)).replace(hour=9, minute=30, second=0, microsecond=0)
        session = services.create_session(provider, course, plan(start, capacity=12, days=2), coach=coach, by=admin)
        services.create_session(provider, course, plan(start + timedelta(days=30), delivery="virtual"), coach=coach,
                                by=admin)
        services.book(session, ada)
        db.session.commit()
        session_id = session.id
        db.session.remove()

    on_phone(page)
    page.go("/")
    assert_no_sideways_scroll(page, "the public catalogue")
    axe(page, "the public catalogue")
    page.go(f"/workshops/{session_id}")
    assert_no_sideways_scroll(page, "a session page, for a visitor")
    axe(page, "a session page, for a visitor")
    page.go("/in-house")
    assert_no_sideways_scroll(page, "the in-house page")
    axe(page, "the in-house page")

    page.sign_in("ada@example.com")
    page.go(f"/workshops/{session_id}")
    assert "Cancel my booking" in page.text
    assert_no_sideways_scroll(page, "a session page, booked")
    axe(page, "a session page, booked")
    page.go("/dashboard")
    assert_no_sideways_scroll(page, "the attendee's dashboard")
    axe(page, "the attendee's dashboard")
    page.sign_out()

    with live_app.app_context():  # the day has come: the sheet opens for marking
        held = utcnow() - timedelta(hours=2)
        db.session.execute(update(SessionPart).where(SessionPart.session_id == session_id)
                           .values(starts_at=held, ends_at=held + timedelta(hours=1)))
        db.session.execute(update(WorkshopSession).where(WorkshopSession.id == session_id).values(
            starts_at=held, ends_at=held + timedelta(hours=1), booking_deadline=held - timedelta(days=1)))
        db.session.commit()
        db.session.remove()
    page.sign_in("chloe@abm-academy.example")
    page.go(f"/manage/workshops/{session_id}/sign-in")
    assert "Ada Lovelace-Montgomery-Featherstonehaugh" in page.text
    assert_no_sideways_scroll(page, "the sign-in sheet")
    axe(page, "the sign-in sheet")
    page.go("/manage/workshops")
    assert_no_sideways_scroll(page, "the sessions list")
    axe(page, "the sessions list")
