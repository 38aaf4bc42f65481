"""The worker side: `flask lms worker` (rq's Worker, forking a work horse per job), a job run outside any app
context (what a plain `rq worker` does), the recurring work (reminders, LRS forwarding, purging) queued by rq's
CronScheduler or by `flask lms enqueue` from cron, and run in-process without Redis."""

from __future__ import annotations

import gc
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import jobs
from lms import worker as rq_worker
from lms.cli import recurring_tasks, worker_schedule
from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.learning import assignments
from lms.learning.models import Enrolment
from lms.tracking import services
from lms.tracking.models import OutboxEntry
from tests.conftest import HYPHENATED_HEADINGS, TEST_DATABASE_URL, _test_config
from tests.factories import make_cohort, make_org, make_user
from tests.jobs import handlers
from tests.tracking.lrs_server import FakeLRS


@pytest.fixture(autouse=True)
def _no_worker_app(monkeypatch):
    """Each test starts without the worker app an earlier `flask lms worker` left behind."""
    monkeypatch.setattr(rq_worker, "_app", None)
    handlers.SEEN.clear()
    handlers.CALLS.clear()


def platform_jobs(kind: str) -> list[jobs.Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(jobs.Job).where(jobs.Job.kind == kind).order_by(jobs.Job.id)))


def test_the_worker_command_needs_a_redis_url(runner):
    result = runner.invoke(args=["lms", "worker", "--burst"])
    assert result.exit_code == 1
    assert "LMS_REDIS_URL is not set" in result.output


class TestTheWorkerCommand:
    @pytest.fixture
    def app_config(self, tmp_path) -> dict:
        # A database the work horses rq forks can reach: PostgreSQL when the tests run on it, else an SQLite file
        # (an in-memory one is private to this process).
        if TEST_DATABASE_URL:
            return _test_config(tmp_path)
        return _test_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'lms.sqlite'}")

    def test_it_runs_the_queued_jobs_in_work_horses(self, app, runner, redis_queue):
        org = make_org("Northwind")
        first = jobs.enqueue(handlers.three_steps, kind="test", title="t", organization_id=org.id,
                             args={"name": "Ada"})
        second = jobs.enqueue(handlers.three_steps, kind="test", title="t", organization_id=org.id,
                              args={"name": "Bo"})
        assert redis_queue.waiting() == 2

        result = runner.invoke(args=["lms", "worker", "--burst", "--queue", redis_queue.name])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        done = [db.session.get(jobs.Job, j.id) for j in (first, second)]
        assert [(j.status, j.message) for j in done] == [("done", "Said hello to Ada."), ("done", "Said hello to Bo.")]
        assert handlers.CALLS == []  # they ran in forked work horses, not in this process
        assert jobs.result_file(done[1]).read_bytes() == b"Hello Bo"
        assert redis_queue.waiting() == 0

    def test_before_forking_the_worker_compiles_the_templates_and_readies_the_pdfs(self, app, monkeypatch,
                                                                                     renderer_setups):
        """What each work horse would otherwise redo for every job (a quarter or more of a report PDF's job):
        afterwards no template compiles again, the exercises are loaded, report PDFs and certificates set up no fonts
        and parse no stylesheet, and what the worker holds is frozen out of the horses' garbage collections."""
        from lms import pdf
        from lms.certificates.rendering import STYLESHEET
        from lms.reports.views import PDF_STYLESHEET

        monkeypatch.setattr(pdf, "_local", pdf._ThreadCaches())  # as a worker that has rendered nothing yet
        app.jinja_env.cache.clear()  # and has compiled no template (nor shares the suite's compiled ones)
        monkeypatch.setattr(app.jinja_env, "bytecode_cache", None)
        compiled, set_up = [], renderer_setups  # templates compiled; fonts and stylesheets set up
        real_compile = app.jinja_env.compile
        monkeypatch.setattr(app.jinja_env, "compile", lambda *a, **k: compiled.append(a[1]) or real_compile(*a, **k))
        app.extensions.pop("lms_exercises", None)  # and has loaded no exercise
        frozen = gc.get_freeze_count()

        rq_worker.prepare_work_horses(app)
        assert "contact-list-build" in app.extensions["lms_exercises"]
        assert "reports/pdf.html" in compiled and len(compiled) == len(app.jinja_env.list_templates())
        # the fonts; the reports' stylesheet, the certificates'; the hyphenation patterns of the PDFs' language
        assert sorted(set_up) == ["font configuration", "hyphenation patterns", "stylesheet", "stylesheet"]
        assert gc.get_freeze_count() > frozen

        compiled.clear()
        set_up.clear()
        for name in app.jinja_env.list_templates():
            app.jinja_env.get_template(name)
        for stylesheet in (PDF_STYLESHEET, STYLESHEET):
            pdf.render_pdf(HYPHENATED_HEADINGS, stylesheets=(stylesheet,))
        assert (compiled, set_up) == ([], [])
        rq_worker._release_pdf_caches()  # as the worker does on its way out
        gc.freeze()  # what the suite froze (conftest.py), frozen again

    def test_a_job_outside_any_app_context_makes_its_app_from_the_environment(self, app, monkeypatch):
        org = make_org("Northwind")
        job = jobs.record(handlers.three_steps, kind="test", title="t", organization_id=org.id, args={"name": "Cy"})
        db.session.remove()
        for key in ("SQLALCHEMY_DATABASE_URI", "STORAGE_DIR", "SERVER_NAME", "COURSES_DIR", "SECRET_KEY"):
            monkeypatch.setenv(f"LMS_{key}", str(app.config[key]))
        outcome = {}
        thread = threading.Thread(target=lambda: outcome.setdefault("status", rq_worker.run(job.id)))
        thread.start()
        thread.join(60)
        assert outcome == {"status": "done"}
        assert rq_worker._app is not None and rq_worker._app is not app
        assert (Path(app.config["STORAGE_DIR"]) / "jobs" / str(org.id) / str(job.id) / "hello-Cy.txt").is_file()
        with rq_worker._app.app_context():
            db.engine.dispose()


