"""Learner pages over HTTP: the module page (and the course page and dashboard) served by gunicorn sync x2, driven by
wrk -c16, each as a percentage of a bare Flask route measured in the same run, bare and page runs interleaved
(tests/benchmarks/serving.py). On SQLite (a file under instance/bench/) and on PostgreSQL (LMS_BENCH_PAGES_URL,
default the local `lms_bench_pages` database, created if missing; skipped when no server answers).

The data: the real courses (`sync_content`) and a generated organisation (`lms.reports.generate`) of
LMS_BENCH_PAGES_LEARNERS learners (300) with enrolments, progress and statements; the measured learner is enrolled on
the generated course with some progress. Rounds: LMS_BENCH_ROUNDS (5) of LMS_BENCH_SECONDS (4) per measure.

Run with `make bench` (or `.venv/bin/pytest -q -s tests/benchmarks/bench_pages.py -o addopts="" -p no:cacheprovider`).
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from lms import create_app
from lms.extensions import db
from lms.identity.models import Organization, User
from lms.learning.models import Enrolment, ModuleProgress
from tests.benchmarks.serving import interleaved_runs, login_cookie, median_ratio, served, throughput
from tests.databases import analyse, bench_sqlite_url, ensure_postgres

ROOT = Path(__file__).resolve().parents[2]
LEARNERS = int(os.environ.get("LMS_BENCH_PAGES_LEARNERS", "300"))
STATEMENTS = LEARNERS * 100
ROUNDS = int(os.environ.get("LMS_BENCH_ROUNDS", "5"))
SECONDS = float(os.environ.get("LMS_BENCH_SECONDS", "4"))
SLUG = f"bench-pages-{LEARNERS}"
PASSWORD = "bench-password-2026"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench_pages"
TARGETS = {"sqlite": 25, "postgresql": 15}  # module page, % of the bare route (issue 16)


def _postgres_url() -> str | None:
    """Return the benchmark's PostgreSQL URL if a server answers (creating the database if needed), else None."""
    return ensure_postgres(os.environ.get("LMS_BENCH_PAGES_URL", PG_DEFAULT))


def _sqlite_url() -> str:
    return bench_sqlite_url(f"pages-{LEARNERS}")


