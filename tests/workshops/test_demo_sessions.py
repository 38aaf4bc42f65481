"""`flask lms demo`: two upcoming sessions of ABM Foundations run by Chloe, on the catalogue, and no more on a
second run."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from lms.content.sync import sync_content
from lms.extensions import db
from lms.identity.models import Cohort, User
from lms.learning.models import Enrolment
from lms.practice.exercises import exercise_registry
from lms.workshops.models import WorkshopSession

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(app_config):
    app_config["COURSES_DIR"] = str(ROOT / "courses")
    return app_config


def test_the_demo_puts_a_london_day_and_two_online_mornings_on_the_catalogue_once(app, client, runner):
    sync_content(Path(current_app.config["COURSES_DIR"]), exercise_registry())
    db.session.commit()
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0  # idempotent
    assert db.session.scalar(select(func.count(WorkshopSession.id))) == 2
    html = client.get("/").get_data(as_text=True)
    assert "ABM Foundations in London" in html and "The Clerkenwell Rooms" in html
    assert "42 St John Street, London, EC1M 4DL" in html
    assert "ABM Foundations online, over two mornings" in html and "09:30–12:30" in html
    assert "meet.abm-academy.example" not in html
    online = db.session.scalar(select(WorkshopSession).where(WorkshopSession.delivery == "virtual"))
    assert online.coach.name == "Chloe Adeyemi" and len(online.parts) == 2
    alex = db.session.scalar(select(User).where(User.email == "alex.attendee@example.com"))
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "ABM Foundations, London, 14 January 2027"))
    assert db.session.scalar(select(Enrolment.cohort_id).where(Enrolment.user_id == alex.id)) == cohort.id
