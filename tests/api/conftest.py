"""A seeded organisation for the REST API tests, with an API token, and another organisation it must never see.

Northwind (client) runs the tiny course for Team A (a team workspace) through an assignment:
- Ada: completed 10 days ago, certificate valid; both modules done (scores 100 and 50, first attempts 50 and 50).
- Ben: started, one module done (score 80), due yesterday: overdue.
- Cy: assigned, not started.
- Dee: enrolled on her own outside any cohort, withdrawn.
- Eve: completed 400 days ago; her certificate expired; another of hers (an old course) was revoked.
Team A's workspace has three accounts (1:1, 1:few, untiered); Ada's personal workspace has one (never listed).
Contoso has its own cohort, learner, enrolment, certificate and team account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from lms.accounts.models import Account, Workspace
from lms.certificates import issuing
from lms.content.models import Course, Module
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.learning import assignments
from lms.learning import services as learning
from lms.learning.models import Enrolment, ModuleProgress
from lms.reports.rollup import refresh_activity
from lms.tracking.services import create_token, record
from tests.factories import make_cohort, make_org, make_user

DAY = timedelta(days=1)


@dataclass
class World:
    now: datetime
    org: object
    other: object
    course: Course
    modules: list
    team: object
    other_cohort: object
    people: dict
    enrolments: dict
    certificates: dict
    accounts: dict
    token: str
    other_token: str


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def add_progress(user, org, module, when, *, best=None, first=None, done=True):
    db.session.add(ModuleProgress(user_id=user.id, module_id=module.id, organization_id=org.id, started_at=when,
                                  completed_at=when if done else None, best_score=best, first_score=first,
                                  attempts=1, completed_version=module.version if done else None))


def _account(org, ws, name, **fields):
    account = Account(organization_id=org.id, workspace_id=ws.id, name=name, normalised_name=name.lower(), **fields)
    db.session.add(account)
    return account


def _seed_certificates(w: dict, now: datetime) -> dict:
    ada, eve, course = w["ada"], w["eve"], w["course"]
    certs = {"ada": issuing.issue(w["enrolments"]["ada"], ada, now=now - 10 * DAY),
             "eve": issuing.issue(w["enrolments"]["eve"], eve, now=now - 400 * DAY)}
    certs["eve"].expires_at = now - 35 * DAY
    old = issuing.new_certificate(w["enrolments"]["eve"], eve, course, now - 800 * DAY)
    old.current_enrolment_id = None
    old.revoked_at, old.revocation_reason = now - 500 * DAY, "Issued in error"
    db.session.add(old)
    certs["revoked"] = old
    other_enrolment = learning.enrol(w["outsider"], course, w["other"], cohort_id=w["other_cohort"].id)
    other_enrolment.completed_at = now - 3 * DAY
    certs["other"] = issuing.issue(other_enrolment, w["outsider"], now=now - 3 * DAY)
    db.session.flush()
    return certs


def _seed_workspaces(org, other, team, other_cohort, ada) -> dict:
    ws = Workspace(organization_id=org.id, cohort_id=team.id, name="Team A: team accounts", kind="team")
    personal = Workspace(organization_id=org.id, owner_id=ada.id, name="Ada's accounts", kind="personal")
    theirs = Workspace(organization_id=other.id, cohort_id=other_cohort.id, name="Contoso team", kind="team")
    db.session.add_all([ws, personal, theirs])
    db.session.flush()
    found = {
        "acme": _account(org, ws, "Acme Ltd", domain="acme.example", tier="1:1", icp_fit=90, sales_owner="Ada",
                         marketing_owner="Ben", industry="Software", region="UK", employees=500, sales_agreed=True),
        "globex": _account(org, ws, "Globex", domain="globex.example", tier="1:few", icp_fit=60),
        "initech": _account(org, ws, "Initech", tier=None, icp_fit=None, is_target=False),
        "private": _account(org, personal, "Ada's practice account", tier="1:1"),
        "theirs": _account(other, theirs, "Contoso target", tier="1:1"),
    }
    db.session.flush()
    return found


def seed(now: datetime) -> World:
    """Create the world described in the module docstring (committed) and return it."""
    sync_content(Path(current_app.config["COURSES_DIR"]), {})
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    modules = list(db.session.scalars(select(Module).where(Module.course_id == course.id).order_by(Module.position)))
    org, other = make_org("Northwind", slug="northwind"), make_org("Contoso", slug="contoso")
    team, other_cohort = make_cohort(org, "Team A"), make_cohort(other, "Contoso team")
    manager = make_user(org, ("manager", "org_admin"), email="manager@northwind.example", name="Mia Manager")
    people = {key: make_user(org, ("learner",), email=f"{key}@northwind.example", name=key.title(),
                             job_function=fn, cohort=team if key != "dee" else None, activated_at=now - 60 * DAY)
              for key, fn in (("ada", "sales"), ("ben", "marketing"), ("cy", "sales"), ("dee", "other"),
                              ("eve", "marketing"))}
    outsider = make_user(other, ("learner",), email="someone@contoso.example", name="Contoso Learner",
                         cohort=other_cohort)
    assignments.assign(org, course, now - DAY, manager, cohort=team)
    enrolments = {key: db.session.scalar(select(Enrolment).where(Enrolment.user_id == p.id))
                  for key, p in people.items() if key != "dee"}
    enrolments["dee"] = learning.enrol(people["dee"], course, org)
    enrolments["eve"].enrolled_at = now - 420 * DAY
    for key in ("ada", "eve"):
        enrolments[key].started_at = now - 20 * DAY
    enrolments["ada"].completed_at = now - 10 * DAY
    enrolments["eve"].completed_at = now - 400 * DAY
    enrolments["eve"].due_at = None
    enrolments["ben"].started_at = now - 5 * DAY
    enrolments["dee"].withdrawn_at = now - 2 * DAY
    add_progress(people["ada"], org, modules[0], now - 12 * DAY, best=100, first=50)
    add_progress(people["ada"], org, modules[1], now - 10 * DAY, best=50, first=50)
    add_progress(people["ben"], org, modules[0], now - 5 * DAY, best=80, first=80)
    add_progress(people["ben"], org, modules[1], now - 4 * DAY, done=False)
    add_progress(outsider, other, modules[0], now - 3 * DAY, best=100, first=100)
    for key, verb, days in (("ada", "launched", 12), ("ada", "completed", 10), ("ben", "launched", 5)):
        record(people[key], verb, ("module", f"tiny-course/{modules[0].slug}", modules[0].title),
               organization_id=org.id, cohort_id=team.id, timestamp=now - days * DAY)
    db.session.flush()
    w = {**people, "course": course, "org": org, "other": other, "outsider": outsider, "enrolments": enrolments,
         "other_cohort": other_cohort}
    certificates = _seed_certificates(w, now)
    accounts = _seed_workspaces(org, other, team, other_cohort, people["ada"])
    _, token = create_token(org.id, "BI export", manager.id)
    _, other_token = create_token(other.id, "Contoso BI", None)
    db.session.commit()
    refresh_activity(until=utcnow())
    db.session.commit()
    return World(now, org, other, course, modules, team, other_cohort, people, enrolments, certificates, accounts,
                 token, other_token)


@pytest.fixture
def world(app) -> World:
    return seed(utcnow())
