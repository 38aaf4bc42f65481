"""Report PDFs at 10,000 learners and 1,000,000 statements: what the manager waits for after the click.

Before background jobs the click rendered the PDF in the request (that is still what happens without Redis, the
first figures). With Redis the click queues a job and answers with its progress page, and the worker makes the PDF
with `flask lms worker --burst` in a process of its own, as production runs it (prepared once, then a work horse
forked per job); each job's time is read from its row, from its claim to its end. Each figure is a ratio to a bare
Flask route through the same test client (the floor), against the issue's target (<= 1 s).

Uses its own copy of bench_reports' SQLite database (instance/bench/jobs-reports-10000-1000000.sqlite): copied
from reports-10000-1000000.sqlite when bench_reports has made it, else generated the same way (a few minutes), so
`make bench` on a fresh machine measures it too (this file runs before bench_reports).
Run with `.venv/bin/pytest -q -s tests/benchmarks/bench_jobs.py -o addopts="" -p no:cacheprovider`.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from lms import create_app
from lms.extensions import db

ROOT = Path(__file__).resolve().parents[2]
DATABASE = ROOT / "instance" / "bench" / "jobs-reports-10000-1000000.sqlite"
MANAGER = "manager@bench-10000-1000000.example"
PASSWORD = "bench-password-2026"
REPORTS = ("completion", "capability", "adoption")
TARGET_S = 1.0
# What the worker process needs to find this benchmark's database and files (as LMS_* environment variables).
WORKER_SETTINGS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "STORAGE_DIR", "COURSES_DIR", "SERVER_NAME")


def median_seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def line(name: str, seconds: float, floor: float) -> str:
    return (f"  {name:<66} {seconds * 1000:9.1f} ms (target <= {TARGET_S * 1000:.0f} ms) = "
            f"{seconds / floor:8.1f}x floor ({floor * 1000:.2f} ms: a bare Flask route)")


def _database(tmp_path: Path) -> Path:
    """Return this benchmark's database, made first if missing: a copy of bench_reports' (SQLite's backup API,
    which copies what its write-ahead log holds too), else generated as bench_reports generates it."""
    from tests.benchmarks import bench_reports

    if DATABASE.exists():
        return DATABASE
    source = Path(bench_reports._sqlite_url().removeprefix("sqlite:///"))
    if source.exists():
        with closing(sqlite3.connect(source)) as kept, closing(sqlite3.connect(DATABASE)) as copy:
            kept.backup(copy)
        return DATABASE
    app = bench_reports._app(f"sqlite:///{DATABASE}", tmp_path)
    with app.app_context():
        bench_reports._prepare(app)
        db.session.remove()
        db.engine.dispose()
    return DATABASE


def _job_id(page: str) -> int:
    """The job's id from its progress page's address (/jobs/<id>)."""
    return int(page.rstrip("/").rsplit("/", 1)[1])


def _job_seconds(job) -> float:
    """How long a job ran, from its row: claimed by its work horse until done."""
    assert job.status == "done", (job.status, job.error)
    return (job.finished_at - job.started_at).total_seconds()


def test_bench_report_pdf_click(tmp_path):
    database = _database(tmp_path)
    from lms import jobs
    from tests.conftest import _test_config
    from tests.jobs.fixtures import REDIS_URL, RedisQueue, download_file, redis_or_skip

    app = create_app(_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
                                  COURSES_DIR=str(ROOT / "courses")))
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert client.post("/login", data={"email": MANAGER, "password": PASSWORD}).status_code == 302
    floor = median_seconds(lambda: client.get("/bench/bare"), repeat=200)
    print(f"\nreport PDFs, 10,000 learners / 1,000,000 statements (SQLite); floor {floor * 1000:.2f} ms")

    for report in REPORTS:  # without Redis: the job runs in the request, as the PDF did before
        def in_process(report=report):
            job_page = client.post(f"/reports/{report}/pdf").headers["Location"]
            assert download_file(client, f"{job_page}/file")[0].status_code == 200
        print(line(f"{report}: click -> PDF ready, no Redis (in the request)", median_seconds(in_process), floor))

    connection = redis_or_skip()
    queue = RedisQueue(REDIS_URL, f"lms-bench-{uuid.uuid4().hex[:8]}", connection)
    app.config.update(REDIS_URL=REDIS_URL, JOB_QUEUE=queue.name)
    try:
        with app.app_context():
            enqueued = median_seconds(lambda: jobs.enqueue(jobs.purge_job, kind="bench", title="bench",
                                                           organization_id=None), repeat=20)
        print(line("queueing a job alone (a row committed, then rq on Redis)", enqueued, floor))
        queue.queue().empty()  # those jobs are not run: the worker below times the PDFs only
        job_pages: dict[str, list[str]] = {}
        for report in REPORTS:
            pages = []

            def click(report=report, pages=pages):
                response = client.post(f"/reports/{report}/pdf")
                assert response.status_code == 303
                pages.append(response.headers["Location"])

            clicked = median_seconds(click)
            print(line(f"{report}: click -> progress page, with Redis (queued)", clicked, floor))
            poll = median_seconds(lambda pages=pages: client.get(pages[0]), repeat=20)
            print(line(f"{report}: the progress page, each poll", poll, floor))
            job_pages[report] = pages
        # The worker as production runs it: `flask lms worker`, a process of its own that prepares once, then forks a
        # work horse per job. (Run here, in this warm benchmark process, its horses would start warm whatever the
        # worker did: rq's SimpleWorker here, as before, flattered the figures by that much.)
        env = dict(os.environ, FLASK_APP="lms", PYTHONPATH=str(ROOT), LMS_REDIS_URL=REDIS_URL,
                   **{f"LMS_{key}": str(app.config[key]) for key in WORKER_SETTINGS})
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "lms", "worker", "--burst", "--queue", queue.name], env=env,
                       check=True, capture_output=True)
        worked = time.perf_counter() - began
        with app.app_context():
            ran = {report: [_job_seconds(db.session.get(jobs.Job, _job_id(page))) for page in pages]
                   for report, pages in job_pages.items()}
        print(f"  `flask lms worker --burst`: {sum(map(len, ran.values()))} PDFs in {worked:.1f} s, its start and "
              f"preparation included")
        for report, seconds in ran.items():
            print(line(f"{report}: one PDF's job in a forked work horse (off the request)",
                       statistics.median(seconds), floor))
        for pages in job_pages.values():
            assert all(download_file(client, f"{page}/file")[0].status_code == 200 for page in pages)
    finally:
        queue.delete()
        with app.app_context():
            db.session.execute(jobs.Job.__table__.delete().where(jobs.Job.kind == "bench"))
            db.session.commit()
            db.engine.dispose()
