"""Fixtures for workshops (a pytest plugin of tests/conftest.py, so other folders use them too): the provider's public
organisation, a synced course, a coach, an admin, sessions, and the SMTP server the app sends to."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.workshops import services
from lms.workshops.models import WorkshopSession
from tests.factories import make_org, make_user

START = datetime(2031, 1, 16, 9, 30)  # a Thursday; GMT, so 09:30 in London
BOOKED = START - timedelta(days=20)  # when people book (booking is open)


@pytest.fixture
def provider(app):
    """The provider's public organisation, with the fixture courses synced."""
    sync_content(Path(app.config["COURSES_DIR"]), {})
    org = make_org("Public courses", kind="public", slug=app.config["PUBLIC_ORG_SLUG"])
    db.session.commit()
    return org


@pytest.fixture
def course(provider) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == "tiny-course"))


@pytest.fixture
def admin(provider):
    return make_user(None, (), email="ravi@abm-academy.example", name="Ravi Shah", is_platform_admin=True)


@pytest.fixture
def coach(provider):
    return make_user(provider, ("coach",), email="chloe@abm-academy.example", name="Chloe Adeyemi")


def plan(start: datetime, *, capacity: int = 2, days: int = 1, delivery: str = "in_person", **overrides
         ) -> services.SessionPlan:
    """A session plan starting at `start` (naive UTC): `days` parts of 09:00-16:30 on consecutive days."""
    parts = [(start + timedelta(days=d), start + timedelta(days=d, hours=7, minutes=30)) for d in range(days)]
    values = {
        "title": f"ABM in Ten Minutes, London, {start:%d %B %Y}",
        "delivery": delivery,
        "parts": parts,
        "timezone": "Europe/London",
        "capacity": capacity,
        "booking_deadline": start - timedelta(days=2),
        "venue_name": "The Hub, Clerkenwell" if delivery == "in_person" else "",
        "venue_address": "12 St John Street, London EC1M 4AY" if delivery == "in_person" else "",
        "join_url": "https://meet.example.com/abm-workshop" if delivery == "virtual" else "",
        "price_text": "£495 + VAT",
    }
    values.update(overrides)
    return services.SessionPlan(**values)


@pytest.fixture
def make_session(provider, course, admin, coach):
    """Create a session `days_ahead` days from now (09:00 UTC), committed; returns it."""

    def _make(days_ahead: int = 30, **overrides) -> WorkshopSession:
        start = (utcnow() + timedelta(days=days_ahead)).replace(hour=9, minute=0, second=0, microsecond=0)
        session = services.create_session(provider, course, plan(start, **overrides), coach=coach, by=admin)
        db.session.commit()
        return session

    return _make


@pytest.fixture
def mail(app, smtp_server):
    """The real SMTP server, with the app sending to it."""
    app.config.update(smtp_server.config())
    return smtp_server


@pytest.fixture
def session_at(provider, course, admin, coach):
    """Create a session starting at `start` (naive UTC), committed; returns it."""

    def _make(start: datetime = START, **overrides) -> WorkshopSession:
        session = services.create_session(provider, course, plan(start, **overrides), coach=coach, by=admin)
        db.session.commit()
        return session

    return _make