# --- recurring work ---------------------------------------------------------------------------------------


def test_the_schedule_sends_reminders_daily_and_forwards_statements_only_to_a_configured_lrs(app):
    app.config.update(REMINDER_CRON="15 6 * * *", LRS_FORWARD_SECONDS=30,
                      SQLALCHEMY_DATABASE_URI="sqlite:///lms.sqlite")
    assert {t.kind: (t.cron, t.interval) for t in worker_schedule(app.config)} == {
        "remind": ("15 6 * * *", None), "purge-jobs": ("30 3 * * *", None), "statistics": ("45 3 * * *", None)}
    app.config["LRS_ENDPOINT"] = "https://lrs.example/xapi/"
    assert {t.kind: (t.cron, t.interval) for t in worker_schedule(app.config)}["xapi-forward"] == (None, 30)
    assert set(recurring_tasks(app.config)) == {"remind", "xapi-forward", "purge-jobs", "statistics"}


def test_the_schedule_refreshes_query_statistics_only_on_sqlite(app):
    """PostgreSQL's autovacuum analyses its tables itself; SQLite has no statistics unless something runs ANALYZE."""
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://lms@db.internal/lms"
    assert "statistics" not in {t.kind for t in worker_schedule(app.config)}


class TestForwardingOnTheClock:
    @pytest.fixture
    def fake_lrs(self):
        server = FakeLRS().start()
        try:
            yield server
        finally:
            server.stop()

    @pytest.fixture
    def app_config(self, tmp_path, fake_lrs) -> dict:
        return _test_config(tmp_path, LRS_ENDPOINT=fake_lrs.url, LRS_USERNAME="key", LRS_PASSWORD="secret",
                            LRS_BATCH_SIZE=2, LRS_TIMEOUT=5)

    def test_the_scheduler_queues_forwarding_and_the_worker_delivers_every_statement(self, app, fake_lrs,
                                                                                     redis_queue):
        from rq.cron import CronScheduler

        org = make_org("Northwind")
        ada = make_user(org, ("learner",), email="ada@northwind.example")
        ids = [services.record(ada, "viewed", ("report", f"r{i}", f"Report {i}"), organization_id=org.id).id
               for i in range(3)]
        db.session.commit()

        scheduler = CronScheduler(connection=redis_queue.connection, name=f"{redis_queue.name}-scheduler")
        rq_worker.register_schedule(scheduler, redis_queue.name, worker_schedule(app.config))
        queued = scheduler.enqueue_jobs()  # what its loop does on each tick: an interval task is due at once
        assert [job.name for job in queued] == [f"{redis_queue.name}:xapi-forward"]
        assert redis_queue.waiting() == 1
        redis_queue.work()

        assert sorted(fake_lrs.received) == sorted(ids)
        assert db.session.scalars(select(OutboxEntry).where(OutboxEntry.delivered_at.is_(None))).all() == []
        [job] = platform_jobs("xapi-forward")
        assert (job.status, job.organization_id, job.user_id) == ("done", None, None)
        assert job.message.startswith("Forwarded 3 statement(s); 0 waiting")

    def test_an_lrs_that_is_down_fails_the_job_and_nothing_is_lost(self, app, runner, fake_lrs):
        org = make_org("Northwind")
        ada = make_user(org, ("learner",), email="ada@northwind.example")
        services.record(ada, "viewed", ("report", "r", "Report"), organization_id=org.id)
        db.session.commit()
        fake_lrs.go_offline()
        result = runner.invoke(args=["lms", "enqueue", "xapi-forward"])
        assert result.exit_code == 1
        [job] = platform_jobs("xapi-forward")
        assert job.status == "failed" and "1 waiting" in job.error
        assert len(db.session.scalars(select(OutboxEntry).where(OutboxEntry.delivered_at.is_(None))).all()) == 1


