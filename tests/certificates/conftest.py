"""Certificates test helpers: the synced tiny course, and certificates issued through learning's services."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from lms.certificates import issuing
from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.learning import services as learning


def sync_courses() -> Course:
    """Load tests/fixtures/courses and return the tiny course (certificate: yes, 12 months)."""
    sync_content(Path(current_app.config["COURSES_DIR"]), {})
    db.session.commit()
    return db.session.scalar(select(Course).where(Course.slug == "tiny-course"))


@pytest.fixture
def course(app) -> Course:
    return sync_courses()


def issue_certificate(user, org, course: Course, *, cohort=None, completed_at: datetime | None = None):
    """Enrol `user`, mark the enrolment completed and issue its certificate (committed)."""
    enrolment = learning.enrol(user, course, org, cohort_id=cohort.id if cohort else None)
    enrolment.completed_at = completed_at or utcnow()
    certificate = issuing.issue(enrolment, user, now=enrolment.completed_at)
    db.session.commit()
    return certificate
