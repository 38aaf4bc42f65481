"""Assignments benchmark (issue 16, item 6): the pages that pick people in an organisation of 10,000 learners
(`flask lms generate`'s people, no statements needed) on SQLite (a file, WAL). Times, through the Flask test
client, the GET of /manage/assignments, a people search, a search carrying a selection, and an assignment's page
for a cohort of 10,000; the admins' people page (a page, a search, a late page) and a cohort's page (its 10,000
members a page at a time; an empty cohort offering all 10,000 to add, a page at a time); prints each as the median
server time in ms with the page's size, and as a ratio to a bare Flask route measured in the same run.

Run with `make bench` (or `.venv/bin/pytest -q -s tests/benchmarks/bench_assignments.py -o addopts=""`).
Size: LMS_BENCH_LEARNERS (10000). The generated database is kept under instance/bench/ and reused.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, insert, select

from lms import create_app
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Membership, Organization, User
from lms.learning.forms import MAX_CHOSEN
from lms.learning.models import Assignment
from tests.databases import analyse, bench_sqlite_url

ROOT = Path(__file__).resolve().parents[2]
LEARNERS = int(os.environ.get("LMS_BENCH_LEARNERS", "10000"))
SLUG = f"bench-assign-{LEARNERS}"
PASSWORD = "bench-password-2026"
EVERYONE = "Everyone (benchmark)"
NOBODY = "Nobody yet (benchmark)"  # an empty cohort: everyone is someone to add
NAMED_ASSIGNMENTS = 45  # assignments to a few named people each, so the list below the form runs to pages
REPEAT = 9
BARE_REPEAT = 200
TARGET_MS = 100
TARGET_KB = 60
REQUEST_BUDGET_S = 30  # gunicorn's default worker timeout


def _sqlite_url() -> str:
    return bench_sqlite_url(f"assignments-{LEARNERS}")


def _app(tmp_path: Path):
    from tests.conftest import _test_config

    app = create_app(_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=_sqlite_url(),
                                  COURSES_DIR=str(ROOT / "courses")))
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    return app


def _prepare() -> tuple[Organization, int]:
    """Return the generated organisation and its assignment to a cohort of everyone, made unless a previous run
    left them."""
    from lms.content.models import Course
    from lms.content.sync import sync_content
    from lms.database import utcnow
    from lms.identity.passwords import hash_password
    from lms.learning.assignments import assign
    from lms.practice.exercises import exercise_registry
    from lms.reports.generate import generate

    db.create_all()
    org = db.session.scalar(select(Organization).where(Organization.slug == SLUG))
    if org is not None:
        cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.organization_id == org.id,
                                                              Cohort.name == EVERYONE))
        assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.cohort_id == cohort_id))
        print(f"\nreusing {SLUG} in {_sqlite_url()}")
        return org, assignment_id
    sync_content(ROOT / "courses", exercise_registry())
    db.session.commit()
    began = time.perf_counter()
    made = generate(SLUG, LEARNERS, 0, seed=2026, password_hash=hash_password(PASSWORD))
    org = made.organization
    everyone = Cohort(organization_id=org.id, name=EVERYONE)
    db.session.add(everyone)
    db.session.flush()
    learner_ids = list(db.session.scalars(select(Membership.user_id).where(
        Membership.organization_id == org.id, Membership.role == "learner").order_by(Membership.user_id)))
    db.session.execute(insert(CohortMember), [{"cohort_id": everyone.id, "user_id": uid, "role": "learner"}
                                              for uid in learner_ids])
    manager = db.session.scalar(select(User).where(User.email == made.manager_email))
    courses = list(db.session.scalars(select(Course).where(Course.is_archived.is_(False)).order_by(Course.id)))
    db.session.commit()
    print(f"\ngenerated {LEARNERS:,} learners in {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    whole = assign(org, courses[-1], utcnow().replace(microsecond=0) + _days(60), manager, cohort=everyone)
    db.session.commit()
    print(f"assigned {courses[-1].title} to a cohort of {LEARNERS:,} (assignments.assign and its commit, once): "
          f"{time.perf_counter() - began:.1f} s (target: well within a request's {REQUEST_BUDGET_S} s; 40 s before "
          f"the capability sums' flush hook read the new rows once per flush)")
    people = db.session.scalars(select(User).where(User.id.in_(learner_ids[:NAMED_ASSIGNMENTS * 3]))).all()
    for k in range(NAMED_ASSIGNMENTS):
        assign(org, courses[0], utcnow().replace(microsecond=0) + _days(30 + k), manager,
               people=people[k * 3:k * 3 + 3])
    analyse()
    return org, whole.assignment.id


def _admin_pages(org: Organization, manager_email: str) -> tuple[int, int]:
    """Make the manager an org admin too (the people and cohort pages are theirs) and add the empty cohort, unless a
    previous run did; return the ids of the cohort of everyone and of the empty one."""
    manager = db.session.scalar(select(User).where(User.email == manager_email))
    if not db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.user_id == manager.id, Membership.organization_id == org.id, Membership.role == "org_admin")):
        db.session.add(Membership(user_id=manager.id, organization_id=org.id, role="org_admin"))
    cohorts = dict(db.session.execute(select(Cohort.name, Cohort.id).where(Cohort.organization_id == org.id)).all())
    if NOBODY not in cohorts:
        nobody = Cohort(organization_id=org.id, name=NOBODY)
        db.session.add(nobody)
        db.session.flush()
        cohorts[NOBODY] = nobody.id
    db.session.commit()
    return cohorts[EVERYONE], cohorts[NOBODY]


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()  # warm caches (templates, the course list)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def test_bench_assignments(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        org, assignment_id = _prepare()
        learners = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.organization_id == org.id, Membership.role == "learner"))
        most = list(db.session.scalars(select(Membership.user_id).where(
            Membership.organization_id == org.id, Membership.role == "learner")
            .order_by(Membership.user_id.desc()).limit(MAX_CHOSEN)))
        manager = f"manager@{SLUG}.example"
        everyone_id, nobody_id = _admin_pages(org, manager)
        db.session.remove()
    client = app.test_client()
    assert client.post("/login", data={"email": manager, "password": PASSWORD}).status_code == 302

    def get(path: str) -> Callable[[], object]:
        def fetch():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response
        return fetch

    def chosen(n: int) -> str:
        return "".join(f"&user_ids={uid}" for uid in most[:n])

    pages = {
        "assignments page (GET /manage/assignments)": "/manage/assignments",
        "people search, 'learner 004' (25 a page)": "/manage/assignments?q=learner+004",
        "people search, page 3, with 5 people chosen": f"/manage/assignments?q=learner&page=3{chosen(5)}",
        f"people search, page 3, with {MAX_CHOSEN} chosen (the most)":
            f"/manage/assignments?q=learner&page=3{chosen(MAX_CHOSEN)}",
        f"assignment's page, a cohort of {learners:,}": f"/manage/assignments/{assignment_id}",
        f"assignment's page, a cohort of {learners:,}, page 40": f"/manage/assignments/{assignment_id}?page=40",
        "people page (GET /admin/members, 50 a page)": "/admin/members",
        "people page, search 'learner 004'": "/admin/members?q=learner+004",
        "people page, page 150": "/admin/members?page=150",
        f"cohort's page, {learners:,} members (50 a page)": f"/admin/cohorts/{everyone_id}",
        f"cohort's page, {learners:,} members, page 150": f"/admin/cohorts/{everyone_id}?page=150",
        f"empty cohort's page, {learners:,} to add (20 a page)": f"/admin/cohorts/{nobody_id}",
        "empty cohort's page, search 'learner 00' to add": f"/admin/cohorts/{nobody_id}?q=learner+00",
    }
    floor = _median_ms(get("/bench/bare"), repeat=BARE_REPEAT)
    print(f"\nsqlite: {learners:,} learners; floor: a bare Flask route through the test client {floor:.2f} ms")
    for name, path in pages.items():
        ms = _median_ms(get(path))
        kb = len(get(path)().get_data()) / 1024
        print(f"  {name:<52} {ms:7.1f} ms (target <= {TARGET_MS} ms) = {ms / floor:6.1f}x floor; "
              f"{kb:7.1f} KB (target < {TARGET_KB} KB)")
    with app.app_context():
        print(f"  re-assigning the course to the cohort of {learners:,} (the POST's work, rolled back): "
              f"{_reassign_seconds(assignment_id):.1f} s (target: well within a request's {REQUEST_BUDGET_S} s)")
        db.engine.dispose()


def _reassign_seconds(assignment_id: int) -> float:
    """Time assigning the cohort's course again (a new due date for everyone, a statement each), then roll back
    so the database stays as generated."""
    from lms.database import utcnow
    from lms.learning.assignments import assign

    assignment = db.session.get(Assignment, assignment_id)
    cohort = db.session.get(Cohort, assignment.cohort_id)
    org = db.session.get(Organization, assignment.organization_id)
    manager = db.session.get(User, assignment.assigned_by_id)
    began = time.perf_counter()
    assign(org, assignment.course, utcnow().replace(microsecond=0) + _days(90), manager, cohort=cohort)
    db.session.flush()
    seconds = time.perf_counter() - began
    db.session.rollback()
    return seconds
