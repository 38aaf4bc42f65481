"""Assessment fixtures: the tiny fixture course plus assessment-only questions, synced; people in two orgs."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from lms.content.sync import sync_content
from lms.extensions import db
from lms.identity.models import Cohort, Organization, User
from tests.factories import make_cohort, make_org, make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COURSE = "tiny-course"


@pytest.fixture
def app_config(app_config, tmp_path):
    """The fixture course tree with courses/assessments/ added (a copy: the shared tree stays as it is)."""
    root = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", root)
    shutil.copytree(FIXTURES / "assessments", root / "assessments")
    app_config["COURSES_DIR"] = str(root)
    return app_config


@pytest.fixture
def synced(app):
    """Content synced into the database: the tiny course, its competencies and the assessment questions."""
    sync_content(Path(app.config["COURSES_DIR"]), {})
    db.session.commit()
    return COURSE


@dataclass
class People:
    org: Organization
    cohort: Cohort
    learner: User
    classmate: User
    coach: User
    manager: User
    other_coach: User  # coaches a different cohort of the same organisation
    outsider: User  # a learner in another organisation


@pytest.fixture
def people(app) -> People:
    org = make_org("Northwind")
    cohort = make_cohort(org, "Spring cohort")
    other_cohort = make_cohort(org, "Autumn cohort")
    learner = make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace", cohort=cohort)
    classmate = make_user(org, ("learner",), email="bea@northwind.example", name="Bea Hart", cohort=cohort)
    coach = make_user(org, ("coach",), email="coach@northwind.example", name="Cora Coach", cohort=cohort,
                      cohort_role="coach")
    manager = make_user(org, ("manager",), email="manager@northwind.example", name="Max Manager")
    other_coach = make_user(org, ("coach",), email="otto@northwind.example", name="Otto Coach", cohort=other_cohort,
                            cohort_role="coach")
    theirs = make_org("Southwind")
    outsider = make_user(theirs, ("learner",), email="sam@southwind.example", name="Sam Outsider")
    return People(org, cohort, learner, classmate, coach, manager, other_coach, outsider)