def _prepare(url: str) -> tuple[str, str, str]:
    """Create the schema, load the courses and generate the organisation unless a previous run left them; return
    (a learner's email, the course slug, a module slug) to measure."""
    from lms.content.models import Course, Module
    from lms.content.sync import sync_content
    from lms.identity.passwords import hash_password
    from lms.practice.exercises import exercise_registry
    from lms.reports.generate import generate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-setup", "RATELIMIT_ENABLED": False})
    with app.app_context():
        _fresh_schema_if_changed()
        if db.session.scalar(select(Organization.id).where(Organization.slug == SLUG)) is None:
            sync_content(ROOT / "courses", exercise_registry())
            db.session.commit()
            made = generate(SLUG, LEARNERS, STATEMENTS, seed=2026, password_hash=hash_password(PASSWORD))
            analyse()
            print(f"\ngenerated {made.learners:,} learners, {made.statements:,} statements ({db.engine.dialect.name})")
        org_id = db.session.scalar(select(Organization.id).where(Organization.slug == SLUG))
        # A learner part-way through: enrolled, not finished, the most modules started.
        started = (select(Enrolment.user_id, Enrolment.course_id, func.count(ModuleProgress.id).label("n"))
                   .join(ModuleProgress, (ModuleProgress.user_id == Enrolment.user_id)
                         & (ModuleProgress.organization_id == Enrolment.organization_id))
                   .where(Enrolment.organization_id == org_id, Enrolment.completed_at.is_(None),
                          Enrolment.withdrawn_at.is_(None))
                   .group_by(Enrolment.user_id, Enrolment.course_id)
                   .order_by(func.count(ModuleProgress.id).desc(), Enrolment.user_id).limit(1)).subquery()
        email, course_slug, course_id = db.session.execute(
            select(User.email, Course.slug, Course.id).join(started, started.c.user_id == User.id)
            .join(Course, Course.id == started.c.course_id)).one()
        modules = db.session.scalars(select(Module.slug).where(Module.course_id == course_id,
                                                               Module.is_archived.is_(False))
                                     .order_by(Module.position)).all()
        module_slug = modules[len(modules) // 2]
        db.session.remove()
        db.engine.dispose()
    return email, course_slug, module_slug


def _fresh_schema_if_changed() -> None:
    """Create the schema; start from an empty database when a kept one's tables differ from the models' (the
    code changed since it was generated)."""
    tables = inspect(db.engine).get_table_names()
    stale = [t.name for t in db.metadata.sorted_tables if t.name in tables
             and {c["name"] for c in inspect(db.engine).get_columns(t.name)} != set(t.c.keys())]
    if stale:
        print(f"\nthe kept benchmark database predates changes to {', '.join(stale)}: starting afresh")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.engine.dispose()
            Path(db.engine.url.database).unlink()
    db.create_all()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_learner_pages(backend):
    url = _sqlite_url() if backend == "sqlite" else _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server reachable (set LMS_BENCH_PAGES_URL)")
    email, course, module = _prepare(url)
    pages = {
        "module page": f"/courses/{course}/{module}",
        "course page": f"/courses/{course}",
        "dashboard": "/dashboard",
    }
    with served(url) as base:
        cookie = login_cookie(base, email, PASSWORD)
        measures = {
            "bare": lambda: throughput(f"{base}/bench/bare", seconds=SECONDS),
            # A bare route signed in: the session cookie, the user loader's query, the tenant. Every learner page
            # pays this before its own work, so it bounds what any of them can reach.
            "bare, signed in": lambda: throughput(f"{base}/bench/signed-in", cookie=cookie, seconds=SECONDS),
        }
        for name, path in pages.items():
            measures[name] = lambda path=path: throughput(f"{base}{path}", cookie=cookie, seconds=SECONDS)
        # What a signed-in browser's request for a stylesheet costs (a page's other requests): it reads no user.
        measures["stylesheet, signed in"] = lambda: throughput(f"{base}/static/css/app.css", cookie=cookie,
                                                               seconds=SECONDS)
        # bare, signed in, module, course, dashboard; then again: the machine's drift weighs on all alike.
        runs = interleaved_runs(measures, rounds=ROUNDS)
    bare = statistics.median(runs["bare"])
    print(f"\n{backend}: bare route {bare:,.0f} req/s (gunicorn sync x2, wrk -c16, {ROUNDS} interleaved rounds of "
          f"{SECONDS:.0f} s; medians; each share is the median of the rounds' page/bare; {LEARNERS} learners)")
    for name in ("bare, signed in", *pages, "stylesheet, signed in"):
        share = 100 * median_ratio(runs, name, "bare")
        target = f" (target >= {TARGETS[backend]}%)" if name == "module page" else ""
        print(f"{name}: {statistics.median(runs[name]):,.0f} req/s = {share:.1f}% of bare{target}")


WORKER_CLASSES = {"sync x2": {"worker_class": "sync"},
                  "gthread x2, 4 threads": {"worker_class": "gthread", "env": {"GUNICORN_CMD_ARGS": "--threads 4"}}}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_worker_classes(backend):
    """The measurement behind `make serve`'s worker class: the module page under each class (its requests a second
    decide; the share of the same server's bare route is printed too)."""
    url = _sqlite_url() if backend == "sqlite" else _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server reachable (set LMS_BENCH_PAGES_URL)")
    email, course, module = _prepare(url)
    print()
    for label, options in WORKER_CLASSES.items():
        with served(url, workers=2, **options) as base:
            cookie = login_cookie(base, email, PASSWORD)
            runs = interleaved_runs({
                "bare": lambda base=base: throughput(f"{base}/bench/bare", seconds=SECONDS),
                "module page": lambda base=base, cookie=cookie: throughput(
                    f"{base}/courses/{course}/{module}", cookie=cookie, seconds=SECONDS),
            }, rounds=ROUNDS)
        print(f"{backend}, gunicorn {label}: bare {statistics.median(runs['bare']):,.0f} req/s, module page "
              f"{statistics.median(runs['module page']):,.0f} req/s = "
              f"{100 * median_ratio(runs, 'module page', 'bare'):.1f}% of bare")
