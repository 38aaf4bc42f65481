"""A small, hand-countable organisation for the report tests (every expected figure is worked out in the tests).

Northwind has two cohorts and five enrolled learners, all relative to "now":
- L1 Sales, Team A: completed 20 days ago (active 10 days ago: retained), imported, ran exercises, submitted.
- L2 Marketing, Team A: started, due yesterday (overdue), last statement 20 days ago (laggard).
- L3 Sales, Team B: never signed in, not started (laggard: no statement at all).
- L4 Marketing, Team B: in progress, active 2 days ago.
- L5 Marketing, Team A: completed 40 days ago, imported and ran, nothing in the 30 days after (not retained).
- L6 Sales, Team B: enrolment withdrawn (not counted anywhere in completion).
Plus one open invitation to Team A, a manager, a coach, and Contoso (another organisation) with a learner.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from lms.content.models import Competency, Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Invitation
from lms.learning.models import Enrolment, ModuleProgress, QuestionAnswer
from lms.tracking.models import Statement
from lms.tracking.services import record
from tests.factories import make_cohort, make_org, make_user


@dataclass
class World:
    now: datetime
    org: object
    other: object
    course: object
    modules: list
    team_a: object
    team_b: object
    other_cohort: object
    manager: object
    coach: object
    learners: dict
    outsider: object


def bulk_statement(org_id: int, user_id: int, when: datetime) -> None:
    """Insert a "launched" statement as a bulk load does (Core INSERT): past the session, so no roll-up counts it
    until a commit that records one, or `flask lms rollup`."""
    db.session.execute(insert(Statement), [{
        "id": str(uuid.uuid4()), "timestamp": when, "stored": utcnow(), "actor_id": user_id, "verb": "launched",
        "object_type": "module", "object_id": "c/m", "organization_id": org_id}])


def make_course(slug: str = "abm-basics", title: str = "ABM basics") -> tuple[Course, list[Module]]:
    course = Course(slug=slug, title=title, audience="in-house", module_count=2, minutes=20)
    db.session.add(course)
    db.session.flush()
    modules = []
    for i, (mslug, comps) in enumerate((("choosing", ["account-selection", "buying-group-mapping"]),
                                        ("mapping", ["buying-group-mapping"])), start=1):
        module = Module(course_id=course.id, slug=mslug, position=i, title=mslug.title(), minutes=10,
                        competencies=comps, questions=[{"id": "q1"}, {"id": "q2"}], last_reviewed=date(2026, 1, 1),
                        version=f"v{i}")
        db.session.add(module)
        modules.append(module)
    for pos, (slug_, name) in enumerate((("account-selection", "Account selection"),
                                         ("buying-group-mapping", "Buying-group mapping"))):
        db.session.add(Competency(slug=slug_, name=name, position=pos))
    db.session.flush()
    return course, modules


def enrol(user, course, org, cohort, *, enrolled, started=None, completed=None, due=None, withdrawn=None):
    row = Enrolment(user_id=user.id, course_id=course.id, organization_id=org.id, cohort_id=cohort.id if cohort else None,
                    source="assigned", enrolled_at=enrolled, started_at=started, completed_at=completed, due_at=due,
                    withdrawn_at=withdrawn)
    db.session.add(row)
    return row


def say(user, verb, obj, when, org, cohort=None, **kw):
    return record(user, verb, obj, organization_id=org.id, cohort_id=cohort.id if cohort else None, timestamp=when,
                  **kw)


@pytest.fixture
def world(app) -> World:
    now = utcnow()
    day = timedelta(days=1)
    org, other = make_org("Northwind", slug="northwind"), make_org("Contoso", slug="contoso")
    team_a, team_b = make_cohort(org, "Team A"), make_cohort(org, "Team B")
    other_cohort = make_cohort(other, "Contoso team")
    course, modules = make_course()
    manager = make_user(org, ("manager",), email="manager@northwind.example", name="Mia Manager",
                        job_function="other", activated_at=now - 90 * day)
    coach = make_user(org, ("coach",), email="coach@northwind.example", name="Cole Coach", cohort=team_a,
                      cohort_role="coach")
    specs = {
        "L1": ("sales", team_a, True), "L2": ("marketing", team_a, True), "L3": ("sales", team_b, False),
        "L4": ("marketing", team_b, True), "L5": ("marketing", team_a, True), "L6": ("sales", team_b, True),
    }
    learners = {}
    for key, (fn, cohort, activated) in specs.items():
        learners[key] = make_user(org, ("learner",), email=f"{key.lower()}@northwind.example", name=f"Learner {key}",
                                  job_function=fn, cohort=cohort, activated_at=now - 60 * day if activated else None)
    outsider = make_user(other, ("learner",), email="someone@contoso.example", name="Contoso Learner",
                         cohort=other_cohort, activated_at=now - 5 * day)
    L = learners  # noqa: N806 - the learners' names in the docstring
    enrolled = now - 50 * day
    enrol(L["L1"], course, org, team_a, enrolled=enrolled, started=now - 45 * day, completed=now - 20 * day,
          due=now + 10 * day)
    enrol(L["L2"], course, org, team_a, enrolled=enrolled, started=now - 40 * day, due=now - day)
    enrol(L["L3"], course, org, team_b, enrolled=enrolled, due=now + 10 * day)
    enrol(L["L4"], course, org, team_b, enrolled=enrolled, started=now - 30 * day, due=now + 10 * day)
    enrol(L["L5"], course, org, team_a, enrolled=enrolled, started=now - 48 * day, completed=now - 40 * day)
    enrol(L["L6"], course, org, team_b, enrolled=enrolled, started=now - 48 * day, withdrawn=now - 30 * day)
    enrol(outsider, course, other, other_cohort, enrolled=enrolled, due=now - 3 * day)
    for key, done in (("L1", 2), ("L2", 1), ("L4", 1), ("L5", 2)):
        for module in modules[:done]:
            db.session.add(ModuleProgress(user_id=L[key].id, module_id=module.id, organization_id=org.id,
                                          started_at=now - 45 * day, completed_at=now - 44 * day, best_score=100))
    db.session.add(Invitation(organization_id=org.id, cohort_id=team_a.id, email="new@northwind.example",
                              name="New Person", job_function="sales", role="learner", token_hash="a" * 64,
                              expires_at=now + 5 * day, created_at=now - 2 * day))
    db.session.add(QuestionAnswer(user_id=L["L1"].id, module_id=modules[0].id, organization_id=org.id,
                                  question_id="q1", ever_correct=True, is_correct=True, first_correct=True,
                                  version="v1"))
    db.session.add(QuestionAnswer(user_id=L["L1"].id, module_id=modules[0].id, organization_id=org.id,
                                  question_id="q2", ever_correct=True, is_correct=True, first_correct=True,
                                  version="v1"))

    module = ("module", "abm-basics/choosing", "Choosing")
    # L1: modules, a check, an import, exercise runs, the course; active again 10 days after completing.
    say(L["L1"], "launched", module, now - 45 * day, org, team_a)
    say(L["L1"], "completed", module, now - 44 * day, org, team_a)
    say(L["L1"], "imported", ("import", 1, "accounts"), now - 30 * day, org, team_a)
    say(L["L1"], "ran", ("exercise", "target-account-list", "TAL"), now - 29 * day, org, team_a)
    say(L["L1"], "completed", ("course", "abm-basics", "ABM basics"), now - 20 * day, org, team_a)
    say(L["L1"], "launched", module, now - 10 * day, org, team_a)
    # L2: opened a module 20 days ago, nothing since.
    say(L["L2"], "launched", module, now - 20 * day, org, team_a)
    # L4: completed a module, active 2 days ago.
    say(L["L4"], "completed", module, now - 25 * day, org, team_b)
    say(L["L4"], "answered", ("question", "abm-basics/choosing#q1", "Q1"), now - 2 * day, org, team_b)
    # L5: completed 40 days ago; active the day it completed and again only 5 days ago (outside days 1-30).
    say(L["L5"], "completed", module, now - 47 * day, org, team_a)
    say(L["L5"], "imported", ("import", 2, "accounts"), now - 46 * day, org, team_a)
    say(L["L5"], "ran", ("exercise", "target-account-list", "TAL"), now - 45 * day, org, team_a)
    say(L["L5"], "completed", ("course", "abm-basics", "ABM basics"), now - 40 * day, org, team_a)
    say(L["L5"], "earned", ("certificate", 1, "ABM basics"), now - 40 * day + timedelta(minutes=1), org, team_a)
    say(L["L5"], "launched", module, now - 5 * day, org, team_a)
    # Another organisation's activity never shows.
    say(outsider, "completed", ("course", "abm-basics", "ABM basics"), now - 30 * day, other, other_cohort)
    say(outsider, "imported", ("import", 3, "accounts"), now - 3 * day, other, other_cohort)
    db.session.commit()
    from lms.reports.rollup import refresh_activity

    refresh_activity(until=utcnow())  # as the scheduled `flask lms rollup` would have
    db.session.commit()
    return World(now, org, other, course, modules, team_a, team_b, other_cohort, manager, coach, learners, outsider)