def test_forwarding_without_an_lrs_fails_with_the_reason(app, runner):
    result = runner.invoke(args=["lms", "enqueue", "xapi-forward"])
    assert result.exit_code == 1
    assert "LMS_LRS_ENDPOINT is not set" in result.output


@pytest.fixture
def due_assignment(app, smtp_server):
    """Ada's assignment is due in two days: today's reminders have one for her."""
    app.config.update(smtp_server.config())
    sync_content(Path(app.config["COURSES_DIR"]), {})
    org = make_org("Northwind", timezone="Europe/London")
    cohort = make_cohort(org, "Winter")
    manager = make_user(org, ("manager",), email="marcus@northwind.example")
    make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace", cohort=cohort)
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    assignments.assign(org, course, utcnow() + timedelta(days=2), manager, cohort=cohort)
    for enrolment in db.session.scalars(select(Enrolment)):
        enrolment.due_at = utcnow() + timedelta(days=2)
    db.session.commit()


def test_cron_enqueues_the_reminders_which_run_in_process_without_redis(runner, due_assignment, smtp_server):
    result = runner.invoke(args=["lms", "enqueue", "remind"])
    assert result.exit_code == 0, result.output
    assert "done" in result.output and "Reminders: 1 sent, 0 already sent, 0 failed." in result.output
    assert [m["To"] for m in smtp_server.messages] == ["ada@northwind.example"]
    [job] = platform_jobs("remind")
    assert job.status == "done" and "Reminders: 1 sent" in job.message


def test_cron_enqueues_the_reminders_for_the_worker_with_redis(runner, due_assignment, smtp_server, redis_queue):
    result = runner.invoke(args=["lms", "enqueue", "remind"])
    assert result.exit_code == 0 and "queued" in result.output
    assert smtp_server.messages == []
    redis_queue.work()
    assert [m["To"] for m in smtp_server.messages] == ["ada@northwind.example"]
    assert platform_jobs("remind")[0].status == "done"
    assert runner.invoke(args=["lms", "enqueue", "remind"]).exit_code == 0
    redis_queue.work()
    assert len(smtp_server.messages) == 1  # never the same reminder twice


def test_a_recurring_task_is_skipped_while_the_last_one_still_waits(app, redis_queue):
    jobs.enqueue(jobs.purge_job, kind="purge-jobs", title="Delete old job files", organization_id=None,
                 subject="purge-jobs")
    assert rq_worker.run_task(jobs.dotted_name(jobs.purge_job), "purge-jobs", "Delete old job files", 60) == "skipped"
    redis_queue.work()
    assert rq_worker.run_task(jobs.dotted_name(jobs.purge_job), "purge-jobs", "Delete old job files", 60) == "done"
    assert [j.status for j in platform_jobs("purge-jobs")] == ["done", "done"]
